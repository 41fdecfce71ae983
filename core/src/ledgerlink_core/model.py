"""The canonical, SIE-shaped data model.

Every backend imports into and exports from these models. Field docs name the SIE 4 record
each field comes from. Money and quantities are :class:`~decimal.Decimal`, never float; in JSON
they are strings. Models are frozen and reject unknown fields.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

__all__ = [
    "Account",
    "AccountType",
    "AccountingMethod",
    "AccountingYear",
    "Address",
    "Amount",
    "AttachmentRef",
    "Balance",
    "Bookkeeping",
    "CompanyInfo",
    "ControlAccounts",
    "Counterparty",
    "CustomerInvoice",
    "Dimension",
    "DimensionObject",
    "ExportReport",
    "ExportStatus",
    "FiscalYear",
    "ObjectBalance",
    "ObjectRef",
    "ObjectRule",
    "PeriodBalance",
    "RowChange",
    "Seconds",
    "SourceInfo",
    "SubledgerDocument",
    "SubledgerHistory",
    "SubledgerItem",
    "SubledgerPayment",
    "SupplierInvoice",
    "TextChange",
    "Voucher",
    "VoucherAttachment",
    "VoucherExport",
    "VoucherOutcome",
    "VoucherRef",
    "VoucherRow",
    "WriteOff",
]

#: A money amount or a quantity: exact decimal, serialised as a string in JSON.
Amount = Annotated[Decimal, PlainSerializer(lambda d: str(d), return_type=str, when_used="json")]

#: A duration or a clock reading, in seconds. A float, because it is never money: money is
#: :data:`Amount`, and every other float in ledgerlink is one of these.
Seconds = float


class Frozen(BaseModel):
    """Base of every canonical model: immutable, strict about unknown fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


# --- company and years --------------------------------------------------------------------------


class Address(Frozen):
    """``#ADRESS kontakt utdelningsadr postadr tel``."""

    contact: str = ""
    street: str = ""
    postal: str = ""
    phone: str = ""


class CompanyInfo(Frozen):
    """Who the bookkeeping belongs to: ``#FNAMN``, ``#ORGNR``, ``#FNR``, ``#FTYP``, ``#BKOD``..."""

    name: str
    org_nr: str | None = None
    company_id: str | None = None
    """``#FNR``: the exporting program's own id for the company."""
    company_type: str | None = None
    """``#FTYP``: AB, E, HB, ..."""
    sni_code: str | None = None
    """``#BKOD``."""
    address: Address | None = None
    currency: str = "SEK"
    """``#VALUTA`` (ISO 4217); SEK when absent."""
    chart_type: str | None = None
    """``#KPTYP``: BAS95, BAS96, EUBAS97, NE2007..."""
    taxation_year: int | None = None
    """``#TAXAR``."""


class SourceInfo(Frozen):
    """Where a bookkeeping came from: the SIE header (``#PROGRAM``, ``#GEN``, ``#SIETYP``...)."""

    program: str | None = None
    program_version: str | None = None
    generated_on: dt.date | None = None
    generated_by: str | None = None
    sie_type: str | None = None
    """``1``, ``2``, ``3``, ``4`` (SIE 4E) or ``4I``."""
    flag: int | None = None
    """``#FLAGGA``."""
    comment: str | None = None
    """``#PROSA``."""
    balances_until: dt.date | None = None
    """``#OMFATTN``: balances are valid up to this date."""


