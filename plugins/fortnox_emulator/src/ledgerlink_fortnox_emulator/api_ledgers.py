"""Customer and supplier invoices, their payments, customers, suppliers, predefined accounts.

Credit notes are documents of their own, as in Fortnox: a negative total, settled (like the
invoice they credit) only by payments registered on both. The full objects carry the links
both ways: a customer invoice's ``CreditInvoiceReference`` names its credit note and the credit
note's ``InvoiceReference`` the invoice (Fortnox's spec and its C# SDK's PR #106); a supplier
invoice's ``CreditReference`` names the other document on both. List items carry neither.
Write-offs are in full payment objects only (``WriteOffs``); list items say ``WriteOffExist``.

Customer invoice amounts are JSON numbers; their list items' ``CurrencyRate`` is a number as
the spec declares, or with ``invoice_list_rate_as_text`` the string real Fortnox was recorded
sending (``"CurrencyRate":"1"`` in accodeing/fortnox-api's ``invoices/all.yml``). Supplier
invoice ``Total``, ``Balance``, ``VAT`` and ``CurrencyRate`` are strings, as the real API sends
them (and Fortnox's OpenAPI spec types them). Payment ``Amount`` is in SEK; ``AmountCurrency``,
in the invoice currency, is in the full payment only, as in the spec and the C# SDK: list items
lack it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ledgerlink_fortnox_emulator.errors import bad_request, invalid_filter, not_found
from ledgerlink_fortnox_emulator.routing import (
    Context,
    Request,
    Response,
    Router,
    num,
    paged,
    parse_date,
    parse_int,
    parse_modified,
    text_amount,
)
from ledgerlink_fortnox_emulator.state import EmulatorState, InvoiceRec, Kind, PaymentRec

router = Router()
CENT = Decimal("0.01")
ZERO = Decimal(0)

_FILTERS: dict[Kind, tuple[str, ...]] = {
    "customer": ("cancelled", "fullypaid", "unpaid", "unpaidoverdue", "unbooked"),
    "supplier": (
        "cancelled",
        "fullypaid",
        "unpaid",
        "unpaidoverdue",
        "unbooked",
        "pendingpayment",
        "authorizepending",
    ),
}


def _today(ctx: Context) -> dt.date:
    return ctx.config.today or dt.date.today()


def _final_pay_date(state: EmulatorState, inv: InvoiceRec, balance: Decimal) -> str | None:
    if balance != 0 or inv.cancelled:
        return None
    payments = state.payments_of(inv.kind, inv.number)
    return max(p.date for p in payments).isoformat() if payments else None


def _sek(value: Decimal, rate: Decimal) -> Decimal:
    return (value * rate).quantize(CENT, ROUND_HALF_UP)


def _customer_invoice(ctx: Context, req: Request, inv: InvoiceRec, full: bool) -> dict[str, Any]:
    balance = ctx.state.invoice_balance(inv)
    series, number, year = inv.voucher or (None, None, None)
    body: dict[str, Any] = {
        "@url": f"{req.base_url}/3/invoices/{inv.number}",
        "Balance": num(balance),
        "Booked": inv.booked,
        "Cancelled": inv.cancelled,
        "CostCenter": "",
        "Currency": inv.currency,
        "CurrencyRate": (
            f"{inv.currency_rate.normalize():f}"
            if ctx.config.invoice_list_rate_as_text and not full
            else num(inv.currency_rate)
        ),
        "CurrencyUnit": 1,
        "CustomerName": inv.counterparty_name,
        "CustomerNumber": inv.counterparty,
        "DocumentNumber": inv.number,
        "DueDate": inv.due_date.isoformat(),
        "ExternalInvoiceReference1": "",
        "ExternalInvoiceReference2": "",
        "FinalPayDate": _final_pay_date(ctx.state, inv, balance),
        "InvoiceDate": inv.invoice_date.isoformat(),
        "InvoiceType": inv.invoice_type,
        "NoxFinans": False,
        "OCR": inv.ocr,
        "Project": "",
        "Sent": inv.booked,
        "TermsOfPayment": "30",
        "Total": num(inv.total),
        "VoucherNumber": number,
        "VoucherSeries": series,
        "VoucherYear": year,
        "WayOfDelivery": "",
    }
    if full:
        body["Credit"] = "true" if inv.credit else "false"  # a string in the full object
        credits = ctx.state.credits_of("customer", inv.number)
        body["CreditInvoiceReference"] = credits[0].number if credits else "0"
        body["InvoiceReference"] = inv.credit_reference or "0"
        body["TotalToPay"] = num(inv.total)
        body["InvoiceRows"] = []
    return body


def _supplier_vouchers(state: EmulatorState, inv: InvoiceRec) -> list[dict[str, Any]]:
    out = []
    if inv.voucher:
        series, number, year = inv.voucher
        out.append(
            {"Number": number, "ReferenceType": "SUPPLIERINVOICE", "Series": series, "Year": year}
        )
    for p in state.payments_of("supplier", inv.number):
        if p.voucher:
            series, number, year = p.voucher
            out.append(
                {
                    "Number": number,
                    "ReferenceType": "SUPPLIERPAYMENT",
                    "Series": series,
                    "Year": year,
                }
            )
    return out


def _supplier_invoice(ctx: Context, req: Request, inv: InvoiceRec, full: bool) -> dict[str, Any]:
    balance = ctx.state.invoice_balance(inv)
    body: dict[str, Any] = {
        "@url": f"{req.base_url}/3/supplierinvoices/{inv.number}",
        "AuthorizerName": "",
        "Balance": text_amount(balance),
        "Booked": inv.booked,
        "Cancel": inv.cancelled,
        "CostCenter": "",
        "Credit": inv.credit,
        "Currency": inv.currency,
        "CurrencyRate": f"{inv.currency_rate:f}",
        "CurrencyUnit": 1,
        "DueDate": inv.due_date.isoformat(),
        "ExternalInvoiceNumber": "",
        "ExternalInvoiceSeries": "",
        "FinalPayDate": _final_pay_date(ctx.state, inv, balance),
        "GivenNumber": inv.number,
        "InvoiceDate": inv.invoice_date.isoformat(),
        "InvoiceNumber": inv.supplier_invoice_number,
        "OCR": inv.ocr,
        "Project": "",
        "SupplierName": inv.counterparty_name,
        "SupplierNumber": inv.counterparty,
        "Total": text_amount(inv.total),
        "Vouchers": _supplier_vouchers(ctx.state, inv),
    }
    if full:
        body["Cancelled"] = inv.cancelled
        credits = ctx.state.credits_of("supplier", inv.number)
        other = inv.credit_reference or (credits[0].number if credits else "")
        body["CreditReference"] = int(other) if other else 0
        body["VAT"] = "0.00"
        body["SupplierInvoiceRows"] = []
    return body


def _matches(ctx: Context, inv: InvoiceRec, name: str) -> bool:
    balance = ctx.state.invoice_balance(inv)
    if name == "cancelled":
        return inv.cancelled
    if inv.cancelled:
        return False
    if name == "fullypaid":
        return inv.booked and balance == 0
    if name == "unpaid":
        return inv.booked and balance != 0
    if name == "unpaidoverdue":
        return inv.booked and balance != 0 and inv.due_date < _today(ctx)
    if name == "unbooked":
        return not inv.booked
    return False  # pendingpayment / authorizepending: nothing is pending in the emulator


def _invoice_list(ctx: Context, req: Request, kind: Kind) -> Response:
    name = req.query.get("filter")
    if name and name not in _FILTERS[kind]:
        raise invalid_filter()
    start, end = parse_date(req, "fromdate"), parse_date(req, "todate")
    modified = parse_modified(req)
    party_key = "customernumber" if kind == "customer" else "suppliernumber"
    party = req.query.get(party_key)
    number = req.query.get("documentnumber" if kind == "customer" else "givennumber")
    with ctx.state.lock:
        found = [
            inv
            for inv in ctx.state.invoices[kind].values()
            if (start is None or inv.invoice_date >= start)
            and (end is None or inv.invoice_date <= end)
            and (modified is None or inv.modified >= modified)
            and (not party or party.lower() in inv.counterparty.lower())
            and (not number or number == inv.number)
            and (not name or _matches(ctx, inv, name))
        ]
    sort = req.query.get("sortby")
    sorters: dict[str, Callable[[InvoiceRec], Any]] = {
        "documentnumber": lambda i: int(i.number),
        "givennumber": lambda i: int(i.number),
        "invoicedate": lambda i: i.invoice_date,
        "customernumber": lambda i: i.counterparty,
        "suppliernumber": lambda i: i.counterparty,
        "customername": lambda i: i.counterparty_name,
        "suppliername": lambda i: i.counterparty_name,
        "total": lambda i: i.total,
        "ocr": lambda i: i.ocr,
    }
    if sort and sort not in sorters:
        raise bad_request(2000588, f"Ogiltig parameter i anropet: sortby={sort}")
    found.sort(key=sorters[sort or "documentnumber"])
    if req.query.get("sortorder") == "descending":
        found.reverse()
    if kind == "customer":
        return paged(ctx, req, "Invoices", found, lambda i: _customer_invoice(ctx, req, i, False))
    return paged(
        ctx, req, "SupplierInvoices", found, lambda i: _supplier_invoice(ctx, req, i, False)
    )


@router.add("GET", "/3/invoices", "invoice")
def invoices(ctx: Context, req: Request) -> Response:
    return _invoice_list(ctx, req, "customer")


@router.add("GET", "/3/invoices/{DocumentNumber}", "invoice")
def invoice(ctx: Context, req: Request) -> Response:
    found = ctx.state.invoices["customer"].get(req.params["DocumentNumber"])
    if found is None:
        raise not_found(2000434, "Kan inte hitta fakturan.")
    return Response(200, {"Invoice": _customer_invoice(ctx, req, found, True)})


@router.add("GET", "/3/supplierinvoices", "supplierinvoice")
def supplier_invoices(ctx: Context, req: Request) -> Response:
    return _invoice_list(ctx, req, "supplier")


@router.add("GET", "/3/supplierinvoices/{GivenNumber}", "supplierinvoice")
def supplier_invoice(ctx: Context, req: Request) -> Response:
    found = ctx.state.invoices["supplier"].get(req.params["GivenNumber"])
    if found is None:
        raise not_found(2000434, "Kan inte hitta leverantörsfakturan.")
    return Response(200, {"SupplierInvoice": _supplier_invoice(ctx, req, found, True)})


# --- payments -----------------------------------------------------------------------------------


def _payment(ctx: Context, req: Request, p: PaymentRec, full: bool) -> dict[str, Any]:
    customer = p.kind == "customer"
    path = "invoicepayments" if customer else "supplierinvoicepayments"
    body: dict[str, Any] = {
        "@url": f"{req.base_url}/3/{path}/{p.number}",
        "Amount": num(_sek(p.amount, p.currency_rate)),
        "Booked": p.booked,
        "Currency": p.currency,
        "CurrencyRate": num(p.currency_rate),
        "CurrencyUnit": 1,
        "InvoiceNumber": int(p.invoice_number) if customer else p.invoice_number,
        "Number": str(p.number) if customer else p.number,
        "PaymentDate": p.date.isoformat(),
        "Source": "manual",
        "WriteOffExist": bool(p.write_offs),
    }
    if full:
        inv = ctx.state.invoices[p.kind].get(p.invoice_number)
        series, number, year = p.voucher or (None, None, None)
        body.update(
            {
                "AmountCurrency": num(p.amount),
                "VoucherNumber": number,
                "VoucherSeries": series,
                "VoucherYear": year,
                "WriteOffs": [
                    {
                        "AccountNumber": w.account,
                        "Amount": num(w.amount),
                        "CostCenter": "",
                        "Currency": p.currency,
                        "Description": w.description,
                        "Project": "",
                        "TransactionInformation": "",
                    }
                    for w in p.write_offs
                ],
                "ModeOfPayment": "BG",
            }
        )
        if inv is not None:
            prefix = "InvoiceCustomer" if customer else "InvoiceSupplier"
            body.update(
                {
                    "InvoiceDueDate": inv.due_date.isoformat(),
                    "InvoiceOCR": inv.ocr,
                    "InvoiceTotal": text_amount(inv.total),
                    f"{prefix}Name": inv.counterparty_name,
                    f"{prefix}Number": inv.counterparty,
                }
            )
    return body


def _payment_list(ctx: Context, req: Request, kind: Kind) -> Response:
    invoice_number = req.query.get("invoicenumber")
    modified = parse_modified(req)
    with ctx.state.lock:
        found = [
            p
            for p in (
                ctx.state.payments_of(kind, invoice_number)
                if invoice_number
                else ctx.state.payments[kind]
            )
            if modified is None or p.modified >= modified
        ]
    sort = req.query.get("sortby")
    if sort == "paymentdate":
        found.sort(key=lambda p: p.date)
    elif sort:
        raise bad_request(2000588, f"Ogiltig parameter i anropet: sortby={sort}")
    if req.query.get("sortorder") == "descending":
        found.reverse()
    key = "InvoicePayments" if kind == "customer" else "SupplierInvoicePayments"
    return paged(ctx, req, key, found, lambda p: _payment(ctx, req, p, False))


def _one_payment(ctx: Context, req: Request, kind: Kind) -> Response:
    number = parse_int(req.params["Number"], "Number")
    found = next((p for p in ctx.state.payments[kind] if p.number == number), None)
    if found is None:
        raise not_found(2000434, "Kan inte hitta betalningen.")
    key = "InvoicePayment" if kind == "customer" else "SupplierInvoicePayment"
    return Response(200, {key: _payment(ctx, req, found, True)})


@router.add("GET", "/3/invoicepayments", "payment")
def invoice_payments(ctx: Context, req: Request) -> Response:
    return _payment_list(ctx, req, "customer")


@router.add("GET", "/3/invoicepayments/{Number}", "payment")
def invoice_payment(ctx: Context, req: Request) -> Response:
    return _one_payment(ctx, req, "customer")


@router.add("GET", "/3/supplierinvoicepayments", "payment")
def supplier_invoice_payments(ctx: Context, req: Request) -> Response:
    return _payment_list(ctx, req, "supplier")


@router.add("GET", "/3/supplierinvoicepayments/{Number}", "payment")
def supplier_invoice_payment(ctx: Context, req: Request) -> Response:
    return _one_payment(ctx, req, "supplier")


# --- customers and suppliers --------------------------------------------------------------------


def _parties(ctx: Context, kind: Kind) -> tuple[str, dict[str, str]]:
    """The JSON key (``Customer``/``Supplier``) and the number -> name register of a kind."""
    if kind == "customer":
        return "Customer", ctx.state.customers
    return "Supplier", ctx.state.suppliers


def _party_list(ctx: Context, req: Request, kind: Kind, extra: dict[str, Any]) -> Response:
    """``GET /3/customers`` or ``/3/suppliers``: number, name, then the ``extra`` fields."""
    key, parties = _parties(ctx, kind)
    with ctx.state.lock:
        found = sorted(parties.items(), key=lambda kv: int(kv[0]))
    return paged(
        ctx,
        req,
        f"{key}s",
        found,
        lambda kv: {
            "@url": f"{req.base_url}/3/{key.lower()}s/{kv[0]}",
            f"{key}Number": kv[0],
            "Name": kv[1],
            **extra,
        },
    )


def _party(
    ctx: Context, req: Request, kind: Kind, missing: tuple[int, str], extra: dict[str, Any]
) -> Response:
    """``GET /3/customers/{n}`` or ``/3/suppliers/{n}``; ``missing`` is the 404's code and text."""
    key, parties = _parties(ctx, kind)
    number = req.params[f"{key}Number"]
    name = parties.get(number)
    if name is None:
        raise not_found(*missing)
    return Response(
        200,
        {
            key: {
                "@url": f"{req.base_url}/3/{key.lower()}s/{number}",
                f"{key}Number": number,
                "Name": name,
                **extra,
            }
        },
    )


