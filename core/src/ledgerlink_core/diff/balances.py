"""The balance records of a file (``#IB``, ``#UB``, ``#RES``, ``#OIB``, ``#OUB``, ``#PSALDO``)
summed per account, year, period and object list, and two such tables compared.

A table is bounded by the chart (accounts x years x periods x objects), not by the vouchers.
A record given twice counts twice, as ``check`` counts it. Amounts are compared, not
quantities; ``#PBUDGET`` (a budget, not the bookkeeping) is not compared.
"""

from __future__ import annotations

from decimal import Decimal

from ledgerlink_core.diff.report import BalanceChange, BalanceKind, money
from ledgerlink_core.model import Balance, ObjectBalance, ObjectRef, PeriodBalance

__all__ = ["BALANCE_KINDS", "BalanceTable", "compare_balances"]

#: Record label -> the kind of balance it is, in the order the report lists them.
BALANCE_KINDS: dict[str, BalanceKind] = {
    "#IB": "opening",
    "#OIB": "opening",
    "#UB": "closing",
    "#OUB": "closing",
    "#RES": "result",
    "#PSALDO": "period",
}
_ORDER = {"opening": 0, "closing": 1, "result": 2, "period": 3}

#: kind order, year, account, period ("" for none), objects as (dimension, number) pairs.
_Key = tuple[int, int, str, str, tuple[tuple[int, str], ...]]
_ZERO = Decimal(0)


class BalanceTable:
    """One file's balances, summed by key."""

    def __init__(self) -> None:
        self.amounts: dict[_Key, Decimal] = {}

    def add(self, label: str, value: Balance | ObjectBalance | PeriodBalance) -> None:
        """Count one balance record (``label`` is one of :data:`BALANCE_KINDS`)."""
        kind = _ORDER[BALANCE_KINDS[label]]
        if isinstance(value, ObjectBalance):
            objects: tuple[ObjectRef, ...] = (value.object,)
        elif isinstance(value, PeriodBalance):
            objects = value.objects
        else:
            objects = ()
        period = value.period if isinstance(value, PeriodBalance) else ""
        pairs = tuple(sorted((o.dimension, o.number) for o in objects))
        key = (kind, value.year_index, value.account, period, pairs)
        amounts = self.amounts
        amounts[key] = amounts.get(key, _ZERO) + value.amount


def compare_balances(old: BalanceTable, new: BalanceTable) -> tuple[BalanceChange, ...]:
    """The balances whose amount differs (a missing record counts as zero), in the order
    kind, year (latest first), account, period, objects."""
    kinds = list(_ORDER)
    changes = []
    keys = old.amounts.keys() | new.amounts.keys()
    for key in sorted(keys, key=lambda k: (k[0], -k[1], k[2], k[3], k[4])):
        before, after = old.amounts.get(key), new.amounts.get(key)
        difference = (after or _ZERO) - (before or _ZERO)
        if not difference:
            continue
        kind, year, account, period, pairs = key
        changes.append(
            BalanceChange(
                account=account,
                kind=kinds[kind],
                year=year,
                period=period or None,
                objects=tuple(ObjectRef(dimension=d, number=n) for d, n in pairs),
                old=None if before is None else money(before),
                new=None if after is None else money(after),
                difference=money(difference),
            )
        )
    return tuple(changes)
