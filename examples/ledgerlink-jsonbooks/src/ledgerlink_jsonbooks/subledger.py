"""A subledger's history from ``invoices.json``: documents and their payments.

Core computes what was open at a date from it; this module computes no balances.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ledgerlink_core import (
    Counterparty,
    SubledgerDocument,
    SubledgerHistory,
    SubledgerPayment,
    VoucherRef,
    WriteOff,
)


def history(
    invoices: list[dict[str, Any]], kind: Literal["customer", "supplier"]
) -> SubledgerHistory:
    """Every invoice of ``kind`` and every payment registered against it."""
    documents, payments = [], []
    for raw in invoices:
        due, voucher = raw.get("due_date"), raw.get("voucher")
        documents.append(
            SubledgerDocument(
                kind=kind,
                number=raw["number"],
                counterparty=Counterparty.model_validate(raw["counterparty"]),
                invoice_date=dt.date.fromisoformat(raw["invoice_date"]),
                due_date=dt.date.fromisoformat(due) if due else None,
                total=Decimal(raw["total"]),
                currency=raw.get("currency", "SEK"),
                currency_rate=Decimal(raw.get("currency_rate", "1")),
                voucher=VoucherRef.model_validate(voucher) if voucher else None,
                ocr=raw.get("ocr"),
            )
        )
        for n, p in enumerate(raw.get("payments", []), start=1):
            payments.append(
                SubledgerPayment(
                    kind=kind,
                    number=f"{raw['number']}-{n}",
                    document=raw["number"],
                    date=dt.date.fromisoformat(p["date"]),
                    amount=Decimal(p["amount"]),
                    write_offs=tuple(
                        WriteOff(amount=Decimal(w["amount"]), account=w.get("account"))
                        for w in p.get("write_offs", [])
                    ),
                )
            )
    return SubledgerHistory(kind=kind, documents=tuple(documents), payments=tuple(payments))
