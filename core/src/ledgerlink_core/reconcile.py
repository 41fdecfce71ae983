"""Subledgers against the general ledger: do the control accounts agree with the open items?

For each kind of subledger (customer: accounts 1510-1519, supplier: 2440-2449 by default) the
general-ledger balance at a date (opening balance plus every voucher row up to and including
the date) is set beside the sum of the subledger items open on that date (in SEK). Supplier
balances are credit balances, so their ledger side is shown with the sign turned (a positive
number is money owed). The difference comes with the items behind it: open items whose
voucher the ledger does not have (booked nowhere, or in another year).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.errors import InputError
from ledgerlink_core.model import Amount, Bookkeeping, SubledgerItem

__all__ = [
    "DEFAULT_RANGES",
    "AccountBalance",
    "AccountRange",
    "ReconcileLine",
    "ReconcileReport",
    "UnmatchedItem",
    "ledger_balances",
    "parse_ranges",
    "reconcile",
    "reconcile_line",
]

Kind = Literal["customer", "supplier"]
ZERO = Decimal(0)


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
        return f"{self.first}-{self.last}"


DEFAULT_RANGES: tuple[AccountRange, ...] = (
    AccountRange(kind="customer", first="1510", last="1519"),
    AccountRange(kind="supplier", first="2440", last="2449"),
)


def parse_ranges(specs: Iterable[str]) -> tuple[AccountRange, ...]:
    """``customer=1510-1519`` (or ``supplier=2440``) into ranges; unnamed kinds keep their
    defaults. A malformed spec is an :class:`InputError`."""
    chosen = {r.kind: r for r in DEFAULT_RANGES}
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


class AccountBalance(BaseModel):
    """One control account's ledger balance at the date (debit positive)."""

    model_config = ConfigDict(frozen=True)

    account: str
    name: str = ""
    balance: Amount


class UnmatchedItem(BaseModel):
    """An open subledger item the ledger does not know."""

    model_config = ConfigDict(frozen=True)

    number: str
    counterparty: str
    invoice_date: dt.date
    balance_sek: Amount
    reason: str


class ReconcileLine(BaseModel):
    """The comparison for one subledger."""

    model_config = ConfigDict(frozen=True)

    kind: Kind
    accounts: str
    """The control-account range, ``1510-1519``."""
    ledger: Amount
    """The control accounts' balance, in the subledger's sign (supplier debts positive)."""
    subledger: Amount
    """Sum of the open items' remaining balances in SEK."""
    difference: Amount
    """``ledger - subledger``."""
    open_items: int
    per_account: tuple[AccountBalance, ...] = ()
    items: tuple[UnmatchedItem, ...] = ()
    """Open items the ledger has no voucher for."""
    unexplained: Amount = ZERO
    """What the listed items do not account for."""

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


def ledger_balances(
    book: Bookkeeping, accounts: AccountRange, as_of: dt.date
) -> dict[str, Decimal]:
    """Balance per control account at ``as_of``: ``#IB`` of the year plus rows up to the date."""
    year = next((y for y in book.fiscal_years if y.contains(as_of)), None)
    if year is None:
        raise InputError(f"the imported bookkeeping has no fiscal year holding {as_of}")
    balances: dict[str, Decimal] = {}
    for ib in book.opening_balances:
        if ib.year_index == year.index and ib.account in accounts:
            balances[ib.account] = balances.get(ib.account, ZERO) + ib.amount
    for voucher in book.vouchers:
        if not year.start <= voucher.date <= as_of:
            continue
        for row in voucher.rows:
            if row.account in accounts:
                balances[row.account] = balances.get(row.account, ZERO) + row.amount
    return balances


def reconcile_line(
    book: Bookkeeping,
    accounts: AccountRange,
    items: Sequence[SubledgerItem],
    as_of: dt.date,
) -> ReconcileLine:
    """Compare one subledger with its control accounts."""
    balances = ledger_balances(book, accounts, as_of)
    sign = Decimal(-1) if accounts.kind == "supplier" else Decimal(1)
    ledger = sign * sum(balances.values(), ZERO)
    subledger = sum((i.balance_sek for i in items), ZERO)
    booked = {(v.series, v.number or "") for v in book.vouchers if v.date <= as_of}
    year = next(y for y in book.fiscal_years if y.contains(as_of))
    names = book.account_map()
    unmatched: list[UnmatchedItem] = []
    for item in items:
        if item.voucher is None:
            reason = "not booked in the ledger (no voucher)"
        elif item.invoice_date < year.start:
            continue  # booked in an earlier year: carried in the opening balance
        elif (item.voucher.series, item.voucher.number) not in booked:
            reason = (
                f"its voucher {item.voucher.series} {item.voucher.number} is not in the "
                f"ledger up to {as_of}"
            )
        else:
            continue
        unmatched.append(
            UnmatchedItem(
                number=item.number,
                counterparty=item.counterparty.name or item.counterparty.number,
                invoice_date=item.invoice_date,
                balance_sek=item.balance_sek,
                reason=reason,
            )
        )
    difference = ledger - subledger
    explained = -sum((u.balance_sek for u in unmatched), ZERO)
    return ReconcileLine(
        kind=accounts.kind,
        accounts=str(accounts),
        ledger=ledger,
        subledger=subledger,
        difference=difference,
        open_items=len(items),
        per_account=tuple(
            AccountBalance(account=a, name=names[a].name if a in names else "", balance=balances[a])
            for a in sorted(balances)
        ),
        items=tuple(unmatched) if difference != 0 else (),
        unexplained=difference - explained if difference != 0 else ZERO,
    )


def reconcile(
    source: str,
    book: Bookkeeping,
    subledgers: Mapping[Kind, Sequence[SubledgerItem]],
    as_of: dt.date,
    ranges: Sequence[AccountRange] = DEFAULT_RANGES,
) -> ReconcileReport:
    """Compare every subledger in ``subledgers`` with its control-account range."""
    lines = [
        reconcile_line(book, r, subledgers[r.kind], as_of) for r in ranges if r.kind in subledgers
    ]
    return ReconcileReport(source=source, date=as_of, lines=tuple(lines))
