"""Benchmark of ``diff_sie`` (not a test): two SIE 4E files of N #TRANS rows that differ in 1%
of their vouchers, diffed, against the streaming check of both files.

    python bench/diff_bench.py [--rows 1000000] [--runs 3] [--keep DIR]

The second file is the first (``sie_bench.generate``) with every 100th voucher altered, in
turn: its text changed, a row's amount corrected (and another's to keep the balance), or
the voucher removed and a new one added at the end; its balances follow the vouchers, so
``#UB``/``#RES`` move too and both files check clean. Each task runs in its own subprocess
(peak RSS from ``VmHWM``), the runs are interleaved, the median is shown. Target (issue 12):
the diff within 2.5x the check of both files, its memory bounded by the vouchers that differ
(``diff-self``, the first file against itself, shows the floor: nothing differs).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sie_bench import Vouchers, _peak_rss_mb, generate

TASKS = ("check-both", "diff-self", "diff")


def altered(stream: Vouchers) -> Vouchers:
    """The vouchers of ``stream`` with every 100th one altered (see the module docstring)."""
    last = 0
    added = []
    for n, date, text, rows in stream:
        last = n
        if n % 100 == 0:
            what = (n // 100) % 3
            if what == 0:
                text = f"{text} (rättad)"
            elif what == 1:
                (a1, o1, c1), (a2, o2, c2), *rest = rows
                rows = [(a1, o1, c1 + 100), (a2, o2, c2 - 100), *rest]
            else:
                added.append((date, text, rows))
                continue
        yield n, date, text, rows
    for i, (date, text, rows) in enumerate(added, 1):
        yield last + i, date, f"{text} (ny)", rows


def run_task(task: str, old: Path, new: Path) -> dict[str, float]:
    """Do one task in this process; return its wall seconds, peak RSS and what it found."""
    if task == "check-both":
        from ledgerlink_core.sie import check_sie

        t0 = time.perf_counter()
        reports = [check_sie(old), check_sie(new)]
        seconds = time.perf_counter() - t0
        assert all(r.clean for r in reports), [r.problems[:3] for r in reports]
        found = float(sum(r.vouchers for r in reports))
    elif task in ("diff", "diff-self"):
        from ledgerlink_core.diff import diff_sie

        t0 = time.perf_counter()
        report = diff_sie(old, old if task == "diff-self" else new)
        seconds = time.perf_counter() - t0
        s = report.summary
        found = float(s.vouchers_removed + s.vouchers_changed)  # the old vouchers altered
    else:
        raise SystemExit(f"unknown task {task}")
    return {"seconds": seconds, "rss_mb": _peak_rss_mb(), "found": found}


def _child(task: str, old: Path, new: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--task", task, "--files", str(old), str(new)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> int:
    """Generate both files, run the tasks interleaved, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="generate into (and keep) this directory")
    ap.add_argument("--task", choices=TASKS, help=argparse.SUPPRESS)
    ap.add_argument("--files", type=Path, nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.task:
        print(json.dumps(run_task(args.task, *args.files)))
        return 0

    with tempfile.TemporaryDirectory(prefix="diff_bench.") as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        old = directory / f"bench_{args.rows}.se"
        new = directory / f"bench_{args.rows}_altered.se"
        t0 = time.perf_counter()
        if not old.exists():
            generate(old, args.rows)
        if not new.exists():
            generate(new, args.rows, alter=altered)
        size_mb = (old.stat().st_size + new.stat().st_size) / 2e6
        print(
            f"generated two files of {args.rows:,} #TRANS rows, {size_mb:.1f} MB each, "
            f"in {time.perf_counter() - t0:.1f} s; {args.runs} interleaved run(s), median shown"
        )
        results: dict[str, list[dict[str, float]]] = {t: [] for t in TASKS}
        for _ in range(args.runs):
            for task in TASKS:
                results[task].append(_child(task, old, new))
        med = {
            t: {k: statistics.median(r[k] for r in results[t]) for k in ("seconds", "rss_mb")}
            for t in TASKS
        }
        print(f"{'task':<11}{'seconds':>9}{'peak RSS':>11}")
        for t in TASKS:
            print(f"{t:<11}{med[t]['seconds']:>9.2f}{med[t]['rss_mb']:>8.0f} MB")
        check, diff = med["check-both"]["seconds"], med["diff"]["seconds"]
        differ = results["diff"][0]["found"]
        vouchers = results["check-both"][0]["found"] / 2
        print(
            f"vouchers of the first file changed or removed: {differ:.0f} of {vouchers:.0f} "
            f"({differ / vouchers:.1%}); "
            f"target: diff <= 2.5x check of both: {'met' if diff <= 2.5 * check else 'MISSED'} "
            f"({diff / check:.2f}x)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
