"""The ledger side: which accounts are counted, and their balances at a date."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from ledgerlink_core.errors import InputError
from ledgerlink_core.model import Bookkeeping, ControlAccounts, FiscalYear
from ledgerlink_core.reconcile.report import ZERO, AccountRange, cents

__all__ = [
    "Controls",
    "controls_label",
    "fiscal_year",
    "group_balances",
    "is_counted",
    "ledger_balances",
]

Controls = AccountRange | ControlAccounts


def is_counted(controls: Controls, account: str) -> bool:
    if isinstance(controls, AccountRange):
        return account in controls
    return account in controls.accounts


def controls_label(controls: Controls) -> str:
    if isinstance(controls, AccountRange):
        return str(controls)
    return ", ".join(controls.accounts)


def fiscal_year(book: Bookkeeping, as_of: dt.date) -> FiscalYear:
    year = next((y for y in book.fiscal_years if y.contains(as_of)), None)
    if year is None:
        years = ", ".join(f"{y.start}..{y.end}" for y in book.fiscal_years) or "none"
        raise InputError(f"{as_of} is outside every fiscal year of the bookkeeping ({years})")
    return year


def ledger_balances(book: Bookkeeping, accounts: Controls, as_of: dt.date) -> dict[str, Decimal]:
    """Balance per control account at ``as_of`` (debit positive): ``#IB`` of the year plus
    rows up to the date."""
    return group_balances(book, as_of, lambda a: is_counted(accounts, a))


def group_balances(
    book: Bookkeeping, as_of: dt.date, wanted: Callable[[str], bool]
) -> dict[str, Decimal]:
    year = fiscal_year(book, as_of)
    balances: dict[str, Decimal] = {}
    for ib in book.opening_balances:
        if ib.year_index == year.index and wanted(ib.account):
            balances[ib.account] = balances.get(ib.account, ZERO) + ib.amount
    for voucher in book.vouchers:
        if not year.start <= voucher.date <= as_of:
            continue
        for row in voucher.rows:
            if wanted(row.account):
                balances[row.account] = balances.get(row.account, ZERO) + row.amount
    return {account: cents(balance) for account, balance in balances.items()}
