"""What ``diff_sie`` answers: the report models (frozen pydantic; JSON via ``model_dump``).

Money is :data:`~ledgerlink_core.model.Amount` (a ``Decimal``, a string in JSON) with at least
two decimals, so ``100`` and ``100.00`` in a file show alike.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.dataclasses import dataclass as pydantic_dataclass

from ledgerlink_core.model import Amount, ObjectRef

__all__ = [
    "BalanceChange",
    "BalanceKind",
    "DiffReport",
    "DiffRow",
    "DiffSummary",
    "DuplicateVoucher",
    "FieldChange",
    "HistoryRow",
    "NameChange",
    "RowCorrection",
    "SieFileSide",
    "VoucherChange",
    "VoucherDiffs",
    "VoucherItem",
    "money",
]

_CENT = Decimal("0.01")
_ZERO = Decimal("0.00")

#: Which balance record moved: ``#IB``/``#OIB``, ``#UB``/``#OUB``, ``#RES`` or ``#PSALDO``.
BalanceKind = Literal["opening", "closing", "result", "period"]


def money(value: Decimal) -> Decimal:
    """``value`` with at least two decimals and never ``-0.00`` (``100`` -> ``100.00``)."""
    if not value:
        return _ZERO
    exponent = value.as_tuple().exponent
    if isinstance(exponent, int) and exponent > -2:
        return value.quantize(_CENT)
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


@pydantic_dataclass(frozen=True, slots=True, kw_only=True, config=ConfigDict(extra="forbid"))
class DiffRow:
    """A ``#TRANS`` (or ``#RTRANS``/``#BTRANS``) row as the report shows it. A slotted
    dataclass, as :class:`~ledgerlink_core.model.VoucherRow` is: a report of many added
    vouchers holds many rows."""

    account: str
    objects: tuple[ObjectRef, ...] = ()
    amount: Amount
    date: dt.date | None = None
    """``transdat``, when the row has one of its own (not the voucher's date)."""
    text: str | None = None
    quantity: Amount | None = None
    sign: str | None = None


class RowCorrection(_Frozen):
    """A row on the same account and objects on both sides, with other values."""

    old: DiffRow
    new: DiffRow
    changed: tuple[str, ...]
    """The fields that differ: ``amount``, ``date``, ``text``, ``quantity``, ``sign``."""


class HistoryRow(_Frozen):
    """An entry of a voucher's correction history: ``#RTRANS`` (``added``) or ``#BTRANS``
    (``removed``)."""

    kind: Literal["added", "removed"]
    row: DiffRow


class FieldChange(_Frozen):
    """One ``#VER`` field that differs: ``date``, ``text``, ``reg_date`` or ``sign``."""

    field: str
    old: str | None
    new: str | None


class VoucherItem(_Frozen):
    """A voucher on one side only (added or removed).

    ``position`` is set for a voucher without a number: it is the n-th unnumbered voucher
    of its series, which is how such vouchers are matched.
    """

    series: str
    number: str | None
    position: int | None = None
    date: dt.date
    text: str
    line: int
    """Where its ``#VER`` is, in the file it is in."""
    rows: tuple[DiffRow, ...]


class VoucherChange(_Frozen):
    """A voucher on both sides (same series and number) that differs; ``date`` and ``text``
    are the new ones, the old ones are in ``fields`` when they changed."""

    series: str
    number: str | None
    position: int | None = None
    date: dt.date
    text: str
    old_line: int
    new_line: int
    changed: tuple[str, ...]
    """What changed, in this order: ``date``, ``text``, ``reg_date``, ``sign``, ``rows``,
    ``history``."""
    fields: tuple[FieldChange, ...] = ()
    rows_added: tuple[DiffRow, ...] = ()
    rows_removed: tuple[DiffRow, ...] = ()
    rows_corrected: tuple[RowCorrection, ...] = ()
    history_added: tuple[HistoryRow, ...] = ()
    """History entries (``#RTRANS``/``#BTRANS``) the new file has and the old one lacks."""
    history_removed: tuple[HistoryRow, ...] = ()
    """History entries the old file has and the new one lacks."""


class DuplicateVoucher(_Frozen):
    """A series and number a file uses more than once. Occurrences are matched in order
    (the second ``A 7`` of the old file with the second of the new one)."""

    side: Literal["old", "new"]
    series: str
    number: str
    occurrence: int
    """2 for the second voucher with this series and number, and so on."""
    line: int


class VoucherDiffs(_Frozen):
    """The vouchers that differ, matched by series and number: ``added`` in the new file's
    order, ``removed`` in the old file's, ``changed`` as they were matched (about file
    order)."""

    added: tuple[VoucherItem, ...] = ()
    removed: tuple[VoucherItem, ...] = ()
    changed: tuple[VoucherChange, ...] = ()
    duplicates: tuple[DuplicateVoucher, ...] = ()


class BalanceChange(_Frozen):
    """A balance that moved, per account, year (the ``#RAR`` index) and object list.

    ``old`` or ``new`` is None where that file has no such record; ``difference`` is
    ``new - old`` with a missing side counted as zero (so a missing record and a zero one
    are equal and never reported).
    """

    account: str
    kind: BalanceKind
    year: int
    period: str | None = None
    """``YYYYMM``, for ``period`` (``#PSALDO``) items."""
    objects: tuple[ObjectRef, ...] = ()
    """Empty for the account's total; the object of ``#OIB``/``#OUB``, or the object list of
    ``#PSALDO``."""
    old: Amount | None
    new: Amount | None
    difference: Amount


class NameChange(_Frozen):
    """An account (``#KONTO``), dimension (``#DIM``/``#UNDERDIM``) or object (``#OBJEKT``)
    added, removed or renamed."""

    change: Literal["added", "removed", "renamed"]
    number: str
    """The account, dimension or object number."""
    dimension: int | None = None
    """The dimension of an object."""
    old: str | None
    """The old name (None when added)."""
    new: str | None
    """The new name (None when removed)."""


class SieFileSide(_Frozen):
    """What one of the two files is."""

    file: str
    sie_type: str
    program: str | None = None
    company: str | None = None
    encoding: str
    lines: int
    vouchers: int


class DiffSummary(_Frozen):
    """The counts of the report; ``equal`` is True when nothing differs (duplicates that
    match on both sides do not make the files differ)."""

    equal: bool
    vouchers_added: int
    vouchers_removed: int
    vouchers_changed: int
    balances_moved: int
    accounts_added: int
    accounts_removed: int
    accounts_renamed: int
    dimensions_changed: int
    objects_added: int
    objects_removed: int
    objects_renamed: int
    duplicate_vouchers: int


class DiffReport(_Frozen):
    """Two SIE files compared: what ``ledgerlink diff OLD NEW --json`` prints."""

    old: SieFileSide
    new: SieFileSide
    vouchers: VoucherDiffs
    balances: tuple[BalanceChange, ...] = ()
    accounts: tuple[NameChange, ...] = ()
    dimensions: tuple[NameChange, ...] = ()
    objects: tuple[NameChange, ...] = ()
    summary: DiffSummary

    @property
    def equal(self) -> bool:
        """True when the two files hold the same bookkeeping."""
        return self.summary.equal
