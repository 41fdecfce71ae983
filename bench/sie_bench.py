"""Benchmark of the SIE codec (not a test): generate a SIE 4E file of N #TRANS rows and time,
in one run, the bare pass, the streaming check, the full load and the write.

    python bench/sie_bench.py [--rows 1000000] [--runs 3] [--keep DIR]

The bare pass is ``for line in open(f, encoding="cp437"): line.split()``: the floor any
Python reader stands on. Each task runs in its own subprocess (so peak RSS is per task, read
from ``VmHWM``), the runs are interleaved, and the median of the runs is reported with MB/s,
rows/s, peak RSS and the ratio to the bare pass. Targets (1M rows, ~65 MB): check within 2.5x
the bare pass and under 100 MB RSS; full load within 6x and under 8x the file size; the write
at least as fast as the full load.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from ledgerlink_core import Seconds

TASKS = ("bare", "check", "load", "write")

ACCOUNTS = ["1510", "1930", "2440", "2610", "2640", "3001", "4010", "5010", "6110", "7010"]
TEXTS = ["Kundfaktura", "Leverantörsfaktura", "Inbetalning", "Lön", "Hyra", "Bankavgift"]


#: What the generator writes: (number, date, text, [(account, object list, cents)]).
Vouchers = Iterator[tuple[int, str, str, list[tuple[str, str, int]]]]


def _vouchers(rows: int, seed: int) -> Vouchers:
    """(number, date, text, [(account, object list, cents)]): 4 rows per voucher summing to 0."""
    rng = random.Random(seed)
    vouchers = rows // 4
    for n in range(1, vouchers + 1):
        month = n * 12 // (vouchers + 1) + 1
        date = f"2025{month:02d}{rng.randint(1, 28):02d}"
        text = rng.choice(TEXTS)
        a = rng.randint(100, 9_999_999)
        b = rng.randint(1, a - 1)
        c = rng.randint(0, a - b)
        out = []
        for i, cents in enumerate((a, -b, -c, -(a - b - c))):
            objs = '{1 "100" 6 "P1"}' if rng.random() < 0.4 else "{}"
            out.append((ACCOUNTS[(n + i) % len(ACCOUNTS)], objs, cents))
        yield n, date, text, out


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def generate(
    path: Path, rows: int, seed: int = 1, alter: Callable[[Vouchers], Vouchers] | None = None
) -> None:
    """A SIE 4E file with ``rows`` #TRANS rows: 4 per voucher, ~40% with an object list,
    CP437, CRLF (about 65 bytes per row), with #IB/#UB/#RES that agree with the vouchers
    (so ``check`` does all its work and finds the file clean). ``alter`` changes the stream
    of vouchers (``bench/diff_bench.py`` makes a second file of the first that way); the
    balances follow it."""

    def vouchers() -> Vouchers:
        stream = _vouchers(rows, seed)
        return alter(stream) if alter is not None else stream

    moved: dict[str, int] = dict.fromkeys(ACCOUNTS, 0)
    for _, _, _, trans in vouchers():  # first pass: the balances
        for acc, _, cents in trans:
            moved[acc] += cents
    opening = {"1930": 500_000_00, "1510": 120_000_00, "2440": -300_000_00, "2610": -320_000_00}
    with open(path, "w", encoding="cp437", newline="\r\n") as f:
        w = f.write
        w('#FLAGGA 0\n#PROGRAM "sie_bench" "1.0"\n#FORMAT PC8\n#GEN 20260101\n#SIETYP 4\n')
        w('#FNAMN "Benchbolaget AB"\n#RAR 0 20250101 20251231\n')
        for acc in ACCOUNTS:
            w(f'#KONTO {acc} "Konto {acc}"\n')
        w('#DIM 1 "Kostnadsställe"\n#DIM 6 "Projekt"\n')
        for acc in ACCOUNTS:
            if acc[0] in "12":
                w(f"#IB 0 {acc} {_money(opening.get(acc, 0))}\n")
                w(f"#UB 0 {acc} {_money(opening.get(acc, 0) + moved[acc])}\n")
            else:
                w(f"#RES 0 {acc} {_money(moved[acc])}\n")
        for n, date, text, trans in vouchers():
            w(f'#VER "A" "{n}" {date} "{text} {n}" {date}\n{{\n')
            for acc, objs, cents in trans:
                w(f'#TRANS {acc} {objs} {_money(cents)} {date} "{text}"\n')
            w("}\n")


def _peak_rss_mb() -> Seconds:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def run_task(task: str, path: Path) -> dict[str, float]:
    """Do one task in this process; return its wall seconds and the peak RSS."""
    if task == "bare":
        t0 = time.perf_counter()
        for line in open(path, encoding="cp437"):  # noqa: SIM115 (the bare pass, verbatim)
            line.split()
        seconds = time.perf_counter() - t0
    elif task == "check":
        from ledgerlink_core.sie import check_sie

        t0 = time.perf_counter()
        report = check_sie(path)
        seconds = time.perf_counter() - t0
        assert report.clean, report.problems[:3]
    elif task == "load":
        from ledgerlink_core.sie import read_sie

        t0 = time.perf_counter()
        doc = read_sie(path)
        seconds = time.perf_counter() - t0
        assert doc.bookkeeping.vouchers
    elif task == "write":
        from ledgerlink_core.sie import read_sie, write_sie

        book = read_sie(path).bookkeeping
        out = path.with_suffix(".out.se")
        t0 = time.perf_counter()
        write_sie(book, out)
        seconds = time.perf_counter() - t0
        out.unlink()
    else:
        raise SystemExit(f"unknown task {task}")
    return {"seconds": seconds, "rss_mb": _peak_rss_mb()}


def _child(task: str, path: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--task", task, "--file", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def main() -> int:
    """Generate, run the tasks interleaved, print the table."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="generate into (and keep) this directory")
    ap.add_argument("--task", choices=TASKS, help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.task:
        print(json.dumps(run_task(args.task, args.file)))
        return 0

    with tempfile.TemporaryDirectory(prefix="sie_bench.") as tmp:
        directory = args.keep or Path(tmp)
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"bench_{args.rows}.se"
        t0 = time.perf_counter()
        generate(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(
            f"generated {path.name}: {args.rows:,} #TRANS rows, {size_mb:.1f} MB "
            f"in {time.perf_counter() - t0:.1f} s; {args.runs} interleaved run(s), median shown"
        )
        results: dict[str, list[dict[str, float]]] = {t: [] for t in TASKS}
        for _ in range(args.runs):
            for task in TASKS:
                results[task].append(_child(task, path))
        med = {
            t: {k: statistics.median(r[k] for r in results[t]) for k in ("seconds", "rss_mb")}
            for t in TASKS
        }
        bare = med["bare"]["seconds"]
        print(f"{'task':<7}{'seconds':>9}{'MB/s':>9}{'rows/s':>12}{'peak RSS':>11}{'x bare':>8}")
        for t in TASKS:
            s, rss = med[t]["seconds"], med[t]["rss_mb"]
            print(
                f"{t:<7}{s:>9.2f}{size_mb / s:>9.1f}{args.rows / s:>12,.0f}"
                f"{rss:>8.0f} MB{s / bare:>8.2f}"
            )
        check, load, write = (med[t] for t in ("check", "load", "write"))
        print(
            "targets: check <= 2.5x bare: {} ({:.2f}x); check RSS < 100 MB: {} ({:.0f} MB); "
            "load <= 6x bare: {} ({:.2f}x); load RSS < 8x file: {} ({:.1f}x); "
            "write <= load time: {}".format(
                _ok(check["seconds"] <= 2.5 * bare),
                check["seconds"] / bare,
                _ok(check["rss_mb"] < 100),
                check["rss_mb"],
                _ok(load["seconds"] <= 6 * bare),
                load["seconds"] / bare,
                _ok(load["rss_mb"] < 8 * size_mb),
                load["rss_mb"] / size_mb,
                _ok(write["seconds"] <= load["seconds"]),
            )
        )
    return 0


def _ok(flag: bool) -> str:
    return "met" if flag else "MISSED"


if __name__ == "__main__":
    raise SystemExit(main())
