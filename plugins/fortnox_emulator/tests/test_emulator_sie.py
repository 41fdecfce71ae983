"""``GET /3/sie/{1..4}``: CP437 bytes from the current state, read back with core's codec."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
import pytest
from emulator_helpers import bearer, voucher_body
from ledgerlink_core.sie import read_sie
from ledgerlink_fortnox_emulator import RunningEmulator


@pytest.fixture
def api(small: RunningEmulator) -> Any:
    with bearer(small) as client:
        yield client


def test_sie4_is_cp437_and_parses_with_core(api: httpx.Client) -> None:
    answer = api.get("/sie/4", params={"financialyear": 2})
    assert answer.status_code == 200
    data = answer.content
    assert b"#FORMAT PC8" in data
    assert "Åkeri & Söner AB".encode("cp437") in data
    assert "Åkeri".encode() not in data  # not UTF-8
    book = read_sie(data, name="fortnox.se").bookkeeping
    assert book.company.name == "Åkeri & Söner AB"
    year = book.fiscal_year(0)
    assert year is not None and (year.start.isoformat(), year.end.isoformat()) == (
        "2025-01-01",
        "2025-12-31",
    )
    assert sorted((v.series, v.number) for v in book.vouchers) == [
        ("A", "1"),
        ("B", "1"),
        ("C", "1"),
        ("D", "1"),
        ("E", "1"),
    ]
    closing = {b.account: b.amount for b in book.closing_balances if b.year_index == 0}
    assert closing["1510"] == Decimal("12500")  # 10,000 + 12,500 - 10,000
    assert closing["2440"] == Decimal("-6000")
    first = next(v for v in book.vouchers if v.series == "A")
    assert {(o.dimension, o.number) for o in first.rows[0].objects} == {(1, "100"), (6, "P1")}


def test_vouchers_created_through_the_api_are_in_the_export(api: httpx.Client) -> None:
    made = api.post("/vouchers", params={"financialyear": 2}, json=voucher_body("2025-09-30"))
    number = made.json()["Voucher"]["VoucherNumber"]
    book = read_sie(api.get("/sie/4", params={"financialyear": 2}).content).bookkeeping
    ours = next(v for v in book.vouchers if (v.series, v.number) == ("A", str(number)))
    assert [(r.account, r.amount) for r in ours.rows] == [
        ("6110", Decimal("250.50")),
        ("1930", Decimal("-250.50")),
    ]
    closing = {b.account: b.amount for b in book.closing_balances if b.year_index == 0}
    assert closing["1930"] == Decimal("40000") - 1000 + 10000 - 8000 - Decimal("250.50")


def test_financialyear_selects_the_year(api: httpx.Client) -> None:
    book = read_sie(api.get("/sie/4", params={"financialyear": 1}).content).bookkeeping
    year = book.fiscal_year(0)
    assert year is not None and year.start.year == 2024
    assert [(v.series, v.date.isoformat()) for v in book.vouchers] == [("A", "2024-06-01")]
    # The SPEC's own spelling of the parameter works too (names are case-insensitive).
    same = api.get("/sie/4", params={"financialYear": 1}).content
    assert read_sie(same).bookkeeping.vouchers == book.vouchers


def test_sie_types_1_to_3_have_no_vouchers(api: httpx.Client) -> None:
    for kind in ("1", "2", "3"):
        data = api.get(f"/sie/{kind}").content
        assert f"#SIETYP {kind}".encode() in data
        assert b"#VER" not in data
    assert b"#PSALDO" not in api.get("/sie/1").content
    assert b"#PSALDO" in api.get("/sie/2").content
    assert api.get("/sie/5").status_code == 400


def test_utf8_can_be_chosen(small_emulator_factory: Any) -> None:
    emu = small_emulator_factory(sie_encoding="utf-8")
    with bearer(emu) as api:
        assert "Åkeri".encode() in api.get("/sie/4").content
