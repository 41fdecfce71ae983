"""The closing appendix of ``reconcile`` as sheets for :mod:`ledgerlink_cli.formats`.

The rows are core's :func:`~ledgerlink_core.reconcile.appendix_rows` (the specification); the
XLSX has a summary sheet before it. CSV is the specification.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledgerlink_cli.formats import Sheet

if TYPE_CHECKING:
    from ledgerlink_core.reconcile import ReconcileReport

__all__ = [
    "CSV",
    "HEADERS",
    "SUMMARY_HEADERS",
    "sheets",
    "specification",
    "summary",
]

HEADERS = (
    "subledger",
    "section",
    "account",
    "reference",
    "date",
    "text",
    "amount_sek",
    "currency",
    "amount_currency",
)
SUMMARY_HEADERS = (
    "subledger",
    "accounts",
    "source",
    "method",
    "ledger",
    "subledger_balance",
    "difference",
    "explained",
    "unexplained",
    "to_book_at_closing",
    "open_items",
)


def specification(report: ReconcileReport) -> Sheet:
    """Every row of the appendix: ledger per account, causes, open items, beside..."""
    from ledgerlink_core.reconcile import appendix_rows

    rows = [
        (
            row.subledger,
            row.section,
            row.account,
            row.reference,
            row.date,
            row.text,
            row.amount,
            row.currency,
            row.amount_currency,
        )
        for row in appendix_rows(report)
    ]
    return Sheet("Specification", HEADERS, list(rows), widths={"text": 70, "reference": 14})


def summary(report: ReconcileReport) -> Sheet:
    """One row per subledger: the two sides, the difference and how much is explained."""
    rows = [
        (
            line.kind,
            line.accounts,
            line.accounts_source,
            line.method,
            line.ledger,
            line.subledger,
            line.difference,
            line.difference - line.unexplained,
            line.unexplained,
            line.to_book_total,
            line.open_items,
        )
        for line in report.lines
    ]
    return Sheet("Summary", SUMMARY_HEADERS, list(rows), widths={"accounts": 18, "source": 18})


def sheets(report: ReconcileReport) -> list[Sheet]:
    """The appendix: the summary, then the specification (what a CSV holds: :data:`CSV`)."""
    return [summary(report), specification(report)]


#: Which of :func:`sheets` a CSV holds.
CSV = 1
