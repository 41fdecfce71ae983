"""Customer and supplier invoices open at a date, *as the subledger stood on that date*.

Year-end work happens months after the closing date, so Fortnox's ``Balance`` (today's) is
wrong for it. The balance at date D is rebuilt as::

    balance(D) = Balance(today) + payments dated after D + credits dated after D

over the booked, non-cancelled invoices dated on or before D. Payments come from one paged
listing of ``/3/invoicepayments`` (or ``supplierinvoicepayments``), not a look-up per invoice:
about 500 payments per request instead of one. Credit notes dated after D are few; each is
read in full (concurrently) to learn which invoice it credits.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from ledgerlink_core import (
    Counterparty,
    CustomerInvoice,
    SubledgerItem,
    SupplierInvoice,
    VoucherRef,
)

from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.convert import amount, cents, date, field, flag

Kind = Literal["customer", "supplier"]
PageHook = Callable[[str, int, int], None]


@dataclass(frozen=True)
class _Side:
    """Where one subledger lives in the API."""

    invoices: str
    invoices_key: str
    single_key: str
    payments: str
    payments_key: str
    number: str
    counterparty_number: str
    counterparty_name: str
    cancelled: str
    credit_reference: str


SIDES: dict[str, _Side] = {
    "customer": _Side(
        invoices="invoices",
        invoices_key="Invoices",
        single_key="Invoice",
        payments="invoicepayments",
        payments_key="InvoicePayments",
        number="DocumentNumber",
        counterparty_number="CustomerNumber",
        counterparty_name="CustomerName",
        cancelled="Cancelled",
        credit_reference="CreditInvoiceReference",
    ),
    "supplier": _Side(
        invoices="supplierinvoices",
        invoices_key="SupplierInvoices",
        single_key="SupplierInvoice",
        payments="supplierinvoicepayments",
        payments_key="SupplierInvoicePayments",
        number="GivenNumber",
        counterparty_number="SupplierNumber",
        counterparty_name="SupplierName",
        cancelled="Cancel",
        credit_reference="CreditReference",
    ),
}


def _rate(item: Mapping[str, Any]) -> Decimal:
    """SEK per unit of the invoice currency (``CurrencyRate / CurrencyUnit``)."""
    rate = amount(field(item, "CurrencyRate"), what="currency rate") or Decimal(1)
    unit = amount(field(item, "CurrencyUnit"), what="currency unit") or Decimal(1)
    return rate / unit


def _currency(item: Mapping[str, Any]) -> str:
    return str(field(item, "Currency") or "SEK").upper()


def payment_in_invoice_currency(payment: Mapping[str, Any]) -> Decimal:
    """A payment's amount in the invoice's currency.

    ``Amount`` is in SEK; ``AmountCurrency`` (full objects) is in the invoice currency. List
    items carry only ``Amount``, so a foreign one is converted with the payment's own rate.
    """
    if _currency(payment) == "SEK":
        return amount(field(payment, "Amount"))
    in_currency = field(payment, "AmountCurrency")
    if in_currency not in (None, ""):
        return amount(in_currency)
    return amount(field(payment, "Amount")) / _rate(payment)


def later_payments(
    client: FortnoxClient, kind: Kind, as_of: dt.date, on_page: PageHook | None = None
) -> dict[str, Decimal]:
    """Sum per invoice number of the payments dated after ``as_of`` (invoice currency)."""
    side = SIDES[kind]
    sums: dict[str, Decimal] = defaultdict(Decimal)
    for payment in client.paginate(
        side.payments,
        side.payments_key,
        on_page=(lambda done, total: on_page(f"{kind} payments", done, total)) if on_page else None,
        action=f"listing Fortnox {kind} invoice payments",
    ):
        paid = date(field(payment, "PaymentDate"), what="payment date")
        if paid is not None and paid > as_of:
            sums[str(field(payment, "InvoiceNumber"))] += payment_in_invoice_currency(payment)
    return dict(sums)


def later_credits(client: FortnoxClient, kind: Kind, as_of: dt.date) -> dict[str, Decimal]:
    """Per credited invoice, what credit notes dated after ``as_of`` took off its balance."""
    side = SIDES[kind]
    after = as_of + dt.timedelta(days=1)
    candidates = [
        str(field(item, side.number))
        for item in client.paginate(
            side.invoices,
            side.invoices_key,
            {"fromdate": after.isoformat()},
            action=f"listing Fortnox {kind} invoices dated after {as_of}",
        )
        if _is_credit(item)
        and not flag(field(item, side.cancelled))
        and (date(field(item, "InvoiceDate")) or after) > as_of
    ]

    def read(number: str) -> Mapping[str, Any]:
        body = client.get_json(
            f"{side.invoices}/{number}", action=f"reading Fortnox {kind} credit note {number}"
        )
        return field(body, side.single_key, {}) or {}

    sums: dict[str, Decimal] = defaultdict(Decimal)
    for full in client.map_ordered(read, candidates):
        ref = field(full, side.credit_reference)
        if ref in (None, "", 0, "0"):
            continue
        # A credit note's total is negative; crediting lowered the original by its size.
        sums[str(ref)] += abs(amount(field(full, "Total")))
    return dict(sums)


def _is_credit(item: Mapping[str, Any]) -> bool:
    credit = field(item, "Credit")
    if credit is not None:
        return flag(credit)
    return amount(field(item, "Total")) < 0


def _voucher(item: Mapping[str, Any], kind: Kind) -> VoucherRef | None:
    # A supplier invoice lists its vouchers (the booking first); a customer invoice, and a
    # supplier invoice without that list, carries the booking's Voucher* fields itself.
    source: Mapping[str, Any] = item
    keys = ("VoucherSeries", "VoucherNumber", "VoucherYear")
    if kind == "supplier":
        vouchers = field(item, "Vouchers") or []
        booked = [
            v
            for v in vouchers
            if str(field(v, "ReferenceType", "")).upper() in ("SUPPLIERINVOICE", "")
        ] or vouchers
        if booked:
            source, keys = booked[0], ("Series", "Number", "Year")
    series, number, year = (field(source, key) for key in keys)
    if not series or number in (None, "", 0):
        return None
    return VoucherRef(
        series=str(series), number=str(number), year=int(year) if year not in (None, "") else None
    )


def to_item(
    item: Mapping[str, Any], kind: Kind, as_of: dt.date, added_back: Decimal
) -> SubledgerItem | None:
    """The subledger item for one list entry, or None when it was not open at ``as_of``."""
    side = SIDES[kind]
    invoice_date = date(field(item, "InvoiceDate"), what="invoice date")
    if invoice_date is None or invoice_date > as_of:
        return None
    cancelled = flag(field(item, side.cancelled)) or flag(field(item, "Cancelled"))
    if cancelled or field(item, "Booked") is False:
        return None
    # Öre precision, so 12991.7 from a JSON number reads as 12991.70.
    total = cents(amount(field(item, "Total"), what="invoice total"))
    balance = cents(amount(field(item, "Balance"), what="invoice balance") + added_back)
    if balance == 0:
        return None
    rate = _rate(item)
    model = CustomerInvoice if kind == "customer" else SupplierInvoice
    ocr = field(item, "OCR")
    return model(
        number=str(field(item, side.number)),
        counterparty=Counterparty(
            number=str(field(item, side.counterparty_number) or ""),
            name=str(field(item, side.counterparty_name) or ""),
        ),
        invoice_date=invoice_date,
        due_date=date(field(item, "DueDate"), what="due date"),
        total=total,
        balance=balance,
        currency=_currency(item),
        currency_rate=rate,
        total_sek=cents(total * rate),
        balance_sek=cents(balance * rate),
        voucher=_voucher(item, kind),
        ocr=str(ocr) if ocr else None,
    )


def import_subledger(
    client: FortnoxClient, kind: Kind, as_of: dt.date, on_page: PageHook | None = None
) -> Iterator[SubledgerItem]:
    """Yield the ``kind`` invoices open at ``as_of`` with their balance on that date.

    The three listings (later payments, later credit notes, the invoices) start at once, so
    the round trips overlap; invoices are held back (a bounded window of pages) until the
    sums to add back are known. Only those per-invoice sums stay in memory.
    """
    side = SIDES[kind]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="fortnox-sums") as sums:
        payments = sums.submit(later_payments, client, kind, as_of, on_page)
        credits = sums.submit(later_credits, client, kind, as_of)
        invoices = client.paginate(
            side.invoices,
            side.invoices_key,
            {"todate": as_of.isoformat()},
            on_page=(
                (lambda done, total: on_page(f"{kind} invoices", done, total)) if on_page else None
            ),
            action=f"listing Fortnox {kind} invoices",
        )
        first = next(invoices, None)  # page 1 now, and the next pages on their way
        added = payments.result()
        for number, credited in credits.result().items():
            added[number] = added.get(number, Decimal(0)) + credited
    if first is None:
        return
    for item in itertools.chain([first], invoices):
        number = str(field(item, side.number))
        found = to_item(item, kind, as_of, added.get(number, Decimal(0)))
        if found is not None:
            yield found
