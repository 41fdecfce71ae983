"""``ledgerlink diff --from fortnox``: what the client booked since the last pull, over TCP
against the emulator. The baseline is the snapshot the pull kept; diff keeps none itself."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

from ledgerlink_fortnox_emulator.state import RowRec, VoucherRec


def latest_year(emu: Any) -> Any:
    return max(emu.state.years, key=lambda y: y.start)


def book_late_invoice(emu: Any, year: Any) -> VoucherRec:
    """The client books a late supplier invoice after the accountant's pull."""
    day = min(year.end, year.start + dt.timedelta(days=40))
    return emu.state.create_voucher(
        VoucherRec(
            series="A",
            number=0,
            year=year.id,
            date=day,
            description="Sen leverantörsfaktura",
            rows=[
                RowRec(account=5410, debit=Decimal("1250.00"), credit=Decimal(0)),
                RowRec(account=2440, debit=Decimal(0), credit=Decimal("1250.00")),
            ],
        )
    )


def test_diff_from_fortnox_shows_what_was_booked_since_the_pull(
    logged_in: Any, run_cli: Any
) -> None:
    emu = logged_in
    year = latest_year(emu)
    args = ("--from", "fortnox", "--year", str(year.end.year))
    assert run_cli("pull", *args).exit_code == 0

    unchanged = run_cli("diff", *args, "--json")
    assert unchanged.exit_code == 0, unchanged.stderr
    assert json.loads(unchanged.stdout)["summary"]["equal"] is True

    late = book_late_invoice(emu, year)
    moved = run_cli("diff", *args, "--json")
    assert moved.exit_code == 1, moved.stderr
    report = json.loads(moved.stdout)
    (added,) = report["vouchers"]["added"]
    assert (added["series"], added["number"]) == ("A", str(late.number))
    assert added["text"] == "Sen leverantörsfaktura"
    assert report["vouchers"]["removed"] == report["vouchers"]["changed"] == []
    assert report["old"]["file"].startswith("snapshot pulled ")
    assert report["new"]["file"] == "fortnox now"
    # The period balances of both accounts moved by the invoice, nothing else did.
    moved_accounts = {(b["account"], b["difference"]) for b in report["balances"]}
    assert ("5410", "1250.00") in moved_accounts
    assert ("2440", "-1250.00") in moved_accounts
    assert {a for a, _ in moved_accounts} <= {"5410", "2440"}

    # diff keeps no snapshot: asked again, it still compares with the pull...
    assert run_cli("diff", *args).exit_code == 1
    # ...until the accountant pulls again.
    assert run_cli("pull", *args).exit_code == 0
    assert run_cli("diff", *args).exit_code == 0


def test_diff_from_fortnox_without_a_pull_says_what_to_do(logged_in: Any, run_cli: Any) -> None:
    year = latest_year(logged_in)
    result = run_cli("diff", "--from", "fortnox", "--year", str(year.end.year))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "no snapshot of" in result.stderr
    assert "ledgerlink pull --from fortnox" in result.stderr