@router.add("GET", "/3/customers", "customer")
def customers(ctx: Context, req: Request) -> Response:
    blank = dict.fromkeys(
        ("OrganisationNumber", "Email", "Phone", "Address1", "Address2", "ZipCode", "City"), ""
    )
    return _party_list(ctx, req, "customer", blank)


@router.add("GET", "/3/customers/{CustomerNumber}", "customer")
def customer(ctx: Context, req: Request) -> Response:
    return _party(ctx, req, "customer", (2000433, "Kan inte hitta kunden."), {})


@router.add("GET", "/3/suppliers", "supplier")
def suppliers(ctx: Context, req: Request) -> Response:
    return _party_list(ctx, req, "supplier", {"Active": True, "OrganisationNumber": ""})


@router.add("GET", "/3/suppliers/{SupplierNumber}", "supplier")
def supplier(ctx: Context, req: Request) -> Response:
    return _party(ctx, req, "supplier", (2000434, "Kan inte hitta leverantören."), {"Active": True})


# --- predefined accounts (scope settings) -------------------------------------------------------


@router.add("GET", "/3/predefinedaccounts", "settings")
def predefined_accounts(ctx: Context, req: Request) -> Response:
    with ctx.state.lock:
        found = sorted(ctx.state.predefined_accounts.items())
    return paged(
        ctx,
        req,
        "PreDefinedAccounts",
        found,
        lambda kv: {
            "@url": f"{req.base_url}/3/predefinedaccounts/{kv[0]}",
            "Account": kv[1],
            "Name": kv[0],
        },
    )


@router.add("GET", "/3/predefinedaccounts/{Name}", "settings")
def predefined_account(ctx: Context, req: Request) -> Response:
    name = req.params["Name"].upper()
    account = ctx.state.predefined_accounts.get(name)
    if account is None:
        raise not_found(2000440, "Kan inte hitta det fördefinierade kontot.")
    return Response(
        200,
        {
            "PreDefinedAccount": {
                "@url": f"{req.base_url}/3/predefinedaccounts/{name}",
                "Account": account,
                "Name": name,
            }
        },
    )
