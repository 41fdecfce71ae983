"""The pydantic internals ``sie/_fastbuild.py`` relies on, pinned: a pydantic upgrade that
changes one of them fails here, by name, instead of making the full load build models that
are subtly unlike validated ones."""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
from decimal import Decimal

from ledgerlink_core.model import ObjectRef, RowChange, Voucher, VoucherRow
from ledgerlink_core.sie._fastbuild import new_row, new_voucher
from pydantic import BaseModel, TypeAdapter

_MODEL_STATE = ("__dict__", "__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")
_ROW = {
    "account": "3001",
    "amount": Decimal("-1000.00"),
    "objects": (ObjectRef(dimension=1, number="100"),),
    "date": dt.date(2025, 1, 5),
    "text": "Kund",
    "quantity": Decimal("2"),
    "sign": "ÅS",
}


def _voucher_fields(rows: tuple[VoucherRow, ...]) -> dict[str, object]:
    return {
        "series": "A",
        "number": "12",
        "date": dt.date(2025, 1, 5),
        "text": "Försäljning",
        "reg_date": None,
        "sign": None,
        "rows": rows,
        "history": (RowChange(kind="removed", row=rows[0], position=0),),
    }


def test_a_model_instance_is_its_dict_and_three_slots() -> None:
    # new_voucher sets exactly these; a fourth would be left unset on every voucher.
    assert BaseModel.__slots__ == _MODEL_STATE
    for name in _MODEL_STATE:
        assert hasattr(BaseModel.__dict__[name], "__set__"), name


def test_voucher_has_nothing_that_model_construct_would_set_otherwise() -> None:
    # extra and private are set to None: right only while the model allows no extra fields,
    # has no private attributes and no post-init, and is not a root model.
    assert Voucher.model_config.get("extra") != "allow"
    assert Voucher.__private_attributes__ == {}
    assert Voucher.__pydantic_post_init__ is None
    assert not Voucher.__pydantic_root_model__


def test_new_voucher_is_a_validated_voucher() -> None:
    rows = (VoucherRow(**_ROW), VoucherRow(**{**_ROW, "amount": Decimal("1000.00")}))
    values = _voucher_fields(rows)
    fast = new_voucher(**values)
    for made in (Voucher(**values), Voucher.model_construct(**values)):
        for name in _MODEL_STATE:
            assert getattr(fast, name) == getattr(made, name), name
        assert list(fast.__dict__) == list(made.__dict__)  # field order, as dumps show it
        assert fast == made
        assert hash(fast) == hash(made)
        assert fast.model_dump_json() == made.model_dump_json()


def test_new_voucher_sets_every_field_of_voucher() -> None:
    rows = (VoucherRow(**_ROW), VoucherRow(**{**_ROW, "amount": Decimal("1000.00")}))
    fast = new_voucher(**_voucher_fields(rows))
    assert list(fast.__dict__) == list(Voucher.model_fields)
    assert fast.model_fields_set == set(Voucher.model_fields)


def test_a_row_is_one_slot_per_field_and_nothing_else() -> None:
    # new_row fills in a plain class with these slots and assigns it VoucherRow as its class:
    # that needs the same layout (the same slots on the same base, no __dict__ or __weakref__).
    names = tuple(f.name for f in dataclasses.fields(VoucherRow))
    assert VoucherRow.__slots__ == names
    assert VoucherRow.__mro__ == (VoucherRow, object)
    for name in names:
        assert isinstance(VoucherRow.__dict__[name], types.MemberDescriptorType), name
    row = VoucherRow(**_ROW)
    assert not hasattr(row, "__dict__")
    assert not hasattr(row, "__weakref__")


def test_new_row_is_a_validated_row() -> None:
    rest = (_ROW["date"], _ROW["text"], _ROW["quantity"], _ROW["sign"])
    fast = new_row(_ROW["account"], _ROW["amount"], _ROW["objects"], rest)
    made = VoucherRow(**_ROW)
    assert type(fast) is VoucherRow
    assert fast == made
    assert hash(fast) == hash(made)
    assert dataclasses.asdict(fast) == dataclasses.asdict(made)
    adapter = TypeAdapter(VoucherRow)
    assert adapter.dump_json(fast) == adapter.dump_json(made)
