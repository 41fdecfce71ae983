"""Customer and supplier invoices and payments: shapes, filters, paging, and agreement with the
general ledger at the closing date (or a configured, known difference)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import httpx
import pytest
from emulator_helpers import bearer
from ledgerlink_core.sie import read_sie
from ledgerlink_fortnox_emulator import RunningEmulator

EmulatorFactory = Callable[..., RunningEmulator]
CLOSE = dt.date(2025, 12, 31)
SIDES = {
    "customer": (
        "invoices",
        "Invoices",
        "Invoice",
        "DocumentNumber",
        "invoicepayments",
        "InvoicePayments",
        "CreditInvoiceReference",
        range(1510, 1520),
        1,
    ),
    "supplier": (
        "supplierinvoices",
        "SupplierInvoices",
        "SupplierInvoice",
        "GivenNumber",
        "supplierinvoicepayments",
        "SupplierInvoicePayments",
        "CreditReference",
        range(2440, 2450),
        -1,
    ),
}


def _all(api: httpx.Client, path: str, key: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        body = api.get(f"/{path}", params={**params, "limit": 500, "page": page}).json()
        items += body[key]
        if body["MetaInformation"]["@CurrentPage"] >= body["MetaInformation"]["@TotalPages"]:
            return items
        page += 1


def _open_at(api: httpx.Client, kind: str, at: dt.date) -> Decimal:
    """The subledger at ``at`` in SEK, replayed from the API as Fortnox documents it: each
    document's total less the payments and write-offs dated up to ``at`` (credit notes are
    documents of their own, settled only by payments)."""
    path, key, _, number, pay_path, pay_key, _, _, _ = SIDES[kind]
    settled: dict[str, Decimal] = {}
    for p in _all(api, pay_path, pay_key):
        assert "AmountCurrency" not in p and "WriteOffs" not in p  # full objects only
        if dt.date.fromisoformat(p["PaymentDate"]) > at:
            continue
        value = Decimal(str(p["Amount"]))
        if p["WriteOffExist"] or p["Currency"] != "SEK":
            full = next(iter(api.get(f"/{pay_path}/{p['Number']}").json().values()))
            assert bool(full["WriteOffs"]) == p["WriteOffExist"]
            value = Decimal(str(full["AmountCurrency"])) + sum(
                (Decimal(str(w["Amount"])) for w in full["WriteOffs"]), Decimal(0)
            )
        ref = str(p["InvoiceNumber"])
        settled[ref] = settled.get(ref, Decimal(0)) + value
    total = Decimal(0)
    for inv in _all(api, path, key, todate=at.isoformat()):
        if not inv["Booked"] or inv.get("Cancelled") or inv.get("Cancel"):
            continue
        balance = Decimal(str(inv["Total"])) - settled.get(str(inv[number]), Decimal(0))
        total += (balance * Decimal(str(inv["CurrencyRate"]))).quantize(Decimal("0.01"))
    return total


def _ledger_at_close(api: httpx.Client, kind: str) -> Decimal:
    """The control accounts' closing balance in the SIE export (liabilities made positive)."""
    accounts, sign = SIDES[kind][7], SIDES[kind][8]
    book = read_sie(api.get("/sie/4").content).bookkeeping
    return sign * sum(
        (
            b.amount
            for b in book.closing_balances
            if b.year_index == 0 and int(b.account) in accounts
        ),
        Decimal(0),
    )


@pytest.mark.parametrize("kind", ["customer", "supplier"])
def test_subledger_agrees_with_the_ledger_at_the_closing_date(
    small_emulator_factory: EmulatorFactory, kind: str
) -> None:
    emu = small_emulator_factory(
        customer_invoices=120,
        supplier_invoices=120,
        payments_after_close=40,
        seed=7,
        rate_limit_requests=1000,  # one GET per late payment, for its AmountCurrency
    )
    with bearer(emu) as api:
        assert _open_at(api, kind, CLOSE) == _ledger_at_close(api, kind)
        # Today's balances are not the closing date's: later payments and credits moved them.
        path, key = SIDES[kind][0], SIDES[kind][1]
        today = sum(
            Decimal(str(i["Balance"])) * Decimal(str(i["CurrencyRate"]))
            for i in _all(api, path, key, todate=CLOSE.isoformat())
        )
        assert today < _ledger_at_close(api, kind)


