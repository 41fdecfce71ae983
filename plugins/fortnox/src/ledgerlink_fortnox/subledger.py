"""A subledger's history from Fortnox: documents, payments with write-offs, the years' methods.

Core computes what was open at a date from it (one rule for every backend); this module only
reads. The requests, all started at once so the round trips overlap:

* ``/3/financialyears`` for each year's ``AccountingMethod`` (ACCRUAL or CASH);
* one paged listing of every invoice (``/3/invoices`` or ``/3/supplierinvoices``), credit notes,
  cancelled and unbooked ones included, so every payment finds its document;
* one paged listing of every payment (``/3/invoicepayments`` or ``supplierinvoicepayments``;
  the endpoint has no date filter);
* the full payment (``/3/invoicepayments/{Number}``) only where it is needed: list items carry
  ``WriteOffExist`` but not the write-offs, so a payment dated on or before the date with
  ``WriteOffExist`` is read in full; later ones cannot change a balance at the date.

Credit notes are read as the documents they are (negative totals), never as offsets: Fortnox
has no offset function, both documents are settled by payments. Which reference field sits on
which document is disputed between Fortnox's sources; nothing here depends on it. Cash
invoices (``CASHINVOICE``: paid when issued, booked straight to the bank, never on the
control account) are left out unless a payment names one.

Foreign payments: list items have ``Amount`` in SEK and no ``AmountCurrency``. The amount in the
invoice currency is ``Amount / (CurrencyRate / CurrencyUnit)`` rounded to the cent, which is
exact when Fortnox rounds the SEK leg to the öre and the rate per unit is above 1 (EUR, USD,
GBP...): the öre of rounding is then less than half a cent of the currency. For a currency
worth less than a krona per unit the full payment is read (``AmountCurrency``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from ledgerlink_core import (
    AccountingYear,
    BackendError,
    ControlAccounts,
    Counterparty,
    PermissionDenied,
    SubledgerDocument,
    SubledgerHistory,
    SubledgerPayment,
    VoucherRef,
    WriteOff,
)

from ledgerlink_fortnox.bookkeeping import fiscal_years
from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.convert import amount, cents, date, field, flag

Kind = Literal["customer", "supplier"]
PageHook = Callable[[str, int, int], None]


@dataclass(frozen=True)
class _Side:
    """Where one subledger lives in the API."""

    invoices: str
    invoices_key: str
    payments: str
    payments_key: str
    single_payment_key: str
    number: str
    counterparty_number: str
    counterparty_name: str
    cancelled: str
    predefined: str


SIDES: dict[str, _Side] = {
    "customer": _Side(
        invoices="invoices",
        invoices_key="Invoices",
        payments="invoicepayments",
        payments_key="InvoicePayments",
        single_payment_key="InvoicePayment",
        number="DocumentNumber",
        counterparty_number="CustomerNumber",
        counterparty_name="CustomerName",
        cancelled="Cancelled",
        predefined="CUSTCLAIM",
    ),
    "supplier": _Side(
        invoices="supplierinvoices",
        invoices_key="SupplierInvoices",
        payments="supplierinvoicepayments",
        payments_key="SupplierInvoicePayments",
        single_payment_key="SupplierInvoicePayment",
        number="GivenNumber",
        counterparty_number="SupplierNumber",
        counterparty_name="SupplierName",
        cancelled="Cancel",
        predefined="SUPDEBT",
    ),
}


def _rate(item: Mapping[str, Any]) -> Decimal:
    """SEK per unit of the currency (``CurrencyRate / CurrencyUnit``); rates may be strings."""
    rate = amount(field(item, "CurrencyRate"), what="currency rate") or Decimal(1)
    unit = amount(field(item, "CurrencyUnit"), what="currency unit") or Decimal(1)
    return rate / unit


def _currency(item: Mapping[str, Any]) -> str:
    return str(field(item, "Currency") or "SEK").upper()


def _voucher(item: Mapping[str, Any], kind: Kind) -> VoucherRef | None:
    # A supplier invoice lists its vouchers (the booking first); a customer invoice, and a
    # supplier invoice without that list, carries the booking's Voucher* fields itself.
    source: Mapping[str, Any] = item
    keys = ("VoucherSeries", "VoucherNumber", "VoucherYear")
    if kind == "supplier":
        vouchers = field(item, "Vouchers") or []
        booked = [
            v for v in vouchers if str(field(v, "ReferenceType", "")).upper() == "SUPPLIERINVOICE"
        ]
        if booked:
            source, keys = booked[0], ("Series", "Number", "Year")
        elif vouchers and not any(field(v, "ReferenceType") for v in vouchers):
            source, keys = vouchers[0], ("Series", "Number", "Year")
    series, number, year = (field(source, key) for key in keys)
    if not series or number in (None, "", 0):
        return None
    return VoucherRef(
        series=str(series), number=str(number), year=int(year) if year not in (None, "") else None
    )


def to_document(item: Mapping[str, Any], kind: Kind) -> SubledgerDocument:
    """One invoice list item as a document (amounts in the invoice currency)."""
    side = SIDES[kind]
    number = str(field(item, side.number))
    invoice_date = date(field(item, "InvoiceDate"), what=f"date of {kind} invoice {number}")
    if invoice_date is None:
        raise BackendError(f"Fortnox sent {kind} invoice {number} without an invoice date")
    # Öre precision, so 12991.7 from a JSON number reads as 12991.70.
    total = cents(amount(field(item, "Total"), what=f"total of {kind} invoice {number}"))
    credit = field(item, "Credit")
    ocr = field(item, "OCR")
    return SubledgerDocument(
        kind=kind,
        number=number,
        counterparty=Counterparty(
            number=str(field(item, side.counterparty_number) or ""),
            name=str(field(item, side.counterparty_name) or ""),
        ),
        invoice_date=invoice_date,
        due_date=date(field(item, "DueDate"), what="due date"),
        total=total,
        currency=_currency(item),
        currency_rate=_rate(item),
        voucher=_voucher(item, kind),
        ocr=str(ocr) if ocr else None,
        booked=not _false(field(item, "Booked")),
        cancelled=flag(field(item, side.cancelled)) or flag(field(item, "Cancelled")),
        credit=flag(credit) if credit is not None else total < 0,
    )


def _cash_invoice(item: Mapping[str, Any]) -> bool:
    """A cash invoice (``InvoiceType: CASHINVOICE``, kontantfaktura) is paid when issued and
    booked straight to the bank: it never enters the customer ledger, and Fortnox registers
    no payment for it (so by the payments rule it would look open forever)."""
    return str(field(item, "InvoiceType") or "").upper() == "CASHINVOICE"


def _false(value: Any) -> bool:
    """``false`` as a JSON boolean or as the string Fortnox sends in some objects."""
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def _in_currency(payment: Mapping[str, Any], full: Mapping[str, Any] | None) -> Decimal:
    """A payment's amount in the invoice currency (see the module doc for foreign ones)."""
    if _currency(payment) == "SEK":
        return amount(field(payment, "Amount"))
    if full is not None and field(full, "AmountCurrency") not in (None, ""):
        return amount(field(full, "AmountCurrency"))
    return cents(amount(field(payment, "Amount")) / _rate(payment))


