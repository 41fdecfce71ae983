"""Fixtures of the emulator tests: a small two-year company and raw clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from emulator_helpers import bearer, two_year_book
from ledgerlink_fortnox.emulator import EmulatorConfig, RunningEmulator, build_state
from ledgerlink_fortnox.emulator.server import start_emulator


@pytest.fixture
def api(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    """A client of the default emulator with every scope."""
    with bearer(emulator) as client:
        yield client


SmallFactory = Callable[..., RunningEmulator]


@pytest.fixture
def small_emulator_factory() -> Iterator[SmallFactory]:
    """Start emulators seeded with :func:`two_year_book` and ``EmulatorConfig(**config)``."""
    running: list[RunningEmulator] = []

    def start(**config: Any) -> RunningEmulator:
        cfg = EmulatorConfig(**config)
        emu = start_emulator(cfg, state=build_state(cfg, two_year_book()))
        running.append(emu)
        return emu

    yield start
    for emu in running:
        emu.stop()


@pytest.fixture
def small(small_emulator_factory: SmallFactory) -> RunningEmulator:
    """The two-year company, default configuration."""
    return small_emulator_factory()