def test_payments_after_the_closing_date(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(customer_invoices=60, payments_after_close=25, seed=3)
    with bearer(emu) as api:
        late = [
            p
            for p in _all(api, "invoicepayments", "InvoicePayments")
            if dt.date.fromisoformat(p["PaymentDate"]) > CLOSE
        ]
        # and the pair of payments settling the credit note made after the closing date
        assert len(late) == 25 + 2


def test_known_skew_is_exactly_the_difference(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(subledger_skew={"customer": Decimal("123.45")})
    with bearer(emu) as api:
        assert _open_at(api, "customer", CLOSE) - _ledger_at_close(api, "customer") == Decimal(
            "123.45"
        )
        assert _open_at(api, "supplier", CLOSE) == _ledger_at_close(api, "supplier")


def test_filters(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(customer_invoices=80, payments_after_close=10, seed=5)
    with bearer(emu) as api:
        everything = _all(api, "invoices", "Invoices")
        unpaid = _all(api, "invoices", "Invoices", filter="unpaid")
        fully = _all(api, "invoices", "Invoices", filter="fullypaid")
        unbooked = _all(api, "invoices", "Invoices", filter="unbooked")
        assert unpaid and fully and unbooked
        assert all(i["Balance"] != 0 and i["Booked"] for i in unpaid)
        assert all(i["Balance"] == 0 for i in fully)
        assert any(i["FinalPayDate"] for i in fully)
        assert all(not i["Booked"] for i in unbooked)
        assert len(unpaid) + len(fully) + len(unbooked) == len(everything)
        assert _all(api, "invoices", "Invoices", filter="cancelled") == []
        overdue = _all(api, "invoices", "Invoices", filter="unpaidoverdue")
        assert {i["DocumentNumber"] for i in overdue} <= {i["DocumentNumber"] for i in unpaid}
        bad = api.get("/invoices", params={"filter": "doesntexist"})
        assert bad.status_code == 400
        assert bad.json() == {
            "ErrorInformation": {
                "error": 1,
                "message": "Ett ogiltigt filter har använts.",
                "code": 2000587,
            }
        }
        after = _all(api, "invoices", "Invoices", fromdate="2026-01-01")
        assert after and all(i["InvoiceDate"] >= "2026-01-01" for i in after)


def test_supplier_amounts_are_strings_and_customer_amounts_numbers(small: RunningEmulator) -> None:
    with bearer(small) as api:
        supplier = api.get("/supplierinvoices").json()["SupplierInvoices"][0]
        assert isinstance(supplier["Total"], str) and isinstance(supplier["Balance"], str)
        assert isinstance(supplier["CurrencyRate"], str)
        Decimal(supplier["Total"])
        customer = api.get("/invoices").json()["Invoices"][0]
        assert isinstance(customer["Total"], int | float)
        assert isinstance(customer["Balance"], int | float)
        assert customer["CurrencyRate"] == 1  # a number, as the spec declares ...
        # ... or the string real Fortnox was recorded sending in list items.
        small.configure(invoice_list_rate_as_text=True)
        assert api.get("/invoices").json()["Invoices"][0]["CurrencyRate"] == "1"
        full = api.get(f"/invoices/{customer['DocumentNumber']}").json()["Invoice"]
        assert full["CurrencyRate"] == 1
        refs = {v["ReferenceType"] for v in supplier["Vouchers"]}
        assert refs <= {"SUPPLIERINVOICE", "SUPPLIERPAYMENT"}
        not_found = api.get("/invoices/999999")
        assert not_found.status_code == 404
        assert set(not_found.json()["ErrorInformation"]) == {"Error", "Message", "Code"}


def test_paging_past_500_items(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(
        customer_invoices=1100, invoices_after_close=0, credits_after_close=0
    )
    with bearer(emu) as api:
        first = api.get("/invoices", params={"limit": 500}).json()
        assert first["MetaInformation"] == {
            "@TotalResources": 1100,
            "@TotalPages": 3,
            "@CurrentPage": 1,
        }
        pages = [first] + [
            api.get("/invoices", params={"limit": 500, "page": p}).json() for p in (2, 3)
        ]
        numbers = [i["DocumentNumber"] for page in pages for i in page["Invoices"]]
        assert [len(page["Invoices"]) for page in pages] == [500, 500, 100]
        assert len(set(numbers)) == 1100
        assert pages[2]["MetaInformation"]["@CurrentPage"] == 3
        default = api.get("/invoices").json()
        assert len(default["Invoices"]) == 100 and default["MetaInformation"]["@TotalPages"] == 11
        beyond = api.get("/invoices", params={"limit": 500, "page": 4}).json()
        assert beyond["Invoices"] == []
        too_big = api.get("/invoices", params={"limit": 501})
        assert too_big.status_code == 400
        assert too_big.json()["ErrorInformation"]["code"] == 2000588


def test_customers_suppliers_and_single_payment(small: RunningEmulator) -> None:
    with bearer(small) as api:
        customers = api.get("/customers").json()["Customers"]
        assert customers and all(c["CustomerNumber"] and c["Name"] for c in customers)
        assert api.get("/suppliers").json()["Suppliers"]
        payment = api.get("/invoicepayments").json()["InvoicePayments"][0]
        full = api.get(f"/invoicepayments/{payment['Number']}").json()["InvoicePayment"]
        assert full["InvoiceNumber"] == payment["InvoiceNumber"]
        assert full["VoucherSeries"] == "C"
        # AmountCurrency is in the full payment only; list items carry the SEK Amount.
        assert "AmountCurrency" not in payment and full["AmountCurrency"] == payment["Amount"]
        supplier = api.get("/supplierinvoicepayments").json()["SupplierInvoicePayments"][0]
        assert "AmountCurrency" not in supplier


def test_an_empty_list_has_no_pages(small: RunningEmulator) -> None:
    with bearer(small) as api:
        empty = api.get("/invoices", params={"filter": "cancelled"}).json()
    assert empty["Invoices"] == []
    assert empty["MetaInformation"] == {"@TotalResources": 0, "@TotalPages": 0, "@CurrentPage": 1}


@pytest.mark.parametrize("kind", ["customer", "supplier"])
def test_example_company_subledgers_agree_with_its_ledger(
    emulator: RunningEmulator, kind: str
) -> None:
    """The bundled example company: invoices derived from its own vouchers, so they agree."""
    with bearer(emulator) as api:
        close = emulator.state.default_year().end
        invoices = emulator.state.invoices["customer" if kind == "customer" else "supplier"]
        derived = [i for i in invoices.values() if i.voucher is not None]
        assert derived, "the example's control-account vouchers should become invoices"
        assert _open_at(api, kind, close) == _ledger_at_close(api, kind)
