"""The reconciliation's answer (its models), the BAS defaults, and the parsers of the options
that choose control accounts and closing rates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.errors import InputError
from ledgerlink_core.model import Amount
from ledgerlink_core.openitems import LeftOut

__all__ = [
    "AGING",
    "BAS_BESIDE",
    "BAS_GROUP",
    "CENT",
    "DEFAULT_RANGES",
    "ZERO",
    "AccountBalance",
    "AccountLine",
    "AccountRange",
    "AgingBucket",
    "Cause",
    "CauseKind",
    "Kind",
    "OpenItem",
    "ReconcileLine",
    "ReconcileReport",
    "Revaluation",
    "ToBook",
    "cents",
    "parse_ranges",
    "parse_rates",
]

Kind = Literal["customer", "supplier"]
CauseKind = Literal[
    "ledger_without_document",
    "document_not_in_ledger",
    "payment_date_differs",
    "payment_not_in_ledger",
]
ZERO = Decimal("0.00")  # amounts in reports keep two decimals, as in JSON
CENT = Decimal("0.01")


def cents(value: Decimal) -> Decimal:
    """``value`` rounded to the öre, half up."""
    return value.quantize(CENT, ROUND_HALF_UP)


class AccountRange(BaseModel):
    """Control accounts of one subledger: ``first``..``last`` inclusive (account numbers)."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    first: str
    last: str

    def __contains__(self, account: object) -> bool:
        return (
            isinstance(account, str)
            and len(account) == len(self.first)
            and self.first <= account <= self.last
        )

    def __str__(self) -> str:
        return f"{self.first}-{self.last}" if self.first != self.last else self.first


#: BAS: the accounts the subledgers are booked on, used when the backend names none.
DEFAULT_RANGES: tuple[AccountRange, ...] = (
    AccountRange(kind="customer", first="1510", last="1517"),
    AccountRange(kind="supplier", first="2440", last="2447"),
)
#: BAS accounts of the same groups that are by definition not in the subledger: shown on lines
#: of their own, never counted as a difference.
BAS_BESIDE: dict[str, dict[str, str]] = {
    "customer": {
        "1518": "not in the subledger by BAS (ej reskontraförda kundfordringar)",
        "1519": "not in the subledger by BAS (nedskrivning av kundfordringar)",
    },
    "supplier": {"2448": "not in the subledger by BAS (ej reskontraförda leverantörsskulder)"},
}
#: The BAS account group each subledger belongs to (its accounts start so).
BAS_GROUP: dict[str, str] = {"customer": "151", "supplier": "244"}


def parse_ranges(specs: Iterable[str]) -> tuple[AccountRange, ...]:
    """``customer=1510-1517`` (or ``supplier=2440``) into ranges, only for the kinds named.
    A malformed spec is an :class:`InputError`."""
    chosen: dict[Kind, AccountRange] = {}
    for spec in specs:
        kind, sep, span = spec.partition("=")
        kind = kind.strip()
        first, _, last = span.strip().partition("-")
        last = last or first
        if (
            not sep
            or kind not in ("customer", "supplier")
            or not (first.isdigit() and last.isdigit())
            or len(first) != len(last)
            or first > last
        ):
            raise InputError(
                f"--accounts expects customer=FIRST-LAST or supplier=FIRST-LAST, got {spec!r}"
            )
        kind_: Kind = "customer" if kind == "customer" else "supplier"
        chosen[kind_] = AccountRange(kind=kind_, first=first, last=last)
    return tuple(chosen[k] for k in ("customer", "supplier") if k in chosen)


def parse_rates(specs: Iterable[str]) -> dict[str, Decimal]:
    """``EUR=11.0512`` (SEK per unit, a decimal point or comma) into ``{"EUR": 11.0512}``.
    A malformed spec is an :class:`InputError`."""
    rates: dict[str, Decimal] = {}
    for spec in specs:
        code, sep, value = spec.partition("=")
        code = code.strip().upper()
        try:
            rate = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            rate = Decimal(0)
        if not sep or len(code) != 3 or not code.isalpha() or not rate.is_finite() or rate <= 0:
            raise InputError(
                f"--rate expects CUR=RATE (SEK per unit, e.g. EUR=11.0512), got {spec!r}"
            )
        rates[code] = rate
    return rates


class AccountBalance(BaseModel):
    """One account's ledger balance at the date (in the subledger's sign), and why it is
    shown when it is not counted."""

    model_config = ConfigDict(frozen=True)

    account: str
    name: str = ""
    balance: Amount
    note: str = ""


class AccountLine(BaseModel):
    """One control account of the comparison: a specification row of the closing appendix."""

    model_config = ConfigDict(frozen=True)

    account: str
    name: str = ""
    ledger: Amount
    subledger: Amount
    difference: Amount
    explained: Amount = ZERO
    unexplained: Amount = ZERO


