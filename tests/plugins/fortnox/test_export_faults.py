"""Exactly once under fire: every injected fault at 10% and the CLI killed with SIGKILL at
random moments, restarted until it reports success.

The emulator runs in this process (a server thread), the CLI in subprocesses, so killing the
CLI leaves the emulator and its state untouched, as a real Fortnox would be. At the end the
emulator must hold each voucher and each document exactly once and the journal must say
the same. The default runs push 20 vouchers with two seeds; the full runs 300 with three
(``FULL_FAULT_RUNS=1``).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from export_kit import (
    Workspace,
    check_exactly_once,
    cli_command,
    make_vouchers,
    subprocess_env,
    workspace,
)

#: Each fault at 10% (drawn in turn, so together about 40% of requests meet one).
FAULTS: dict[str, Any] = {
    "error_429_rate": 0.1,
    "burst_429_length": 1,
    "error_5xx_rate": 0.1,
    "timeout_rate": 0.1,
    "timeout_hold": 0.6,
    "drop_before_commit_rate": 0.1,
    "drop_after_commit_rate": 0.1,
    "latency": 0.002,
    # Fortnox's 25 requests / 5 s, scaled down in time: 25 per 0.5 s.
    "rate_limit_requests": 25,
    "rate_limit_window": 0.5,
}
CLIENT = ["--set", "timeout=0.3", "--set", "rate_limit_window=0.5", "--set", "max_workers=4"]


def push_until_done(
    ws: Workspace, args: list[str], rng: random.Random, *, kills: int, budget: float = 900.0
) -> tuple[int, int]:
    """Run ``ledgerlink push`` until it exits 0, killing it ``kills`` times at random moments
    first. Returns (runs, kills done). Exit codes 5 (backend kept failing) and 8 (some
    vouchers failed) mean "run it again", as they would for a user."""
    env = subprocess_env(ws)
    runs = killed = 0
    deadline = time.monotonic() + budget
    while time.monotonic() < deadline:
        runs += 1
        proc = subprocess.Popen(
            [*cli_command(), "push", *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        wait = rng.uniform(0.4, 2.5) if killed < kills else None  # not money: seconds
        try:
            out, err = proc.communicate(timeout=wait)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            killed += 1
            continue
        if proc.returncode == 0:
            report = json.loads(out)
            assert report["ok"] is True
            return runs, killed
        assert proc.returncode in (5, 8), f"exit {proc.returncode}: {err[-2000:]}"
    raise AssertionError(f"push did not finish within {budget} s ({runs} runs)")


def _run(emulator_factory: Any, tmp_path: Path, *, n: int, seed: int, kills: int) -> None:
    emu = emulator_factory(seed=seed, **FAULTS)
    ws = workspace(emu, tmp_path / "home")
    src = make_vouchers(emu, tmp_path, n, attachments=1)
    args = ["--to", "fortnox", str(src), "--attach", str(tmp_path / "docs"), "--json", *CLIENT]
    runs, killed = push_until_done(ws, args, random.Random(seed), kills=kills)
    assert killed == kills and runs > kills
    counts = emu.state.request_counts()
    # the faults really happened, every kind of them
    for fault in ("429-burst", "5xx", "timeout", "drop-before", "drop-after"):
        assert counts[f"fault:{fault}"] > 0, (fault, counts)
    check_exactly_once(emu, ws, n, 1)

    # And once more: everything is already there, nothing is written.
    emu.configure(
        error_429_rate=0.0,
        error_5xx_rate=0.0,
        timeout_rate=0.0,
        drop_before_commit_rate=0.0,
        drop_after_commit_rate=0.0,
    )
    t0 = time.monotonic()  # not money: the emulator logs with the same clock
    proc = subprocess.run(
        [*cli_command(), "push", *args],
        env=subprocess_env(ws),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    statuses = {o["status"] for o in json.loads(proc.stdout)["outcomes"]}
    assert statuses == {"already-there"}
    # (a timed-out request of the earlier runs may still be logged late: count by start time)
    assert not [r for r in emu.state.request_log if r.at >= t0 and r.method != "GET"]
    check_exactly_once(emu, ws, n, 1)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [11, 12])
def test_faults_and_kills(emulator_factory: Any, tmp_path: Path, seed: int) -> None:
    _run(emulator_factory, tmp_path, n=20, seed=seed, kills=3)


#: The full runs take three to four minutes per seed: with 10% of requests answered 429 and
#: the emulator's ``Retry-After: 1`` (whole seconds, even on a scaled-down clock) honoured
#: by the client, throughput is bound to ~10 requests/s whatever the rate limit.
FULL = os.environ.get("FULL_FAULT_RUNS") == "1"


@pytest.mark.slow
@pytest.mark.skipif(
    not FULL, reason="300-voucher fault runs take ~4 min per seed; set FULL_FAULT_RUNS=1"
)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_faults_and_kills_300(emulator_factory: Any, tmp_path: Path, seed: int) -> None:
    _run(emulator_factory, tmp_path, n=300, seed=seed, kills=6)
