"""The kit is only worth something if it fails bad backends: each broken backend here has one
known defect, and the kit must fail exactly the tests about it (and the guard must catch
unjustified opt-outs).

The backends are real distributions (``*.dist-info`` with entry points) in a temp directory,
run in a pytest subprocess with that directory on ``PYTHONPATH``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from dists import PytestRun, run_pytest

#: Each runs a pytest subprocess over a freshly installed distribution (several seconds).
pytestmark = pytest.mark.slow

GOOD = """
import socket
from pathlib import Path
from ledgerlink_core.backend import AccountingBackend, BackendSettings, BookkeepingRequest
from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.model import Bookkeeping
from pydantic import SecretStr


class Settings(BackendSettings):
    directory: Path


class Backend(AccountingBackend):
    name = "NAME"
    Settings = Settings

    @classmethod
    def capabilities(cls):
        return Capabilities(supported=frozenset({Capability.IMPORT_BOOKKEEPING}))

    def import_bookkeeping(self, request: BookkeepingRequest) -> Bookkeeping:
        return Bookkeeping.model_validate_json(
            (self.settings.directory / "bookkeeping.json").read_text(encoding="utf-8")
        )
"""

#: name -> (replace this, with that): one defect each.
DEFECTS: dict[str, tuple[str, str]] = {
    # capabilities() reaches the network.
    "kitimpure": (
        "        return Capabilities(",
        "        s = socket.socket()\n        try:\n            s.connect(('127.0.0.1', 9))\n"
        "        except OSError:\n            pass\n        finally:\n            s.close()\n"
        "        return Capabilities(",
    ),
    # The constructor reads the data (I/O before the first call).
    "kiteager": (
        "    Settings = Settings\n",
        "    Settings = Settings\n\n    def __init__(self, settings, ctx):\n"
        "        super().__init__(settings, ctx)\n"
        "        self.cache = (settings.directory / 'bookkeeping.json').read_bytes()\n",
    ),
    # Declares a subledger it does not implement.
    "kitliar": (
        "{Capability.IMPORT_BOOKKEEPING}",
        "{Capability.IMPORT_BOOKKEEPING, Capability.IMPORT_SUBLEDGER_CUSTOMER}",
    ),
    # A secret setting as plain str.
    "kitleaky": ("    directory: Path\n", "    directory: Path\n    api_token: str = 'x'\n"),
    # Drops the last voucher: balances no longer roll forward, the sample is not matched.
    "kitdrift": (
        "        return Bookkeeping.model_validate_json(\n"
        '            (self.settings.directory / "bookkeeping.json").read_text(encoding="utf-8")\n'
        "        )",
        "        book = Bookkeeping.model_validate_json(\n"
        '            (self.settings.directory / "bookkeeping.json").read_text(encoding="utf-8")\n'
        "        )\n        return book.model_copy(update={'vouchers': book.vouchers[:-1]})",
    ),
    # Its class calls itself something else than its entry point.
    "kitmisnamed": ('    name = "NAME"', '    name = "somethingelse"'),
    # Logs its API key while connecting (and offers no wrong credentials to test with).
    "kitchatty": (
        "    Settings = Settings\n",
        "    Settings = Settings\n\n    def check_connection(self):\n"
        "        import logging\n"
        "        key = self.settings.api_key.get_secret_value()\n"
        "        logging.getLogger('kitchatty').debug('connecting with key %s', key)\n"
        "        return super().check_connection()\n",
    ),
}
#: Extra edits some defects need besides their main one.
ALSO: dict[str, tuple[str, str]] = {
    "kitchatty": (
        "    directory: Path\n",
        "    directory: Path\n    api_key: SecretStr = SecretStr('topsecret-value')\n",
    ),
}

#: Test classes: the good backend with opt-outs, justified or not.
GUARDED = """
class TestOverrideWithoutReason(Base):
    under_test = "kitgood"

    def test_every_voucher_balances(self, book):
        pass


class TestOverrideWithReason(Base):
    under_test = "kitgood"

    @pytest.mark.xfail(reason="pretend our API rounds amounts", strict=False)
    def test_every_voucher_balances(self, book):
        raise AssertionError("rounding")


class TestOverrideMarker(Base):
    under_test = "kitgood"

    @override("we check more than the kit does")
    def test_every_voucher_balances(self, book):
        assert book.vouchers


class TestDeletedTest(Base):
    under_test = "kitgood"
    test_year_selectors_agree = None


@pytest.mark.skip
class TestSkippedWithoutReason(Base):
    under_test = "kitgood"


class TestLiveTier(LiveBackendConformance):
    under_test = "kitgood"

    @pytest.fixture
    def backend_name(self):
        return self.under_test


class TestSkipAtRunTimeWithoutReason(Base):
    under_test = "kitgood"

    @pytest.fixture
    def settings(self, sample_dir, request):
        if request.node.originalname == "test_valid_settings_connect":
            pytest.skip("")
        return write_sample(sample_dir)
"""

HEADER = """
import pytest
from ledgerlink_core.testing import (
    BackendConformance,
    LiveBackendConformance,
    override,
    small_company,
)


def write_sample(directory):
    (directory / "bookkeeping.json").write_text(small_company().model_dump_json(), encoding="utf-8")
    return {"directory": str(directory)}


class Base(BackendConformance):
    under_test = ""

    @pytest.fixture
    def backend_name(self):
        return self.under_test

    @pytest.fixture
    def settings(self, sample_dir):
        return write_sample(sample_dir)
