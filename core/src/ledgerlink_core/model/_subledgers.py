"""Subledgers (reskontra): open items, and the history core turns into them.

Part of :mod:`ledgerlink_core.model`, which re-exports every public name."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import Field

from ledgerlink_core.model._base import Amount, Frozen

__all__ = [
    "AccountingMethod",
    "AccountingYear",
    "ControlAccounts",
    "Counterparty",
    "CustomerInvoice",
    "SubledgerDocument",
    "SubledgerHistory",
    "SubledgerItem",
    "SubledgerPayment",
    "SupplierInvoice",
    "VoucherRef",
    "WriteOff",
]

# --- subledgers (reskontra) ---------------------------------------------------------------------


class Counterparty(Frozen):
    """A customer or supplier."""

    number: str
    name: str = ""
    org_nr: str | None = None


class VoucherRef(Frozen):
    """Where a document was booked: ``series`` ``number`` in fiscal year ``year``."""

    series: str
    number: str
    year: int | None = None


class SubledgerItem(Frozen):
    """An invoice or credit note open at a date, as the subledger stood on that date.

    Core computes items from a backend's :class:`SubledgerHistory`
    (:func:`ledgerlink_core.openitems.open_items`); backends do not build them. ``total`` and
    ``balance`` are in the invoice currency; ``total_sek`` and ``balance_sek`` in SEK at the
    invoice's own rate (what the control account carries). ``balance`` is what remained open
    at the as-of date, not today: ``total - paid - written_off``. A credit note's amounts are
    negative.
    """

    kind: Literal["customer", "supplier"]
    number: str
    counterparty: Counterparty
    invoice_date: dt.date
    due_date: dt.date | None = None
    total: Amount
    balance: Amount
    currency: str = "SEK"
    currency_rate: Amount = Decimal(1)
    total_sek: Amount
    balance_sek: Amount
    voucher: VoucherRef | None = None
    ocr: str | None = None
    paid: Amount = Decimal(0)
    """Payments dated on or before the as-of date (invoice currency)."""
    written_off: Amount = Decimal(0)
    """Write-offs dated on or before the as-of date (invoice currency)."""
    booked: bool = True
    """False: not in the ledger at the as-of date (an invoice of a cash-method year), so it is
    to be booked at closing rather than a difference against the control account."""
    credit: bool = False
    """A credit note (its amounts are negative)."""
    credits: str | None = None
    """For a credit note: the number of the document it credits, when the backend knows."""


class CustomerInvoice(SubledgerItem):
    """An item of the customer subledger (kundreskontra), booked against 151x."""

    kind: Literal["customer"] = "customer"


class SupplierInvoice(SubledgerItem):
    """An item of the supplier subledger (leverantörsreskontra), booked against 244x."""

    kind: Literal["supplier"] = "supplier"


# --- subledger history: what a backend supplies, and core turns into open items ---------------


class SubledgerDocument(Frozen):
    """An invoice or credit note as the backend has it today (its payments come apart).

    Amounts are in the document's currency; ``currency_rate`` is SEK per unit of it (the rate
    the document was booked at). A credit note has a negative ``total``; it is an open item of
    its own until payments settle it, whatever it credits.
    """

    kind: Literal["customer", "supplier"]
    number: str
    counterparty: Counterparty
    invoice_date: dt.date
    due_date: dt.date | None = None
    total: Amount
    currency: str = "SEK"
    currency_rate: Amount = Decimal(1)
    voucher: VoucherRef | None = None
    """Where the document itself was booked, when the backend knows."""
    ocr: str | None = None
    booked: bool = True
    """The backend's own flag: False for a document not (yet) booked in the ledger."""
    cancelled: bool = False
    credit: bool = False
    credits: str | None = None
    """For a credit note: the document it credits, when the backend knows (information only:
    a credit settles nothing by itself)."""


class WriteOff(Frozen):
    """Part of a payment that was written off instead of paid (rounding, a bank fee, a bad
    debt): it lowers the document's balance like a payment, in the document's currency."""

    amount: Amount
    account: str | None = None
    """The account it was booked to (öresavrundning 3740, bank fees 6570...)."""
    description: str = ""


class SubledgerPayment(Frozen):
    """A payment registered against one document, with what was written off with it.

    ``amount`` is in the document's currency (negative on a credit note, or for a refund);
    ``amount_sek`` is what it was booked at in SEK, when the backend knows.
    """

    kind: Literal["customer", "supplier"]
    number: str
    document: str
    """The number of the document it pays (``SubledgerDocument.number``)."""
    date: dt.date
    amount: Amount
    amount_sek: Amount | None = None
    voucher: VoucherRef | None = None
    write_offs: tuple[WriteOff, ...] = ()


AccountingMethod = Literal["accrual", "cash"]


class AccountingYear(Frozen):
    """A fiscal year and its accounting method: ``accrual`` (faktureringsmetoden) or ``cash``
    (kontantmetoden: invoices reach the ledger only when they are paid)."""

    start: dt.date
    end: dt.date
    method: AccountingMethod = "accrual"

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` lies inside the year."""
        return self.start <= day <= self.end


class SubledgerHistory(Frozen):
    """What a backend supplies for one subledger: its documents, their payments with their
    write-offs, and the fiscal years' accounting methods. Core computes what was open at a
    date from it (:func:`ledgerlink_core.openitems.open_items`), so every backend gets the
    same rule.

    Every payment must name a document in ``documents``. A backend may leave out documents
    dated after the request's ``as_of`` only together with their payments, and may leave out
    the write-offs of payments dated after it (neither changes a balance at ``as_of``).
    """

    kind: Literal["customer", "supplier"]
    documents: tuple[SubledgerDocument, ...] = ()
    payments: tuple[SubledgerPayment, ...] = ()
    years: tuple[AccountingYear, ...] = ()
    """Empty when the backend does not know: every year is then taken as accrual."""


class ControlAccounts(Frozen):
    """The ledger accounts one subledger is booked on (its control accounts)."""

    kind: Literal["customer", "supplier"]
    accounts: tuple[str, ...] = Field(min_length=1)
    source: str = ""
    """Where they come from, for the report (``Fortnox predefined account CUSTCLAIM``)."""
