"""The Fortnox benchmarks' emulator, in a child process (its CPU and GIL are not ours).

:class:`EmulatorProcess` starts it and hands back what a client needs to reach it; when the
benchmark is done it stops it and keeps the emulator's own counters. ``describe`` and
``finish`` (module-level functions, so the spawned child can unpickle them) add what one
benchmark wants to know of the state at the start and at the end.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ledgerlink_core import Seconds

LIMIT = 25
WINDOW = 5.0

StateProbe = Callable[[Any], dict[str, Any]]


def _serve(
    config_kwargs: dict[str, Any], conn: Any, describe: StateProbe, finish: StateProbe
) -> None:
    """Child process: run the emulator until told to stop, then report ``finish(state)``."""
    from ledgerlink_fortnox_emulator import EmulatorConfig, run_emulator

    # The benchmarks connect as a service account (client credentials), as a firm's batch
    # would: every company has given the consent an administrator gives once.
    config = EmulatorConfig(**config_kwargs)
    if "service_consents" not in config_kwargs:
        first = config.tenant_id
        consents = frozenset(range(first, first + config.tenants))
        config = dataclasses.replace(config, service_consents=consents)
    with run_emulator(config) as emu:
        conn.send(
            {
                "base_url": emu.base_url,
                "client_id": config.client_id,
                "client_secret": config.client_secret,
                "tenant_id": str(config.tenant_id),
                **describe(emu.state),
            }
        )
        conn.recv()  # block until told to stop
        conn.send(finish(emu.state))


class EmulatorProcess:
    """``with EmulatorProcess(config, describe, finish) as emu:`` ``emu.info`` while it runs,
    ``emu.final`` (what ``finish`` reported) after the block."""

    def __init__(
        self,
        config_kwargs: dict[str, Any],
        describe: StateProbe,
        finish: StateProbe,
        join_timeout: Seconds = 10,
    ) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._parent, child = ctx.Pipe()
        self._proc = ctx.Process(
            target=_serve, args=(config_kwargs, child, describe, finish), daemon=True
        )
        self._join_timeout = join_timeout
        self.info: dict[str, Any] = {}
        self.final: dict[str, Any] = {}

    def __enter__(self) -> EmulatorProcess:
        self._proc.start()
        self.info = self._parent.recv()
        return self

    def __exit__(self, *exc: object) -> None:
        self._parent.send("stop")
        self.final = self._parent.recv()
        self._proc.join(self._join_timeout)


def client_env(info: dict[str, Any], home: Path, *, window: float, workers: int) -> dict[str, str]:
    """The environment a ledgerlink client needs to reach the emulator described by ``info``
    (``EmulatorProcess.info``), with config and data under ``home`` and the rate window and
    concurrency of the run."""
    return {
        "LEDGERLINK_CONFIG_DIR": str(home / "config"),
        "LEDGERLINK_DATA_DIR": str(home / "data"),
        "LEDGERLINK_FORTNOX__CLIENT_ID": info["client_id"],
        "LEDGERLINK_FORTNOX__CLIENT_SECRET": info["client_secret"],
        "LEDGERLINK_FORTNOX__TENANT_ID": info["tenant_id"],
        "LEDGERLINK_FORTNOX__BASE_URL": info["base_url"],
        "LEDGERLINK_FORTNOX__OAUTH_URL": info["base_url"] + "/oauth-v1",
        "LEDGERLINK_FORTNOX__RATE_LIMIT_WINDOW": str(window),
        "LEDGERLINK_FORTNOX__MAX_WORKERS": str(workers),
    }
