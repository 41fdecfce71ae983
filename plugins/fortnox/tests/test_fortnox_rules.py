"""The company's rules read before export: the chart and its account settings per fiscal year,
active cost centres, unfinished projects, manual series; read concurrently, in a small number
of requests per push, and checked by core before anything is written."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal
from typing import Any

import httpx
import pytest
from fake_fortnox import FakeFortnox, client_for, push_to
from ledgerlink_core import (
    ObjectRef,
    ValidationFailed,
    Voucher,
    VoucherRow,
    export_items,
)
from ledgerlink_fortnox.export import FortnoxSink
from ledgerlink_fortnox.texts import RULES

Y2024, Y2025 = dt.date(2024, 12, 31), dt.date(2025, 12, 31)


def _account(number: int, year: int, **extra: Any) -> dict[str, Any]:
    return {
        "Number": number,
        "Description": f"Konto {number}",
        "Active": True,
        "Year": year,
        **extra,
    }


def _fake() -> FakeFortnox:
    fake = FakeFortnox()
    fake.accounts[1] = [
        _account(1930, 1),
        _account(6570, 1, Active=False),  # inactive in 2024 only
        _account(7010, 1),
    ]
    fake.accounts[2] = [
        _account(1930, 2),
        _account(6570, 2, CostCenterSettings="MANDATORY"),
        _account(7010, 2, ProjectSettings="NOTALLOWED", CostCenterSettings="ALLOWED"),
    ]
    return fake


def test_the_chart_of_each_year_with_its_account_settings() -> None:
    fake = _fake()
    with client_for(fake) as client:
        sink = FortnoxSink(client)
        constraints = sink.constraints()
        assert constraints.fiscal_years is not None
        older, latest = constraints.fiscal_years
        charts = {year.index: {a.number: a for a in sink.chart(year)} for year in (older, latest)}
    assert (older.index, latest.index) == (-1, 0)
    accounts = [r for r in fake.requests if r.url.path == "/3/accounts"]
    assert sorted(r.url.params["financialyear"] for r in accounts) == ["1", "2"]
    assert charts[-1]["6570"].active is False and charts[0]["6570"].active is True
    assert charts[0]["6570"].cost_centre_rule == "mandatory"
    assert charts[0]["6570"].project_rule == "allowed"
    assert charts[0]["7010"].project_rule == "not_allowed"
    assert charts[-1]["7010"].project_rule == "allowed"  # no setting: allowed


def test_objects_series_and_texts() -> None:
    with client_for(_fake()) as client:
        constraints = FortnoxSink(client).constraints()
    assert constraints.objects == {1: frozenset({"100"}), 6: frozenset({"P1", "P2"})}
    assert constraints.series == frozenset({"A", "B"})
    assert constraints.manual_series == frozenset({"A"})
    assert constraints.locked_until is None
    assert constraints.text == RULES


def test_series_without_a_manual_flag_are_not_restricted() -> None:
    fake = _fake()
    fake.series = [{"Code": "A"}, {"Code": "B"}]
    with client_for(fake) as client:
        assert FortnoxSink(client).constraints().manual_series is None


def test_the_lookups_run_concurrently_even_with_one_worker() -> None:
    """The five look-ups are in flight at once (each first page waits until all five have
    arrived); and with ``max_workers=1`` and lists of several pages, no look-up waits for a
    pool its siblings occupy."""
    first_pages = {
        "/3/financialyears",
        "/3/settings/lockedperiod",
        "/3/voucherseries",
        "/3/costcenters",
        "/3/projects",
    }
    for workers in (4, 1):
        fake = _fake()
        fake.page_size_cap = 1  # every list pages
        together = threading.Barrier(len(first_pages), timeout=60)

        def all_at_once(request: httpx.Request, together: threading.Barrier = together) -> None:
            if request.url.path in first_pages and request.url.params.get("page", "1") == "1":
                together.wait()  # BrokenBarrierError if they do not run at the same time

        fake.handlers.append(all_at_once)
        with client_for(fake, max_workers=workers) as client:
            constraints = FortnoxSink(client).constraints()
        assert constraints.objects == {1: frozenset({"100"}), 6: frozenset({"P1", "P2"})}
        assert constraints.series == frozenset({"A", "B"})
        assert fake.peak >= len(first_pages)


def _voucher(day: dt.date, number: int, rows: list[tuple[str, str, list[ObjectRef]]]) -> Voucher:
    return Voucher(
        series="A",
        number=str(number),
        date=day,
        text=f"Bokslut {number}",
        rows=tuple(
            VoucherRow(account=a, amount=Decimal(x), objects=tuple(objs)) for a, x, objs in rows
        ),
    )


CC = [ObjectRef(dimension=1, number="100")]
CC200 = [ObjectRef(dimension=1, number="200")]
P1 = [ObjectRef(dimension=6, number="P1")]


@pytest.mark.parametrize("n", [2, 40])
def test_requests_per_push_are_a_small_constant_per_fiscal_year(n: int) -> None:
    """Vouchers in two fiscal years: the rules once, a chart per year, the company once, a
    listing of the series per year (the dry run makes it too: it asks the target what a run
    would find), however many vouchers there are; then one POST per voucher."""
    vouchers = [
        _voucher(Y2025, i, [("6570", "10", CC), ("1930", "-10", [])])
        if i % 2
        else _voucher(Y2024, i, [("7010", "10", []), ("1930", "-10", [])])
        for i in range(1, n + 1)
    ]
    dry = _fake()
    report = push_to(dry, export_items(vouchers), dry_run=True)
    assert {o.status.value for o in report.outcomes} == {"would-create"}
    assert dry.count("GET") == {
        "financialyears": 1,
        "settings/lockedperiod": 1,
        "voucherseries": 1,
        "costcenters": 1,
        "projects": 1,
        "accounts": 2,  # one per fiscal year the vouchers fall in
        "companyinformation": 1,
        # issue 15, D1: the vouchers the journal does not know are looked up in the target,
        # one listing of the series per fiscal year
        "vouchers/sublist/A": 2,
    }
    assert not dry.count("POST")

    sent = _fake()
    report = push_to(sent, export_items(vouchers))
    assert {o.status.value for o in report.outcomes} == {"created"}
    # the same reads as the dry run before the first post
    assert sent.count("GET") == dry.count("GET")
    assert sent.count("POST") == {"vouchers": n}


def test_core_refuses_what_the_rules_forbid_before_anything_is_sent() -> None:
    fake = _fake()
    p3 = [ObjectRef(dimension=6, number="P3")]
    vouchers = [
        _voucher(Y2025, 1, [("6570", "10", []), ("1930", "-10", [])]),  # cost centre missing
        _voucher(Y2025, 2, [("7010", "10", P1), ("1930", "-10", [])]),  # project forbidden
        _voucher(Y2024, 3, [("6570", "10", []), ("1930", "-10", [])]),  # inactive in 2024
        _voucher(Y2025, 4, [("6570", "10", CC200), ("1930", "-10", [])]),  # cost centre inactive
        _voucher(Y2025, 5, [("1930", "10", p3), ("6570", "-10", CC)]),  # project completed
        _voucher(Y2025, 6, [("6570", "10", CC), ("1930", "-10", [])]).model_copy(
            update={"series": "B", "text": 'Hyra "dec"'}
        ),
    ]
    with pytest.raises(ValidationFailed) as err:
        push_to(fake, export_items(vouchers))
    assert list(err.value.problems) == [
        "voucher A 1: account 6570 needs a cost centre on every row in fortnox",
        "voucher A 2: account 7010 takes no project in fortnox",
        "voucher A 3: account 6570 is inactive in fortnox",
        "voucher A 4: cost centre '200' does not exist in fortnox",
        "voucher A 5: project 'P3' does not exist in fortnox",
        "voucher B 6: voucher series 'B' is not open for manual vouchers in fortnox (open: A); "
        "choose one with --series",
        "voucher B 6: its text has characters fortnox refuses: '\"'",
    ]
    assert not fake.count("POST")
