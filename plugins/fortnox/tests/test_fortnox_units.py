"""Small pure pieces: year choice, Fortnox value parsing, invoice conversion."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ledgerlink_core.backend import BookkeepingRequest
from ledgerlink_core.errors import BackendError, InputError
from ledgerlink_fortnox.bookkeeping import FortnoxYear, choose_year
from ledgerlink_fortnox.convert import amount, flag
from ledgerlink_fortnox.subledger import _needs_full, to_document, to_payment

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
    listed = {
        "Number": 7,
        "InvoiceNumber": 17,
        "PaymentDate": "2025-12-10",
        "Amount": 1150.0,
        "Currency": "EUR",
        "CurrencyRate": "11.5",  # a string, as Fortnox sends rates
        "CurrencyUnit": 1,
        "WriteOffExist": False,
    }
    # No AmountCurrency in list items: SEK over the rate, to the cent (exact for rates > 1).
    assert to_payment(listed, "customer", None).amount == Decimal("100.00")
    odd = {**listed, "Amount": 1150.03}  # an öre of rounding on the SEK leg
    assert to_payment(odd, "customer", None).amount == Decimal("100.00")
    full = {**listed, "AmountCurrency": 100.0, "WriteOffs": []}
    assert to_payment(listed, "customer", full).amount == Decimal("100.0")
    sek = {**listed, "Amount": 500, "Currency": "SEK", "CurrencyRate": 1}
    assert to_payment(sek, "customer", None).amount == 500


def test_which_payments_are_read_in_full() -> None:
    day = dt.date(2025, 12, 31)
    base = {"PaymentDate": "2025-12-10", "Currency": "SEK", "CurrencyRate": 1, "Amount": 5}
    assert not _needs_full({**base, "WriteOffExist": False}, day)
    assert _needs_full({**base, "WriteOffExist": True}, day)
    # after the date: its write-offs cannot change a balance at the date
    assert not _needs_full({**base, "WriteOffExist": True, "PaymentDate": "2026-01-02"}, day)
    # a currency worth less than a krona: the SEK leg does not give the amount back exactly
    assert _needs_full({**base, "Currency": "JPY", "CurrencyRate": "7.1", "CurrencyUnit": 100}, day)
    assert not _needs_full({**base, "Currency": "EUR", "CurrencyRate": "11.2"}, day)


def test_write_offs_of_a_full_payment() -> None:
    item = {"Number": 3, "InvoiceNumber": "17", "PaymentDate": "2025-12-10", "Amount": "990"}
    full = {
        "AmountCurrency": "990",
        "VoucherSeries": "E",
        "VoucherNumber": 12,
        "VoucherYear": 3,
        "WriteOffs": [{"Amount": "10", "AccountNumber": 6570, "Currency": "SEK"}],
    }
    payment = to_payment(item, "supplier", full)
    assert payment.amount == Decimal("990")
    assert [(w.amount, w.account) for w in payment.write_offs] == [(Decimal("10"), "6570")]
    assert payment.voucher is not None and (payment.voucher.series, payment.voucher.number) == (
        "E",
        "12",
    )


def test_supplier_document_from_strings() -> None:
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
    doc = to_document(listed, "supplier")
    assert (doc.total, doc.currency, doc.currency_rate) == (
        Decimal("1000.00"),
        "EUR",
        Decimal("11.2345"),
    )
    assert doc.voucher is not None and (doc.voucher.series, doc.voucher.number) == ("E", "4")
    assert doc.booked and not doc.cancelled and not doc.credit
    assert to_document({**listed, "Cancel": True}, "supplier").cancelled
    assert not to_document({**listed, "Booked": False}, "supplier").booked
    assert to_document({**listed, "Total": "-200.00"}, "supplier").credit
    # Today's Balance is not read: the as-of rule works from payments, in core.
    assert to_document({**listed, "Balance": "1000.00"}, "supplier") == doc
