"""The kit's golden sample is what it claims: the SIE file reads back into exactly the
canonical model, in CP437 with Swedish characters, several series and dimensions, balances
that roll forward and invoices that reconcile with the ledger at the year end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from ledgerlink_core.sie import read_sie
from ledgerlink_core.testing import samples


def test_sie_file_reads_back_into_the_canonical_sample(tmp_path: Path) -> None:
    doc = read_sie(samples.copy_sample(tmp_path))
    assert doc.clean, doc.problems
    assert doc.info.encoding == "cp437" and doc.info.sie_type == "4E"
    assert doc.bookkeeping == samples.small_company()


def test_sie_file_is_cp437_with_swedish_text() -> None:
    raw = samples.small_company_sie()
    assert "Åkesson & Öberg".encode("cp437") in raw
    assert b"\r\n" in raw
    raw.decode("cp437")  # every byte is CP437
    assert "Ä".encode("cp437") in raw and "ö".encode("cp437") in raw


def test_sample_has_what_backends_must_handle() -> None:
    book = samples.small_company()
    assert {v.series for v in book.vouchers} == {"A", "B", "C"}
    assert {d.number for d in book.dimensions} == {1, 6}
    assert any(len(r.objects) == 2 for v in book.vouchers for r in v.rows)
    assert any(r.text and r.quantity is not None for v in book.vouchers for r in v.rows)
    year = book.fiscal_year(0)
    assert year is not None and all(year.contains(v.date) for v in book.vouchers)


def test_sample_balances_roll_forward() -> None:
    book = samples.small_company()
    moved: dict[str, Decimal] = {}
    for v in book.vouchers:
        for r in v.rows:
            moved[r.account] = moved.get(r.account, Decimal(0)) + r.amount
    opening = {b.account: b.amount for b in book.opening_balances if b.year_index == 0}
    for b in book.closing_balances:
        if b.year_index == 0:
            assert opening.get(b.account, Decimal(0)) + moved.get(b.account, Decimal(0)) == b.amount
    assert {b.account: b.amount for b in book.results} == {
        a: m for a, m in moved.items() if a >= "3"
    }


def test_sample_invoices_reconcile_with_the_ledger_at_the_year_end() -> None:
    book = samples.small_company()
    year_end = dt.date(2025, 12, 31)
    closing = {b.account: b.amount for b in book.closing_balances if b.year_index == 0}
    customer = samples.open_items("customer", year_end)
    supplier = samples.open_items("supplier", year_end)
    assert sum(i.balance_sek for i in customer) == closing["1510"] == Decimal("17750.00")
    assert sum(i.balance_sek for i in supplier) == -closing["2440"] == Decimal("15000.00")
    assert {i.currency for i in customer} == {"SEK", "EUR"}
    # As of other dates the same invoices give other answers: paid later, issued later.
    assert [i.number for i in samples.open_items("customer", dt.date(2025, 2, 15))] == ["1002"]
    assert samples.open_items("supplier", dt.date(2024, 1, 1)) == []
