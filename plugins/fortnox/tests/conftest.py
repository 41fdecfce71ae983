"""Fixtures of the Fortnox plugin's tests."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from fortnox_testkit import default_store, env_for, stored_login


@pytest.fixture
def logged_in(emulator: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The emulator, with the CLI's environment pointed at it and a login stored."""
    for key, value in env_for(emulator).items():
        monkeypatch.setenv(key, value)
    stored_login(emulator, default_store(Path(os.environ["LEDGERLINK_CONFIG_DIR"])))
    return emulator
