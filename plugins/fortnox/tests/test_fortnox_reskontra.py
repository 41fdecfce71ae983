"""The reskontra at the closing date over TCP against the emulator: a table of the cases that
give different answers under different models of credit notes, write-offs, currencies and the
cash method, each with the open amount at D that Fortnox's documented model gives.

The emulator models credit notes as Fortnox documents them (no offset function: both
documents are settled by payments, dated when the offset was registered), write-offs in full
payment objects only, foreign payments without ``AmountCurrency`` in list items, and customer
invoice rates as strings (``invoice_list_rate_as_text``, as recorded from Fortnox).
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fortnox_testkit import backend_for, stored_login
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledgerlink_core.backend import SubledgerRequest
from ledgerlink_core.errors import InputError
from ledgerlink_core.openitems import open_items
from ledgerlink_core.tokens import MemoryTokenStore
from ledgerlink_fortnox_emulator.state import InvoiceRec, PaymentRec, WriteOffRec


@dataclass(frozen=True)
class Pay:
    """A payment ``days`` after the closing date (negative: before), in the invoice currency."""

    days: int
    amount: str
    write_off: str = "0"
    rate: str | None = None
    """The payment's own SEK rate (foreign invoices); None: the invoice's."""


@dataclass(frozen=True)
class Doc:
    days: int
    total: str
    currency: str = "SEK"
    rate: str = "1"
    credits: str | None = None
    """For a credit note: the key of the scenario document it credits."""
    payments: tuple[Pay, ...] = ()
    booked: bool = True


@dataclass(frozen=True)
class Scenario:
    name: str
    docs: dict[str, Doc]
    expected: dict[str, str | None]
    """Per document key, its open balance at D in its currency (None: not open)."""
    expected_sek: dict[str, str] = field(default_factory=dict)


SCENARIOS = [
    Scenario(
        "credited before D",
        {
            "inv": Doc(-40, "1000.00", payments=(Pay(-20, "1000.00"),)),
            "cn": Doc(-20, "-1000.00", credits="inv", payments=(Pay(-20, "-1000.00"),)),
        },
        {"inv": None, "cn": None},
    ),
    Scenario(
        "credited after D",
        {
            "inv": Doc(-40, "1000.00", payments=(Pay(10, "1000.00"),)),
            "cn": Doc(10, "-1000.00", credits="inv", payments=(Pay(10, "-1000.00"),)),
        },
        {"inv": "1000.00", "cn": None},
    ),
    Scenario(
        "paid before D and credited after it",
        {
            "inv": Doc(-40, "1000.00", payments=(Pay(-10, "1000.00"),)),
            # the credit after payment is a debt to the customer, refunded later
            "cn": Doc(15, "-1000.00", credits="inv", payments=(Pay(20, "-1000.00"),)),
        },
        {"inv": None, "cn": None},
    ),
    Scenario(
        "partly paid, the rest paid with a write-off after D",
        {"inv": Doc(-30, "1000.00", payments=(Pay(-5, "400.00"), Pay(5, "590.00", "10.00")))},
        {"inv": "600.00"},
    ),
    Scenario(
        "paid with a write-off before D",
        {"inv": Doc(-30, "1000.00", payments=(Pay(-3, "995.00", "5.00"),))},
        {"inv": None},
    ),
    Scenario(
        "a partial credit before D",
        {
            "inv": Doc(-30, "1000.00", payments=(Pay(-10, "300.00"),)),
            "cn": Doc(-10, "-300.00", credits="inv", payments=(Pay(-10, "-300.00"),)),
        },
        {"inv": "700.00", "cn": None},
    ),
    Scenario(
        "a credit note not yet settled at D",
        {"inv": Doc(-30, "800.00"), "cn": Doc(-5, "-250.00", credits="inv")},
        {"inv": "800.00", "cn": "-250.00"},
    ),
    Scenario(
        "a EUR invoice paid after D",
        {"inv": Doc(-20, "100.00", "EUR", "11.50", payments=(Pay(10, "100.00", rate="11.20"),))},
        {"inv": "100.00"},
        {"inv": "1150.00"},
    ),
    Scenario(
        "a EUR invoice partly paid before D at another rate",
        {"inv": Doc(-20, "200.00", "EUR", "11.50", payments=(Pay(-5, "50.00", rate="11.3"),))},
        {"inv": "150.00"},
        {"inv": "1725.00"},
    ),
]


class _Numbers:
    """Fresh document and payment numbers above what the emulator generated."""

    def __init__(self, state: Any, kind: str) -> None:
        self.docs = itertools.count(max((int(n) for n in state.invoices[kind]), default=0) + 1)
        self.payments = itertools.count(
            max((p.number for p in state.payments[kind]), default=0) + 1
        )


def _add(state: Any, kind: str, close: dt.date, scenario: Scenario) -> dict[str, str]:
    """Put a scenario's documents and payments into the emulator; key -> document number."""
    numbers = _Numbers(state, kind)
    placed: dict[str, str] = {}
    for key, doc in scenario.docs.items():
        number = str(next(numbers.docs))
        placed[key] = number
        day = close + dt.timedelta(days=doc.days)
        rec = InvoiceRec(
            kind,  # type: ignore[arg-type]
            number,
            "900",
            f"Scenario {scenario.name}",
            day,
            day + dt.timedelta(days=30),
            Decimal(doc.total),
            currency=doc.currency,
            currency_rate=Decimal(doc.rate),
            booked=doc.booked,
            credit=Decimal(doc.total) < 0,
            credit_reference=placed[doc.credits] if doc.credits else "",
        )
        state.add_invoice(rec)
        for pay in doc.payments:
            off = Decimal(pay.write_off)
            state.add_payment(
                PaymentRec(
                    kind,  # type: ignore[arg-type]
                    next(numbers.payments),
                    number,
                    close + dt.timedelta(days=pay.days),
                    Decimal(pay.amount),
                    currency=doc.currency,
                    currency_rate=Decimal(pay.rate or doc.rate),
                    write_offs=[WriteOffRec(off, 6570, "Bankavgift")] if off else [],
                )
            )
    return placed


