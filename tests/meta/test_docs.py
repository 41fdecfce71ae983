"""The author documentation and the hook/capability surface are kept honest by tests
(datasette's meta-tests, extended): every hookspec is documented with its exact signature and
has a ``test_hook_<name>``; every capability is documented and exercised by the kit; the
built-in distributions' entry points resolve; the kit's pytest plugin is registered and light.
"""

from __future__ import annotations

import importlib.metadata as md
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest
from ledgerlink_core import hookspecs
from ledgerlink_core.backend import AccountingBackend
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.testing.conformance import BackendConformance
from ledgerlink_core.testing.suites.base import REQUIRES_MARKER, KitBase

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
HOOKS = sorted(n for n in dir(hookspecs) if n.startswith("ledgerlink_"))


def signature(name: str) -> str:
    """``def name(arg: T, ...) -> R:`` as written in hookspecs.py (annotations are strings)."""
    sig = inspect.signature(getattr(hookspecs, name))
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"def {name}({params}) -> {sig.return_annotation}:"


def section(text: str, heading: str) -> str:
    """The body of ``## heading`` up to the next ``## ``."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"no '## {heading}' section"
    return match.group(1)


def test_hookspecs_are_found() -> None:
    assert len(HOOKS) >= 6, HOOKS


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_is_documented_with_its_exact_signature(name: str) -> None:
    body = section((DOCS / "plugin-hooks.md").read_text(encoding="utf-8"), name)
    assert signature(name) in body, f"docs/plugin-hooks.md must show: {signature(name)}"
    spec = getattr(hookspecs, name).ledgerlink_spec
    assert ("**firstresult.**" in body) == spec["firstresult"], "say whether it is firstresult"


def test_docs_name_no_hook_that_does_not_exist() -> None:
    text = (DOCS / "plugin-hooks.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## (ledgerlink_\w+)", text, re.M))
    assert documented == set(HOOKS)


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_a_test(name: str) -> None:
    pattern = re.compile(rf"^\s*def test_hook_{name}\(", re.M)
    files = [p for p in (REPO / "tests").rglob("test_*.py") if pattern.search(p.read_text("utf-8"))]
    assert files, f"write a test_hook_{name} (tests/meta/test_hooks.py)"


def _kit_tests_for(cap: Capability) -> list[str]:
    names = []
    for name in dir(BackendConformance):
        marks = getattr(getattr(BackendConformance, name), "pytestmark", [])
        if any(m.name == REQUIRES_MARKER and cap in m.args for m in marks):
            names.append(name)
    return names


@pytest.mark.parametrize("cap", list(Capability), ids=str)
def test_every_capability_is_exercised_by_the_kit(cap: Capability) -> None:
    assert _kit_tests_for(cap), f"no conformance test is switched on by {cap}"
    section((DOCS / "capabilities.md").read_text(encoding="utf-8"), str(cap))


def test_every_gated_kit_test_is_documented_under_its_capability() -> None:
    text = (DOCS / "capabilities.md").read_text(encoding="utf-8")
    bodies = {cap: section(text, str(cap)) for cap in Capability}
    for cap in Capability:
        for test in _kit_tests_for(cap):
            caps = [c for c in Capability if test in _kit_tests_for(c)]
            assert any(test in bodies[c] for c in caps), (
                f"docs/capabilities.md: name {test} under one of {[str(c) for c in caps]}"
            )


def test_the_example_backend_declares_every_capability() -> None:
    # tests/conformance/test_example_jsonbooks.py runs it with no skips, so every
    # capability-gated kit test really runs against a backend in this repository.
    source = (
        REPO / "examples/ledgerlink-jsonbooks/src/ledgerlink_jsonbooks/backend.py"
    ).read_text()
    assert "supported=frozenset(Capability)" in source


def test_tutorial_fixture_table_matches_the_kit() -> None:
    text = (DOCS / "writing-a-backend.md").read_text(encoding="utf-8")
    table = section(text, "4. Talk to your system")
    documented = set(re.findall(r"^\| `(\w+)` \|", table, re.M))
    author_fixtures = {
        "backend_name",
        "settings",
        "invalid_settings",
        "invalid_credentials",
        "transport",
        "sample",
        "sample_dir",
        "subledger_as_of",
        "export_settings",
        "locked_date",
        "ledgerlink_environ",
    }
    assert documented == author_fixtures
    for name in author_fixtures:
        assert hasattr(KitBase, name), name


@pytest.mark.parametrize(
    ("dist", "group"),
    [
        ("ledgerlink-fortnox", "ledgerlink.backends"),
        ("ledgerlink-fortnox", "ledgerlink.plugins"),
        ("ledgerlink-fortnox-emulator", "ledgerlink.plugins"),
        ("ledgerlink-sie-file", "ledgerlink.backends"),
        ("ledgerlink-core", "pytest11"),
    ],
)
def test_builtin_entry_points_resolve(dist: str, group: str) -> None:
    eps = [ep for ep in md.distribution(dist).entry_points if ep.group == group]
    assert eps, f"{dist} declares nothing in {group}"
    for ep in eps:
        obj = ep.load()
        if group == "ledgerlink.backends":
            assert issubclass(obj, AccountingBackend) and obj.name == ep.name


def test_pytest_plugin_is_light() -> None:
    # Loaded by every pytest run where ledgerlink-core is installed: it must not import the
    # kit, the model or pydantic until a test module uses the kit.
    code = (
        "import sys, ledgerlink_core.testing.pytest_plugin as p;"
        "heavy = [m for m in ('pydantic', 'ledgerlink_core.model',"
        " 'ledgerlink_core.testing.suites.base', 'httpx') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
