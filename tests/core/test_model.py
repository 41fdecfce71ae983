"""The canonical model: Decimal money, balanced vouchers, JSON with amounts as strings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest
from ledgerlink_core.model import RowChange, Voucher, VoucherRow
from pydantic import ValidationError


def row(account: str, amount: str) -> VoucherRow:
    return VoucherRow(account=account, amount=Decimal(amount))


def test_voucher_rows_must_sum_to_exactly_zero() -> None:
    Voucher(
        series="A",
        number="1",
        date=dt.date(2025, 1, 2),
        rows=(row("1930", "0.10"), row("1930", "0.20"), row("3010", "-0.30")),
    )
    with pytest.raises(ValidationError, match=r"A 7 does not balance: its rows sum to 0\.01"):
        Voucher(
            series="A",
            number="7",
            date=dt.date(2025, 1, 2),
            rows=(row("1930", "100.01"), row("3010", "-100.00")),
        )


def test_history_rows_do_not_count_towards_the_balance() -> None:
    voucher = Voucher(
        series="A",
        number="2",
        date=dt.date(2025, 1, 2),
        rows=(row("1930", "50"), row("3010", "-50")),
        history=(RowChange(kind="removed", row=row("1910", "50"), position=0),),
    )
    assert voucher.history[0].row.account == "1910"


def test_amounts_are_strings_in_json_and_decimal_in_python() -> None:
    voucher = Voucher(
        series="B",
        number="3",
        date=dt.date(2025, 5, 1),
        rows=(row("1510", "1250.00"), row("3010", "-1250.00")),
    )
    data = voucher.model_dump(mode="json")
    assert data["rows"][0]["amount"] == "1250.00"
    assert isinstance(voucher.rows[0].amount, Decimal)
    assert Voucher.model_validate_json(voucher.model_dump_json()) == voucher


def test_models_are_frozen_and_strict() -> None:
    r = row("1930", "1")
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.amount = Decimal(2)  # type: ignore[misc]
    assert not hasattr(r, "__dict__"), "rows are slotted: millions of them must stay small"
    voucher = Voucher(series="A", number="1", date=dt.date(2025, 1, 2), rows=(r, row("3010", "-1")))
    with pytest.raises(ValidationError):
        voucher.text = "changed"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="colour"):
        VoucherRow(account="1930", amount=Decimal(1), colour="red")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="extra"):
        Voucher.model_validate({**voucher.model_dump(), "colour": "red"})
