"""Helpers of the emulator tests: raw httpx clients, a small two-year company, voucher bodies."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import httpx
from ledgerlink_core.model import (
    Account,
    AccountType,
    Address,
    Balance,
    Bookkeeping,
    CompanyInfo,
    Dimension,
    DimensionObject,
    FiscalYear,
    ObjectRef,
    Voucher,
    VoucherRow,
)
from ledgerlink_fortnox_emulator import RunningEmulator

D = Decimal


def bearer(emu: RunningEmulator, scopes: str | None = None, **kwargs: Any) -> httpx.Client:
    """A raw httpx client on ``/3`` with a freshly minted access token."""
    token = emu.issue_tokens(scopes)["access_token"]
    return httpx.Client(
        base_url=emu.api_base,
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        **kwargs,
    )


def _row(account: str, amount: str, *objects: tuple[int, str]) -> VoucherRow:
    return VoucherRow(
        account=account,
        amount=D(amount),
        objects=tuple(ObjectRef(dimension=d, number=n) for d, n in objects),
    )


def two_year_book() -> Bookkeeping:
    """A small company with years 2024 and 2025, series A-E, a cost centre and a project.

    Customer ledger 1510: opening 10,000, invoice 12,500 (B 1), payment 10,000 (C 1), so
    12,500 open at the year-end. Supplier ledger 2440: opening -8,000, invoice -6,000 (D 1),
    payment 8,000 (E 1), so 6,000 open.
    """
    accounts = [
        ("1510", "Kundfordringar", AccountType.ASSET),
        ("1930", "Företagskonto", AccountType.ASSET),
        ("2081", "Aktiekapital", AccountType.LIABILITY),
        ("2440", "Leverantörsskulder", AccountType.LIABILITY),
        ("2611", "Utgående moms 25%", AccountType.LIABILITY),
        ("2641", "Ingående moms", AccountType.ASSET),
        ("3001", "Försäljning 25%", AccountType.INCOME),
        ("4010", "Inköp varor", AccountType.COST),
        ("5010", "Lokalhyra", AccountType.COST),
        ("6110", "Kontorsmateriel", AccountType.COST),
    ]
    y25 = dt.date(2025, 1, 1)
    vouchers = [
        Voucher(
            series="A",
            number="1",
            date=dt.date(2024, 6, 1),
            text="Pennor",
            rows=(_row("6110", "500"), _row("1930", "-500")),
        ),
        Voucher(
            series="A",
            number="1",
            date=y25 + dt.timedelta(days=14),
            text="Papper",
            rows=(_row("6110", "1000", (1, "100"), (6, "P1")), _row("1930", "-1000")),
        ),
        Voucher(
            series="B",
            number="1",
            date=dt.date(2025, 2, 1),
            text="Kundfaktura 1",
            rows=(_row("1510", "12500"), _row("3001", "-10000"), _row("2611", "-2500")),
        ),
        Voucher(
            series="C",
            number="1",
            date=dt.date(2025, 3, 1),
            text="Inbetalning",
            rows=(_row("1930", "10000"), _row("1510", "-10000")),
        ),
        Voucher(
            series="D",
            number="1",
            date=dt.date(2025, 2, 10),
            text="Leverantörsfaktura",
            rows=(_row("4010", "4800"), _row("2641", "1200"), _row("2440", "-6000")),
        ),
        Voucher(
            series="E",
            number="1",
            date=dt.date(2025, 3, 10),
            text="Utbetalning",
            rows=(_row("2440", "8000"), _row("1930", "-8000")),
        ),
    ]
    return Bookkeeping(
        company=CompanyInfo(
            name="Åkeri & Söner AB",
            org_nr="556000-0001",
            address=Address(street="Storgatan 1", postal="411 01 Göteborg"),
        ),
        fiscal_years=(
            FiscalYear(index=0, start=y25, end=dt.date(2025, 12, 31)),
            FiscalYear(index=-1, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31)),
        ),
        accounts=tuple(Account(number=n, name=name, type=t) for n, name, t in accounts),
        dimensions=(
            Dimension(number=1, name="Kostnadsställe"),
            Dimension(number=6, name="Projekt"),
        ),
        objects=(
            DimensionObject(dimension=1, number="100", name="Huvudkontor"),
            DimensionObject(dimension=6, number="P1", name="Projekt 1"),
        ),
        opening_balances=(
            Balance(year_index=0, account="1510", amount=D("10000")),
            Balance(year_index=0, account="1930", amount=D("40000")),
            Balance(year_index=0, account="2440", amount=D("-8000")),
            Balance(year_index=0, account="2081", amount=D("-42000")),
        ),
        vouchers=tuple(vouchers),
    )


def voucher_body(
    date: str = "2025-05-02",
    series: str = "A",
    rows: list[tuple[int, str, str]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A ``POST /3/vouchers`` body; rows are (account, debit, credit)."""
    rows = rows if rows is not None else [(6110, "250.50", "0"), (1930, "0", "250.50")]
    return {
        "Voucher": {
            "VoucherSeries": series,
            "TransactionDate": date,
            "Description": "Test",
            "VoucherRows": [
                # JSON numbers on the wire, as Fortnox takes them (not money arithmetic)
                {"Account": a, "Debit": float(d), "Credit": float(c)}
                for a, d, c in rows
            ],
            **extra,
        }
    }
