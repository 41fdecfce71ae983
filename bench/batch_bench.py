"""Benchmark: ``ledgerlink batch`` over a firm's whole client list against the emulator.

The emulator runs in a child process with N companies (tenants), each with its own data,
tokens and rate window, at 300 ms per request and Fortnox's 25 requests per 5 s, both scaled
by ``--scale`` (0.2: 60 ms and 25 per 1 s), as the other Fortnox benches do. Every company
gets a connection (tokens minted at the emulator, stored as ``ledgerlink fortnox login``
leaves them). Then, each as its own ``ledgerlink batch`` process (peak RSS from ``wait4``):

* one company alone (``--companies <first>``): the unit a batch repeats;
* all N companies at ``--jobs`` at a time (default: all at once);
* a quarter of them and all of them at ``--mem-jobs`` at a time, for memory against the
  number of companies (the concurrency held equal).

The scale knob shrinks latency and window, not CPU: at ``--scale 0.2`` the client's and the
emulator's CPU per company (parsing and serving the pages) weighs five times as much against
the rate budget as it does against real Fortnox, so the ratio to one company is the honest
figure at ``--scale 1``.

Reported: wall times, the batch against one company (goal: N=200 within 3x), the floor set
by the slowest company's rate budget (its requests at 25 per window), requests and 429s at
the emulator, peak RSS of each run.

    uv run python bench/batch_bench.py                  # 200 companies in real time: ~3 minutes
    uv run python bench/batch_bench.py --scale 0.2      # 5x faster clock (CPU weighs more)
"""

from __future__ import annotations

import argparse
import json
import math
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
        start_cpu = os.times()
        conn_cpu = [start_cpu.user + start_cpu.system]
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
            cpu = os.times()
            per_tenant: dict[str, Any] = {
                "_cpu": cpu.user + cpu.system - conn_cpu[0],
            }
            conn_cpu[0] = cpu.user + cpu.system
            per_tenant |= {
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
    report = json.loads(stdout)
    report["_cpu"] = usage.ru_utime + usage.ru_stime
    return wall, int(usage.ru_maxrss), report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--companies", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=0, help="default: all companies at once")
    parser.add_argument(
        "--mem-jobs", type=int, default=20, help="jobs of the two memory runs (N/4 and N)"
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--operation", choices=("pull", "ledgers", "reconcile"), default="ledgers")
    parser.add_argument(
        "--invoices", type=int, default=600, help="invoices per company, customer and supplier each"
    )
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
        mem_jobs = min(args.mem_jobs, n)
        plan = [
            ("one company", [orgs[0]], 1),
            (f"{n} companies", orgs, jobs),
            (f"{n // 4} companies (memory)", orgs[: n // 4], min(mem_jobs, n // 4)),
            (f"{n} companies (memory)", orgs, mem_jobs),
        ]
        for number, (label, chosen, j) in enumerate(plan):
            out = home / f"out-{number}"
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
        "| 429 at server | failed | peak RSS | CPU client | CPU emulator |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for label, j, wall, rss, report, counts in runs:
        emulator_cpu = counts.pop("_cpu")
        per = [c.get("total", 0) for c in counts.values() if c.get("total")]
        slowest = max(per) if per else 0
        # r requests at LIMIT per window: the last batch of them starts (ceil(r/LIMIT) - 1)
        # windows after the first, then takes one round trip
        floor = (math.ceil(slowest / LIMIT) - 1) * window + LATENCY * args.scale if slowest else 0.0
        throttled = sum(c.get("429", 0) for c in counts.values())
        failed = report["counts"]["failed"]
        print(
            f"| {label} | {j} | {wall:.2f} s | {wall / one_wall:.2f} | {floor:.2f} s "
            f"| {sum(per)} | {slowest} | {throttled} | {failed} | {rss / 1024:.1f} MB "
            f"| {report['_cpu']:.1f} s | {emulator_cpu:.1f} s |"
        )

    for label, _, _, _, report, _ in runs:
        for company in report["companies"]:
            if company["status"] == "failed":
                print(f"failed in {label}: {company['org_nr']}: {company['detail']}")


if __name__ == "__main__":
    main()
