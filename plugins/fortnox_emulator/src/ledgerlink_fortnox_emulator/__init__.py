"""A faithful local emulator of the Fortnox REST API v3 and its OAuth2 server.

Real HTTP on loopback, seeded from a SIE file, with Fortnox's envelopes, paging, error bodies,
scopes, licences, sliding-window rate limit and voucher rules, plus injectable faults::

    from ledgerlink_fortnox_emulator import EmulatorConfig, run_emulator

    with run_emulator(EmulatorConfig(latency=0.3)) as emu:
        tokens = emu.issue_tokens()
        httpx.get(emu.api_base + "/companyinformation",
                  headers={"Authorization": f"Bearer {tokens['access_token']}"})
        emu.state.vouchers(series="A")      # inspection API

It imports ``ledgerlink_core`` only, never the Fortnox backend (``ledgerlink_fortnox``).

The public names are imported on first use (PEP 562): the ``ledgerlink.plugins`` entry point
(:mod:`ledgerlink_fortnox_emulator.plugin`) lives in this package and is imported on every
``ledgerlink --help``, which must not start importing the server, the seed generator or pydantic.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledgerlink_fortnox_emulator.config import (
        ALL_SCOPES,
        DEFAULT_ACCOUNT_SETTINGS,
        DEFAULT_VOUCHER_ERRORS,
        AccountSetting,
        EmulatorConfig,
    )
    from ledgerlink_fortnox_emulator.documents import attach_documents
    from ledgerlink_fortnox_emulator.seed import build_state
    from ledgerlink_fortnox_emulator.server import RunningEmulator, run_emulator, start_emulator
    from ledgerlink_fortnox_emulator.state import EmulatorState

#: Public name -> the submodule that defines it.
_HOMES = {
    "ALL_SCOPES": "config",
    "AccountSetting": "config",
    "DEFAULT_ACCOUNT_SETTINGS": "config",
    "DEFAULT_VOUCHER_ERRORS": "config",
    "EmulatorConfig": "config",
    "EmulatorState": "state",
    "RunningEmulator": "server",
    "attach_documents": "documents",
    "build_state": "seed",
    "run_emulator": "server",
    "start_emulator": "server",
}

__all__ = [
    "ALL_SCOPES",
    "DEFAULT_ACCOUNT_SETTINGS",
    "DEFAULT_VOUCHER_ERRORS",
    "AccountSetting",
    "EmulatorConfig",
    "EmulatorState",
    "RunningEmulator",
    "attach_documents",
    "build_state",
    "run_emulator",
    "start_emulator",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
