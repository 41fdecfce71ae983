"""A voucher as the reader builds it: a ``#VER``, its rows and what was wrong with it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from ledgerlink_core.model import RowChange, Voucher, VoucherRow
from ledgerlink_core.sie._fastbuild import new_voucher

__all__ = ["SieVoucher"]

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
    unreadable_row: bool = False
    """A row could not be read (reported): the voucher's sum says nothing about its balance."""
    in_year: bool = True
    twin: tuple[str, tuple[str, ...], Decimal, int] | None = None
    """An ``#RTRANS`` waiting for its twin ``#TRANS``: account, objects, amount, line."""

    @property
    def label(self) -> str:
        """``A 12``, or ``on line N`` for a voucher with neither series nor number."""
        if self.series or self.number:
            return f"{self.series} {self.number or '(new)'}".strip()
        return f"on line {self.line}"

    def reset(
        self,
        line: int,
        series: str,
        number: str | None,
        date: dt.date | None,
        text: str = "",
        reg_date: dt.date | None = None,
        sign: str | None = None,
    ) -> SieVoucher:
        """Make this object the voucher of another ``#VER`` and return it (where the reader
        hands no voucher out, it reuses one object for them all)."""
        self.line, self.series, self.number, self.date = line, series, number, date
        self.text, self.reg_date, self.sign = text, reg_date, sign
        self.rows.clear()
        self.history.clear()
        self.total, self.ok, self.in_year, self.twin = _ZERO, True, True, None
        return self

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
