"""The subledgers as Fortnox documents them (fidelity review H1, H2, M1, M6): credit notes as
documents of their own with the references on both, settled only by payments; write-offs in
full payment objects with only ``WriteOffExist`` in list items; cash-method years; predefined
accounts under the ``settings`` scope. Shapes are validated against Fortnox's OpenAPI spec
where it has them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from emulator_helpers import bearer
from ledgerlink_fortnox_emulator import ALL_SCOPES, RunningEmulator
from ledgerlink_fortnox_emulator.state import InvoiceRec, PaymentRec, WriteOffRec
from test_emulator_openapi import SPEC, _check

EmulatorFactory = Callable[..., RunningEmulator]
CLOSE = dt.date(2025, 12, 31)


def _invoice(kind: str, number: str, day: dt.date, total: str, **more: Any) -> InvoiceRec:
    return InvoiceRec(
        kind,  # type: ignore[arg-type]
        number,
        "7",
        "Kund AB",
        day,
        day + dt.timedelta(days=30),
        Decimal(total),
        **more,
    )


def _credit_pair(emu: RunningEmulator, kind: str) -> tuple[InvoiceRec, InvoiceRec]:
    state = emu.state
    original = state.add_invoice(_invoice(kind, "8001", dt.date(2025, 11, 2), "1000.00"))
    note = state.add_invoice(
        _invoice(
            kind, "8002", dt.date(2025, 11, 20), "-400.00", credit=True, credit_reference="8001"
        )
    )
    return original, note


@pytest.mark.parametrize("kind", ["customer", "supplier"])
def test_a_credit_note_settles_nothing_until_payments_do(
    small_emulator_factory: EmulatorFactory, kind: str
) -> None:
    emu = small_emulator_factory()
    original, note = _credit_pair(emu, kind)
    path = "invoices" if kind == "customer" else "supplierinvoices"
    single = "Invoice" if kind == "customer" else "SupplierInvoice"
    with bearer(emu) as api:
        full_original = api.get(f"/{path}/8001").json()[single]
        full_note = api.get(f"/{path}/8002").json()[single]
        assert Decimal(str(full_original["Balance"])) == Decimal("1000.00")
        assert Decimal(str(full_note["Balance"])) == Decimal("-400.00")
        if kind == "customer":
            # the spec: the original names its credit note; PR #106: the note names the original
            assert full_original["CreditInvoiceReference"] == "8002"
            assert full_note["InvoiceReference"] == "8001"
            assert full_note["Credit"] == "true"
        else:
            assert full_original["CreditReference"] == 8002
            assert full_note["CreditReference"] == 8001
        number_key = "documentnumber" if kind == "customer" else "givennumber"
        (item,) = api.get(f"/{path}", params={number_key: "8001"}).json()[single + "s"]
        assert "CreditInvoiceReference" not in item and "CreditReference" not in item
        # the offset, as Fortnox users register it: a payment on each, dated the same day
        emu.state.offset(original, note, dt.date(2025, 11, 25), Decimal("400.00"), 9001)
        assert Decimal(str(api.get(f"/{path}/8001").json()[single]["Balance"])) == Decimal("600.00")
        assert Decimal(str(api.get(f"/{path}/8002").json()[single]["Balance"])) == 0


def test_write_offs_are_in_full_payments_only(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory()
    state = emu.state
    state.add_invoice(_invoice("customer", "8101", dt.date(2025, 12, 1), "500.00"))
    state.add_payment(
        PaymentRec(
            "customer",
            9101,
            "8101",
            dt.date(2025, 12, 10),
            Decimal("499.63"),
            write_offs=[WriteOffRec(Decimal("0.37"), 3740, "Öresavrundning")],
        )
    )
    with bearer(emu) as api:
        listed = next(
            p
            for p in api.get("/invoicepayments").json()["InvoicePayments"]
            if p["Number"] == "9101"
        )
        assert listed["WriteOffExist"] is True
        assert "WriteOffs" not in listed and "AmountCurrency" not in listed
        flagged = {
            p["Number"]
            for p in api.get("/invoicepayments").json()["InvoicePayments"]
            if p["WriteOffExist"]
        }
        assert flagged == {str(p.number) for p in state.payments["customer"] if p.write_offs}
        full = api.get("/invoicepayments/9101").json()["InvoicePayment"]
        assert full["WriteOffs"] == [
            {
                "AccountNumber": 3740,
                "Amount": 0.37,
                "CostCenter": "",
                "Currency": "SEK",
                "Description": "Öresavrundning",
                "Project": "",
                "TransactionInformation": "",
            }
        ]
        invoice = api.get("/invoices/8101").json()["Invoice"]
        assert Decimal(str(invoice["Balance"])) == 0  # paid and written off
        if SPEC.is_file():
            _check(api.get("/invoicepayments/9101"), "/3/invoicepayments/{Number}")


def test_a_cash_method_year(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(cash_method=True, customer_invoices=40, payments_after_close=6)
    state = emu.state
    with bearer(emu) as api:
        years = api.get("/financialyears").json()["FinancialYears"]
        assert [y["AccountingMethod"] for y in years] == ["ACCRUAL", "CASH"]
        invoices = api.get("/invoices", params={"limit": 500}).json()["Invoices"]
    generated = [
        i
        for i in invoices
        if i["InvoiceDate"] >= "2025-01-01"
        and state.invoices["customer"][str(i["DocumentNumber"])].voucher is None
    ]
    unpaid = [i for i in generated if not state.payments_of("customer", str(i["DocumentNumber"]))]
    assert unpaid and all(i["Booked"] is False for i in unpaid)
    # booked when paid, on the payment's voucher (never on 1510)
    records = [state.invoices["customer"][str(i["DocumentNumber"])] for i in invoices]
    paid = [inv for inv in records if inv.booked and inv.voucher and inv.voucher[0] == "C"]
    assert paid
    for inv in paid:
        assert inv.voucher is not None
        series, number, year = inv.voucher
        voucher = state.get_voucher(year, series, number)
        assert voucher is not None and all(r.account != 1510 for r in voucher.rows)


def test_predefined_accounts_need_the_settings_scope(small: RunningEmulator) -> None:
    with bearer(small) as api:
        one = api.get("/predefinedaccounts/CUSTCLAIM")
        assert one.json()["PreDefinedAccount"]["Account"] == 1510
        names = {
            a["Name"]: a["Account"]
            for a in api.get("/predefinedaccounts").json()["PreDefinedAccounts"]
        }
        assert names["SUPDEBT"] == 2440
        assert api.get("/predefinedaccounts/NOSUCH").status_code == 404
        if SPEC.is_file():
            _check(one, "/3/predefinedaccounts/{name}")
            _check(api.get("/predefinedaccounts"), "/3/predefinedaccounts")
    with bearer(small, " ".join(sorted(ALL_SCOPES - {"settings"}))) as api:
        assert api.get("/predefinedaccounts/CUSTCLAIM").status_code == 403


def test_full_documents_with_references_match_the_spec(
    small_emulator_factory: EmulatorFactory,
) -> None:
    if not SPEC.is_file():
        pytest.skip(f"Fortnox OpenAPI document not found at {SPEC}")
    emu = small_emulator_factory()
    _credit_pair(emu, "customer")
    _credit_pair(emu, "supplier")
    with bearer(emu) as api:
        for n in ("8001", "8002"):
            _check(api.get(f"/invoices/{n}"), "/3/invoices/{DocumentNumber}")
            _check(api.get(f"/supplierinvoices/{n}"), "/3/supplierinvoices/{GivenNumber}")


def test_foreign_list_items_as_fortnox_sends_them(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(invoice_list_rate_as_text=True)
    emu.state.add_invoice(
        _invoice(
            "customer",
            "8201",
            dt.date(2025, 12, 3),
            "100.00",
            currency="EUR",
            currency_rate=Decimal("11.37"),
        )
    )
    emu.state.add_payment(
        PaymentRec(
            "customer",
            9201,
            "8201",
            dt.date(2025, 12, 20),
            Decimal("40.00"),
            currency="EUR",
            currency_rate=Decimal("11.02"),
        )
    )
    with bearer(emu) as api:
        item = next(
            i for i in api.get("/invoices").json()["Invoices"] if i["DocumentNumber"] == "8201"
        )
        assert item["CurrencyRate"] == "11.37"
        payment = next(
            p
            for p in api.get("/invoicepayments").json()["InvoicePayments"]
            if p["Number"] == "9201"
        )
        assert "AmountCurrency" not in payment
        assert (payment["Amount"], payment["Currency"]) == (440.8, "EUR")
        assert api.get("/invoicepayments/9201").json()["InvoicePayment"]["AmountCurrency"] == 40.0


def test_an_empty_payment_list_has_no_pages(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory()
    emu.state.clear_subledger("supplier")
    with bearer(emu) as api:
        body = api.get("/supplierinvoicepayments").json()
    assert body["SupplierInvoicePayments"] == []
    assert body["MetaInformation"]["@TotalPages"] == 0
