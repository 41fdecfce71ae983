"""Benchmark: ``ledgerlink push --to fortnox`` of 500 vouchers against the emulator.

The emulator runs in a child process (its CPU and GIL are not ours) with a per-request
latency of 300 ms and Fortnox's 25 requests per 5 s, both scaled by ``--scale`` (0.5: 150 ms
and 25 per 2.5 s) so the run takes two and a half minutes instead of five; ``--scale 0.2``
(25 per 1 s) takes one. The client's safety margin is a share of the window (5%, at least
50 ms, more when sends lag behind their slots), so scaling to 1 s does not distort the
ratio. The push goes through the whole pipeline (input file, validation look-ups, journal,
concurrent export, attachments) exactly as the CLI runs it.

Reported:

* vouchers/s and requests/s over the export phase;
* the ratio of achieved to allowed requests/s (target >= 0.9);
* 429 answers the emulator sent (the pacing should prevent them) and whether any reached the
  user (every outcome must be ``created``);
* the journal's overhead per voucher: the same journal steps (register, sending, confirmed
  and two steps per attachment, each a ``synchronous=FULL`` commit) timed on their own.

    uv run python bench/push_bench.py                 # 500 vouchers, scale 0.5
    uv run python bench/push_bench.py --scale 0.2     # about a minute
    uv run python bench/push_bench.py --scale 1       # real time (about 5 minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from _emulator import LIMIT, WINDOW, EmulatorProcess, client_env
from ledgerlink_core import Seconds

LATENCY = 0.3
PDF = b"%PDF-1.4\n%ledgerlink bench document "


def _describe(state: Any) -> dict[str, Any]:
    """What the input file needs: the last closing date, two accounts, a cost centre, a project."""
    year = max(state.years, key=lambda y: y.start)
    accounts = [str(a.number) for a in sorted(state.accounts.values(), key=lambda a: a.number)]
    return {
        "date": year.end.isoformat(),
        "accounts": [accounts[3], accounts[-3]],
        "costcenter": sorted(state.costcenters)[0],
        "project": sorted(state.projects)[0],
    }


def _finish(state: Any) -> dict[str, Any]:
    """The emulator's counters and what the push left in it."""
    return {
        "counts": dict(state.request_counts()),
        "vouchers": len(state.vouchers(origin="api")),
        "files": len(state.inbox_files()),
        "connections": len(state.connections()),
    }


def _input(info: dict[str, Any], tmp: Path, n: int, attachments: int) -> tuple[Path, Path]:
    debit, credit = info["accounts"]
    docs = tmp / "docs"
    docs.mkdir()
    vouchers = []
    for i in range(1, n + 1):
        amount = Decimal(100 + i) + Decimal("0.50")
        vouchers.append(
            {
                "series": "A",
                "number": str(i),
                "date": info["date"],
                "text": f"Bench {i}",
                "rows": [
                    {
                        "account": debit,
                        "amount": str(amount),
                        "objects": [
                            {"dimension": 1, "number": info["costcenter"]},
                            {"dimension": 6, "number": info["project"]},
                        ],
                    },
                    {"account": credit, "amount": str(-amount)},
                ],
            }
        )
        for k in range(attachments):
            (docs / f"A-{i}_{k + 1}.pdf").write_bytes(PDF + f"{i}/{k}".encode())
    path = tmp / "vouchers.json"
    path.write_text(json.dumps(vouchers))
    return path, docs


class _Clock:
    """Progress that records when the export phase starts and ends."""

    def __init__(self) -> None:
        self.start: Seconds | None = None  # monotonic seconds
        self.end: Seconds | None = None  # monotonic seconds

    def task(self, label: str, total: int | None = None) -> Any:
        clock = self

        class _Task:
            def advance(self, n: int = 1) -> None:
                clock.end = time.monotonic()

            def set_total(self, total: int | None) -> None:
                pass

            def __enter__(self) -> Any:
                if label.startswith("pushing"):
                    clock.start = time.monotonic()
                return self

            def __exit__(self, *exc: object) -> None:
                pass

        return _Task()


