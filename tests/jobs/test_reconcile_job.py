"""``ledgerlink_core.jobs.reconcile`` from Python: it imports the bookkeeping and both
subledgers (announcing each import) and returns core's ``ReconcileReport``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ledgerlink_core.jobs import ReconcileRequest, reconcile
from ledgerlink_core.reconcile import parse_ranges
from ledgerlink_core.testing import small_company
from ledgerlink_core.testing.samples import open_items

YEAR_END = dt.date(2025, 12, 31)


def test_the_golden_sample_agrees_at_the_year_end(
    ledgerlink_runtime: Any, install, imports
) -> None:
    install("samplebooks")
    report = reconcile(ledgerlink_runtime, ReconcileRequest(backend="samplebooks", as_of=YEAR_END))
    assert report.agrees
    assert (report.source, report.date) == ("samplebooks", YEAR_END)
    assert [(line.kind, line.accounts) for line in report.lines] == [
        ("customer", "1510-1517"),
        ("supplier", "2440-2447"),
    ]
    closing = {b.account: b.amount for b in small_company().closing_balances if b.year_index == 0}
    assert report.lines[0].ledger == closing["1510"]
    assert report.lines[1].ledger == -closing["2440"]
    book = small_company()
    assert imports.calls == [
        (
            "samplebooks",
            "bookkeeping",
            {"accounts": len(book.accounts), "vouchers": len(book.vouchers)},
        ),
        (
            "samplebooks",
            "subledger",
            {k: len(open_items(k, YEAR_END)) for k in ("customer", "supplier")},
        ),
    ]


def test_an_invoice_missing_from_the_subledger_is_the_difference(
    ledgerlink_runtime: Any, install
) -> None:
    install("samplebooks")
    missing = open_items("customer", YEAR_END)[0]
    request = ReconcileRequest(
        backend="samplebooks",
        overrides={"leave_out": missing.number},
        as_of=YEAR_END,
        ranges=parse_ranges(["customer=1500-1519"]),
    )
    report = reconcile(ledgerlink_runtime, request)
    assert not report.agrees
    customer, supplier = report.lines
    assert customer.accounts == "1500-1519"
    assert customer.difference == missing.balance_sek != Decimal(0)
    assert supplier.agrees
