"""A faithful local emulator of the Fortnox REST API v3 and its OAuth2 server.

Real HTTP on loopback, seeded from a SIE file, with Fortnox's envelopes, paging, error bodies,
scopes, licences, sliding-window rate limit and voucher rules, plus injectable faults::

    from ledgerlink_fortnox.emulator import EmulatorConfig, run_emulator

    with run_emulator(EmulatorConfig(latency=0.3)) as emu:
        tokens = emu.issue_tokens()
        httpx.get(emu.api_base + "/companyinformation",
                  headers={"Authorization": f"Bearer {tokens['access_token']}"})
        emu.state.vouchers(series="A")      # inspection API

It imports ``ledgerlink_core`` only, never the rest of ``ledgerlink_fortnox``.
"""

from .config import ALL_SCOPES, DEFAULT_VOUCHER_ERRORS, EmulatorConfig
from .seed import build_state
from .server import RunningEmulator, run_emulator, start_emulator
from .state import EmulatorState

__all__ = [
    "ALL_SCOPES",
    "DEFAULT_VOUCHER_ERRORS",
    "EmulatorConfig",
    "EmulatorState",
    "RunningEmulator",
    "build_state",
    "run_emulator",
    "start_emulator",
]