"""


def _distribution(site: Path, name: str, source: str) -> None:
    (site / f"{name}.py").write_text(source.replace("NAME", name), encoding="utf-8")
    info = site / f"{name}-1.0.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0.0\n")
    (info / "entry_points.txt").write_text(f"[ledgerlink.backends]\n{name} = {name}:Backend\n")


@pytest.fixture(scope="module")
def kit_run(tmp_path_factory: pytest.TempPathFactory) -> PytestRun:
    """One pytest run over every broken backend and every guarded class."""
    root = tmp_path_factory.mktemp("kit-catches")
    site = root / "site"
    site.mkdir()
    _distribution(site, "kitgood", GOOD)
    classes = [HEADER, "\n\nclass TestKitgood(Base):\n    under_test = 'kitgood'\n"]
    for name, (old, new) in DEFECTS.items():
        assert old in GOOD, name
        source = GOOD.replace(old, new)
        if name in ALSO:
            source = source.replace(*ALSO[name])
        _distribution(site, name, source)
        classes.append(f"\n\nclass Test{name.capitalize()}(Base):\n    under_test = {name!r}\n")
    tests = root / "tests"
    tests.mkdir()
    (tests / "test_kit.py").write_text("".join(classes) + textwrap.dedent(GUARDED))
    (root / "pytest.ini").write_text("[pytest]\naddopts = --strict-markers\n")
    return run_pytest(["tests"], cwd=root, paths=[site], junit=root / "junit.xml")


def failed(run: PytestRun, cls: str) -> set[str]:
    """Tests of ``cls`` that failed or errored."""
    return {
        name.split("::", 1)[1]
        for name, outcome in run.outcomes.items()
        if name.startswith(cls + "::") and outcome in ("failed", "error")
    }


def test_the_good_backend_passes(kit_run: PytestRun) -> None:
    assert failed(kit_run, "TestKitgood") == set(), kit_run.output[-3000:]
    assert kit_run.outcomes["TestKitgood::test_every_voucher_balances"] == "passed"


@pytest.mark.parametrize(
    ("cls", "expected"),
    [
        # Core calls capabilities() before opening a backend, so every "no I/O" check fails.
        (
            "TestKitimpure",
            {
                "test_capabilities_are_pure",
                "test_opening_does_no_io",
                "test_invalid_settings_fail_before_io",
                "test_undeclared_capabilities_raise_not_supported",
            },
        ),
        ("TestKiteager", {"test_opening_does_no_io"}),
        (
            "TestKitliar",
            {
                "test_capabilities_match_the_methods",
                "test_customer_subledger_is_consistent",
                "test_customer_subledger_reconciles_with_the_ledger",
            },
        ),
        ("TestKitleaky", {"test_secret_settings_are_secret_str"}),
        (
            "TestKitchatty",
            {"test_secrets_never_leak", "test_invalid_credentials_fail_with_authentication_error"},
        ),
        (
            "TestKitdrift",
            {
                "test_opening_balance_plus_movements_is_closing_balance",
                "test_import_matches_the_sample",
            },
        ),
    ],
)
def test_each_defect_fails_exactly_its_tests(
    kit_run: PytestRun, cls: str, expected: set[str]
) -> None:
    assert failed(kit_run, cls) == expected, kit_run.output[-4000:]


def test_a_misnamed_backend_fails_registration(kit_run: PytestRun) -> None:
    # Loading fails everywhere (core refuses the class), and registration says why.
    assert "test_entry_point_loads_the_backend_class" in failed(kit_run, "TestKitmisnamed")
    message = kit_run.messages["TestKitmisnamed::test_entry_point_loads_the_backend_class"]
    assert "somethingelse" in message


def test_guard_fails_unjustified_opt_outs(kit_run: PytestRun) -> None:
    out = kit_run.outcomes
    # Overridden without a reason: the override does not run, a guard item fails instead.
    assert "TestOverrideWithoutReason::test_every_voucher_balances" not in out
    assert out["TestOverrideWithoutReason::test_every_voucher_balances::guard"] == "failed"
    assert (
        "without a"
        in kit_run.messages["TestOverrideWithoutReason::test_every_voucher_balances::guard"]
    )
    # Deleted, or the whole class skipped without a reason.
    assert out["TestDeletedTest::test_year_selectors_agree::guard"] == "failed"
    assert out["TestSkippedWithoutReason::class::guard"] == "failed"
    assert not any(n.startswith("TestSkippedWithoutReason::test_") for n in out)
    # Skipped at run time with an empty reason.
    assert out["TestSkipAtRunTimeWithoutReason::test_valid_settings_connect"] in ("failed", "error")


def test_live_tier_runs_only_when_asked(kit_run: PytestRun) -> None:
    live = {n: o for n, o in kit_run.outcomes.items() if n.startswith("TestLiveTier::")}
    assert len(live) >= 20 and set(live.values()) == {"skipped"}
    assert all("--ledgerlink-live" in kit_run.messages[n] for n in live)


def test_guard_accepts_justified_opt_outs(kit_run: PytestRun) -> None:
    out = kit_run.outcomes
    assert out["TestOverrideWithReason::test_every_voucher_balances"] == "skipped"  # xfailed
    assert out["TestOverrideMarker::test_every_voucher_balances"] == "passed"
    guards = {n for n in out if n.endswith("::guard")}
    assert not {n for n in guards if n.startswith(("TestOverrideWithReason", "TestOverrideMarker"))}
    assert failed(kit_run, "TestOverrideWithReason") == set()
    assert failed(kit_run, "TestOverrideMarker") == set()
