"""A voucher as the reader builds it: a ``#VER``, its rows and what was wrong with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ledgerlink_core.model import ObjectRef, RowChange, Voucher, VoucherRow
from ledgerlink_core.sie._fastbuild import new_voucher
from ledgerlink_core.sie.records import FieldError, parse_int

#: One checked voucher row: account, flat object list, amount, transdat, text, quantity, sign.
Row = tuple[str, tuple[str, ...], Decimal, dt.date | None, str | None, Decimal | None, str | None]

_ZERO = Decimal(0)


@dataclass(slots=True)
class SieVoucher:
    """A ``#VER`` and its rows, as read. ``ok`` is False when its header or a row was broken
    or it does not balance; such a voucher is reported and left out of a full load.

    ``rows`` are the ``#TRANS`` rows, ``history`` the ``#RTRANS``/``#BTRANS`` rows (with the
    position among ``rows`` where they stood), both already canonical models.
    """

    line: int
    series: str
    number: str | None
    date: dt.date | None
    text: str = ""
    reg_date: dt.date | None = None
    sign: str | None = None
    rows: list[VoucherRow] = field(default_factory=list)
    history: list[RowChange] = field(default_factory=list)
    total: Decimal = _ZERO
    """Sum of the ``#TRANS`` amounts (``#RTRANS``/``#BTRANS`` are history)."""
    ok: bool = True
    in_year: bool = True
    twin: tuple[str, tuple[str, ...], Decimal, int] | None = None
    """An ``#RTRANS`` waiting for its twin ``#TRANS``: account, objects, amount, line."""

    @property
    def label(self) -> str:
        """``A 12``, or ``on line N`` for a voucher with neither series nor number."""
        if self.series or self.number:
            return f"{self.series} {self.number or '(new)'}".strip()
        return f"on line {self.line}"

    def to_model(self) -> Voucher:
        """The canonical :class:`Voucher` (the reader validated every field already; the
        balance rule is checked here)."""
        if self.date is None:
            raise ValueError(f"voucher {self.label} has no date")
        if self.total != 0:
            raise ValueError(f"voucher {self.label} does not balance: {self.total}")
        return new_voucher(
            self.series,
            self.number,
            self.date,
            self.text,
            self.reg_date,
            self.sign,
            tuple(self.rows),
            tuple(self.history) if self.history else (),
        )


_OBJECTS: dict[tuple[str, ...], tuple[ObjectRef, ...]] = {(): ()}


def _objects(flat: tuple[str, ...]) -> tuple[ObjectRef, ...]:
    """Flat ``("1", "100")`` -> ObjectRefs, shared between rows with the same list."""
    refs = _OBJECTS.get(flat)
    if refs is None:
        refs = tuple(
            ObjectRef(dimension=int(flat[i]), number=flat[i + 1]) for i in range(0, len(flat), 2)
        )
        if len(_OBJECTS) < 50_000:
            _OBJECTS[flat] = refs
    return refs


def _check_objects(objs: tuple[str, ...]) -> None:
    if len(objs) & 1:
        raise FieldError(
            "object list {" + " ".join(objs) + "} has an odd number of items "
            "(expected dim/object pairs)"
        )
    for i in range(0, len(objs), 2):
        parse_int(objs[i], "dimension number")