def _write_offs(full: Mapping[str, Any], currency: str, rate: Decimal) -> tuple[WriteOff, ...]:
    """The write-offs of a full payment, in the invoice currency. Fortnox gives each its
    ``Currency``; one in SEK on a foreign invoice is converted at the payment's rate."""
    out = []
    for w in field(full, "WriteOffs") or []:
        value = amount(field(w, "Amount"), what="write-off amount")
        if currency != "SEK" and str(field(w, "Currency") or currency).upper() == "SEK":
            value = cents(value / rate)
        account = field(w, "AccountNumber")
        out.append(
            WriteOff(
                amount=value,
                account=str(account) if account not in (None, "", 0) else None,
                description=str(
                    field(w, "Description") or field(w, "TransactionInformation") or ""
                ),
            )
        )
    return tuple(out)


def _needs_full(payment: Mapping[str, Any], as_of: dt.date) -> bool:
    """Read the full payment: it has write-offs, or is in a currency worth a krona or less,
    and it is dated on or before the date (later ones change no balance at it)."""
    paid = date(field(payment, "PaymentDate"), what="payment date")
    if paid is None or paid > as_of:
        return False
    if flag(field(payment, "WriteOffExist")):
        return True
    return _currency(payment) != "SEK" and _rate(payment) <= 1


