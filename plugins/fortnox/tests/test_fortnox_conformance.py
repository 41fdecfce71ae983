"""The built-in ``fortnox`` backend passes the conformance kit against the emulator over TCP.

The emulator is seeded with the kit's golden SIE sample (so the kit can compare the import
with it) and locks January 2025 (for the ``locked_periods`` test). Every request goes over a
real socket to 127.0.0.1 through the kit's recording transport.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.testing import BackendConformance
from ledgerlink_core.testing.samples import SAMPLE_SIE, data_path
from ledgerlink_fortnox_emulator import RunningEmulator
from ledgerlink_fortnox_emulator.fixtures import EmulatorFactory

LOCKED_UNTIL = dt.date(2025, 1, 31)


def _store_login(runtime: Runtime, emu: RunningEmulator, access: str, refresh: str) -> None:
    """Save tokens in the runtime's token store the way ``ledgerlink fortnox login`` does."""
    now = time.time()
    runtime.token_store("fortnox").save(
        {
            "grant": "authorization_code",
            "access_token": access,
            "refresh_token": refresh,
            "expires_at": now + 3600,
            "refresh_expires_at": now + 45 * 86400,
            "scope": " ".join(sorted(emu.config.granted_scopes)),
            "client_id": emu.config.client_id,
            "base_url": emu.base_url,
        }
    )


class TestFortnoxConformance(BackendConformance):
    """``fortnox`` against an emulator seeded with the golden sample."""

    @pytest.fixture
    def emulator(self, emulator_factory: EmulatorFactory) -> RunningEmulator:
        # The kit exports into the sample's series A, B and C, so the company keeps all three
        # open for manual vouchers (the emulator's default closes B-E, as Fortnox's system
        # series are).
        return emulator_factory(
            seed_sie=data_path(SAMPLE_SIE), locked_until=LOCKED_UNTIL, system_series=frozenset()
        )

    @pytest.fixture
    def backend_name(self) -> str:
        return "fortnox"

    def _settings(self, emu: RunningEmulator, secret: str) -> dict[str, str]:
        return {
            "client_id": emu.config.client_id,
            "client_secret": secret,
            "base_url": emu.base_url,
            "oauth_url": emu.oauth_base,
            "timeout": "10",
            # The shared rate budget (budget.py) logs this client's request times in a
            # SQLite file of the data directory, which the kit's audit of dry runs and
            # validation would count as writes (it writes nothing of the books, target or
            # journal). It is tested on its own in test_fortnox_budget.py.
            "shared_rate_limit": "false",
        }

    @pytest.fixture
    def settings(self, emulator: RunningEmulator, runtime: Runtime) -> dict[str, str]:
        tokens = emulator.issue_tokens()
        _store_login(runtime, emulator, tokens["access_token"], tokens["refresh_token"])
        return self._settings(emulator, emulator.config.client_secret)

    @pytest.fixture
    def invalid_credentials(self, emulator: RunningEmulator, runtime: Runtime) -> dict[str, str]:
        # Tokens the emulator never issued and a wrong client secret: nothing can work.
        _store_login(runtime, emulator, "not-a-token", "not-a-refresh-token")
        return self._settings(emulator, "wrong-secret")

    @pytest.fixture
    def locked_date(self) -> dt.date:
        return LOCKED_UNTIL - dt.timedelta(days=10)

    @pytest.fixture
    def transport(self) -> Any:
        return None  # the real network: the emulator listens on 127.0.0.1
