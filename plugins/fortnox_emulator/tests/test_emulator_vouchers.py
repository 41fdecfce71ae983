"""Vouchers: reading, creating with Fortnox's validations, per-series-and-year numbering, no
idempotency, no update or delete."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import httpx
import pytest
from emulator_helpers import bearer, voucher_body
from ledgerlink_fortnox_emulator import RunningEmulator

EmulatorFactory = Callable[..., RunningEmulator]


@pytest.fixture
def api(small: RunningEmulator) -> Any:
    with bearer(small) as client:
        yield client


def test_list_items_have_no_rows_and_single_vouchers_do(api: httpx.Client) -> None:
    listed = api.get("/vouchers").json()
    assert listed["MetaInformation"]["@TotalResources"] == 5  # the 2025 vouchers: the default year
    item = listed["Vouchers"][0]
    assert "VoucherRows" not in item
    assert {item["VoucherSeries"] for item in listed["Vouchers"]} == {"A", "B", "C", "D", "E"}
    single = api.get("/vouchers/A/1", params={"financialyear": 2}).json()["Voucher"]
    assert single["TransactionDate"] == "2025-01-15"
    rows = single["VoucherRows"]
    assert [(r["Account"], r["Debit"], r["Credit"]) for r in rows] == [
        (6110, 1000, 0),
        (1930, 0, 1000),
    ]
    assert rows[0]["CostCenter"] == "100" and rows[0]["Project"] == "P1"
    older = api.get("/vouchers/A/1", params={"financialyear": 1}).json()["Voucher"]
    assert older["TransactionDate"] == "2024-06-01"
    missing = api.get("/vouchers/A/99")
    assert missing.status_code == 404
    assert set(missing.json()["ErrorInformation"]) == {"Error", "Message", "Code"}


def test_sublist_and_date_filters(api: httpx.Client) -> None:
    sub = api.get("/vouchers/sublist/B").json()["Vouchers"]
    assert [(v["VoucherSeries"], v["VoucherNumber"]) for v in sub] == [("B", 1)]
    ranged = api.get("/vouchers", params={"fromdate": "2025-02-01", "todate": "2025-02-28"})
    assert sorted(v["VoucherSeries"] for v in ranged.json()["Vouchers"]) == ["B", "D"]
    by_date = api.get("/vouchers", params={"financialyeardate": "2024-03-01"}).json()
    assert [v["Year"] for v in by_date["Vouchers"]] == [1]


def test_list_items_without_comments_and_a_sublist_without_date_filter(
    small: RunningEmulator, api: httpx.Client
) -> None:
    made = api.post("/vouchers", json=voucher_body(Comments="ledgerlink:ref-1"))
    assert made.status_code == 201
    window = {"fromdate": "2025-05-01", "todate": "2025-05-31"}
    listed = api.get("/vouchers/sublist/A", params=window).json()["Vouchers"]
    assert [(v["VoucherNumber"], v["Comments"]) for v in listed] == [(2, "ledgerlink:ref-1")]
    small.configure(voucher_list_comments=False, honour_date_filter=False)
    for path, params in [("/vouchers/sublist/A", window), ("/vouchers", {})]:
        items = api.get(path, params=params).json()["Vouchers"]
        assert items and all("Comments" not in v for v in items)
    # The sublist now ignores the dates (the whole series of the year comes back) ...
    whole = api.get("/vouchers/sublist/A", params=window).json()["Vouchers"]
    assert [v["VoucherNumber"] for v in whole] == [1, 2]
    # ... while /3/vouchers, where Fortnox documents them, still honours them.
    ranged = api.get("/vouchers", params={**window, "voucherseries": "A"}).json()["Vouchers"]
    assert [v["VoucherNumber"] for v in ranged] == [2]
    # A single voucher is the full object: Comments is always there.
    assert api.get("/vouchers/A/2").json()["Voucher"]["Comments"] == "ledgerlink:ref-1"


def test_create_numbers_per_series_and_year_without_idempotency(
    small: RunningEmulator, api: httpx.Client
) -> None:
    small.state.set_series("C", manual=True)  # a system series by default
    first = api.post("/vouchers", params={"financialyear": 2}, json=voucher_body())
    assert first.status_code == 201
    created = first.json()["Voucher"]
    assert (created["VoucherSeries"], created["VoucherNumber"], created["Year"]) == ("A", 2, 2)
    assert created["VoucherRows"][0]["Debit"] == 250.5
    # The same body again is a second voucher: Fortnox offers no idempotency.
    again = api.post("/vouchers", params={"financialyear": 2}, json=voucher_body())
    assert again.json()["Voucher"]["VoucherNumber"] == 3
    other_series = api.post("/vouchers", params={"financialyear": 2}, json=voucher_body(series="C"))
    assert other_series.json()["Voucher"]["VoucherNumber"] == 2
    last_year = api.post(
        "/vouchers", params={"financialyear": 1}, json=voucher_body(date="2024-08-01")
    )
    assert last_year.status_code == 201
    assert (last_year.json()["Voucher"]["VoucherNumber"], last_year.json()["Voucher"]["Year"]) == (
        2,
        1,
    )
    fresh_series = small.state.vouchers(year=1, series="B")
    assert fresh_series == []
    assert [v.number for v in small.state.vouchers(year=2, series="A")] == [1, 2, 3]
    stored = small.state.get_voucher(2, "A", 2)
    assert stored is not None and stored.rows[0].debit == Decimal("250.50")


def test_create_goes_to_the_preselected_year_by_default(api: httpx.Client) -> None:
    ok = api.post("/vouchers", json=voucher_body(date="2025-06-01"))
    assert ok.json()["Voucher"]["Year"] == 2
    # A 2024 date without a year selection falls outside the preselected year.
    wrong = api.post("/vouchers", json=voucher_body(date="2024-06-01"))
    assert wrong.status_code == 400
    by_date = api.post(
        "/vouchers",
        params={"financialyeardate": "2024-01-01"},
        json=voucher_body(date="2024-06-01"),
    )
    assert by_date.json()["Voucher"]["Year"] == 1


REJECTIONS: list[tuple[str, dict[str, Any], int]] = [
    ("system series", voucher_body(series="B"), 2000604),
    ("unbalanced", voucher_body(rows=[(6110, "100", "0"), (1930, "0", "99.99")]), 2000595),
    ("one row", voucher_body(rows=[(6110, "0", "0")]), 2000596),
    ("unknown account", voucher_body(rows=[(6110, "5", "0"), (9999, "0", "5")]), 2001304),
    ("outside any year", voucher_body(date="2031-01-01"), 2000600),
    ("unknown series", voucher_body(series="Q"), 2000599),
    ("unknown field", voucher_body(Foo="bar"), 2001399),
    (
        "unknown cost centre",
        {
            "Voucher": {
                **voucher_body()["Voucher"],
                "VoucherRows": [
                    {"Account": 6110, "Debit": 5, "CostCenter": "999"},
                    {"Account": 1930, "Credit": 5},
                ],
            }
        },
        2000602,
    ),
    ("no description", {"Voucher": {**voucher_body()["Voucher"], "Description": ""}}, 2000603),
    ("no envelope", {"VoucherSeries": "A"}, 2001392),
]


@pytest.mark.parametrize(("case", "body", "code"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_validation_errors(
    small: RunningEmulator, api: httpx.Client, case: str, body: dict[str, Any], code: int
) -> None:
    before = len(small.state.vouchers())
    answer = api.post("/vouchers", params={"financialyear": 2}, json=body)
    assert answer.status_code == 400, case
    error = answer.json()["ErrorInformation"]
    assert error["code"] == code
    assert error["message"]
    assert len(small.state.vouchers()) == before


def test_voucher_series_say_whether_they_are_manual(
    small_emulator_factory: EmulatorFactory,
) -> None:
    emu = small_emulator_factory()
    with bearer(emu) as api:
        listed = api.get("/voucherseries").json()["VoucherSeriesCollection"]
        assert {s["Code"]: s["Manual"] for s in listed} == {
            "A": True,
            "B": False,
            "C": False,
            "D": False,
            "E": False,
        }
        assert api.get("/voucherseries/B").json()["VoucherSeries"]["Manual"] is False
        refused = api.post("/vouchers", json=voucher_body(series="D"))
        assert refused.status_code == 400
        assert refused.json()["ErrorInformation"] == {
            "error": 1,
            "message": "Verifikationsserien är inte manuell (D)",
            "code": 2000604,
        }
        emu.state.set_series("K", "Kassa")
        assert api.post("/vouchers", json=voucher_body(series="K")).status_code == 201
        assert api.get("/voucherseries/K").json()["VoucherSeries"]["Manual"] is True
    all_manual = small_emulator_factory(system_series=frozenset())
    with bearer(all_manual) as api:
        assert api.post("/vouchers", json=voucher_body(series="D")).status_code == 201


def test_voucher_error_codes_are_configurable_one_by_one(
    small_emulator_factory: EmulatorFactory,
) -> None:
    emu = small_emulator_factory(voucher_errors={"series_not_manual": (4711, "Inte manuell")})
    with bearer(emu) as api:
        system = api.post("/vouchers", json=voucher_body(series="B")).json()["ErrorInformation"]
        assert (system["code"], system["message"]) == (4711, "Inte manuell (B)")
        unbalanced = voucher_body(rows=[(6110, "1", "0"), (1930, "0", "2")])
        assert api.post("/vouchers", json=unbalanced).json()["ErrorInformation"]["code"] == 2000595


def test_inactive_account_and_locked_period(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(
        inactive_accounts=frozenset({"5010"}), locked_until=dt.date(2025, 3, 31)
    )
    with bearer(emu) as api:
        locked = api.post("/vouchers", params={"financialyear": 2}, json=voucher_body("2025-03-31"))
        assert locked.json()["ErrorInformation"]["code"] == 2000601
        assert api.get("/settings/lockedperiod").json() == {
            "LockedPeriod": {"EndDate": "2025-03-31"}
        }
        inactive = api.post(
            "/vouchers",
            params={"financialyear": 2},
            json=voucher_body(rows=[(5010, "10", "0"), (1930, "0", "10")]),
        )
        assert inactive.json()["ErrorInformation"]["code"] == 2000598
        assert api.get("/accounts/5010").json()["Account"]["Active"] is False
        ok = api.post("/vouchers", params={"financialyear": 2}, json=voucher_body("2025-04-01"))
        assert ok.status_code == 201


def test_malformed_json_and_wrong_content_type(api: httpx.Client) -> None:
    broken = api.post(
        "/vouchers", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 400
    assert broken.json()["ErrorInformation"]["code"] == 2002115
    xml = api.post("/vouchers", content=b"<Voucher/>", headers={"Content-Type": "application/xml"})
    assert xml.json()["ErrorInformation"]["code"] == 1000031


def test_no_update_or_delete(api: httpx.Client) -> None:
    assert api.put("/vouchers/A/1", json=voucher_body()).status_code == 405
    assert api.delete("/vouchers/A/1").status_code == 405


def test_concurrent_creates_get_unique_consecutive_numbers(small: RunningEmulator) -> None:
    def post(_: int) -> int:
        with bearer(small) as api:
            answer = api.post("/vouchers", params={"financialyear": 2}, json=voucher_body())
            assert answer.status_code == 201
            return int(answer.json()["Voucher"]["VoucherNumber"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = sorted(pool.map(post, range(20)))
    assert numbers == list(range(2, 22))


def test_decimal_amounts_are_exact_on_the_wire(api: httpx.Client) -> None:
    body = json.dumps(
        {
            "Voucher": {
                "VoucherSeries": "A",
                "TransactionDate": "2025-07-01",
                "Description": "Öresavrundning",
                "VoucherRows": [
                    {"Account": 6110, "Debit": 0.1},
                    {"Account": 6110, "Debit": 0.2},
                    {"Account": 1930, "Credit": 0.3},
                ],
            }
        }
    )
    answer = api.post("/vouchers", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 201  # 0.1 + 0.2 == 0.3 in decimal, as Fortnox keeps öre
