"""The closing appendix as rows: a report flattened for CSV and XLSX."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.model import Amount
from ledgerlink_core.reconcile.report import ReconcileReport

__all__ = [
    "AppendixRow",
    "appendix_rows",
]


class AppendixRow(BaseModel):
    """One row of the closing appendix (CSV, XLSX): ``amount`` in SEK, subledger sign."""

    model_config = ConfigDict(frozen=True)

    subledger: str
    section: str
    account: str = ""
    reference: str = ""
    date: dt.date | None = None
    text: str = ""
    amount: Amount | None = None
    currency: str = ""
    amount_currency: Amount | None = None


def appendix_rows(report: ReconcileReport) -> list[AppendixRow]:
    """The report flattened into specification rows, one subledger after the other."""
    rows: list[AppendixRow] = []
    for line in report.lines:

        def add(section: str, kind: str = line.kind, **values: object) -> None:
            rows.append(
                AppendixRow.model_validate({"subledger": kind, "section": section, **values})
            )

        for a in line.per_account:
            text = a.name
            add("ledger", account=a.account, date=report.date, text=text, amount=a.ledger)
            add("subledger", account=a.account, date=report.date, text=text, amount=a.subledger)
            add("difference", account=a.account, date=report.date, text=text, amount=a.difference)
        for item in line.specification:
            due = f", due {item.due_date}" if item.due_date else ""
            overdue = f", {item.overdue_days} days overdue" if item.overdue_days else ""
            add(
                "open_item",
                account=item.account,
                reference=item.number,
                date=item.invoice_date,
                text=f"{item.counterparty}{due}{overdue}",
                amount=item.balance_sek,
                currency=item.currency,
                amount_currency=item.balance,
            )
        if line.contra_items:
            where = (
                "2420 Förskott från kunder"
                if line.kind == "customer"
                else "1480 Förskott till leverantörer"
            )
            add(
                "contra_balance",
                reference=f"{line.contra_items} items",
                date=report.date,
                text=f"open items of the opposite sign: to reclassify at closing ({where})",
                amount=line.contra_total,
            )
        for g in line.aging:
            add(
                "aging",
                reference=g.label,
                date=report.date,
                text=f"{g.items} open items",
                amount=g.balance_sek,
            )
        for c in line.causes:
            add(
                c.cause,
                account=c.account,
                reference=c.reference,
                date=c.date,
                text=c.text,
                amount=c.amount,
            )
        add("unexplained", account=line.accounts, date=report.date, amount=line.unexplained)
        for b in line.beside:
            add(
                "beside",
                account=b.account,
                date=report.date,
                text=f"{b.name}: {b.note}",
                amount=b.balance,
            )
        for t in line.to_book:
            add(
                "to_book_at_closing",
                reference=t.number,
                date=t.invoice_date,
                text=t.counterparty,
                amount=t.balance_sek,
                currency=t.currency,
                amount_currency=t.balance,
            )
        for r in line.revaluation:
            add(
                "revaluation",
                reference=r.currency,
                date=report.date,
                text=(
                    f"{r.items} open items at {r.closing_rate}: {r.closing_sek} SEK against "
                    f"{r.booked_sek} booked, an unrealised {r.effect}"
                ),
                amount=r.difference,
                currency=r.currency,
                amount_currency=r.balance,
            )
        for o in line.left_out:
            add(
                "left_out",
                reference=o.number,
                date=o.invoice_date,
                text=f"{o.counterparty}: {o.reason}",
                currency=o.currency,
                amount_currency=o.balance,
            )
    return rows
