"""Benchmark: the Fortnox backend against the emulator at a realistic round-trip time.

Fortnox allows 25 requests per 5 s and a real round trip takes ~300 ms, so a sequential client
cannot use the allowance. This runs the emulator in a child process (so its memory does not
count) with ``--latency`` per request and a company of ``--vouchers`` vouchers,
``--invoices`` invoices per side and ``--payments-after`` payments dated after the closing
date, then times ``import_bookkeeping`` (the latest year) and both subledgers at its last day
through the real stack (OAuth client credentials, pacing transport, concurrent paging).

It reports requests made, wall time, the floor imposed by the rate limit and the round trips,
429s seen by the transport (none may reach the caller), and the client's peak memory while
importing the subledgers at 1x and at 2x the pages. The subledgers' history (every document
and payment) is held in memory for core's as-of rule, so that figure grows with the data.
``--write-offs`` gives that share of payments a write-off: the client reads in full only the
ones dated up to the closing date (``WriteOffExist`` in the list items says which).

    uv run python bench/fortnox_bench.py                   # the issue's figures (minutes)
    uv run python bench/fortnox_bench.py --scale 0.1       # quick iteration
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from _emulator import LIMIT, WINDOW, EmulatorProcess
from ledgerlink_core.backend import BackendContext, BookkeepingRequest, SubledgerRequest
from ledgerlink_core.openitems import open_items
from ledgerlink_core.tokens import MemoryTokenStore
from ledgerlink_fortnox.backend import FortnoxBackend
from ledgerlink_fortnox.settings import FortnoxSettings


def _closing(state: Any) -> dict[str, Any]:
    """What the client needs of the company (the last closing date), and how many payments
    up to it carry write-offs (the only ones the client may read in full)."""
    close = max(y.end for y in state.years)
    return {
        "closing": close.isoformat(),
        "write_off_payments_to_read": {
            kind: sum(1 for p in state.payments[kind] if p.write_offs and p.date <= close)
            for kind in ("customer", "supplier")
        },
        "payments": {kind: len(state.payments[kind]) for kind in ("customer", "supplier")},
        "invoices": {kind: len(state.invoices[kind]) for kind in ("customer", "supplier")},
    }


def _counts(state: Any) -> dict[str, Any]:
    """The emulator's own answers and faults, counted."""
    return dict(state.request_counts())


def _warm_sie(info: dict[str, str], tmp: Path) -> float:
    """Ask for the SIE once (untimed phase) so the emulator has built it; return its time."""
    closing = dt.date.fromisoformat(info["closing"])
    with _backend(info, tmp) as backend:
        from ledgerlink_fortnox.bookkeeping import choose_year, fiscal_years

        chosen = choose_year(fiscal_years(backend.client), BookkeepingRequest(year=closing.year))
        started = time.perf_counter()
        backend.client.get_bytes("sie/4", {"financialyear": chosen.id})
        return round(time.perf_counter() - started, 2)


DATA_KEYS = ("closing", "invoices", "payments", "write_off_payments_to_read")


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _floor(requests: int, chain: int, latency: float, limit: int, window: float) -> float:
    """Least wall time: the rate limit (full bursts of ``limit``) or the dependent round trips."""
    rate_bound = max(0, math.ceil(requests / limit) - 1) * window + latency
    return max(rate_bound, chain * latency)


def _backend(info: dict[str, str], tmp: Path) -> FortnoxBackend:
    settings = FortnoxSettings(
        client_id=info["client_id"],
        client_secret=info["client_secret"],
        tenant_id=info["tenant_id"],
        base_url=info["base_url"],
        oauth_url=info["base_url"] + "/oauth-v1",
        timeout=120,
    )
    store = MemoryTokenStore()
    ctx = BackendContext(
        backend_name="fortnox",
        config_dir=tmp,
        data_dir=tmp,
        token_store=lambda name: store,
    )
    return FortnoxBackend(settings, ctx)


def _sie_costs(backend: FortnoxBackend, year: int) -> dict[str, float]:
    """Outside the timed run: how long the SIE download (minus latency) and parse take.

    Neither is bounded by the rate limit or the round trips, so they sit on top of the floor.
    """
    from ledgerlink_core.sie import read_sie
    from ledgerlink_fortnox.bookkeeping import choose_year, fiscal_years

    chosen = choose_year(fiscal_years(backend.client), BookkeepingRequest(year=year))
    started = time.perf_counter()
    raw = backend.client.get_bytes("sie/4", {"financialyear": chosen.id})
    fetched = time.perf_counter()
    read_sie(raw)
    parsed = time.perf_counter()
    return {
        "download_s": round(fetched - started, 2),
        "parse_s": round(parsed - fetched, 2),
        "bytes": len(raw),
    }


