"""Two vouchers with the same series and number, compared: what changed, or None.

The ``#VER`` fields compared are the date, the text, the registration date and the sign;
then the ``#TRANS`` rows (see ``rows.py`` for what makes two rows equal and how they are
paired) and the ``#RTRANS``/``#BTRANS`` history, as a multiset of (kind, row) (its position
among the rows is layout, not bookkeeping).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from ledgerlink_core.diff.report import FieldChange, HistoryRow, VoucherChange, VoucherItem
from ledgerlink_core.diff.rows import RowKey, correction, diff_row, diff_rows, pair_rows, row_key
from ledgerlink_core.sie.voucher import SieVoucher

__all__ = ["compare_vouchers", "voucher_item"]

_HEADER = ("date", "text", "reg_date", "sign")


def _show(value: object) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _history(ver: SieVoucher) -> list[tuple[str, RowKey]]:
    return [(h.kind, row_key(h.row, ver.date)) for h in ver.history]


def _history_rows(entries: Counter[tuple[str, RowKey]]) -> tuple[HistoryRow, ...]:
    return tuple(
        HistoryRow(kind="added" if kind == "added" else "removed", row=diff_row(key))
        for (kind, key), n in entries.items()
        for _ in range(n)
    )


def compare_vouchers(
    old: SieVoucher, new: SieVoucher, position: int | None = None
) -> VoucherChange | None:
    """What differs between ``old`` and ``new`` (the same voucher in two files), or None."""
    # The fast path, taken by every voucher that did not change: the same fields, the same
    # rows in the same order (equal as read implies equal by value).
    if (
        old.date == new.date
        and old.text == new.text
        and old.reg_date == new.reg_date
        and old.sign == new.sign
        and old.rows == new.rows
        and old.history == new.history
    ):
        return None
    changed: list[str] = []
    fields = []
    for name in _HEADER:
        before, after = getattr(old, name), getattr(new, name)
        if before != after:
            changed.append(name)
            fields.append(FieldChange(field=name, old=_show(before), new=_show(after)))
    old_rows = [row_key(r, old.date) for r in old.rows]
    new_rows = [row_key(r, new.date) for r in new.rows]
    added, removed, pairs = pair_rows(old_rows, new_rows)
    if added or removed or pairs:
        changed.append("rows")
    old_history, new_history = Counter(_history(old)), Counter(_history(new))
    history_added, history_removed = new_history - old_history, old_history - new_history
    if history_added or history_removed:
        changed.append("history")
    if not changed:
        return None  # written differently (row order, transdat, 100 vs 100.00), same value
    assert new.date is not None  # the reader refuses a #VER without a date
    return VoucherChange(
        series=new.series,
        number=new.number,
        position=position,
        date=new.date,
        text=new.text,
        old_line=old.line,
        new_line=new.line,
        changed=tuple(changed),
        fields=tuple(fields),
        rows_added=diff_rows(added),
        rows_removed=diff_rows(removed),
        rows_corrected=tuple(correction(a, b) for a, b in pairs),
        history_added=_history_rows(history_added),
        history_removed=_history_rows(history_removed),
    )


def voucher_item(ver: SieVoucher, position: int | None = None) -> VoucherItem:
    """The report's form of a voucher found on one side only."""
    assert ver.date is not None  # the reader refuses a #VER without a date
    return VoucherItem(
        series=ver.series,
        number=ver.number,
        position=position,
        date=ver.date,
        text=ver.text,
        line=ver.line,
        rows=diff_rows(row_key(r, ver.date) for r in ver.rows),
    )
