"""Open invoices as they stood on a date, from ``invoices.json``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Literal

from ledgerlink_core import (
    Counterparty,
    CustomerInvoice,
    SubledgerItem,
    SupplierInvoice,
    VoucherRef,
)

CENT = Decimal("0.01")


def open_items(
    invoices: list[dict[str, Any]], kind: Literal["customer", "supplier"], as_of: dt.date
) -> Iterator[SubledgerItem]:
    """The invoices issued by ``as_of`` that were not fully paid on that date."""
    cls = CustomerInvoice if kind == "customer" else SupplierInvoice
    for raw in invoices:
        invoice_date = dt.date.fromisoformat(raw["invoice_date"])
        if invoice_date > as_of:
            continue
        total = Decimal(raw["total"])
        paid = sum(
            (
                Decimal(p["amount"])
                for p in raw.get("payments", [])
                if dt.date.fromisoformat(p["date"]) <= as_of
            ),
            Decimal(0),
        )
        balance = total - paid
        if balance == 0:
            continue
        rate = Decimal(raw.get("currency_rate", "1"))
        due = raw.get("due_date")
        voucher = raw.get("voucher")
        yield cls(
            number=raw["number"],
            counterparty=Counterparty.model_validate(raw["counterparty"]),
            invoice_date=invoice_date,
            due_date=dt.date.fromisoformat(due) if due else None,
            total=total,
            balance=balance,
            currency=raw.get("currency", "SEK"),
            currency_rate=rate,
            total_sek=(total * rate).quantize(CENT),
            balance_sek=(balance * rate).quantize(CENT),
            voucher=VoucherRef.model_validate(voucher) if voucher else None,
            ocr=raw.get("ocr"),
        )
