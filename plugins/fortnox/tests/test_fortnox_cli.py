"""``ledgerlink pull`` and ``ledgerlink ledgers`` from Fortnox, end to end against the emulator."""

from __future__ import annotations

import json
import os
from decimal import Decimal
from pathlib import Path
from typing import Any

from fortnox_testkit import default_store, env_for
from ledgerlink_core.sie import read_sie


def test_pull_writes_the_year_as_sie(logged_in: Any, run_cli: Any, tmp_path: Path) -> None:
    emu = logged_in
    latest = max(emu.state.years, key=lambda y: y.start)
    out = tmp_path / "books.se"
    result = run_cli("pull", "--from", "fortnox", "--year", str(latest.end.year), "-o", str(out))
    assert result.exit_code == 0, result.stderr
    book = read_sie(out).bookkeeping
    assert len(book.vouchers) == len(emu.state.vouchers(year=latest.id))
    current = book.fiscal_year(0)
    assert current is not None and current.end == latest.end


def test_pull_missing_year_is_one_line(logged_in: Any, run_cli: Any, tmp_path: Path) -> None:
    result = run_cli("pull", "--from", "fortnox", "--year", "1999", "-o", str(tmp_path / "x.se"))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "no fiscal year ending in 1999; available:" in result.stderr


def test_ledgers_json(logged_in: Any, run_cli: Any) -> None:
    emu = logged_in
    closing = max(emu.state.years, key=lambda y: y.start).end
    result = run_cli("ledgers", "--from", "fortnox", "--date", closing.isoformat(), "--json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)["items"]
    for kind in ("customer", "supplier"):
        expected = {
            inv.number: emu.state.invoice_balance(inv, at=closing)
            for inv in emu.state.invoices[kind].values()
            if inv.invoice_date <= closing and inv.booked and not inv.cancelled
        }
        expected = {k: v for k, v in expected.items() if v != 0}
        got = {i["number"]: Decimal(i["balance"]) for i in items if i["kind"] == kind}
        assert got == expected


def test_not_logged_in_is_one_line(emulator: Any, run_cli: Any, monkeypatch: Any) -> None:
    for key, value in env_for(emulator).items():
        monkeypatch.setenv(key, value)
    result = run_cli("ledgers", "--from", "fortnox", "--date", "2025-12-31")
    assert result.exit_code == 4
    assert "run `ledgerlink fortnox login` first" in result.stderr


def test_a_lost_refresh_answer_is_told_as_such(logged_in: Any, run_cli: Any) -> None:
    """Fortnox rotates the refresh token and the answer never arrives: the next command says
    exactly that and how to recover, exit 4, instead of a bare "invalid refresh token"."""
    emu = logged_in
    store = default_store(Path(os.environ["LEDGERLINK_CONFIG_DIR"]))
    with store.lock():
        tokens = store.load()
        assert tokens is not None
        store.save({**tokens, "expires_at": 0})  # the access token is spent: refresh first
    emu.configure(drop_refresh_answer_rate=1.0)
    first = run_cli("fortnox", "status", "--check")
    assert first.exit_code == 5, first.stderr  # no answer: Fortnox could not be reached
    emu.configure(drop_refresh_answer_rate=0.0)
    second = run_cli("fortnox", "status", "--check")
    assert second.exit_code == 4, second.stderr
    assert "answer to the last token refresh was lost" in second.stderr
    assert "ledgerlink fortnox login" in second.stderr and second.stderr.count("\n") == 1


def test_c7_a_date_past_every_fiscal_year_is_one_line(logged_in: Any, run_cli: Any) -> None:
    """Reliability review C7: ``--date 9999-12-31`` was an OverflowError (exit 70)."""
    for command in ("ledgers", "reconcile"):
        result = run_cli(command, "--from", "fortnox", "--date", "9999-12-31", "--json")
        assert result.exit_code not in (0, 70), (command, result.stderr)
        assert result.stderr.count("\n") == 1 and "internal error" not in result.stderr
        assert "9999-12-31" in result.stderr or "fiscal year" in result.stderr, result.stderr
