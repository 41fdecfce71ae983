"""The bookkeeping: company, fiscal years, chart, dimensions, balances and vouchers.

Part of :mod:`ledgerlink_core.model`, which re-exports every public name."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field, model_validator
from pydantic.dataclasses import dataclass as pydantic_dataclass

from ledgerlink_core.model._base import Amount, Frozen, exact_sum

__all__ = [
    "Account",
    "AccountType",
    "Address",
    "Balance",
    "Bookkeeping",
    "CompanyInfo",
    "Dimension",
    "DimensionObject",
    "FiscalYear",
    "ObjectBalance",
    "ObjectRef",
    "ObjectRule",
    "PeriodBalance",
    "RowChange",
    "SourceInfo",
    "Voucher",
    "VoucherRow",
]

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
        total = exact_sum(row.amount for row in self.rows)
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
