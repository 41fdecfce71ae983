"""Voucher rows compared by value, and paired into added, removed and corrected.

A row's value is its account, objects (as a set of dimension/object pairs, so their order
in ``{...}`` does not matter), amount (``100`` equals ``100.00``), transaction date (none
when it is the voucher's own date, so a ``transdat`` repeating the voucher date equals none),
text, quantity and sign. Rows are a multiset: their order in the voucher does not matter.

Pairing (:func:`pair_rows`): rows equal on both sides are dropped first, one for one; the
rows left are paired by account and objects, in file order, and each pair is a correction;
what is still left is added (new side) or removed (old side).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

from ledgerlink_core.diff.report import DiffRow, RowCorrection, money
from ledgerlink_core.model import ObjectRef, VoucherRow

__all__ = ["RowKey", "correction", "diff_row", "diff_rows", "pair_rows", "row_key"]

#: A row's value: account, objects, amount, date, text, quantity, sign.
RowKey = tuple[
    str,
    tuple[tuple[int, str], ...],
    Decimal,
    dt.date | None,
    str | None,
    Decimal | None,
    str | None,
]

_FIELDS = ("amount", "date", "text", "quantity", "sign")


def row_key(row: VoucherRow, voucher_date: dt.date | None) -> RowKey:
    """The value of ``row`` of a voucher dated ``voucher_date``."""
    objects = tuple(sorted((o.dimension, o.number) for o in row.objects))
    day = None if row.date == voucher_date else row.date
    return (row.account, objects, row.amount, day, row.text, row.quantity, row.sign)


@lru_cache(maxsize=4096)
def _object_ref(dimension: int, number: str) -> ObjectRef:
    # Shared, as the reader shares them: a report of many rows holds few distinct objects.
    return ObjectRef(dimension=dimension, number=number)


def diff_row(key: RowKey) -> DiffRow:
    """The report's form of a row's value."""
    account, objects, amount, day, text, quantity, sign = key
    return DiffRow(
        account=account,
        objects=tuple(_object_ref(d, n) for d, n in objects),
        amount=money(amount),
        date=day,
        text=text,
        quantity=quantity,
        sign=sign,
    )


def _left_over(keys: Sequence[RowKey], common: Counter[RowKey]) -> list[RowKey]:
    """``keys`` in order, less one of each for every count in ``common``."""
    drop = Counter(common)
    out = []
    for key in keys:
        if drop[key]:
            drop[key] -= 1
        else:
            out.append(key)
    return out


def pair_rows(
    old: Sequence[RowKey], new: Sequence[RowKey]
) -> tuple[list[RowKey], list[RowKey], list[tuple[RowKey, RowKey]]]:
    """(added, removed, corrected pairs (old, new)) between two voucher's rows; all empty
    when they hold the same rows."""
    common = Counter(old) & Counter(new)
    old_rest = _left_over(old, common)
    new_rest = _left_over(new, common)
    pairs: list[tuple[RowKey, RowKey]] = []
    removed: list[RowKey] = []
    waiting: dict[tuple[str, tuple[tuple[int, str], ...]], list[int]] = {}
    for i, key in enumerate(new_rest):
        waiting.setdefault((key[0], key[1]), []).append(i)
    taken: set[int] = set()
    for key in old_rest:
        queue = waiting.get((key[0], key[1]))
        if queue:
            i = queue.pop(0)
            taken.add(i)
            pairs.append((key, new_rest[i]))
        else:
            removed.append(key)
    added = [key for i, key in enumerate(new_rest) if i not in taken]
    return added, removed, pairs


def correction(old: RowKey, new: RowKey) -> RowCorrection:
    """The report's form of a corrected row."""
    changed = tuple(f for i, f in enumerate(_FIELDS, 2) if old[i] != new[i])
    return RowCorrection(old=diff_row(old), new=diff_row(new), changed=changed)


def diff_rows(keys: Iterable[RowKey]) -> tuple[DiffRow, ...]:
    """The report's form of several rows."""
    return tuple(diff_row(k) for k in keys)
