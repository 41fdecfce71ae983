"""The example third-party backend, installed as its own distribution, passes the whole kit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from dists import REPO, install, run_pytest

#: Each runs a pytest subprocess over a freshly installed distribution (several seconds).
pytestmark = pytest.mark.slow

EXAMPLE = REPO / "examples" / "ledgerlink-jsonbooks"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/ledgerlink-jsonbooks built and installed into a fresh directory."""
    return install(EXAMPLE, tmp_path_factory.mktemp("jsonbooks-site"))


def test_example_passes_every_group_of_the_kit(installed: Path, tmp_path: Path) -> None:
    run = run_pytest(["tests"], cwd=EXAMPLE, paths=[installed], junit=tmp_path / "junit.xml")
    assert run.returncode == 0, run.output[-3000:]
    # It declares every capability, so nothing is gated away: every kit test ran and passed
    # except the one about backends that export *without* attachments.
    assert run.named("failed") == [], run.output[-3000:]
    assert run.named("skipped") == [
        "TestJsonbooksConformance::test_attachments_are_refused_where_undeclared"
    ], run.output[-3000:]
    from ledgerlink_core.testing.conformance import BackendConformance

    kit_tests = {n for n in dir(BackendConformance) if n.startswith("test_")}
    ran = {name.split("::")[1] for name in run.outcomes}
    assert ran == kit_tests


def test_example_is_discovered_by_the_cli(installed: Path, run_cli_process, tmp_path: Path) -> None:
    from ledgerlink_core.testing import small_company

    (tmp_path / "bookkeeping.json").write_text(small_company().model_dump_json(), encoding="utf-8")
    rows = {
        r["name"]: r
        for r in json.loads(run_cli_process("backends", "--json", extra_path=[installed]).stdout)
    }
    assert rows["jsonbooks"]["distribution"] == "ledgerlink-jsonbooks"
    assert rows["jsonbooks"]["status"] == "ok"
    pulled = run_cli_process(
        "pull",
        "--from",
        "jsonbooks",
        "--set",
        f"directory={tmp_path}",
        "--json",
        extra_path=[installed],
    )
    assert pulled.exit_code == 0, pulled.stderr
    assert len(json.loads(pulled.stdout)["vouchers"]) == len(small_company().vouchers)
