"""Fixtures of the emulator tests: a small two-year company and raw clients."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from emulator_helpers import bearer, two_year_book
from ledgerlink_fortnox_emulator import RunningEmulator
from ledgerlink_fortnox_emulator.fixtures import EmulatorFactory


@pytest.fixture
def api(emulator: RunningEmulator) -> Iterator[httpx.Client]:
    """A client of the default emulator with every scope."""
    with bearer(emulator) as client:
        yield client


@pytest.fixture
def small_emulator_factory(emulator_factory: EmulatorFactory) -> EmulatorFactory:
    """Start emulators seeded with :func:`two_year_book` and ``EmulatorConfig(**config)``."""

    def start(**config: Any) -> RunningEmulator:
        return emulator_factory(book=two_year_book(), **config)

    return start


@pytest.fixture
def small(small_emulator_factory: EmulatorFactory) -> RunningEmulator:
    """The two-year company, default configuration."""
    return small_emulator_factory()
