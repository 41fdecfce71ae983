"""Imports over TCP against the emulator: bookkeeping (SIE 4) and as-of subledgers."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fortnox_testkit import backend_for, stored_login
from ledgerlink_core.backend import BookkeepingRequest, SubledgerRequest
from ledgerlink_core.errors import InputError
from ledgerlink_core.openitems import open_items
from ledgerlink_core.tokens import MemoryTokenStore
from ledgerlink_fortnox.convert import cents


def _backend(emu: Any, tmp_path: Path, **overrides: Any) -> Any:
    store = MemoryTokenStore()
    stored_login(emu, store)
    return backend_for(emu, store, tmp_path, **overrides)


def _open(backend: Any, kind: str, as_of: dt.date) -> list[Any]:
    """The open items at ``as_of``: the backend's history through core's as-of rule."""
    request = SubledgerRequest(kind=kind, as_of=as_of)  # type: ignore[arg-type]
    return list(open_items(backend.import_subledger_history(request), as_of).items)


def _truth(emu: Any, kind: str, as_of: dt.date) -> dict[str, Decimal]:
    """The emulator's own account of what was open at ``as_of`` (its state, not its API)."""
    state = emu.state
    out = {}
    for inv in state.invoices[kind].values():
        if inv.invoice_date > as_of or inv.cancelled or not inv.booked:
            continue
        balance = state.invoice_balance(inv, at=as_of)
        if balance != 0:
            out[inv.number] = balance
    return out


def test_bookkeeping_by_year_date_and_index(emulator: Any, tmp_path: Path) -> None:
    emu = emulator
    latest = max(emu.state.years, key=lambda y: y.start)
    with _backend(emu, tmp_path) as backend:
        book = backend.import_bookkeeping(BookkeepingRequest(year=latest.end.year))
        current = book.fiscal_year(0)
        assert current is not None and (current.start, current.end) == (latest.start, latest.end)
        in_state = emu.state.vouchers(year=latest.id)
        assert len(book.vouchers) == len(in_state) > 0
        assert {(v.series, v.number) for v in book.vouchers} == {
            (v.series, str(v.number)) for v in in_state
        }
        by_date = backend.import_bookkeeping(BookkeepingRequest(on_date=latest.start))
        assert by_date.fiscal_year(0) == current
        by_index = backend.import_bookkeeping(BookkeepingRequest(year_index=0))
        assert by_index.fiscal_year(0) == current
        # the SIE request named the fiscal year explicitly
        assert any(r.path.startswith("/3/sie/4") and r.status == 200 for r in emu.state.request_log)


def test_missing_year_lists_the_available_ones(emulator: Any, tmp_path: Path) -> None:
    emu = emulator
    with _backend(emu, tmp_path) as backend, pytest.raises(InputError) as caught:
        backend.import_bookkeeping(BookkeepingRequest(year=1999))
    text = str(caught.value)
    assert "no fiscal year ending in 1999" in text
    for year in emu.state.years:
        assert str(year.end.year) in text


@pytest.mark.parametrize("kind", ["customer", "supplier"])
def test_subledger_as_it_stood_on_the_closing_date(
    emulator: Any, tmp_path: Path, kind: str
) -> None:
    emu = emulator
    latest = max(emu.state.years, key=lambda y: y.start)
    as_of = latest.end
    state = emu.state
    # The data must make the as-of logic matter: payments and credits after the date, and
    # invoices dated after it.
    assert any(p.date > as_of for p in state.payments[kind])
    assert any(i.invoice_date > as_of for i in state.invoices[kind].values())
    later_credit = [
        i for i in state.invoices[kind].values() if i.credit_reference and i.invoice_date > as_of
    ]
    assert later_credit, "the emulator seeds a credit note after the closing date"

    with _backend(emu, tmp_path) as backend:
        items = _open(backend, kind, as_of)
    got = {i.number: i.balance for i in items}
    truth = _truth(emu, kind, as_of)
    assert got == truth
    # today's Balance would have been wrong for at least one of them
    assert any(state.invoice_balance(state.invoices[kind][n]) != b for n, b in truth.items())
    assert later_credit[0].credit_reference in got

    for item in items:
        inv = state.invoices[kind][item.number]
        assert item.kind == kind
        assert item.counterparty.number == inv.counterparty
        assert item.invoice_date == inv.invoice_date <= as_of
        assert item.due_date == inv.due_date
        assert item.total == inv.total
        assert item.currency == inv.currency
        assert item.balance_sek == cents(item.balance * inv.currency_rate)
        if inv.voucher:
            series, number, year = inv.voucher
            assert item.voucher is not None
            assert (item.voucher.series, item.voucher.number, item.voucher.year) == (
                series,
                str(number),
                year,
            )


def test_subledger_in_the_past_and_the_future(emulator: Any, tmp_path: Path) -> None:
    emu = emulator
    years = sorted(emu.state.years, key=lambda y: y.start)
    mid = years[-1].start + dt.timedelta(days=170)
    with _backend(emu, tmp_path) as backend:
        for day in (mid, years[0].start - dt.timedelta(days=1), dt.date.today()):
            for kind in ("customer", "supplier"):
                got = {i.number: i.balance for i in _open(backend, kind, day)}
                assert got == _truth(emu, kind, day), (kind, day)


def test_paging_past_500_items(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory(customer_invoices=1300, payments_after_close=40)
    as_of = max(emu.state.years, key=lambda y: y.start).end
    assert len(emu.state.invoices["customer"]) >= 1300
    with _backend(emu, tmp_path) as backend:
        items = _open(backend, "customer", as_of)
        listings = [r for r in emu.state.request_log if r.path == "/3/invoices"]
    assert {i.number: i.balance for i in items} == _truth(emu, "customer", as_of)
    # every page at the maximum size of 500: one listing of every invoice
    assert len(listings) == math.ceil(len(emu.state.invoices["customer"]) / 500)


def test_real_exports_old_year_balances_on_accounts_outside_the_chart_import(
    emulator: Any, tmp_path: Path
) -> None:
    """Fortnox's exports carry last year's #RES and #PSALDO on every account that year used,
    also one that has left the chart since: such books import (a warning, not a refusal),
    and ``ledgerlink check`` calls the download clean, naming the record and the year."""
    from ledgerlink_core.sie import check_sie
    from ledgerlink_fortnox_emulator.sie_export import export_sie
    from ledgerlink_fortnox_emulator.state import AccountRec, RowRec, VoucherRec

    state = emulator.state
    previous, latest = sorted(state.years, key=lambda y: y.start)[-2:]
    zero, amount = Decimal(0), Decimal("250.00")
    state.chart(previous.id)[3990] = AccountRec(3990, "Övriga ersättningar (gammal)")
    rows = [RowRec(1930, amount, zero), RowRec(3990, zero, amount)]
    state.add_voucher(VoucherRec("A", 1, previous.id, previous.end, "gammal intäkt", rows))
    state.chart(latest.id).pop(3990, None)
    with _backend(emulator, tmp_path) as backend:
        book = backend.import_bookkeeping(BookkeepingRequest(year=latest.end.year))
    assert "3990" not in {a.number for a in book.accounts}
    assert [(r.year_index, r.amount) for r in book.results if r.account == "3990"] == [
        (-1, -amount)
    ]
    assert any(p.year_index == -1 and p.account == "3990" for p in book.period_balances)
    report = check_sie(export_sie(state, latest, 4), name="fortnox.se")
    assert report.clean
    (warning,) = [p for p in report.problems if p.code == "account-not-in-chart"]
    assert warning.severity == "warning" and warning.line
    assert "account 3990 is used in #RES (year -1)" in warning.message
