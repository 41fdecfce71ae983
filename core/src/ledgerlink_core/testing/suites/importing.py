"""Import: the bookkeeping is valid and adds up; subledgers are consistent with the ledger."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

import pytest

from ledgerlink_core.backend import AccountingBackend, BookkeepingRequest, SubledgerRequest
from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.model import Bookkeeping, FiscalYear, SubledgerHistory, SubledgerItem
from ledgerlink_core.openitems import open_items
from ledgerlink_core.reconcile import DEFAULT_RANGES, reconcile_line
from ledgerlink_core.testing.suites.base import KitBase, content_key, requires

__all__ = [
    "ImportBookkeepingTests",
    "SubledgerTests",
]

ZERO = Decimal(0)


def current_year(book: Bookkeeping) -> FiscalYear:
    """The imported year (``#RAR 0``); failing the test when it is missing."""
    year = book.fiscal_year(0)
    assert year is not None, "the imported bookkeeping has no fiscal year with index 0"
    return year


def movements(book: Bookkeeping, year: FiscalYear) -> dict[str, Decimal]:
    """Sum of voucher rows per account for vouchers dated inside ``year``."""
    totals: dict[str, Decimal] = {}
    for v in book.vouchers:
        if year.contains(v.date):
            for r in v.rows:
                totals[r.account] = totals.get(r.account, ZERO) + r.amount
    return totals


class ImportBookkeepingTests(KitBase):
    """``import.bookkeeping``: the result is a valid, self-consistent fiscal year."""

    @requires(Capability.IMPORT_BOOKKEEPING)
    def test_import_bookkeeping_validates(self, book: Bookkeeping) -> None:
        assert isinstance(book, Bookkeeping)
        # A JSON round trip re-runs every validator (a backend may have used model_construct)
        # and proves amounts are Decimals, not floats.
        again = Bookkeeping.model_validate_json(book.model_dump_json())
        assert again == book
        assert book.company.name, "the company has no name"
        current_year(book)

    @requires(Capability.IMPORT_BOOKKEEPING)
    def test_every_voucher_balances(self, book: Bookkeeping) -> None:
        for v in book.vouchers:
            assert v.rows, f"voucher {v.label} has no rows"
            total = sum((r.amount for r in v.rows), ZERO)
            assert total == 0, f"voucher {v.label} does not balance: {total}"
            assert all(isinstance(r.amount, Decimal) for r in v.rows)

    @requires(Capability.IMPORT_BOOKKEEPING)
    def test_every_account_is_in_the_chart(self, book: Bookkeeping) -> None:
        chart = book.account_map()
        used = {(f"voucher {v.label}", r.account) for v in book.vouchers for r in v.rows}
        for kind, balances in (
            ("#IB", book.opening_balances),
            ("#UB", book.closing_balances),
            ("#RES", book.results),
        ):
            used |= {(kind, b.account) for b in balances}
        missing = sorted(f"{where}: {account}" for where, account in used if account not in chart)
        assert not missing, f"accounts missing from the chart: {missing[:10]}"
        declared = {(o.dimension, o.number) for o in book.objects}
        dims = {d.number for d in book.dimensions}
        for o in book.objects:
            assert o.dimension in dims, f"object {o.number} of undeclared dimension {o.dimension}"
        for v in book.vouchers:
            for r in v.rows:
                for ref in r.objects:
                    assert (ref.dimension, ref.number) in declared, (
                        f"voucher {v.label} uses object {ref.dimension}/{ref.number}, "
                        "which the bookkeeping does not declare"
                    )

    @requires(Capability.IMPORT_BOOKKEEPING)
    def test_opening_balance_plus_movements_is_closing_balance(self, book: Bookkeeping) -> None:
        year = current_year(book)
        moved = movements(book, year)
        opening = {b.account: b.amount for b in book.opening_balances if b.year_index == 0}
        closing = {b.account: b.amount for b in book.closing_balances if b.year_index == 0}
        results = {b.account: b.amount for b in book.results if b.year_index == 0}
        problems = []
        for account, ub in closing.items():
            ib, moves = opening.get(account, ZERO), moved.get(account, ZERO)
            if ib + moves != ub:
                problems.append(f"{account}: IB {ib} + movements {moves} != UB {ub}")
        for account, res in results.items():
            if moved.get(account, ZERO) != res:
                problems.append(f"{account}: movements {moved.get(account, ZERO)} != RES {res}")
        if closing or results:
            unexplained = sorted(
                a for a, m in moved.items() if m != 0 and a not in closing and a not in results
            )
            problems += [f"{a}: moved {moved[a]} but has neither #UB nor #RES" for a in unexplained]
        assert not problems, "balances do not roll forward: " + "; ".join(problems[:10])

    @requires(Capability.IMPORT_BOOKKEEPING)
    def test_voucher_dates_are_inside_the_year(self, book: Bookkeeping) -> None:
        year = current_year(book)
        outside = [f"{v.label} ({v.date})" for v in book.vouchers if not year.contains(v.date)]
        assert not outside, f"vouchers outside {year.start}..{year.end}: {outside[:10]}"

    @requires(Capability.IMPORT_BOOKKEEPING)
    def test_year_selectors_agree(self, backend: AccountingBackend, book: Bookkeeping) -> None:
        year = current_year(book)
        for request in (
            BookkeepingRequest(year=year.end.year),
            BookkeepingRequest(on_date=year.start),
            BookkeepingRequest(year_index=0),
        ):
            other = backend.import_bookkeeping(request)
            chosen = current_year(other)
            assert (chosen.start, chosen.end) == (year.start, year.end), f"{request} chose {chosen}"
            assert Counter(map(content_key, other.vouchers)) == Counter(
                map(content_key, book.vouchers)
            ), f"{request} returned other vouchers than the default request"

    @requires(Capability.IMPORT_BOOKKEEPING)
    def test_import_matches_the_sample(self, book: Bookkeeping, sample: Bookkeeping) -> None:
        if sample.company.org_nr:
            assert book.company.org_nr == sample.company.org_nr
        chart = book.account_map()
        missing = [a.number for a in sample.accounts if a.number not in chart]
        assert not missing, f"accounts of the sample missing after import: {missing}"
        got, want = (
            Counter(map(content_key, book.vouchers)),
            Counter(map(content_key, sample.vouchers)),
        )
        assert got == want, (
            f"vouchers differ from the sample: missing {list((want - got).elements())[:3]}, "
            f"unexpected {list((got - want).elements())[:3]}"
        )
        for kind in ("opening_balances", "closing_balances"):
            expected = {
                (b.year_index, b.account): b.amount for b in getattr(sample, kind) if b.amount
            }
            actual = {(b.year_index, b.account): b.amount for b in getattr(book, kind) if b.amount}
            current = {k: v for k, v in expected.items() if k[0] == 0}
            assert {k: actual.get(k) for k in current} == current, f"{kind} differ from the sample"


def _check_history(history: SubledgerHistory, kind: str) -> None:
    assert isinstance(history, SubledgerHistory), f"not a SubledgerHistory: {type(history)}"
    assert history.kind == kind, f"asked for the {kind} history, got {history.kind!r}"
    numbers = Counter(d.number for d in history.documents)
    dupes = [n for n, c in numbers.items() if c > 1]
    assert not dupes, f"document numbers repeated: {dupes}"
    for d in history.documents:
        where = f"{kind} document {d.number}"
        assert d.kind == kind, f"{where} has kind {d.kind!r}"
        assert d.currency_rate > 0, f"{where} has currency rate {d.currency_rate}"
        if d.currency == "SEK":
            assert d.currency_rate == 1, f"{where}: SEK document with rate {d.currency_rate}"
        if d.due_date is not None and d.total > 0:
            assert d.due_date >= d.invoice_date, f"{where} is due before it was issued"
    unknown = [p.number for p in history.payments if p.document not in numbers]
    assert not unknown, f"{kind} payments for documents the history does not list: {unknown[:10]}"
    assert all(p.kind == kind for p in history.payments), f"a {kind} payment of another kind"


def _check_items(items: Sequence[SubledgerItem], kind: str, as_of: dt.date) -> None:
    numbers = Counter(i.number for i in items)
    dupes = [n for n, c in numbers.items() if c > 1]
    assert not dupes, f"invoice numbers repeated: {dupes}"
    for i in items:
        where = f"{kind} invoice {i.number}"
        assert isinstance(i, SubledgerItem)
        assert i.kind == kind, f"{where} has kind {i.kind!r}"
        assert i.invoice_date <= as_of, f"{where} is dated {i.invoice_date}, after {as_of}"
        assert i.balance != 0, f"{where} is listed as open but has nothing left to pay"
        assert i.balance == i.total - i.paid - i.written_off, f"{where}: balance does not add up"
        if i.currency == "SEK":
            assert (i.total_sek, i.balance_sek) == (i.total, i.balance), (
                f"{where}: SEK amounts differ"
            )
        else:
            # SEK amounts follow the rate, to the öre.
            expected = (i.total * i.currency_rate).quantize(Decimal("0.01"))
            assert abs(expected - i.total_sek) <= Decimal("0.01"), (
                f"{where}: total_sek {i.total_sek} is not {i.total} x {i.currency_rate}"
            )


Kind = Literal["customer", "supplier"]


class SubledgerTests(KitBase):
    """``import.subledger.*``: the history holds together, core's open items are consistent,
    and with the ledger they add up."""

    def _history(self, backend: AccountingBackend, kind: Kind, as_of: dt.date) -> SubledgerHistory:
        return backend.import_subledger_history(SubledgerRequest(kind=kind, as_of=as_of))

    def _consistent(self, backend: AccountingBackend, kind: Kind, as_of: dt.date) -> None:
        history = self._history(backend, kind, as_of)
        _check_history(history, kind)
        found = open_items(history, as_of)
        assert found.items, (
            f"no open {kind} invoices at {as_of}; the sample data has some, so point the "
            "`subledger_as_of` fixture at a date where invoices are open"
        )
        _check_items(found.items, kind, as_of)
        early = dt.date(1990, 1, 1)
        before = open_items(self._history(backend, kind, early), early).items
        assert before == (), f"{len(before)} {kind} invoices open on 1990-01-01, before any existed"

    def _reconciles(
        self,
        backend: AccountingBackend,
        capabilities: Capabilities,
        kind: Kind,
        as_of: dt.date,
    ) -> None:
        if Capability.IMPORT_BOOKKEEPING not in capabilities:
            pytest.skip("reconciling needs import.bookkeeping as well")
        book = backend.import_bookkeeping(BookkeepingRequest(on_date=as_of))
        year = current_year(book)
        if as_of != year.end:
            pytest.skip(f"subledger_as_of {as_of} is not the year end {year.end}")
        controls = backend.control_accounts(kind)
        if controls is not None:
            assert controls.kind == kind, f"control accounts of {controls.kind} for {kind}"
            assert all(a.isdigit() for a in controls.accounts), controls.accounts
        history = self._history(backend, kind, as_of)
        found = open_items(history, as_of)
        chosen = controls or next(r for r in DEFAULT_RANGES if r.kind == kind)
        line = reconcile_line(book, chosen, found, history, as_of)
        assert line.agrees, (
            f"open {kind} invoices at {as_of} sum to {line.subledger} SEK but the ledger's "
            f"control accounts {line.accounts} say {line.ledger}: "
            + "; ".join(c.text for c in line.causes[:5])
        )

    @requires(Capability.IMPORT_SUBLEDGER_CUSTOMER)
    def test_customer_subledger_is_consistent(
        self, backend: AccountingBackend, subledger_as_of: dt.date
    ) -> None:
        self._consistent(backend, "customer", subledger_as_of)

    @requires(Capability.IMPORT_SUBLEDGER_SUPPLIER)
    def test_supplier_subledger_is_consistent(
        self, backend: AccountingBackend, subledger_as_of: dt.date
    ) -> None:
        self._consistent(backend, "supplier", subledger_as_of)

    @requires(Capability.IMPORT_SUBLEDGER_CUSTOMER)
    def test_customer_subledger_reconciles_with_the_ledger(
        self, backend: AccountingBackend, capabilities: Capabilities, subledger_as_of: dt.date
    ) -> None:
        self._reconciles(backend, capabilities, "customer", subledger_as_of)

    @requires(Capability.IMPORT_SUBLEDGER_SUPPLIER)
    def test_supplier_subledger_reconciles_with_the_ledger(
        self, backend: AccountingBackend, capabilities: Capabilities, subledger_as_of: dt.date
    ) -> None:
        self._reconciles(backend, capabilities, "supplier", subledger_as_of)
