"""Benchmark: ``ledgerlink batch`` over a firm's whole client list against the emulator.

The emulator runs in a child process with N companies (tenants), each with its own data,
tokens and rate window, at 300 ms per request and Fortnox's 25 requests per 5 s, both scaled
by ``--scale`` (0.2: 60 ms and 25 per 1 s), as the other Fortnox benches do. Every company
gets a connection (tokens minted at the emulator, stored as ``ledgerlink fortnox login``
leaves them). Then, each as its own ``ledgerlink batch`` process (peak RSS from ``wait4``):

* one company alone (``--companies <first>``): the unit a batch repeats;
* all N companies at ``--jobs`` at a time;
* half of them at the same ``--jobs``, for memory against the number of companies.

Reported: wall times, the batch against one company (goal: N=200 within 3x), the floor set
by the slowest company's rate budget (its requests at 25 per window), requests and 429s at
the emulator, peak RSS of each run.

    uv run python bench/batch_bench.py                         # 200 companies, scale 0.2
    uv run python bench/batch_bench.py --companies 50 --scale 1
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _emulator import LIMIT, WINDOW

LATENCY = 0.3


def _serve(config_kwargs: dict[str, Any], conn: Any) -> None:
    """Child process: every company built and logged in to, then serve until told to stop."""
    from ledgerlink_fortnox_emulator import EmulatorConfig, run_emulator

    config = EmulatorConfig(**config_kwargs)
    with run_emulator(config) as emu:
        companies = []
        for tenant in emu.tenant_ids:
            company = emu.tenant_state(tenant).company
            companies.append(
                {"org_nr": company.org_nr, "name": company.name, **emu.issue_tokens(tenant=tenant)}
            )
        year = max(emu.state.years, key=lambda y: y.start)
        conn.send(
            {
                "base_url": emu.base_url,
                "client_id": config.client_id,
                "client_secret": config.client_secret,
                "date": year.end.isoformat(),
                "companies": companies,
            }
        )
        while True:
            command = conn.recv()
            if command == "stop":
                break
            per_tenant = {
                emu.tenant_state(t).company.org_nr: dict(emu.tenant_state(t).request_counts())
                for t in emu.tenant_ids
            }
            for t in emu.tenant_ids:
                emu.tenant_state(t).request_log.clear()
            emu.reset_rate_limit()
            conn.send(per_tenant)


def _connect(info: dict[str, Any], home: Path) -> None:
    """A connection per company, as ``ledgerlink fortnox login`` leaves it."""
    from ledgerlink_core import Connection, Connections, FileTokenStore, org_key

    index = Connections(home / "config")
    now = time.time()
    for c in info["companies"]:
        FileTokenStore(
            home / "config" / "tokens" / "fortnox" / f"{org_key(c['org_nr'])}.json"
        ).save(
            {
                "grant": "authorization_code",
                "access_token": c["access_token"],
                "refresh_token": c["refresh_token"],
                "expires_at": now + float(c["expires_in"]),
                "refresh_expires_at": now + 45 * 86400,
                "scope": c["scope"],
                "client_id": info["client_id"],
                "base_url": info["base_url"],
                "org_nr": c["org_nr"],
                "company": c["name"],
            }
        )
        index.add(Connection("fortnox", c["org_nr"], c["name"]))


def _batch(
    env: dict[str, str], operation: str, date: str, out: Path, companies: str, jobs: int
) -> tuple[float, int, dict[str, Any]]:
    """Run one batch process; its peak RSS comes from ``wait4`` on exactly that child."""
    args = [sys.executable, "-m", "ledgerlink_cli", "batch", operation, "--from", "fortnox"]
    args += ["--date", date] if operation != "pull" else []
    args += ["--out", str(out), "--companies", companies, "--jobs", str(jobs), "--json"]
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    stdout = proc.stdout.read()
    stderr = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 8):
        raise SystemExit(f"batch failed ({proc.returncode}): {stderr.decode()[-2000:]}")
    return wall, int(usage.ru_maxrss), json.loads(stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=0, help="default: all companies at once")
    parser.add_argument("--scale", type=float, default=0.2)
    parser.add_argument("--operation", choices=("pull", "ledgers", "reconcile"), default="ledgers")
    parser.add_argument("--invoices", type=int, default=600, help="customer and supplier each")
    args = parser.parse_args()
    n = args.companies
    jobs = args.jobs or n
    window = WINDOW * args.scale
    config = {
        "tenants": n,
        "latency": LATENCY * args.scale,
        "rate_limit_requests": LIMIT,
        "rate_limit_window": window,
        "retry_after_unit": args.scale,
        "customer_invoices": args.invoices,
        "supplier_invoices": args.invoices,
    }
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe()
    emulator = ctx.Process(target=_serve, args=(config, child), daemon=True)
    emulator.start()
    info = parent.recv()
    with tempfile.TemporaryDirectory(prefix="ledgerlink-batch-bench-") as tmp:
        home = Path(tmp)
        _connect(info, home)
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERLINK_")}
        env.update(
            {
                "LEDGERLINK_CONFIG_DIR": str(home / "config"),
                "LEDGERLINK_DATA_DIR": str(home / "data"),
                "LEDGERLINK_FORTNOX__CLIENT_ID": info["client_id"],
                "LEDGERLINK_FORTNOX__CLIENT_SECRET": info["client_secret"],
                "LEDGERLINK_FORTNOX__BASE_URL": info["base_url"],
                "LEDGERLINK_FORTNOX__OAUTH_URL": info["base_url"] + "/oauth-v1",
                "LEDGERLINK_FORTNOX__RATE_LIMIT_WINDOW": str(window),
            }
        )
        orgs = [c["org_nr"] for c in info["companies"]]
        runs: list[tuple[str, int, float, int, dict[str, Any], dict[str, Any]]] = []
        plan = [
            ("one company", [orgs[0]], 1),
            (f"{n // 2} companies", orgs[: n // 2], min(jobs, n // 2)),
            (f"{n} companies", orgs, jobs),
        ]
        for label, chosen, j in plan:
            out = home / f"out-{len(chosen)}"
            companies = ",".join(chosen) if len(chosen) < n else "all"
            wall, rss, report = _batch(env, args.operation, info["date"], out, companies, j)
            parent.send("counts")
            counts = parent.recv()
            runs.append((label, j, wall, rss, report, counts))
        parent.send("stop")
        emulator.join(10)

    one_wall = runs[0][2]
    print(
        f"batch {args.operation}: scale {args.scale} (latency {LATENCY * args.scale * 1000:.0f} ms,"
        f" {LIMIT} requests per {window:g} s per company), {args.invoices} invoices per side"
    )
    print()
    print(
        "| run | jobs | wall | x one company | floor (slowest budget) | requests | max/company "
        "| 429 at server | failed | peak RSS |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, j, wall, rss, report, counts in runs:
        per = [c.get("total", 0) for c in counts.values() if c.get("total")]
        slowest = max(per) if per else 0
        floor = (slowest / LIMIT) * window
        throttled = sum(c.get("429", 0) for c in counts.values())
        failed = report["counts"]["failed"]
        print(
            f"| {label} | {j} | {wall:.2f} s | {wall / one_wall:.2f} | {floor:.2f} s "
            f"| {sum(per)} | {slowest} | {throttled} | {failed} | {rss / 1024:.1f} MB |"
        )


if __name__ == "__main__":
    main()