class Cause(BaseModel):
    """One named part of a difference: ``amount`` is what it adds to ``ledger - subledger``."""

    model_config = ConfigDict(frozen=True)

    cause: CauseKind
    account: str
    reference: str
    """The voucher (``A 54``) or the document (``invoice 1042``) behind it."""
    date: dt.date
    amount: Amount
    text: str


class OpenItem(BaseModel):
    """One open item counted on a control account: a row of the account's specification."""

    model_config = ConfigDict(frozen=True)

    number: str
    counterparty: str
    invoice_date: dt.date
    due_date: dt.date | None = None
    account: str
    """The control account its voucher put it on (else the first control account)."""
    balance_sek: Amount
    currency: str = "SEK"
    balance: Amount
    overdue_days: int = 0
    """Days past due at the date (0 when not yet due or no due date)."""


#: Aging buckets of the open items by days overdue at the date: (label, lowest, highest).
AGING: tuple[tuple[str, int, int | None], ...] = (
    ("not due", 0, 0),
    ("1-30 days overdue", 1, 30),
    ("31-60 days overdue", 31, 60),
    ("61-90 days overdue", 61, 90),
    ("over 90 days overdue", 91, None),
)


class AgingBucket(BaseModel):
    """Open items overdue by a span of days (the ground for a bad-debt assessment)."""

    model_config = ConfigDict(frozen=True)

    label: str
    items: int
    balance_sek: Amount


class ToBook(BaseModel):
    """An open item the ledger does not carry by design (cash method): to book at closing."""

    model_config = ConfigDict(frozen=True)

    number: str
    counterparty: str
    invoice_date: dt.date
    balance_sek: Amount
    currency: str = "SEK"
    balance: Amount


class Revaluation(BaseModel):
    """Foreign open items of one currency at the closing rate (the year-end revaluation)."""

    model_config = ConfigDict(frozen=True)

    currency: str
    balance: Amount
    """The open items' balance in the currency."""
    booked_sek: Amount
    """The same at the invoices' own rates (what the ledger carries)."""
    closing_rate: Amount
    closing_sek: Amount
    difference: Amount
    """``closing_sek - booked_sek``: for customers a gain when positive, for suppliers a loss."""
    effect: Literal["gain", "loss", "none"] = "none"
    """What the difference is for the company: an unrealised exchange gain or loss."""
    items: int


class ReconcileLine(BaseModel):
    """The comparison for one subledger."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    accounts: str
    """The control accounts counted, ``1510-1517`` or ``1510``."""
    accounts_source: str = "BAS"
    ledger: Amount
    """The control accounts' balance, in the subledger's sign (supplier debts positive)."""
    subledger: Amount
    """Sum of the booked open items' remaining balances in SEK."""
    difference: Amount
    """``ledger - subledger``."""
    open_items: int
    method: str = "accrual"
    per_account: tuple[AccountLine, ...] = ()
    causes: tuple[Cause, ...] = ()
    """The difference, explained (empty when there is none)."""
    unexplained: Amount = ZERO
    """What the causes do not account for."""
    beside: tuple[AccountBalance, ...] = ()
    """Accounts of the group not counted (1518, 1519, 2448...), with their balances."""
    specification: tuple[OpenItem, ...] = ()
    """The open items counted, account by account: what the subledger side is made of."""
    aging: tuple[AgingBucket, ...] = ()
    """The counted open items by days overdue at the date."""
    contra_items: int = 0
    contra_total: Amount = ZERO
    """Open items of the opposite sign (customer credit balances, supplier debit balances):
    at closing they belong elsewhere in the balance sheet (BAS 2420 Förskott från kunder,
    1480 Förskott till leverantörer), so they are summed apart."""
    to_book: tuple[ToBook, ...] = ()
    """Not in the ledger: to be booked at closing (cash method)."""
    to_book_total: Amount = ZERO
    left_out: tuple[LeftOut, ...] = ()
    """Documents that are no open items though they might look like ones, and why."""
    revaluation: tuple[Revaluation, ...] = ()
    unvalued: tuple[str, ...] = ()
    """Currencies of open items not revalued because no closing rate was given."""

    @property
    def agrees(self) -> bool:
        """True when ledger and subledger are equal."""
        return self.difference == 0


class ReconcileReport(BaseModel):
    """Every subledger's comparison at one date."""

    model_config = ConfigDict(frozen=True)

    source: str
    date: dt.date
    lines: tuple[ReconcileLine, ...]

    @property
    def agrees(self) -> bool:
        """True when every subledger agrees with its control accounts."""
        return all(line.agrees for line in self.lines)

    def document(self) -> dict[str, Any]:
        """The JSON document ``ledgerlink reconcile --json`` prints (and ``batch reconcile``
        writes): ``ok`` (every subledger agrees), the report's fields (amounts as
        two-decimal strings) and ``agrees`` (the same as ``ok``, kept for older scripts)."""
        data: dict[str, Any] = {"ok": self.agrees, **self.model_dump(mode="json")}
        data["agrees"] = self.agrees
        for line, out in zip(self.lines, data["lines"], strict=True):
            out["agrees"] = line.agrees
        return data
