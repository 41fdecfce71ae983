"""Fixtures for everything that talks to Fortnox: an emulator on an ephemeral loopback port.

``emulator`` is a running emulator with the default configuration (the bundled example
company, real token lifetimes, no faults); ``emulator_factory(**config)`` starts one
with any :class:`~ledgerlink_fortnox.emulator.EmulatorConfig` fields changed (and
``book=`` seeds it with another bookkeeping). Both are
function-scoped and stopped after the test. The seed SIE is parsed once per session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from ledgerlink_core.model import Bookkeeping
from ledgerlink_fortnox.emulator import EmulatorConfig, RunningEmulator, build_state
from ledgerlink_fortnox.emulator.seed import load_bookkeeping
from ledgerlink_fortnox.emulator.server import start_emulator

EmulatorFactory = Callable[..., RunningEmulator]

_BOOKS: dict[Path | None, Bookkeeping] = {}


def seed_book(path: Path | None = None) -> Bookkeeping:
    """The seed bookkeeping (the bundled example company by default), parsed once."""
    if path not in _BOOKS:
        _BOOKS[path] = load_bookkeeping(path)
    return _BOOKS[path]


@pytest.fixture
def emulator_factory() -> Iterator[EmulatorFactory]:
    """Start emulators with ``EmulatorConfig(**config)``, seeded with ``book`` (default: the
    configured seed SIE); all are stopped after the test."""
    running: list[RunningEmulator] = []

    def start(book: Bookkeeping | None = None, **config: Any) -> RunningEmulator:
        cfg = EmulatorConfig(**config)
        state = build_state(cfg, book if book is not None else seed_book(cfg.seed_sie))
        emu = start_emulator(cfg, "127.0.0.1", 0, state=state)
        running.append(emu)
        return emu

    yield start
    for emu in running:
        emu.stop()


@pytest.fixture
def emulator(emulator_factory: EmulatorFactory) -> RunningEmulator:
    """A running emulator with the default configuration."""
    return emulator_factory()
