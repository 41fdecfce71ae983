"""The as-of rule: which documents of a subledger were open at a date, and by how much.

One rule for every backend: a document (invoice or credit note) dated on or before D is open
at D by its total less every payment and write-off dated on or before D. Credit notes are
open items of their own (negative) until payments settle them; nothing settles a document by
itself, because Fortnox and most systems have no such thing as an automatic offset: the
settlement of a credit against its invoice is a pair of payments, dated when it was made.

Under the cash method (kontantmetoden) invoices reach the ledger only when they are paid, so
every item open at D in a cash-method year is flagged ``booked=False``: it is to be booked at
closing, not a difference against the control account. The backend's own "booked" flag is no
help there: an invoice paid after D is booked today, but was not at D.

Nothing is dropped silently: a document that is not an open item though it might look like one
(unbooked in an accrual year, dated outside every fiscal year, cancelled but paid) is listed in
:attr:`OpenItems.left_out` with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.errors import InputError
from ledgerlink_core.model import (
    AccountingMethod,
    AccountingYear,
    Amount,
    CustomerInvoice,
    SubledgerDocument,
    SubledgerHistory,
    SubledgerItem,
    SupplierInvoice,
)

__all__ = [
    "LeftOut",
    "OpenItems",
    "method_at",
    "open_items",
]

ZERO = Decimal(0)
CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


class LeftOut(BaseModel):
    """A document dated on or before the date that is not an open item, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: str
    counterparty: str
    invoice_date: dt.date
    balance: Amount
    """What would be open by the rule, in the document's currency."""
    currency: str = "SEK"
    reason: str


class OpenItems(BaseModel):
    """One subledger at one date: its open items and the documents left out."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str
    date: dt.date
    method: AccountingMethod = "accrual"
    """The accounting method of the fiscal year holding the date."""
    items: tuple[SubledgerItem, ...] = ()
    left_out: tuple[LeftOut, ...] = ()


def method_at(years: tuple[AccountingYear, ...], day: dt.date) -> AccountingMethod:
    """The accounting method of the year holding ``day``; accrual when no year holds it."""
    year = next((y for y in years if y.contains(day)), None)
    return year.method if year is not None else "accrual"


def _label(doc: SubledgerDocument) -> str:
    what = "credit note" if doc.credit or doc.total < 0 else "invoice"
    return f"{doc.kind} {what} {doc.number}"


def _settled(history: SubledgerHistory, as_of: dt.date) -> dict[str, tuple[Decimal, Decimal]]:
    """Per document number: (paid, written off) up to and including ``as_of``.

    Raises :class:`InputError` for a payment that names no document of the history."""
    known = {d.number for d in history.documents}
    sums: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    for p in history.payments:
        if p.document not in known:
            raise InputError(
                f"{history.kind} payment {p.number} ({p.date}, {p.amount:.2f}) is for document "
                f"{p.document}, which the {history.kind} subledger does not have"
            )
        if p.date <= as_of:
            entry = sums[p.document]
            entry[0] += p.amount
            entry[1] += sum((w.amount for w in p.write_offs), ZERO)
    return {number: (paid, off) for number, (paid, off) in sums.items()}


def open_items(history: SubledgerHistory, as_of: dt.date) -> OpenItems:
    """The documents of ``history`` open at ``as_of``, with their balance on that date.

    Raises :class:`~ledgerlink_core.errors.InputError` naming the document for a payment of
    an unknown document or a document number listed twice.
    """
    seen: set[str] = set()
    for doc in history.documents:
        if doc.number in seen:
            raise InputError(f"{_label(doc)} is listed twice by the backend")
        seen.add(doc.number)
    settled = _settled(history, as_of)
    method = method_at(history.years, as_of)
    model = CustomerInvoice if history.kind == "customer" else SupplierInvoice
    items: list[SubledgerItem] = []
    left_out: list[LeftOut] = []
    for doc in history.documents:
        if doc.invoice_date > as_of:
            continue
        paid, written_off = settled.get(doc.number, (ZERO, ZERO))
        balance = _cents(doc.total - paid - written_off)
        reason = _not_open(doc, history.years, method, paid, written_off)
        if reason is not None:
            if reason:
                left_out.append(
                    LeftOut(
                        number=doc.number,
                        counterparty=doc.counterparty.name or doc.counterparty.number,
                        invoice_date=doc.invoice_date,
                        balance=balance,
                        currency=doc.currency,
                        reason=reason,
                    )
                )
            continue
        if balance == 0:
            continue
        items.append(
            model(
                number=doc.number,
                counterparty=doc.counterparty,
                invoice_date=doc.invoice_date,
                due_date=doc.due_date,
                total=_cents(doc.total),
                balance=balance,
                currency=doc.currency,
                currency_rate=doc.currency_rate,
                total_sek=_cents(doc.total * doc.currency_rate),
                balance_sek=_cents(balance * doc.currency_rate),
                voucher=doc.voucher,
                ocr=doc.ocr,
                paid=_cents(paid),
                written_off=_cents(written_off),
                booked=method == "accrual",
                credit=doc.credit or doc.total < 0,
                credits=doc.credits,
            )
        )
    return OpenItems(
        kind=history.kind,
        date=as_of,
        method=method,
        items=tuple(items),
        left_out=tuple(left_out),
    )


def _not_open(
    doc: SubledgerDocument,
    years: tuple[AccountingYear, ...],
    method: AccountingMethod,
    paid: Decimal,
    written_off: Decimal,
) -> str | None:
    """Why a document dated on or before the date is no open item: None when it is one, ""
    when it is not and that needs no mention (cancelled and never paid)."""
    if doc.cancelled:
        return "cancelled, but it has payments up to the date" if paid or written_off else ""
    if doc.booked or method == "cash":
        return None
    if years and not any(y.contains(doc.invoice_date) for y in years):
        return "not booked, and dated outside every fiscal year of the backend"
    return "not booked in the ledger (accrual method): book it or cancel it"
