"""pytest plugin of the conformance kit, registered through the ``pytest11`` entry point.

It is loaded by every pytest run in an environment with ledgerlink-core installed, so it
imports nothing heavy and does nothing unless kit classes were collected:

* registers the kit's markers (``ledgerlink_requires``, ``ledgerlink_override``,
  ``ledgerlink_live``) so ``--strict-markers`` projects accept them;
* adds ``--ledgerlink-live``: tests marked ``ledgerlink_live`` are skipped without it;
* runs the guard (:mod:`ledgerlink_core.testing.guard`) on collected kit classes;
* fails a kit test that was skipped at run time without a reason;
* offers ``ledgerlink_registry`` and ``ledgerlink_runtime`` fixtures for testing extension
  plugins (an isolated registry: core's own hooks only, register yours into it).
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from typing import Any

import pytest

__all__ = [
    "ledgerlink_registry",
    "ledgerlink_runtime",
    "pytest_addoption",
    "pytest_collection_modifyitems",
    "pytest_configure",
    "pytest_runtest_makereport",
]

_KIT_LOADED = "ledgerlink_core.testing.suites.base"


def pytest_addoption(parser: pytest.Parser) -> None:
    """``--ledgerlink-live``: also run the live tier against real services."""
    group = parser.getgroup("ledgerlink", "ledgerlink conformance kit")
    group.addoption(
        "--ledgerlink-live",
        action="store_true",
        default=False,
        help="run conformance tests marked ledgerlink_live (they reach real services)",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Register the kit's markers."""
    config.addinivalue_line(
        "markers", "ledgerlink_requires(*capabilities): a kit test needing these capabilities"
    )
    config.addinivalue_line(
        "markers", "ledgerlink_override(reason): a standard kit test overridden, and why"
    )
    config.addinivalue_line(
        "markers", "ledgerlink_live: reaches a real service; runs only with --ledgerlink-live"
    )


@pytest.fixture
def ledgerlink_registry() -> Any:
    """A :class:`~ledgerlink_core.registry.Registry` with core's hooks and no installed
    extension plugins: ``ledgerlink_registry.register(MyPlugin(), name="mine")``."""
    from ledgerlink_core.registry import Registry

    return Registry(load_plugins=False)


@pytest.fixture
def ledgerlink_runtime(ledgerlink_registry: Any, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A :class:`~ledgerlink_core.runtime.Runtime` on ``ledgerlink_registry`` with fresh config
    and data directories; pass it as ``obj=`` to click's ``CliRunner.invoke``."""
    from ledgerlink_core.runtime import Runtime

    home = tmp_path_factory.mktemp("ledgerlink-runtime")
    environ = {
        "LEDGERLINK_CONFIG_DIR": str(home / "config"),
        "LEDGERLINK_DATA_DIR": str(home / "data"),
    }
    return Runtime(registry=ledgerlink_registry, environ=environ)


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    """Guard kit classes; skip the live tier unless asked for."""
    if _KIT_LOADED not in sys.modules:
        return  # no test module imported the kit: nothing to do
    from ledgerlink_core.testing import guard

    guard.apply(session, items)
    if not config.getoption("ledgerlink_live", default=False):
        skip = pytest.mark.skip(reason="live conformance tests run with --ledgerlink-live")
        for item in items:
            if item.get_closest_marker("ledgerlink_live") is not None:
                item.add_marker(skip)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[Any]
) -> Generator[None, Any, None]:
    """A kit test skipped at run time without a reason fails instead."""
    outcome: Any = yield
    if _KIT_LOADED not in sys.modules:
        return
    report: pytest.TestReport = outcome.get_result()
    if not report.skipped or getattr(report, "wasxfail", None) is not None:
        return
    from ledgerlink_core.testing import guard

    cls = getattr(item, "cls", None)
    name = getattr(item, "originalname", item.name)
    if cls is None or not guard.is_kit_class(cls) or name not in guard.standard_tests(cls):
        return
    longrepr = report.longrepr
    message = longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else ""
    reason = str(message).removeprefix("Skipped:").strip()
    if reason in ("", "Skipped", "unconditional skip"):  # what pytest shows for no reason
        report.outcome = "failed"
        report.longrepr = (
            f"ledgerlink conformance guard: {item.nodeid} was skipped without a reason; "
            "say why (pytest.skip(reason=...))"
        )