def _backend(emu: Any, tmp_path: Path) -> Any:
    store = MemoryTokenStore()
    stored_login(emu, store)
    return backend_for(emu, store, tmp_path)


@pytest.mark.parametrize("kind", ["customer", "supplier"])
def test_the_open_amount_at_the_closing_date_in_every_scenario(
    emulator_factory: Any, tmp_path: Path, kind: str
) -> None:
    emu = emulator_factory(invoice_list_rate_as_text=True)
    close = emu.state.default_year().end
    placed = {s.name: _add(emu.state, kind, close, s) for s in SCENARIOS}
    with _backend(emu, tmp_path) as backend:
        request = SubledgerRequest(kind=kind, as_of=close)  # type: ignore[arg-type]
        found = open_items(backend.import_subledger_history(request), close)
    items = {i.number: i for i in found.items}
    problems = []
    for scenario in SCENARIOS:
        for key, want in scenario.expected.items():
            number = placed[scenario.name][key]
            got = items.get(number)
            if (got.balance if got else None) != (Decimal(want) if want else None):
                problems.append(f"{scenario.name} / {key}: want {want}, got {got and got.balance}")
            elif (
                got is not None
                and key in scenario.expected_sek
                and got.balance_sek != Decimal(scenario.expected_sek[key])
            ):
                problems.append(f"{scenario.name} / {key}: SEK {got.balance_sek}")
    assert not problems, "\n".join(problems)
    credit = items[placed["a credit note not yet settled at D"]["cn"]]
    assert credit.credit and credit.balance_sek == Decimal("-250.00")
    written = items[placed["partly paid, the rest paid with a write-off after D"]["inv"]]
    assert (written.paid, written.written_off) == (Decimal("400.00"), Decimal(0))


@pytest.mark.parametrize("kind", ["customer", "supplier"])
def test_a_cash_method_invoice_unpaid_at_the_date_is_to_be_booked(
    emulator_factory: Any, tmp_path: Path, kind: str
) -> None:
    emu = emulator_factory(cash_method=True)
    close = emu.state.default_year().end
    unpaid = Scenario(
        "cash, unpaid at D", {"inv": Doc(-10, "2500.00", booked=False)}, {"inv": "2500.00"}
    )
    # paid after D: Fortnox books it then, so today it is booked; at D it was not
    later = Scenario(
        "cash, paid after D",
        {"inv": Doc(-12, "900.00", payments=(Pay(8, "900.00"),))},
        {"inv": "900.00"},
    )
    a = _add(emu.state, kind, close, unpaid)["inv"]
    b = _add(emu.state, kind, close, later)["inv"]
    with _backend(emu, tmp_path) as backend:
        request = SubledgerRequest(kind=kind, as_of=close)  # type: ignore[arg-type]
        found = open_items(backend.import_subledger_history(request), close)
    assert found.method == "cash"
    items = {i.number: i for i in found.items}
    assert (items[a].balance, items[a].booked) == (Decimal("2500.00"), False)
    assert (items[b].balance, items[b].booked) == (Decimal("900.00"), False)
    assert not any(i.booked for i in found.items)


