"""``diff_sie``: two SIE files compared in one streaming pass over both.

The two files are read in lockstep, a voucher from each in turn. Each side keeps the
vouchers it read that the other side has not shown yet, by key (series, number and
occurrence; see ``side.py``). A voucher whose key waits on the other side is compared with
it and both are dropped, so only the differences are kept: memory is bounded by the vouchers
that differ (and by how far apart the two files list the same voucher), not by the files.
What still waits at the end is added (new side) or removed (old side). Balances and names
are bounded by the chart and kept whole.
"""

from __future__ import annotations

from collections.abc import Callable

from ledgerlink_core.diff.balances import compare_balances
from ledgerlink_core.diff.chart import compare_names
from ledgerlink_core.diff.report import (
    DiffReport,
    DiffSummary,
    NameChange,
    VoucherChange,
    VoucherDiffs,
)
from ledgerlink_core.diff.side import Side, VoucherKey
from ledgerlink_core.diff.vouchers import compare_vouchers, voucher_item
from ledgerlink_core.sie import SieVoucher
from ledgerlink_core.sie.reader import Source

__all__ = ["diff_sie"]


def diff_sie(
    old: Source,
    new: Source,
    *,
    old_name: str | None = None,
    new_name: str | None = None,
    on_read: Callable[[int], None] | None = None,
) -> DiffReport:
    """Compare two SIE files (paths or bytes; any type the reader takes) by value.

    Both are read strictly: unreadable or broken input raises
    :class:`~ledgerlink_core.sie.SieError` naming the file and line. ``on_read`` is told the
    size of each block read from either file (progress).
    """
    sides = (Side("old", old, old_name, on_read), Side("new", new, new_name, on_read))
    waiting: tuple[dict[VoucherKey, SieVoucher], dict[VoucherKey, SieVoucher]] = ({}, {})
    changed: list[VoucherChange] = []

    def take(i: int, ver: SieVoucher) -> None:
        key, position = sides[i].key(ver)
        other = waiting[1 - i].pop(key, None)
        if other is None:
            waiting[i][key] = ver
            return
        pair = (other, ver) if i else (ver, other)
        change = compare_vouchers(*pair, position=position)
        if change is not None:
            changed.append(change)

    olds, news = sides[0].stream(), sides[1].stream()
    while True:
        a, b = next(olds, None), next(news, None)
        if a is None and b is None:
            break
        if a is not None:
            take(0, a)
        if b is not None:
            take(1, b)

    vouchers = VoucherDiffs(
        added=tuple(voucher_item(v, _position(k)) for k, v in waiting[1].items()),
        removed=tuple(voucher_item(v, _position(k)) for k, v in waiting[0].items()),
        changed=tuple(changed),
        duplicates=(*sides[0].duplicates, *sides[1].duplicates),
    )
    o, n = sides[0], sides[1]
    balances = compare_balances(o.balances, n.balances)
    accounts = compare_names(o.chart.accounts, n.chart.accounts, lambda k: (k, None))
    dimensions = compare_names(o.chart.dimensions, n.chart.dimensions, lambda k: (str(k), None))
    objects = compare_names(o.chart.objects, n.chart.objects, lambda k: (k[1], k[0]))
    return DiffReport(
        old=o.info(),
        new=n.info(),
        vouchers=vouchers,
        balances=balances,
        accounts=accounts,
        dimensions=dimensions,
        objects=objects,
        summary=_summary(vouchers, len(balances), accounts, dimensions, objects),
    )


def _position(key: VoucherKey) -> int | None:
    """An unnumbered voucher's place in its series (its key's count), else None."""
    return key[2] if key[1] is None else None


def _summary(
    vouchers: VoucherDiffs,
    balances: int,
    accounts: tuple[NameChange, ...],
    dimensions: tuple[NameChange, ...],
    objects: tuple[NameChange, ...],
) -> DiffSummary:
    def count(items: tuple[NameChange, ...], change: str) -> int:
        return sum(1 for item in items if item.change == change)

    # Duplicates alone do not differ: they are matched occurrence by occurrence.
    differs = any(
        (
            vouchers.added,
            vouchers.removed,
            vouchers.changed,
            balances,
            accounts,
            dimensions,
            objects,
        )
    )
    return DiffSummary(
        equal=not differs,
        vouchers_added=len(vouchers.added),
        vouchers_removed=len(vouchers.removed),
        vouchers_changed=len(vouchers.changed),
        balances_moved=balances,
        accounts_added=count(accounts, "added"),
        accounts_removed=count(accounts, "removed"),
        accounts_renamed=count(accounts, "renamed"),
        dimensions_changed=len(dimensions),
        objects_added=count(objects, "added"),
        objects_removed=count(objects, "removed"),
        objects_renamed=count(objects, "renamed"),
        duplicate_vouchers=len(vouchers.duplicates),
    )
