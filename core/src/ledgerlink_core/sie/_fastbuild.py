"""Canonical rows and vouchers built without pydantic's validation: the one module that relies
on pydantic's internals (and on CPython's rules for ``__class__`` assignment).

The reader has checked every field of a row and a voucher before it builds them (and the
balance rule, ``SieVoucher.to_model``), so validating them again would only cost: it was a
third of a full load. ``model_construct`` skips validation but still costs a fields-set per
object and a loop over the fields; here every voucher shares one fields-set, and a row is
filled in as a writable twin of its class and then given the real class.

What this relies on (``tests/sie/test_sie_fastbuild.py`` pins each point, so that a pydantic
upgrade that changes one fails there, loudly, rather than the corpus silently):

- a ``BaseModel`` instance keeps its field values in ``__dict__`` and has exactly three more
  slots, ``__pydantic_fields_set__``, ``__pydantic_extra__`` and ``__pydantic_private__``,
  which ``model_construct`` also sets directly (``extra`` and ``private`` are None for a
  model that neither allows extra fields nor has private attributes);
- a pydantic dataclass declared with ``slots=True`` (``VoucherRow``) keeps each field in a
  slot of its own and nothing else per instance, so a plain class with the same ``__slots__``
  has its layout.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel

from ledgerlink_core.model import ObjectRef, RowChange, Voucher, VoucherRow

__all__ = ["new_row", "new_voucher"]

# BaseModel's slot descriptors: setting through them skips a lookup per attribute (and the
# frozen model's __setattr__, which refuses).
_SET_DICT = BaseModel.__dict__["__dict__"].__set__
_SET_FIELDS = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_SET_EXTRA = BaseModel.__dict__["__pydantic_extra__"].__set__
_SET_PRIVATE = BaseModel.__dict__["__pydantic_private__"].__set__
_NEW_VOUCHER = Voucher.__new__
#: Every voucher gets every field, so they can all share one fields-set.
_VOUCHER_FIELDS = set(Voucher.model_fields)


class _Row:
    """VoucherRow's layout, writable: a row is filled in as one of these and then made a
    VoucherRow by ``__class__`` assignment (which CPython allows between classes of the same
    layout). Storing into a plain slotted class costs a fraction of calling the frozen
    class's slot descriptors: half of building the row, a tenth of the whole load."""

    __slots__ = VoucherRow.__slots__


def new_row(
    account: str,
    amount: Decimal,
    objects: tuple[ObjectRef, ...],
    rest: tuple[dt.date | None, str | None, Decimal | None, str | None],
) -> VoucherRow:
    """A :class:`VoucherRow` of checked values, equal to ``VoucherRow(account=..., ...)``;
    ``rest`` is the row's tail, ``(date, text, quantity, sign)``, as the reader caches it."""
    row: Any = _Row()
    row.account = account
    row.amount = amount
    row.objects = objects
    row.date, row.text, row.quantity, row.sign = rest
    row.__class__ = VoucherRow
    return row


def new_voucher(
    series: str,
    number: str | None,
    date: dt.date,
    text: str,
    reg_date: dt.date | None,
    sign: str | None,
    rows: tuple[VoucherRow, ...],
    history: tuple[RowChange, ...],
) -> Voucher:
    """A :class:`Voucher` of checked values (balance included), equal to
    ``Voucher(series=..., ...)``."""
    obj = _NEW_VOUCHER(Voucher)
    _SET_DICT(
        obj,
        {
            "series": series,
            "number": number,
            "date": date,
            "text": text,
            "reg_date": reg_date,
            "sign": sign,
            "rows": rows,
            "history": history,
        },
    )
    _SET_FIELDS(obj, _VOUCHER_FIELDS)
    _SET_EXTRA(obj, None)
    _SET_PRIVATE(obj, None)
    return obj
