"""Small pure pieces: year choice, Fortnox value parsing, invoice conversion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ledgerlink_core.backend import BookkeepingRequest
from ledgerlink_core.errors import BackendError, InputError
from ledgerlink_fortnox.bookkeeping import FortnoxYear, choose_year
from ledgerlink_fortnox.convert import amount, flag
from ledgerlink_fortnox.subledger import payment_in_invoice_currency, to_item

YEARS = [
    FortnoxYear(1, dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
    FortnoxYear(2, dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    FortnoxYear(3, dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
]


@pytest.mark.parametrize(
    ("request_", "expected"),
    [
        (BookkeepingRequest(), 3),
        (BookkeepingRequest(year=2024), 2),
        (BookkeepingRequest(on_date=dt.date(2023, 6, 30)), 1),
        (BookkeepingRequest(year_index=0), 3),
        (BookkeepingRequest(year_index=-2), 1),
        (BookkeepingRequest(year_index=2), 2),  # a positive index is Fortnox's id
    ],
)
def test_choose_year(request_: BookkeepingRequest, expected: int) -> None:
    assert choose_year(YEARS, request_).id == expected


@pytest.mark.parametrize(
    "request_",
    [
        BookkeepingRequest(year=2030),
        BookkeepingRequest(on_date=dt.date(2019, 1, 1)),
        BookkeepingRequest(year_index=-3),
        BookkeepingRequest(year_index=9),
    ],
)
def test_missing_year(request_: BookkeepingRequest) -> None:
    with pytest.raises(InputError, match=r"available: 2023 \(2023-01-01\.\.2023-12-31, id 1\)"):
        choose_year(YEARS, request_)


def test_values_as_fortnox_sends_them() -> None:
    assert amount("1234.50") == Decimal("1234.50")
    assert amount(0.1) == Decimal("0.1")  # a JSON float read through str, not binary
    assert amount("") == 0 and amount(None) == 0
    assert flag("false") is False and flag("true") is True and flag(True) is True
    with pytest.raises(BackendError):
        amount("12 kr")


def test_foreign_payment_in_invoice_currency() -> None:
    listed = {"Amount": 1150.0, "Currency": "EUR", "CurrencyRate": 11.5, "CurrencyUnit": 1}
    assert payment_in_invoice_currency(listed) == Decimal(100)
    full = {**listed, "AmountCurrency": 100.0}
    assert payment_in_invoice_currency(full) == Decimal("100.0")
    sek = {"Amount": 500, "Currency": "SEK"}
    assert payment_in_invoice_currency(sek) == 500


def test_supplier_item_from_strings_with_added_back_payment() -> None:
    listed = {
        "GivenNumber": "17",
        "SupplierNumber": "5",
        "SupplierName": "Lev AB",
        "InvoiceDate": "2025-12-01",
        "DueDate": "2026-01-01",
        "Total": "1000.00",
        "Balance": "0.00",
        "Currency": "EUR",
        "CurrencyRate": "11.2345",
        "CurrencyUnit": 1,
        "Booked": True,
        "Cancel": False,
        "Vouchers": [
            {"Number": 9, "Series": "F", "Year": 3, "ReferenceType": "SUPPLIERPAYMENT"},
            {"Number": 4, "Series": "E", "Year": 3, "ReferenceType": "SUPPLIERINVOICE"},
        ],
    }
    item = to_item(listed, "supplier", dt.date(2025, 12, 31), Decimal("400.00"))
    assert item is not None
    assert item.balance == Decimal("400.00")
    assert item.balance_sek == Decimal("4493.80")
    assert item.total_sek == Decimal("11234.50")
    assert item.voucher is not None and (item.voucher.series, item.voucher.number) == ("E", "4")
    # paid in full before the date: not open
    assert to_item(listed, "supplier", dt.date(2025, 12, 31), Decimal(0)) is None
    # dated after the date, cancelled or unbooked: never open
    assert to_item(listed, "supplier", dt.date(2025, 11, 30), Decimal(400)) is None
    assert (
        to_item({**listed, "Cancel": True}, "supplier", dt.date(2025, 12, 31), Decimal(1)) is None
    )
    assert (
        to_item({**listed, "Booked": False}, "supplier", dt.date(2025, 12, 31), Decimal(1)) is None
    )