def run_phase(info: dict[str, str], tmp: Path, phase: str) -> dict[str, Any]:
    """Run one phase with a fresh backend (fresh rate-limit window) and measure it."""
    backend = _backend(info, tmp)
    closing = dt.date.fromisoformat(info["closing"])
    result: dict[str, Any] = {"phase": phase}
    with backend:
        started = time.perf_counter()
        if phase == "bookkeeping":
            book = backend.import_bookkeeping(BookkeepingRequest(year=closing.year))
            result["vouchers"] = len(book.vouchers)
            del book
            chain = 2  # fiscal years, then SIE and company information side by side
        else:
            tracemalloc.start()
            count = 0
            for kind in ("customer", "supplier"):
                req = SubledgerRequest(kind=kind, as_of=closing)
                count += len(open_items(backend.import_subledger_history(req), closing).items)
            result["traced_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 2)
            tracemalloc.stop()
            result["open_items"] = count
            # per side: page 1 (years, invoices, payments overlap), the other pages, then the
            # payments with write-offs read in full
            chain = 2 * 3
        wall = time.perf_counter() - started
        stats = backend.client.stats
        result.update(
            requests=stats.sent,
            token_requests=backend.client.auth.refreshes,
            throttled_429=stats.throttled,
            wall_s=round(wall, 2),
            chain_round_trips=chain,
        )
        if phase == "bookkeeping":
            result["sie"] = _sie_costs(backend, closing.year)
    return result


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--vouchers", type=int, default=50_000)
    parser.add_argument("--invoices", type=int, default=5_000)
    parser.add_argument("--payments-after", type=int, default=3_000)
    parser.add_argument(
        "--write-offs", type=float, default=0.05, help="Share of payments with a write-off."
    )
    parser.add_argument("--scale", type=float, default=1.0, help="Multiply the data sizes.")
    parser.add_argument("--no-small", action="store_true", help="Skip the 2x-pages memory run.")
    parser.add_argument("--seed", type=Path, help="Seed SIE file (default: the example company).")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    def sizes(factor: float) -> dict[str, Any]:
        return {
            "latency": args.latency,
            "synthetic_vouchers": int(args.vouchers * factor),
            "customer_invoices": int(args.invoices * factor),
            "supplier_invoices": int(args.invoices * factor),
            "payments_after_close": int(args.payments_after * factor),
            "write_off_share": args.write_offs,
            "seed_sie": args.seed,
        }

    runs = [("1x", sizes(args.scale), ["bookkeeping", "subledger"])]
    if not args.no_small:
        # Twice the pages, no vouchers: the subledger's memory must not follow the pages.
        runs.append(("2x", {**sizes(args.scale * 2), "synthetic_vouchers": 0}, ["subledger"]))
    report: dict[str, Any] = {"latency_s": args.latency, "runs": []}
    for label, config, phases in runs:
        with EmulatorProcess(config, _closing, _counts, join_timeout=30) as server:
            info = server.info
            with tempfile.TemporaryDirectory() as tmp:
                for phase in phases:
                    if phase == "bookkeeping":
                        # Let the emulator build (and cache) its SIE export first: Fortnox's
                        # own generation time is unknowable, and not the client's doing.
                        report["emulator_sie_build_s"] = _warm_sie(info, Path(tmp))
                    time.sleep(WINDOW + 0.2)  # start each phase with an empty server window
                    row = run_phase(info, Path(tmp), phase)
                    api = row["requests"] - row["token_requests"]
                    row["floor_s"] = round(
                        _floor(api, row["chain_round_trips"], args.latency, LIMIT, WINDOW), 2
                    )
                    row["vs_floor"] = round(row["wall_s"] / row["floor_s"], 2)
                    row["run"] = label
                    row["config"] = config
                    report["runs"].append(row)
        report.setdefault("server_counts", {})[label] = server.final
        report.setdefault("data", {})[label] = {k: v for k, v in info.items() if k in DATA_KEYS}
    report["client_peak_rss_mb"] = round(_rss_mb(), 1)
    if args.json:
        print(json.dumps(report, indent=2, default=str))
        return 0
    print(f"latency {args.latency * 1000:.0f} ms per request; rate limit 25 / 5 s")
    head = ("run", "phase", "requests", "429 seen", "wall s", "floor s", "x floor", "peak MB")
    print("{:<6} {:<12} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}".format(*head))
    print(f"(emulator SIE build, untimed: {report.get('emulator_sie_build_s', '-')} s)")
    for row in report["runs"]:
        print(
            "{:<6} {:<12} {:>8} {:>8} {:>8} {:>8} {:>8} {:>8}".format(
                row["run"],
                row["phase"],
                row["requests"],
                row["throttled_429"],
                row["wall_s"],
                row["floor_s"],
                row["vs_floor"],
                row.get("traced_peak_mb", "-"),
            )
        )
    print(f"data: {json.dumps(report['data'], default=str)}")
    print(f"client peak RSS {report['client_peak_rss_mb']} MB; server counts:")
    print(json.dumps(report["server_counts"], default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