def journal_overhead(tmp: Path, n: int, attachments: int) -> Seconds:
    """Seconds per voucher spent in the journal's durable steps, timed alone."""
    import datetime as dt

    from ledgerlink_core.export.journal import AttachmentState, ExportJournal
    from ledgerlink_core.model import (
        AttachmentRef,
        Voucher,
        VoucherExport,
        VoucherRef,
        VoucherRow,
    )

    rows = (
        VoucherRow(account="1930", amount=Decimal(1)),
        VoucherRow(account="3000", amount=Decimal(-1)),
    )
    att = AttachmentRef(
        path="/x.pdf", filename="x.pdf", media_type="application/pdf", size=1, sha256="0"
    )
    items = [
        VoucherExport(
            voucher=Voucher(series="A", number=str(i), date=dt.date(2025, 12, 31), rows=rows),
            attachments=(att,) * attachments,
            external_ref=f"ll{i:024d}",
        )
        for i in range(n)
    ]
    with ExportJournal.open(tmp / "journal-bench") as journal:
        started = time.perf_counter()
        for item in items:
            ref = item.external_ref
            journal.register("bench", item)  # the engine's only read: it returns the entry
            journal.mark_sending("bench", ref)
            journal.mark_confirmed("bench", ref, VoucherRef(series="A", number="1", year=1))
            for idx in range(attachments):
                journal.mark_attachment("bench", ref, idx, AttachmentState.UPLOADING)
                journal.mark_attachment("bench", ref, idx, AttachmentState.UPLOADED, "f")
                journal.mark_attachment("bench", ref, idx, AttachmentState.CONNECTING)
                journal.mark_attachment("bench", ref, idx, AttachmentState.CONNECTED)
        return (time.perf_counter() - started) / n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vouchers", type=int, default=500)
    parser.add_argument("--attachments", type=int, default=1, help="documents per voucher")
    parser.add_argument("--scale", type=float, default=0.5, help="time scale (1 = real time)")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)

    window = WINDOW * args.scale
    latency = LATENCY * args.scale
    config = {
        "latency": latency,
        "rate_limit_requests": LIMIT,
        "rate_limit_window": window,
        "invoices_after_close": 0,
    }
    with EmulatorProcess(config, _describe, _finish) as server:
        info = server.info
        with tempfile.TemporaryDirectory() as raw:
            tmp = Path(raw)
            os.environ.update(client_env(info, tmp, window=window, workers=args.workers))
            from ledgerlink_core.jobs import PushRequest, push
            from ledgerlink_core.runtime import Runtime

            src, docs = _input(info, tmp, args.vouchers, args.attachments)
            clock = _Clock()
            started = time.monotonic()
            report = push(
                Runtime(progress=clock),
                PushRequest(
                    backend="fortnox",
                    source=src,
                    attach_dir=docs if args.attachments else None,
                ),
            )
            total = time.monotonic() - started
            overhead = journal_overhead(tmp, args.vouchers, args.attachments)
    emu = server.final

    assert clock.start is not None and clock.end is not None
    export_s = clock.end - clock.start
    counts = emu["counts"]
    # Requests of the export phase: one voucher POST plus, per attachment, an upload and a
    # connection (no faults here, so no look-ups).
    export_requests = args.vouchers * (1 + 2 * args.attachments)
    allowed = LIMIT / window
    achieved = export_requests / export_s
    statuses = {o.status.value for o in report.outcomes}
    result = {
        "vouchers": args.vouchers,
        "attachments_per_voucher": args.attachments,
        "scale": args.scale,
        "latency_s": latency,
        "rate_limit": f"{LIMIT} per {window:g} s",
        "workers": args.workers,
        "wall_s_total": round(total, 2),
        "wall_s_export": round(export_s, 2),
        "vouchers_per_s": round(args.vouchers / export_s, 2),
        "vouchers_per_s_real_time_equivalent": round(args.vouchers / export_s * args.scale, 2),
        "requests_total": counts.get("total", 0),
        "requests_export": export_requests,
        "requests_per_s": round(achieved, 2),
        "allowed_requests_per_s": round(allowed, 2),
        "ratio_achieved_to_allowed": round(achieved / allowed, 3),
        "emulator_429": counts.get("429", 0),
        "outcomes": sorted(statuses),
        "any_failure_reached_user": not report.ok,
        "emulator_vouchers": emu["vouchers"],
        "emulator_files": emu["files"],
        "emulator_connections": emu["connections"],
        "journal_ms_per_voucher": round(overhead * 1000, 3),
        "journal_share_of_voucher_time": round(overhead / (export_s / args.vouchers), 4),
    }
    print(json.dumps(result, indent=2))
    ok = result["ratio_achieved_to_allowed"] >= 0.9 and report.ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
