"""A voucher as the reader builds it, and the fast construction of canonical models.

The reader has checked every field of a row before it gets here, so rows and vouchers are
built without pydantic's validation (a third of the cost, and one shared fields-set per class
instead of one per object); the balance rule is still checked (``SieVoucher.to_model``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from pydantic import BaseModel

from ledgerlink_core.model import ObjectRef, RowChange, Voucher, VoucherRow
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
        obj = _NEW_VOUCHER(Voucher)
        _SET_DICT(
            obj,
            {
                "series": self.series,
                "number": self.number,
                "date": self.date,
                "text": self.text,
                "reg_date": self.reg_date,
                "sign": self.sign,
                "rows": tuple(self.rows),
                "history": tuple(self.history) if self.history else (),
            },
        )
        _SET_FIELDS(obj, _VOUCHER_FIELDS)
        _SET_EXTRA(obj, None)
        _SET_PRIVATE(obj, None)
        return obj


_VOUCHER_FIELDS = set(Voucher.model_fields)
_M = TypeVar("_M", bound=BaseModel)
_OBJECTS: dict[tuple[str, ...], tuple[ObjectRef, ...]] = {(): ()}
# BaseModel's slot descriptors: setting through them skips a lookup per attribute.
_SET_DICT = BaseModel.__dict__["__dict__"].__set__
_SET_FIELDS = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__
_NEW_ROW = VoucherRow.__new__
# VoucherRow's slot descriptors (it is a slotted, frozen dataclass).
_SET_ACCOUNT = VoucherRow.__dict__["account"].__set__
_SET_AMOUNT = VoucherRow.__dict__["amount"].__set__
_SET_OBJECTS = VoucherRow.__dict__["objects"].__set__
_SET_DATE = VoucherRow.__dict__["date"].__set__
_SET_TEXT = VoucherRow.__dict__["text"].__set__
_SET_QUANTITY = VoucherRow.__dict__["quantity"].__set__
_SET_SIGN = VoucherRow.__dict__["sign"].__set__
_NEW_VOUCHER = Voucher.__new__


def _fast(cls: type[_M], values: dict[str, object]) -> _M:
    """Build a frozen model from already-validated values (what ``model_construct`` does,
    minus its per-field default handling: ``values`` holds every field)."""
    obj = cls.__new__(cls)
    _SET_DICT(obj, values)
    _SET_FIELDS(obj, set(values))
    _SET_EXTRA(obj, None)
    _SET_PRIVATE(obj, None)
    return obj


def _row_model(
    account: str,
    amount: Decimal,
    objects: tuple[ObjectRef, ...],
    date: dt.date | None,
    text: str | None,
    quantity: Decimal | None,
    sign: str | None,
) -> VoucherRow:
    """A VoucherRow from checked values: its slots set directly (a fraction of the cost of
    validation)."""
    obj = _NEW_ROW(VoucherRow)
    _SET_ACCOUNT(obj, account)
    _SET_AMOUNT(obj, amount)
    _SET_OBJECTS(obj, objects)
    _SET_DATE(obj, date)
    _SET_TEXT(obj, text)
    _SET_QUANTITY(obj, quantity)
    _SET_SIGN(obj, sign)
    return obj


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
