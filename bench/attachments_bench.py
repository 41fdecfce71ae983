"""Benchmark: attachments import (``pull --attachments``) of 200 documents from the emulator,
against the floor Fortnox's rate limit sets.

The emulator runs in a child process (its CPU and GIL are not ours), seeded with ``--files``
documents on the vouchers of its latest year, with a per-request latency of 300 ms and
Fortnox's 25 requests per 5 s, both scaled by ``--scale`` (0.5: 150 ms and 25 per 2.5 s).
The import is core's ``import_attachments`` on the Fortnox backend, exactly what
``ledgerlink pull --attachments DIR`` runs after the SIE: the fiscal years, the listing of
connections, then one ``GET /3/archive/{FileId}`` per file, ``--workers`` at a time.

Reported:

* requests the import made (answered, and 429s the emulator sent: pacing should prevent them),
  its wall time, and the floor: requests / allowed rate (25 per window);
* the ratio of wall time to floor (goal: at most 1.2);
* a second import into the same folder: its requests (only the listing) and wall time.

    uv run python bench/attachments_bench.py                 # 200 files, scale 0.5
    uv run python bench/attachments_bench.py --scale 0.2     # 25 per 1 s
    uv run python bench/attachments_bench.py --scale 1       # real time (about 45 s)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _emulator import LIMIT, WINDOW, EmulatorProcess, client_env

LATENCY = 0.3


def _describe(state: Any) -> dict[str, Any]:
    """What the bench checks the import against: every document's name and size."""
    files = {f.id: f for f in state.inbox_files()}
    return {
        "documents": {
            f"{c.series}-{c.number}_{files[c.file_id].name}": files[c.file_id].size
            for c in state.connections()
        }
    }


def _finish(state: Any) -> dict[str, Any]:
    """Every request the emulator saw: path and status, in order."""
    return {"log": [(r.path, r.status) for r in state.request_log]}


def _import(directory: Path) -> tuple[Any, float, dict[str, int]]:
    """One attachments import into ``directory``: the report, seconds, client counters."""
    from ledgerlink_core import BookkeepingRequest, Capability
    from ledgerlink_core.jobs import import_attachments
    from ledgerlink_core.runtime import Runtime

    runtime = Runtime()
    with runtime.open_backend("fortnox", {}, require=[Capability.IMPORT_ATTACHMENTS]) as backend:
        backend.check_connection()  # the token, outside the timed part
        stats = backend.client.stats  # the Fortnox backend's transport counters
        sent, throttled = stats.sent, stats.throttled
        started = time.monotonic()
        report = import_attachments(runtime, backend, BookkeepingRequest(), directory)
        seconds = time.monotonic() - started
        counts = {"sent": stats.sent - sent, "throttled": stats.throttled - throttled}
    return report, seconds, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--scale", type=float, default=0.5, help="time scale (1 = real time)")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--max-bytes", type=int, default=None, help="cap on document sizes")
    args = parser.parse_args(argv)

    window = WINDOW * args.scale
    latency = LATENCY * args.scale
    config = {
        "latency": latency,
        "rate_limit_requests": LIMIT,
        "rate_limit_window": window,
        "retry_after_unit": window / 5,
        "attached_files": args.files,
        "attached_file_max_bytes": args.max_bytes,
        "invoices_after_close": 0,
    }
    with EmulatorProcess(config, _describe, _finish) as server:
        info = server.info
        with tempfile.TemporaryDirectory() as raw:
            tmp = Path(raw)
            os.environ.update(client_env(info, tmp, window=window, workers=args.workers))
            docs = tmp / "docs"
            first, first_s, first_counts = _import(docs)
            got = {p.name: p.stat().st_size for p in docs.iterdir()}
            # The second run starts with a fresh window, as a run minutes later would.
            time.sleep(window * 1.2)
            second, second_s, second_counts = _import(docs)
    log = server.final["log"]

    requests = first_counts["sent"] - first_counts["throttled"]
    allowed = LIMIT / window
    floor = requests / allowed
    archive = [p for p, status in log if p.startswith("/3/archive") and status == 200]
    ratio = first_s / floor
    whole = got == info["documents"]
    result: dict[str, Any] = {
        "files": args.files,
        "bytes": first.bytes_downloaded,
        "scale": args.scale,
        "latency_s": latency,
        "rate_limit": f"{LIMIT} per {window:g} s",
        "workers": args.workers,
        "first": {
            "requests": requests,
            "emulator_429": first_counts["throttled"],
            "wall_s": round(first_s, 2),
            "floor_s": round(floor, 2),
            "ratio_to_floor": round(ratio, 3),
            "wall_s_real_time_equivalent": round(first_s / args.scale, 1),
            "downloaded": len(first.downloaded),
            "failed": len(first.failed),
        },
        "second": {
            "requests": second_counts["sent"] - second_counts["throttled"],
            "wall_s": round(second_s, 2),
            "downloaded": len(second.downloaded),
            "kept": len(second.kept),
        },
        "archive_downloads_seen_by_emulator": len(archive),
        "every_file_whole": whole,
    }
    print(json.dumps(result, indent=2))
    ok = ratio <= 1.2 and first.ok and not second.downloaded and whole
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
