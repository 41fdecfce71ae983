"""The Fortnox part of ``make demo``: the whole flow against the local emulator.

``python scripts/fortnox_demo.py`` (from ``scripts/demo.sh``) starts an emulator seeded with the
example company, then runs the real commands in a throw-away config directory: ``ledgerlink
fortnox login`` (the emulator's test user approves in place of a browser), ``status``,
``connections``, ``pull``, ``ledgers``, ``reconcile``, ``push`` (twice: exactly once), ``push
--status`` and ``logout``. No credentials and no network beyond 127.0.0.1.

A script, not part of a distribution: it needs the workspace's dev environment, where both
``ledgerlink-fortnox`` and ``ledgerlink-fortnox-emulator`` are installed.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

import httpx

CLI = [sys.executable, "-c", "from ledgerlink_cli.main import main; main()"]


def _run(args: list[str], env: dict[str, str], *, expect: int = 0) -> None:
    print(f"\n$ ledgerlink {' '.join(args)}", flush=True)
    done = subprocess.run([*CLI, *args], env=env, check=False)
    if done.returncode != expect:
        raise SystemExit(f"demo step failed with exit code {done.returncode}")


def _redirect_uri() -> str:
    """A loopback redirect URI on a port free now. Fortnox redirects only to the exact URI
    registered for the integration, so the demo registers this one with the emulator."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}/callback"


def _login(env: dict[str, str], redirect_uri: str) -> None:
    """``ledgerlink fortnox login --no-browser``; approve by opening the printed URL."""
    print("\n$ ledgerlink fortnox login --no-browser", flush=True)
    proc = subprocess.Popen(
        [*CLI, "fortnox", "login", "--no-browser", "--set", f"redirect_uri={redirect_uri}"],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        print(line, end="", flush=True)
        if line.startswith("http"):
            print("(the emulator's test user approves: opening that URL)", flush=True)
            httpx.get(line.strip(), follow_redirects=True, timeout=30)
            break
    rest = proc.stderr.read()
    if proc.wait(timeout=60) != 0:
        raise SystemExit(f"login failed: {rest.strip()}")


def _year_end_adjustments(tmp: Path, closing: dt.date) -> tuple[Path, Path]:
    """Two closing entries as a SIE 4I file, and a folder with the document for the first."""
    from ledgerlink_core.model import Bookkeeping, CompanyInfo, Voucher, VoucherRow
    from ledgerlink_core.sie import write_sie

    def voucher(text: str, debit: str, credit: str, amount: str) -> Voucher:
        rows = (
            VoucherRow(account=debit, amount=Decimal(amount)),
            VoucherRow(account=credit, amount=-Decimal(amount)),
        )
        return Voucher(series="A", number=None, date=closing, text=text, rows=rows)

    book = Bookkeeping(
        company=CompanyInfo(name="Bokslut"),
        vouchers=(
            voucher("Upplupen bankavgift december", "6570", "2440", "1850.00"),
            voucher("Avskrivning inventarier december", "7832", "1229", "4200.00"),
        ),
    )
    adjustments = tmp / "bokslut.si"
    write_sie(book, adjustments, sie_type="4I")
    documents = tmp / "bilagor"
    documents.mkdir()
    # v1_*: the input's first voucher (it has no number yet); see `ledgerlink push --help`.
    (documents / "v1_bankavgift.pdf").write_bytes(b"%PDF-1.4\n% bankavgift\n%%EOF\n")
    return adjustments, documents


def main() -> int:
    """Run the demo; return the exit code."""
    from ledgerlink_fortnox_emulator import EmulatorConfig, run_emulator

    redirect_uri = _redirect_uri()
    config = EmulatorConfig(latency=0.02, redirect_uris=(redirect_uri,))
    with (
        tempfile.TemporaryDirectory(prefix="ledgerlink-fortnox-demo-") as tmp,
        run_emulator(config) as emu,
    ):
        closing = max(y.end for y in emu.state.years)
        print(f"Fortnox emulator at {emu.base_url} (company: {emu.state.company.name})")
        env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERLINK_")}
        env.update(
            {
                "LEDGERLINK_CONFIG_DIR": str(Path(tmp) / "config"),
                "LEDGERLINK_DATA_DIR": str(Path(tmp) / "data"),
                "LEDGERLINK_FORTNOX__CLIENT_ID": config.client_id,
                "LEDGERLINK_FORTNOX__CLIENT_SECRET": config.client_secret,
                "LEDGERLINK_FORTNOX__BASE_URL": emu.base_url,
                "LEDGERLINK_FORTNOX__OAUTH_URL": emu.oauth_base,
            }
        )
        _login(env, redirect_uri)
        _run(["fortnox", "status"], env)
        _run(["connections"], env)
        books = Path(tmp) / "books.se"
        _run(["pull", "--from", "fortnox", "--year", str(closing.year), "-o", str(books)], env)
        _run(["ledgers", "--from", "fortnox", "--date", closing.isoformat()], env)
        _run(["reconcile", "--from", "fortnox", "--date", closing.isoformat()], env)
        adjustments, documents = _year_end_adjustments(Path(tmp), closing)
        push = ["push", "--to", "fortnox", str(adjustments), "--attach", str(documents)]
        _run([*push, "--dry-run"], env)
        _run(push, env)
        print("\n(the same push again: the journal and the target agree, nothing is sent twice)")
        _run(push, env)
        _run(["push", "--status"], env)
        year = ["--from", "fortnox", "--year", str(closing.year)]
        print("\n(what changed in Fortnox since the pull: the adjustments; exit 1, they differ)")
        _run(["diff", *year], env, expect=1)
        _run(["pull", *year, "--attachments", str(Path(tmp) / "documents")], env)
        _run(["snapshots"], env)
        _run(["fortnox", "logout"], env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
