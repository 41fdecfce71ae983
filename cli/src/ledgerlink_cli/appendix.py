"""The closing appendix of ``reconcile`` as a file: CSV (RFC 4180 or Swedish Excel) and XLSX.

The rows are core's :func:`~ledgerlink_core.reconcile.appendix_rows`; this module only writes
them. ``excel-sv`` is what Swedish Excel opens by double-click: semicolons, decimal commas, a
UTF-8 byte order mark. XLSX keeps amounts as numbers and dates as dates, with the header row
frozen.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from typing import Literal

from ledgerlink_core.errors import InputError
from ledgerlink_core.reconcile import AppendixRow, ReconcileReport, appendix_rows

__all__ = [
    "CSV_DIALECTS",
    "HEADERS",
    "SUMMARY_HEADERS",
    "CsvDialect",
    "csv_text",
    "write_csv",
    "write_xlsx",
]

CsvDialect = Literal["rfc4180", "excel-sv"]
CSV_DIALECTS: tuple[CsvDialect, ...] = ("rfc4180", "excel-sv")
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


def _amount(value: Decimal | None, dialect: CsvDialect) -> str:
    if value is None:
        return ""
    text = f"{value:.2f}"
    return text.replace(".", ",") if dialect == "excel-sv" else text


def _cells(row: AppendixRow, dialect: CsvDialect) -> list[str]:
    return [
        row.subledger,
        row.section,
        row.account,
        row.reference,
        row.date.isoformat() if row.date else "",
        row.text,
        _amount(row.amount, dialect),
        row.currency,
        _amount(row.amount_currency, dialect),
    ]


def csv_text(report: ReconcileReport, dialect: CsvDialect = "rfc4180") -> str:
    """The appendix as CSV text: RFC 4180 (comma, CRLF, quotes where needed) or ``excel-sv``
    (semicolon, decimal comma). The caller adds the byte order mark for ``excel-sv``."""
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=";" if dialect == "excel-sv" else ",",
        lineterminator="\r\n",
        quoting=csv.QUOTE_MINIMAL,
    )
    writer.writerow(HEADERS)
    for row in appendix_rows(report):
        writer.writerow(_cells(row, dialect))
    return out.getvalue()


def write_csv(report: ReconcileReport, path: Path, dialect: CsvDialect) -> None:
    """Write the CSV appendix to ``path``; an unwritable path is an :class:`InputError`."""
    encoding = "utf-8-sig" if dialect == "excel-sv" else "utf-8"
    try:
        with path.open("w", encoding=encoding, newline="") as f:
            f.write(csv_text(report, dialect))
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc


def write_xlsx(report: ReconcileReport, path: Path) -> None:
    """Write the appendix as an XLSX workbook (a summary sheet and a specification sheet);
    an unwritable path is an :class:`InputError`.

    XLSX keeps every number as an IEEE double, so amounts become floats only here, at the
    file format's edge: two-decimal amounts far below 2**53 öre survive the trip exactly."""
    import xlsxwriter

    try:
        # Fail early and plainly when the path cannot be written (xlsxwriter would raise its
        # own error only on close).
        with path.open("wb"):
            pass
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc
    book = xlsxwriter.Workbook(str(path))
    try:
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": "#,##0.00"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        summary = book.add_worksheet("Summary")
        summary.write_row(0, 0, SUMMARY_HEADERS, bold)
        summary.freeze_panes(1, 0)
        for r, line in enumerate(report.lines, start=1):
            summary.write_row(r, 0, (line.kind, line.accounts, line.accounts_source, line.method))
            explained = line.difference - line.unexplained
            for c, value in enumerate(
                (
                    line.ledger,
                    line.subledger,
                    line.difference,
                    explained,
                    line.unexplained,
                    line.to_book_total,
                ),
                start=4,
            ):
                summary.write_number(r, c, float(value), money)
            summary.write_number(r, 10, line.open_items)
        summary.set_column(0, 3, 18)
        summary.set_column(4, 10, 16)
        sheet = book.add_worksheet("Specification")
        sheet.write_row(0, 0, HEADERS, bold)
        sheet.freeze_panes(1, 0)
        for r, row in enumerate(appendix_rows(report), start=1):
            sheet.write_row(r, 0, (row.subledger, row.section, row.account, row.reference))
            if row.date is not None:
                sheet.write_datetime(r, 4, dt.datetime.combine(row.date, dt.time()), day)
            sheet.write_string(r, 5, row.text)
            if row.amount is not None:
                sheet.write_number(r, 6, float(row.amount), money)
            sheet.write_string(r, 7, row.currency)
            if row.amount_currency is not None:
                sheet.write_number(r, 8, float(row.amount_currency), money)
        sheet.set_column(0, 4, 14)
        sheet.set_column(5, 5, 70)
        sheet.set_column(6, 8, 16)
    finally:
        book.close()
