"""Core's reconciliation explains a difference by its causes, account by account: the golden
sample's ledger and subledgers, each test changing one thing an auditor meets at year-end."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ledgerlink_core.model import (
    AccountingYear,
    Bookkeeping,
    ControlAccounts,
    Counterparty,
    SubledgerDocument,
    SubledgerHistory,
    SubledgerPayment,
    Voucher,
    VoucherRef,
    VoucherRow,
)
from ledgerlink_core.openitems import open_items
from ledgerlink_core.reconcile import AccountRange, appendix_rows, reconcile
from ledgerlink_core.testing import small_company
from ledgerlink_core.testing.samples import sample_history

END = dt.date(2025, 12, 31)


def _voucher(series: str, number: str, day: dt.date, text: str, *rows: tuple[str, str]) -> Voucher:
    return Voucher(
        series=series,
        number=number,
        date=day,
        text=text,
        rows=tuple(VoucherRow(account=a, amount=Decimal(x)) for a, x in rows),
    )


def _with(book: Bookkeeping, *vouchers: Voucher) -> Bookkeeping:
    return book.model_copy(update={"vouchers": (*book.vouchers, *vouchers)})


def _line(book: Bookkeeping, history: SubledgerHistory, as_of: dt.date = END, **kw: Any) -> Any:
    found = open_items(history, as_of)
    report = reconcile("test", book, {history.kind: (found, history)}, as_of, **kw)
    return report.lines[0]


def _add(history: SubledgerHistory, *things: object) -> SubledgerHistory:
    docs = [t for t in things if isinstance(t, SubledgerDocument)]
    pays = [t for t in things if isinstance(t, SubledgerPayment)]
    return history.model_copy(
        update={
            "documents": (*history.documents, *docs),
            "payments": (*history.payments, *pays),
        }
    )


def _doc(
    number: str, day: dt.date, total: str, voucher: VoucherRef | None = None, **more: object
) -> SubledgerDocument:
    return SubledgerDocument.model_validate(
        {
            "kind": "customer",
            "number": number,
            "counterparty": Counterparty(number="9", name="Kund AB"),
            "invoice_date": day,
            "total": Decimal(total),
            "voucher": voucher,
            **more,
        }
    )


def test_the_sample_agrees_and_shows_the_bas_accounts_beside() -> None:
    line = _line(small_company(), sample_history("customer"))
    assert line.agrees and line.causes == () and line.unexplained == 0
    assert [a.account for a in line.per_account] == ["1510"]
    assert [(b.account, b.balance) for b in line.beside] == [("1518", 0), ("1519", 0)]


def test_a_manual_voucher_on_the_control_account_is_named() -> None:
    book = _with(
        small_company(),
        _voucher(
            "A", "54", dt.date(2025, 12, 20), "Rättelse", ("1510", "500.00"), ("3010", "-500.00")
        ),
    )
    line = _line(book, sample_history("customer"))
    assert line.difference == Decimal("500.00")
    (cause,) = line.causes
    assert (cause.cause, cause.reference, cause.amount, cause.account) == (
        "ledger_without_document",
        "A 54",
        Decimal("500.00"),
        "1510",
    )
    assert "Rättelse" in cause.text and line.unexplained == 0
    assert line.per_account[0].explained == Decimal("500.00")


def test_an_invoice_whose_voucher_the_ledger_lacks_is_named() -> None:
    history = _add(
        sample_history("customer"),
        _doc("2001", dt.date(2025, 12, 28), "800.00", VoucherRef(series="B", number="99")),
    )
    line = _line(small_company(), history)
    assert line.difference == Decimal("-800.00")
    (cause,) = line.causes
    assert cause.cause == "document_not_in_ledger" and cause.reference == "invoice 2001"
    assert "its voucher B 99" in cause.text and line.unexplained == 0


def test_payments_booked_on_another_date_are_named_both_ways() -> None:
    mid = dt.date(2025, 6, 30)
    book = _with(
        small_company(),
        _voucher(
            "B", "10", dt.date(2025, 5, 2), "Kundfaktura 2001", ("1510", "1000"), ("3010", "-1000")
        ),
        _voucher(
            "B", "11", dt.date(2025, 5, 3), "Kundfaktura 2002", ("1510", "700"), ("3010", "-700")
        ),
        # paid on 28 June by the subledger, booked on 2 July
        _voucher(
            "C", "5", dt.date(2025, 7, 2), "Inbetalning 2001", ("1930", "1000"), ("1510", "-1000")
        ),
        # paid on 1 July by the subledger, booked on 29 June
        _voucher(
            "C", "4", dt.date(2025, 6, 29), "Inbetalning 2002", ("1930", "700"), ("1510", "-700")
        ),
    )
    history = _add(
        sample_history("customer"),
        _doc("2001", dt.date(2025, 5, 2), "1000.00", VoucherRef(series="B", number="10")),
        _doc("2002", dt.date(2025, 5, 3), "700.00", VoucherRef(series="B", number="11")),
        SubledgerPayment(
            kind="customer",
            number="p1",
            document="2001",
            date=dt.date(2025, 6, 28),
            amount=Decimal(1000),
            voucher=VoucherRef(series="C", number="5"),
        ),
        # no voucher reference: found by its amount, on another date
        SubledgerPayment(
            kind="customer",
            number="p2",
            document="2002",
            date=dt.date(2025, 7, 1),
            amount=Decimal(700),
        ),
    )
    line = _line(book, history, mid)
    causes = {c.reference: c for c in line.causes}
    assert set(causes) == {"payment p1 of 2001", "payment p2 of 2002"}
    assert causes["payment p1 of 2001"].amount == Decimal("1000.00")
    assert causes["payment p2 of 2002"].amount == Decimal("-700.00")
    assert all(c.cause == "payment_date_differs" for c in causes.values())
    assert "C 5 dated 2025-07-02" in causes["payment p1 of 2001"].text
    assert line.difference == Decimal("300.00") and line.unexplained == 0


def test_what_no_cause_explains_is_unexplained() -> None:
    book = small_company()
    wrong = book.model_copy(
        update={
            "opening_balances": tuple(
                b.model_copy(update={"amount": b.amount + 25}) if b.account == "1510" else b
                for b in book.opening_balances
            )
        }
    )
    line = _line(wrong, sample_history("customer"))
    assert line.difference == Decimal("25.00") and line.causes == ()
    assert line.unexplained == Decimal("25.00")
    rows = [r for r in appendix_rows_for(wrong) if r.section == "unexplained"]
    assert [r.amount for r in rows] == [Decimal("25.00")]


def appendix_rows_for(book: Bookkeeping) -> list[Any]:
    history = sample_history("customer")
    found = open_items(history, END)
    return appendix_rows(reconcile("test", book, {"customer": (found, history)}, END))


def test_1518_is_beside_and_never_a_difference() -> None:
    book = _with(
        small_company(),
        _voucher(
            "A", "60", dt.date(2025, 12, 30), "Ej reskontraförd", ("1518", "900"), ("3010", "-900")
        ),
    )
    line = _line(book, sample_history("customer"))
    assert line.agrees
    assert (line.beside[0].account, line.beside[0].balance) == ("1518", Decimal("900.00"))
    assert "not in the subledger by BAS" in line.beside[0].note


def test_the_backend_s_control_account_is_counted_alone() -> None:
    book = _with(
        small_company(),
        _voucher("A", "61", dt.date(2025, 12, 30), "Belånade", ("1512", "300"), ("3010", "-300")),
    )
    controls = {"customer": ControlAccounts(kind="customer", accounts=("1510",), source="x")}
    line = _line(book, sample_history("customer"), controls=controls)
    assert line.agrees and line.accounts == "1510" and line.accounts_source == "x"
    assert [(b.account, b.balance) for b in line.beside if b.account == "1512"] == [
        ("1512", Decimal("300.00"))
    ]
    # BAS counts 1510-1517: the same voucher is then a difference with a named cause
    bas = _line(book, sample_history("customer"))
    assert [c.reference for c in bas.causes] == ["A 61"] and bas.difference == Decimal("300.00")


def test_cash_method_items_are_to_be_booked_not_a_difference() -> None:
    cash = (AccountingYear(start=dt.date(2025, 1, 1), end=END, method="cash"),)
    history = SubledgerHistory(
        kind="customer",
        documents=(
            _doc("3001", dt.date(2025, 12, 5), "4000.00", booked=False),
            # booked when paid, after the date: not in the ledger at the date either
            _doc("3002", dt.date(2025, 12, 9), "1500.00", VoucherRef(series="C", number="70")),
        ),
        payments=(
            SubledgerPayment(
                kind="customer",
                number="1",
                document="3002",
                date=dt.date(2026, 1, 9),
                amount=Decimal(1500),
            ),
        ),
        years=cash,
    )
    book = small_company()
    no_claims = book.model_copy(
        update={
            "vouchers": tuple(
                v for v in book.vouchers if not any(r.account == "1510" for r in v.rows)
            ),
            "opening_balances": tuple(b for b in book.opening_balances if b.account != "1510"),
        }
    )
    line = _line(no_claims, history)
    assert line.method == "cash" and line.agrees
    assert [t.number for t in line.to_book] == ["3001", "3002"]
    assert line.to_book_total == Decimal("5500.00") and line.subledger == 0


def test_closing_rates_give_the_unrealised_difference_per_currency() -> None:
    line = _line(small_company(), sample_history("customer"), rates={"EUR": Decimal("11.8")})
    (eur,) = line.revaluation
    assert (eur.balance, eur.booked_sek, eur.closing_sek, eur.difference) == (
        Decimal("1000.00"),
        Decimal("11500.00"),
        Decimal("11800.00"),
        Decimal("300.00"),
    )
    assert eur.effect == "gain"  # a claim in EUR worth more in SEK


def test_the_specification_lists_every_counted_item_with_its_age() -> None:
    history = sample_history("customer")
    line = _line(small_company(), history)
    assert sum((o.balance_sek for o in line.specification), Decimal(0)) == line.subledger
    assert {o.account for o in line.specification} == {"1510"}
    by_number = {o.number: o for o in line.specification}
    # 1003 was due 2025-12-15: 16 days overdue at the year end; 1004 due on the date itself
    assert by_number["1003"].overdue_days == 16 and by_number["1004"].overdue_days == 0
    aging = {g.label: (g.items, g.balance_sek) for g in line.aging}
    assert aging["1-30 days overdue"] == (1, Decimal("11500.00"))
    assert aging["not due"] == (1, Decimal("6250.00"))
    assert sum((g.balance_sek for g in line.aging), Decimal(0)) == line.subledger
    rows = appendix_rows_for(small_company())
    assert [r.reference for r in rows if r.section == "open_item"] == ["1003", "1004"]


def test_a_foreign_debt_worth_more_at_the_closing_rate_is_a_loss() -> None:
    history = SubledgerHistory(
        kind="supplier",
        documents=(
            SubledgerDocument(
                kind="supplier",
                number="77",
                counterparty=Counterparty(number="5", name="GmbH"),
                invoice_date=dt.date(2025, 12, 1),
                total=Decimal("200.00"),
                currency="EUR",
                currency_rate=Decimal("11.40"),
            ),
        ),
    )
    line = _line(small_company(), history, rates={"EUR": Decimal("11.50")})
    (eur,) = line.revaluation
    assert (eur.difference, eur.effect) == (Decimal("20.00"), "loss")


def test_customer_credit_balances_are_summed_apart() -> None:
    history = _add(
        sample_history("customer"),
        _doc("2101", dt.date(2025, 12, 20), "-900.00", VoucherRef(series="B", number="98")),
    )
    book = _with(
        small_company(),
        _voucher(
            "B", "98", dt.date(2025, 12, 20), "Kreditfaktura", ("3010", "900"), ("1510", "-900")
        ),
    )
    line = _line(book, history)
    assert line.agrees
    assert (line.contra_items, line.contra_total) == (1, Decimal("-900.00"))
    rows = [
        r
        for r in appendix_rows(
            reconcile("t", book, {"customer": (open_items(history, END), history)}, END)
        )
        if r.section == "contra_balance"
    ]
    assert [r.amount for r in rows] == [Decimal("-900.00")]


def test_accounts_chosen_outside_the_bas_group_are_counted() -> None:
    book = _with(
        small_company(),
        _voucher("A", "62", dt.date(2025, 12, 30), "Fordran", ("1580", "100"), ("3010", "-100")),
    )
    line = _line(
        book,
        sample_history("customer"),
        controls={"customer": AccountRange(kind="customer", first="1510", last="1589")},
    )
    assert line.difference == Decimal("100.00")
    assert [(a.account, a.ledger) for a in line.per_account][-1] == ("1580", Decimal("100.00"))
    assert [c.reference for c in line.causes] == ["A 62"]


def test_a_zero_balance_is_never_minus_zero() -> None:
    line = _line(small_company(), sample_history("supplier"))
    assert all(str(b.balance) == "0.00" for b in line.beside)