def test_a_cash_invoice_is_settled_when_issued(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory()
    close = emu.state.default_year().end
    number = str(max(int(n) for n in emu.state.invoices["customer"]) + 1)
    emu.state.add_invoice(
        InvoiceRec(
            "customer",
            number,
            "900",
            "Kontantkund",
            close - dt.timedelta(days=3),
            close - dt.timedelta(days=3),
            Decimal("375.00"),
            invoice_type="CASHINVOICE",
        )
    )
    with _backend(emu, tmp_path) as backend:
        request = SubledgerRequest(kind="customer", as_of=close)
        history = backend.import_subledger_history(request)
    assert number not in {d.number for d in history.documents}
    assert number not in {i.number for i in open_items(history, close).items}


def test_write_off_details_are_read_only_where_the_list_says_so(
    emulator_factory: Any, tmp_path: Path
) -> None:
    emu = emulator_factory(write_off_share=0.3, customer_invoices=200, payments_after_close=40)
    close = emu.state.default_year().end
    state = emu.state
    with _backend(emu, tmp_path) as backend:
        request = SubledgerRequest(kind="customer", as_of=close)
        found = open_items(backend.import_subledger_history(request), close)
    details = [r.path for r in state.request_log if re.fullmatch(r"/3/invoicepayments/\d+", r.path)]
    # EUR is worth more than a krona: its list items give the amount exactly, no reads
    expected = sorted(
        f"/3/invoicepayments/{p.number}"
        for p in state.payments["customer"]
        if p.write_offs and p.date <= close
    )
    assert expected, "the data must have write-offs before the date"
    assert any(p.write_offs and p.date > close for p in state.payments["customer"])
    assert sorted(details) == expected
    listing = [r for r in state.request_log if r.path in ("/3/invoices", "/3/invoicepayments")]
    pages = -(-len(state.invoices["customer"]) // 500) + -(-len(state.payments["customer"]) // 500)
    assert len(listing) == pages
    assert [r.path for r in state.request_log if r.path.startswith("/3/financialyears")] == [
        "/3/financialyears"
    ]
    # and the balances are the emulator's own account of them
    truth = {
        inv.number: state.invoice_balance(inv, at=close)
        for inv in state.invoices["customer"].values()
        if inv.invoice_date <= close and not inv.cancelled and inv.booked
    }
    assert {i.number: i.balance for i in found.items} == {n: b for n, b in truth.items() if b}


def test_a_payment_for_an_unknown_invoice_is_named(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory()
    close = emu.state.default_year().end
    emu.state.add_payment(PaymentRec("customer", 99999, "424242", close, Decimal("10.00")))
    with _backend(emu, tmp_path) as backend:
        history = backend.import_subledger_history(SubledgerRequest(kind="customer", as_of=close))
    with pytest.raises(InputError, match=r"customer payment 99999 .* document 424242"):
        open_items(history, close)


def test_predefined_accounts_name_the_control_accounts(
    emulator_factory: Any, tmp_path: Path
) -> None:
    emu = emulator_factory(predefined_accounts={"CUSTCLAIM": 1511, "SUPDEBT": 2441})
    with _backend(emu, tmp_path) as backend:
        customer = backend.control_accounts("customer")
        supplier = backend.control_accounts("supplier")
    assert customer is not None and customer.accounts == ("1511",)
    assert supplier is not None and supplier.accounts == ("2441",)
    assert "CUSTCLAIM" in customer.source


def test_without_the_settings_scope_reconcile_falls_back_to_bas(
    emulator_factory: Any, tmp_path: Path
) -> None:
    from ledgerlink_fortnox_emulator import ALL_SCOPES

    emu = emulator_factory()
    store = MemoryTokenStore()
    stored_login(emu, store, scopes=" ".join(sorted(ALL_SCOPES - {"settings"})))
    with backend_for(emu, store, tmp_path) as backend:
        assert backend.control_accounts("customer") is None


# --- a property: Fortnox's answers through core's rule are a replay of the tenant's history ---


@st.composite
def _tenant_histories(draw: st.DrawFn) -> list[tuple[Doc, str | None]]:
    amounts = st.integers(min_value=1, max_value=500_000).map(lambda c: f"{Decimal(c) / 100:.2f}")
    out: list[tuple[Doc, str | None]] = []
    for n in range(draw(st.integers(min_value=1, max_value=8))):
        sign = -1 if n and draw(st.integers(0, 3)) == 0 else 1
        total = Decimal(draw(amounts)) * sign
        currency, rate = draw(st.sampled_from([("SEK", "1"), ("EUR", "11.50")]))
        pays = tuple(
            Pay(
                draw(st.integers(-60, 60)),
                f"{Decimal(draw(amounts)) * sign:.2f}",
                draw(st.sampled_from(["0", "0", "0.37", "12.00"])),
                rate=draw(st.sampled_from([None, "11.20", "10.95"])) if currency == "EUR" else None,
            )
            for _ in range(draw(st.integers(0, 3)))
        )
        doc = Doc(draw(st.integers(-90, 60)), f"{total:.2f}", currency, rate, payments=pays)
        out.append((doc, "d0" if sign < 0 else None))
    return out


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_tenant_histories(), st.sampled_from(["customer", "supplier"]))
def test_the_reconstruction_is_a_replay_of_the_tenant(
    tenant: Any, tmp_path: Path, history: list[tuple[Doc, str | None]], kind: str
) -> None:
    emu, backend = tenant
    state = emu.state
    state.clear_subledger(kind)
    close = state.default_year().end
    docs = {
        f"d{i}": doc if credits is None or i == 0 else _credit(doc, credits)
        for i, (doc, credits) in enumerate(history)
    }
    _add(state, kind, close, Scenario("random", docs, {}))
    request = SubledgerRequest(kind=kind, as_of=close)  # type: ignore[arg-type]
    found = open_items(backend.import_subledger_history(request), close)
    # the replay: every event of the tenant, in date order, up to the closing date
    balances: dict[str, Decimal] = {}
    for inv in state.invoices[kind].values():
        if inv.invoice_date <= close:
            balances[inv.number] = inv.total
    for p in sorted(state.payments[kind], key=lambda p: p.date):
        if p.date <= close and p.invoice_number in balances:
            balances[p.invoice_number] -= p.amount + sum(
                (w.amount for w in p.write_offs), Decimal(0)
            )
    assert {i.number: i.balance for i in found.items} == {n: b for n, b in balances.items() if b}


def _credit(doc: Doc, credits: str) -> Doc:
    return Doc(doc.days, doc.total, doc.currency, doc.rate, credits, doc.payments)


@pytest.fixture
def tenant(emulator_factory: Any, tmp_path: Path) -> Any:
    """One emulator (no rate limit to wait for) and a backend on it, for many examples."""
    emu = emulator_factory(rate_limit_requests=100_000, invoice_list_rate_as_text=True)
    store = MemoryTokenStore()
    stored_login(emu, store)
    with backend_for(emu, store, tmp_path, rate_limit_requests=100_000) as backend:
        yield emu, backend


def test_reconcile_lists_cash_method_invoices_as_to_be_booked(
    emulator_factory: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    import json

    from test_export import apply_env, workspace

    emu = emulator_factory(cash_method=True, customer_invoices=150, supplier_invoices=80)
    apply_env(workspace(emu, tmp_path / "home"), monkeypatch)
    close = emu.state.default_year().end
    result = run_cli("reconcile", "--from", "fortnox", "--date", close.isoformat(), "--json")
    assert result.exit_code == 0, result.stdout + result.stderr
    for line in json.loads(result.stdout)["lines"]:
        kind = line["kind"]
        # the generated cash-method invoices open at D: unbooked then (some are booked today,
        # on their payment after D), none on the control account
        cash = {
            inv.number
            for inv in emu.state.invoices[kind].values()
            if inv.invoice_date <= close
            and emu.state.year_of(inv.invoice_date) == emu.state.default_year()
            and (inv.voucher is None or inv.voucher[0] in ("C", "E"))
            and emu.state.invoice_balance(inv, at=close) != 0
        }
        assert cash, "the data must have cash-method invoices open at the date"
        assert {t["number"] for t in line["to_book"]} == cash
        assert Decimal(line["to_book_total"]) > 0 and line["method"] == "cash"
        assert line["agrees"] and line["causes"] == []


def test_a_date_outside_every_fiscal_year_is_one_line(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    from test_export import apply_env, workspace

    apply_env(workspace(emulator, tmp_path / "home"), monkeypatch)
    result = run_cli("ledgers", "--from", "fortnox", "--date", "2031-06-30")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: 2031-06-30 is outside every fiscal year of fortnox (")
    assert result.stderr.count("\n") == 1


def test_a_payment_for_an_unknown_invoice_is_one_line_with_exit_2(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    from test_export import apply_env, workspace

    apply_env(workspace(emulator, tmp_path / "home"), monkeypatch)
    close = emulator.state.default_year().end
    emulator.state.add_payment(PaymentRec("supplier", 88888, "31337", close, Decimal("5.00")))
    for command in ("ledgers", "reconcile"):
        result = run_cli(command, "--from", "fortnox", "--date", close.isoformat())
        assert result.exit_code == 2, result.stderr
        assert result.stderr == (
            f"error: supplier payment 88888 ({close}, 5.00) is for document 31337, which the "
            "supplier subledger does not have\n"
        )