class FiscalYear(Frozen):
    """``#RAR årsnr start slut``: index 0 is the current year, -1 the one before..."""

    index: int
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _ordered(self) -> FiscalYear:
        if self.end < self.start:
            raise ValueError(f"fiscal year {self.index} ends ({self.end}) before it starts")
        return self

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` falls inside the year, both ends included."""
        return self.start <= day <= self.end


# --- chart of accounts and dimensions -----------------------------------------------------------


class AccountType(StrEnum):
    """``#KTYP``: T asset, S liability/equity, K cost, I income."""

    ASSET = "T"
    LIABILITY = "S"
    COST = "K"
    INCOME = "I"


#: Whether a row on an account may, must or must not name an object of a dimension.
ObjectRule = Literal["allowed", "mandatory", "not_allowed"]


class Account(Frozen):
    """``#KONTO kontonr kontonamn`` with ``#KTYP``, ``#ENHET`` and ``#SRU``.

    ``active`` and the two object rules are a backend's (SIE has no such records): what the
    target allows on the account in one fiscal year.
    """

    number: str
    name: str = ""
    type: AccountType | None = None
    unit: str | None = None
    sru: tuple[str, ...] = ()
    active: bool = True
    """False for accounts a backend marks inactive."""
    cost_centre_rule: ObjectRule = "allowed"
    """Rows on the account may, must or must not name a cost centre (dimension 1)."""
    project_rule: ObjectRule = "allowed"
    """Rows on the account may, must or must not name a project (dimension 6)."""


class Dimension(Frozen):
    """``#DIM dimnr namn`` or ``#UNDERDIM dimnr namn superdim``. 1 is cost centre, 6 project."""

    number: int
    name: str
    parent: int | None = None


class DimensionObject(Frozen):
    """``#OBJEKT dimnr objektnr objektnamn``."""

    dimension: int
    number: str
    name: str = ""


class ObjectRef(Frozen):
    """One ``dimnr objektnr`` pair of an object list ``{1 "100" 6 "P1"}``."""

    dimension: int
    number: str


# --- balances -------------------------------------------------------------------------------------


class Balance(Frozen):
    """``#IB``, ``#UB`` or ``#RES``: ``årsnr konto saldo kvantitet``. Debit positive."""

    year_index: int
    account: str
    amount: Amount
    quantity: Amount | None = None


class ObjectBalance(Frozen):
    """``#OIB`` / ``#OUB``: a balance for one object of one account."""

    year_index: int
    account: str
    object: ObjectRef
    amount: Amount
    quantity: Amount | None = None


class PeriodBalance(Frozen):
    """``#PSALDO`` or ``#PBUDGET``: the change during one month (not cumulative).

    ``objects`` empty means the account's total for the period.
    """

    year_index: int
    period: str
    """``YYYYMM``."""
    account: str
    objects: tuple[ObjectRef, ...] = ()
    amount: Amount
    quantity: Amount | None = None


# --- vouchers -----------------------------------------------------------------------------------


@pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=ConfigDict(extra="forbid"))
class VoucherRow:
    """``#TRANS kontonr {objektlista} belopp transdat transtext kvantitet sign``.

    A slotted pydantic dataclass rather than a model: a year holds millions of rows, and
    slots make each row about a third of a ``BaseModel``'s size. It validates, is frozen and
    rejects unknown fields like every other canonical model; copy one with
    ``dataclasses.replace``.
    """

    account: str
    amount: Amount
    objects: tuple[ObjectRef, ...] = ()
    date: dt.date | None = None
    """``transdat``; the voucher date applies when None."""
    text: str | None = None
    quantity: Amount | None = None
    sign: str | None = None


class RowChange(Frozen):
    """A row from the voucher's correction history (SIE 4 ``#RTRANS`` / ``#BTRANS``).

    ``added`` (``#RTRANS``) is a row added after registration; its twin ``#TRANS`` is one of
    the voucher's ``rows``. ``removed`` (``#BTRANS``) is a struck row and is not in ``rows``.
    ``position`` is the number of ``rows`` that precede this record in the voucher, so the
    original order can be written back.
    """

    kind: Literal["added", "removed"]
    row: VoucherRow
    position: int = Field(ge=0)


class Voucher(Frozen):
    """``#VER serie vernr verdatum vertext regdatum sign`` and its ``#TRANS`` rows.

    ``rows`` are the voucher's current rows and must sum to exactly zero. ``series`` and
    ``number`` may be empty/None for a voucher that the receiving system numbers itself.
    """

    series: str = ""
    number: str | None = None
    date: dt.date
    text: str = ""
    reg_date: dt.date | None = None
    sign: str | None = None
    rows: tuple[VoucherRow, ...]
    history: tuple[RowChange, ...] = ()

    @model_validator(mode="after")
    def _balanced(self) -> Voucher:
        total = sum((row.amount for row in self.rows), Decimal(0))
        if total != 0:
            raise ValueError(f"voucher {self.label} does not balance: its rows sum to {total}")
        return self

    @property
    def label(self) -> str:
        """How people name the voucher: ``A 12``, or for one not numbered yet its series, date
        and text (``A (new) 2025-12-31 'Hyra'``) so that several new ones can be told apart."""
        if self.number:
            return f"{self.series} {self.number}".strip()
        return f"{self.series} (new) {self.date.isoformat()} {self.text!r}".strip()


# --- the whole bookkeeping ----------------------------------------------------------------------


class Bookkeeping(Frozen):
    """Everything a SIE 4E file holds: one company's bookkeeping for its fiscal year(s)."""

    company: CompanyInfo
    source: SourceInfo = SourceInfo()
    fiscal_years: tuple[FiscalYear, ...] = ()
    accounts: tuple[Account, ...] = ()
    dimensions: tuple[Dimension, ...] = ()
    objects: tuple[DimensionObject, ...] = ()
    opening_balances: tuple[Balance, ...] = ()
    """``#IB``."""
    closing_balances: tuple[Balance, ...] = ()
    """``#UB``."""
    results: tuple[Balance, ...] = ()
    """``#RES``."""
    object_opening_balances: tuple[ObjectBalance, ...] = ()
    """``#OIB``."""
    object_closing_balances: tuple[ObjectBalance, ...] = ()
    """``#OUB``."""
    period_balances: tuple[PeriodBalance, ...] = ()
    """``#PSALDO``."""
    period_budgets: tuple[PeriodBalance, ...] = ()
    """``#PBUDGET``."""
    vouchers: tuple[Voucher, ...] = ()

    def fiscal_year(self, index: int = 0) -> FiscalYear | None:
        """The ``#RAR`` year with that index, or None."""
        return next((y for y in self.fiscal_years if y.index == index), None)

    def account_map(self) -> dict[str, Account]:
        """Accounts by number."""
        return {a.number: a for a in self.accounts}


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


# --- export -------------------------------------------------------------------------------------


class AttachmentRef(Frozen):
    """An underlying document (bilaga) to attach to an exported voucher."""

    path: str
    filename: str
    media_type: str
    size: int = Field(ge=0)
    sha256: str


class VoucherAttachment(Frozen):
    """A supporting document (underlag) linked to a voucher in a backend, as the backend
    lists it for import. Core names the local copy ``<series>-<number>_<filename>``, the rule
    ``push --attach`` reads, so a round trip keeps every link."""

    series: str
    number: str
    filename: str
    """The file's name as the backend keeps it (core makes it safe before using it)."""
    ref: str
    """What the backend needs to download it (Fortnox: the archive file id). Opaque to core."""
    size: int | None = Field(default=None, ge=0)
    """Its size in bytes, when the backend says (used to skip files already downloaded)."""
    sha256: str | None = None
    """Its SHA-256 (hex), when the backend says."""


class VoucherExport(Frozen):
    """A voucher on its way into a backend, with its documents and a stable key.

    ``external_ref`` is derived from the voucher's content and its series and number in the
    input (see :func:`ledgerlink_core.export.refs.external_ref`) and identifies it across
    retries and runs.
    """

    voucher: Voucher
    attachments: tuple[AttachmentRef, ...] = ()
    external_ref: str
    origin: str = ""
    """The input the voucher came from (a file's path), for messages."""
    note: str = ""
    """More for the target's comment on the voucher, next to the reference: what a
    normalisation changed, with the original texts (see :class:`TextChange`)."""


class TextChange(Frozen):
    """A text changed on the way to a target whose character set or lengths it broke."""

    voucher: str
    """The voucher's label in the input."""
    field: str
    """``text`` (the voucher's) or ``row N text``."""
    before: str
    after: str


class ExportStatus(StrEnum):
    """What happened to one voucher in an export run."""

    CREATED = "created"
    ALREADY_THERE = "already-there"
    WOULD_CREATE = "would-create"
    FAILED = "failed"


class VoucherOutcome(Frozen):
    """The result of exporting one voucher."""

    external_ref: str
    voucher: str
    """The voucher's label in the input."""
    status: ExportStatus
    placement: VoucherRef | None = None
    """Where the target holds the voucher: the series, number and year it was given."""
    attachments: int = 0
    """Attachments connected to it."""
    error: str | None = None

    @classmethod
    def of(
        cls,
        item: VoucherExport,
        status: ExportStatus,
        placement: VoucherRef | None = None,
        *,
        attachments: int = 0,
        error: str | None = None,
    ) -> VoucherOutcome:
        """The outcome of exporting ``item``, named by its label in the input."""
        return cls(
            external_ref=item.external_ref,
            voucher=item.voucher.label,
            status=status,
            placement=placement,
            attachments=attachments,
            error=error,
        )


class ExportReport(Frozen):
    """Everything one export run did."""

    target: str
    """The backend exported to (its name)."""
    dry_run: bool = False
    outcomes: tuple[VoucherOutcome, ...] = ()
    text_changes: tuple[TextChange, ...] = ()
    """Texts normalised to fit the target (``--normalise-text``), each with its original."""

    def count(self, status: ExportStatus) -> int:
        """How many vouchers ended with ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        """True when no voucher failed."""
        return self.count(ExportStatus.FAILED) == 0