def to_payment(
    item: Mapping[str, Any], kind: Kind, full: Mapping[str, Any] | None
) -> SubledgerPayment:
    """One payment list item (and its full object, when read) as a payment."""
    number = str(field(item, "Number"))
    paid = date(field(item, "PaymentDate"), what=f"date of {kind} payment {number}")
    if paid is None:
        raise BackendError(f"Fortnox sent {kind} payment {number} without a payment date")
    currency, rate = _currency(item), _rate(item)
    voucher = None
    if full is not None and field(full, "VoucherSeries") and field(full, "VoucherNumber"):
        year = field(full, "VoucherYear")
        voucher = VoucherRef(
            series=str(field(full, "VoucherSeries")),
            number=str(field(full, "VoucherNumber")),
            year=int(year) if year not in (None, "") else None,
        )
    return SubledgerPayment(
        kind=kind,
        number=number,
        document=str(field(item, "InvoiceNumber")),
        date=paid,
        amount=_in_currency(item, full),
        amount_sek=amount(field(item, "Amount")),
        voucher=voucher,
        write_offs=_write_offs(full, currency, rate) if full is not None else (),
    )


def _years(client: FortnoxClient) -> tuple[AccountingYear, ...]:
    return tuple(
        AccountingYear(
            start=y.start, end=y.end, method="cash" if y.method.upper() == "CASH" else "accrual"
        )
        for y in fiscal_years(client)
    )


def _listing(
    client: FortnoxClient, path: str, key: str, label: str, on_page: PageHook | None
) -> list[dict[str, Any]]:
    return list(
        client.paginate(
            path,
            key,
            on_page=(lambda done, total: on_page(label, done, total)) if on_page else None,
            action=f"listing Fortnox {label}",
        )
    )


def import_history(
    client: FortnoxClient, kind: Kind, as_of: dt.date, on_page: PageHook | None = None
) -> SubledgerHistory:
    """The ``kind`` subledger's documents and payments, and the years' accounting methods."""
    side = SIDES[kind]
    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="fortnox-ledger") as pool:
        years = pool.submit(_years, client)
        invoices = pool.submit(
            _listing, client, side.invoices, side.invoices_key, f"{kind} invoices", on_page
        )
        payments = _listing(client, side.payments, side.payments_key, f"{kind} payments", on_page)
        wanted = [p for p in payments if _needs_full(p, as_of)]

        def read(item: Mapping[str, Any]) -> Mapping[str, Any]:
            number = field(item, "Number")
            body = client.get_json(
                f"{side.payments}/{number}", action=f"reading Fortnox {kind} payment {number}"
            )
            return field(body, side.single_payment_key, {}) or {}

        full = {
            str(field(p, "Number")): f
            for p, f in zip(wanted, client.map_ordered(read, wanted), strict=True)
        }
        paid_on = {str(field(p, "InvoiceNumber")) for p in payments}
        documents = tuple(
            to_document(item, kind)
            for item in invoices.result()
            if not _cash_invoice(item) or str(field(item, side.number)) in paid_on
        )
        methods = years.result()
    return SubledgerHistory(
        kind=kind,
        documents=documents,
        payments=tuple(to_payment(p, kind, full.get(str(field(p, "Number")))) for p in payments),
        years=methods,
    )


def control_accounts(client: FortnoxClient, kind: Kind) -> ControlAccounts | None:
    """The account Fortnox books the ``kind`` subledger on (``/3/predefinedaccounts/CUSTCLAIM``
    or ``SUPDEBT``, scope ``settings``), or None when it cannot be read (no scope, no such
    setting): reconcile then uses BAS."""
    name = SIDES[kind].predefined
    try:
        body = client.get_json(
            f"predefinedaccounts/{name}", action=f"reading Fortnox predefined account {name}"
        )
    except (PermissionDenied, BackendError):
        return None
    account = field(field(body, "PreDefinedAccount", {}) or {}, "Account")
    if account in (None, "", 0):
        return None
    return ControlAccounts(
        kind=kind, accounts=(str(account),), source=f"Fortnox predefined account {name}"
    )
