"""Core's as-of rule: for random invoice histories (credit notes, partial payments, refunds,
write-offs, payments before and after the date, cancelled and unbooked documents, cash-method
years) the open items equal a direct replay of the history, day by day, up to the date."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ledgerlink_core.errors import InputError
from ledgerlink_core.model import (
    AccountingYear,
    Counterparty,
    SubledgerDocument,
    SubledgerHistory,
    SubledgerPayment,
    WriteOff,
)
from ledgerlink_core.openitems import open_items

START = dt.date(2025, 1, 1)
YEARS = (
    AccountingYear(start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)),
    AccountingYear(start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31)),
)
cents = st.integers(min_value=-500_000, max_value=2_000_000).map(lambda c: Decimal(c) / 100)
days = st.integers(min_value=-400, max_value=500)


@st.composite
def histories(draw: st.DrawFn) -> tuple[SubledgerHistory, dt.date]:
    kind = draw(st.sampled_from(["customer", "supplier"]))
    documents, payments = [], []
    for n in range(draw(st.integers(min_value=0, max_value=12))):
        total = draw(cents.filter(lambda c: c != 0))
        currency, rate = draw(
            st.sampled_from(
                [("SEK", Decimal(1)), ("EUR", Decimal("11.37")), ("USD", Decimal("9.8"))]
            )
        )
        documents.append(
            SubledgerDocument(
                kind=kind,
                number=str(1000 + n),
                counterparty=Counterparty(number=str(n % 3)),
                invoice_date=START + dt.timedelta(days=draw(days)),
                total=total,
                currency=currency,
                currency_rate=rate,
                booked=draw(st.booleans()) or draw(st.booleans()),
                cancelled=draw(st.integers(0, 9)) == 0,
            )
        )
        for p in range(draw(st.integers(min_value=0, max_value=4))):
            offs = draw(st.lists(cents, max_size=2))
            payments.append(
                SubledgerPayment(
                    kind=kind,
                    number=f"{n}-{p}",
                    document=str(1000 + n),
                    date=START + dt.timedelta(days=draw(days)),
                    amount=draw(cents),
                    write_offs=tuple(WriteOff(amount=o) for o in offs),
                )
            )
    cash = draw(st.booleans())
    years = tuple(y.model_copy(update={"method": "cash"}) if cash else y for y in YEARS)
    history = SubledgerHistory(
        kind=kind,
        documents=tuple(documents),
        payments=tuple(draw(st.permutations(payments))),
        years=years if draw(st.booleans()) else (),
    )
    return history, START + dt.timedelta(days=draw(days))


def replay(history: SubledgerHistory, as_of: dt.date) -> dict[str, Decimal]:
    """Walk the calendar up to ``as_of``: a document appears on its date, every payment and
    write-off lowers it on its own date; what is left on the evening of ``as_of`` is open."""
    events: list[tuple[dt.date, int, str, Decimal]] = []
    for d in history.documents:
        events.append((d.invoice_date, 0, d.number, d.total))
    for p in history.payments:
        settled = p.amount + sum((w.amount for w in p.write_offs), Decimal(0))
        events.append((p.date, 1, p.document, -settled))
    ledger: dict[str, Decimal] = {}
    for day, _, number, change in sorted(events, key=lambda e: (e[0], e[1])):
        if day > as_of:
            break
        ledger[number] = ledger.get(number, Decimal(0)) + change
    documents = {d.number: d for d in history.documents}
    year = next((y for y in history.years if y.contains(as_of)), None)
    cash = year is not None and year.method == "cash"
    return {
        n: b
        for n, b in ledger.items()
        if b != 0
        and documents[n].invoice_date <= as_of
        and not documents[n].cancelled
        and (documents[n].booked or cash)
    }


@settings(max_examples=300, deadline=None)
@given(histories())
def test_the_open_items_are_a_replay_of_the_history(case: tuple[SubledgerHistory, dt.date]) -> None:
    history, as_of = case
    found = open_items(history, as_of)
    assert {i.number: i.balance for i in found.items} == replay(history, as_of)
    cash = found.method == "cash"
    for item in found.items:
        assert item.booked is not cash
        assert item.balance == item.total - item.paid - item.written_off
        # öre rounding half up (away from zero), as Swedish amounts are rounded
        sek = (item.balance * item.currency_rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert item.balance_sek == sek
    # nothing silently dropped: an unbooked document of an accrual year with something open
    # is listed as left out
    left = {o.number for o in found.left_out}
    for d in history.documents:
        if d.invoice_date <= as_of and not d.booked and not d.cancelled and not cash:
            assert d.number in left


def _doc(number: str, total: str, day: dt.date, **more: object) -> SubledgerDocument:
    return SubledgerDocument.model_validate(
        {
            "kind": "customer",
            "number": number,
            "counterparty": {"number": "1", "name": "Kund AB"},
            "invoice_date": day,
            "total": Decimal(total),
            **more,
        }
    )


def test_a_payment_for_an_unknown_document_is_named() -> None:
    history = SubledgerHistory(
        kind="customer",
        documents=(_doc("1", "100", START),),
        payments=(
            SubledgerPayment(
                kind="customer", number="77", document="2", date=START, amount=Decimal(5)
            ),
        ),
    )
    with pytest.raises(InputError) as caught:
        open_items(history, START)
    assert str(caught.value) == (
        "customer payment 77 (2025-01-01, 5.00) is for document 2, which the customer subledger "
        "does not have"
    )


def test_a_document_listed_twice_is_named() -> None:
    doc = _doc("1", "100", START)
    with pytest.raises(InputError, match="customer invoice 1 is listed twice"):
        open_items(SubledgerHistory(kind="customer", documents=(doc, doc)), START)


def test_what_cannot_be_placed_is_reported() -> None:
    history = SubledgerHistory(
        kind="customer",
        documents=(
            _doc("1", "100", START, booked=False),
            _doc("2", "200", dt.date(2019, 5, 1), booked=False),
            _doc("3", "300", START, cancelled=True),
            _doc("4", "400", START, cancelled=True),
        ),
        payments=(
            SubledgerPayment(
                kind="customer", number="9", document="4", date=START, amount=Decimal(400)
            ),
        ),
        years=YEARS,
    )
    found = open_items(history, dt.date(2025, 6, 30))
    assert found.items == ()
    assert {o.number: o.reason for o in found.left_out} == {
        "1": "not booked in the ledger (accrual method): book it or cancel it",
        "2": "not booked, and dated outside every fiscal year of the backend",
        "4": "cancelled, but it has payments up to the date",
    }
