"""pytest fixtures for tests that talk to Fortnox: an emulator on an ephemeral loopback port.

Enabled on request, the way pytest's own ``pytester`` is, never auto-loaded: a test suite
that wants them names this module in its rootdir ``conftest.py``::

    pytest_plugins = ["ledgerlink_fortnox_emulator.fixtures"]

``emulator`` is a running emulator with the default configuration (the bundled example
company, real token lifetimes, no faults); ``emulator_factory(**config)`` starts one with any
:class:`~ledgerlink_fortnox_emulator.EmulatorConfig` fields changed (and ``book=`` seeds it
with another bookkeeping). Both are function-scoped and stopped after the test. Each seed SIE
is parsed once per session. The emulator itself is imported when a fixture is first used.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ledgerlink_core import Bookkeeping

    from ledgerlink_fortnox_emulator.server import RunningEmulator

EmulatorFactory = Callable[..., "RunningEmulator"]
"""``emulator_factory``: ``(book: Bookkeeping | None = None, **config) -> RunningEmulator``."""

_BOOKS: dict[Path | None, Bookkeeping] = {}


def seed_book(path: Path | None = None) -> Bookkeeping:
    """The seed bookkeeping (the bundled example company by default), parsed once."""
    if path not in _BOOKS:
        from ledgerlink_fortnox_emulator.seed import load_bookkeeping

        _BOOKS[path] = load_bookkeeping(path)
    return _BOOKS[path]


@pytest.fixture
def emulator_factory() -> Iterator[EmulatorFactory]:
    """Start emulators with ``EmulatorConfig(**config)``, seeded with ``book`` (default: the
    configured seed SIE); all are stopped after the test."""
    from ledgerlink_fortnox_emulator import EmulatorConfig, build_state, start_emulator

    running: list[RunningEmulator] = []

    def start(book: Bookkeeping | None = None, **config: Any) -> RunningEmulator:
        cfg = EmulatorConfig(**config)
        seed = book if book is not None else seed_book(cfg.seed_sie)
        state = build_state(cfg, seed)
        emu = start_emulator(cfg, "127.0.0.1", 0, state=state, book=seed)
        running.append(emu)
        return emu

    yield start
    for emu in running:
        emu.stop()


@pytest.fixture
def emulator(emulator_factory: EmulatorFactory) -> RunningEmulator:
    """A running emulator with the default configuration."""
    return emulator_factory()
