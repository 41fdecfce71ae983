"""The kit's golden sample: a small Swedish company, as a canonical model and as SIE 4E.

``Åkesson & Öberg Bygg AB``, fiscal year 2025: eleven accounts, two dimensions (cost
centre 1, project 6) with four objects, three voucher series (A bank, B customer invoices,
C supplier invoices), opening and closing balances and results that roll forward exactly,
and customer/supplier invoices whose open balance at 2025-12-31 equals 1510 and 2440.

The SIE file is CP437 with CRLF line ends, as Swedish programs write it, and reads back into
exactly :func:`small_company`. Use :func:`copy_sample` to put a copy where a backend reads it.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from decimal import Decimal
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from ledgerlink_core.model import (
    Bookkeeping,
    Counterparty,
    SubledgerDocument,
    SubledgerHistory,
    SubledgerItem,
    SubledgerPayment,
    VoucherRef,
)
from ledgerlink_core.openitems import open_items as rule

__all__ = [
    "SAMPLE_JSON",
    "SAMPLE_SIE",
    "SAMPLE_SUBLEDGER",
    "copy_sample",
    "data_path",
    "item_as_of",
    "open_items",
    "sample_history",
    "small_company",
    "small_company_sie",
    "subledger_invoices",
]

Kind = Literal["customer", "supplier"]

#: File names under ``ledgerlink_core/testing/data``.
SAMPLE_JSON = "small_company.json"
SAMPLE_SIE = "small_company.se"
SAMPLE_SUBLEDGER = "small_company_subledger.json"


def data_path(name: str) -> Path:
    """The path of a file shipped in the kit's ``data`` folder."""
    return Path(str(resources.files("ledgerlink_core.testing") / "data" / name))


@cache
def small_company() -> Bookkeeping:
    """The golden sample as a canonical :class:`Bookkeeping` (fiscal year 2025)."""
    return Bookkeeping.model_validate_json(data_path(SAMPLE_JSON).read_text(encoding="utf-8"))


def small_company_sie() -> bytes:
    """The golden sample as the bytes of a SIE 4E file (CP437)."""
    return data_path(SAMPLE_SIE).read_bytes()


def copy_sample(directory: Path, name: str = SAMPLE_SIE) -> Path:
    """Copy a sample file (default: the SIE file) into ``directory`` and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / name
    shutil.copyfile(data_path(name), target)
    return target


@cache
def subledger_invoices() -> dict[str, list[dict[str, Any]]]:
    """Every invoice of the sample with its payments: ``{"customer": [...], "supplier": [...]}``.

    Each invoice is a dict of :class:`SubledgerItem` fields (without balances) plus
    ``payments``: ``[{"date": "YYYY-MM-DD", "amount": "..."}]`` in the invoice currency.
    """
    data: dict[str, list[dict[str, Any]]] = json.loads(
        data_path(SAMPLE_SUBLEDGER).read_text(encoding="utf-8")
    )
    return data


def sample_history(kind: Kind) -> SubledgerHistory:
    """The sample's ``kind`` subledger as a backend supplies it: documents and payments."""
    documents, payments = [], []
    for raw in subledger_invoices()[kind]:
        documents.append(_document(kind, raw))
        for n, p in enumerate(raw["payments"], start=1):
            payments.append(
                SubledgerPayment(
                    kind=kind,
                    number=f"{raw['number']}-{n}",
                    document=raw["number"],
                    date=dt.date.fromisoformat(p["date"]),
                    amount=Decimal(p["amount"]),
                )
            )
    return SubledgerHistory(kind=kind, documents=tuple(documents), payments=tuple(payments))


def _document(kind: Kind, raw: dict[str, Any]) -> SubledgerDocument:
    return SubledgerDocument(
        kind=kind,
        number=raw["number"],
        counterparty=Counterparty.model_validate(raw["counterparty"]),
        invoice_date=dt.date.fromisoformat(raw["invoice_date"]),
        due_date=dt.date.fromisoformat(raw["due_date"]) if raw.get("due_date") else None,
        total=Decimal(raw["total"]),
        currency=raw.get("currency", "SEK"),
        currency_rate=Decimal(raw.get("currency_rate", "1")),
        voucher=VoucherRef.model_validate(raw["voucher"]) if raw.get("voucher") else None,
        ocr=raw.get("ocr"),
    )


def open_items(kind: Kind, as_of: dt.date) -> list[SubledgerItem]:
    """The sample's invoices of ``kind`` open at ``as_of``, with the balance on that date
    (core's as-of rule over :func:`sample_history`)."""
    return list(rule(sample_history(kind), as_of).items)


def item_as_of(kind: Kind, raw: dict[str, Any], as_of: dt.date) -> SubledgerItem | None:
    """One invoice (a dict as in :func:`subledger_invoices`) as it stood at ``as_of``, or None
    when it did not exist yet or was fully paid by then."""
    history = SubledgerHistory(
        kind=kind,
        documents=(_document(kind, raw),),
        payments=tuple(
            SubledgerPayment(
                kind=kind,
                number=str(n),
                document=raw["number"],
                date=dt.date.fromisoformat(p["date"]),
                amount=Decimal(p["amount"]),
            )
            for n, p in enumerate(raw["payments"], start=1)
        ),
    )
    found = rule(history, as_of).items
    return found[0] if found else None
