"""Output formats shared by the listing commands: ``--format table|json|csv|xlsx``.

A command turns its job's result into :class:`Sheet` s (a header and rows of cells: str, int,
Decimal, date or None) and hands them with its JSON and its table text to :func:`emit`:

* ``json`` (``--json`` is short for it) prints the JSON envelope;
* ``csv`` is RFC 4180 (comma, CRLF, quotes where needed), or with ``--csv-dialect excel-sv``
  what Swedish Excel opens by double-click: semicolons, decimal commas, a UTF-8 byte order
  mark. A CSV file holds one sheet (the command's main one). Amounts are two-decimal strings.
* ``xlsx`` (XlsxWriter) keeps amounts and counts as numbers and dates as dates, with the
  header row frozen, one worksheet per sheet. It goes to ``-o FILE``, or to stdout when that
  is not a terminal (``> file.xlsx``).

``-o FILE`` is for csv and xlsx. A file that cannot be written is an :class:`InputError`
(exit 2) naming it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

Cell = str | int | Decimal | dt.date | None
CsvDialect = Literal["rfc4180", "excel-sv"]
FORMATS = ("table", "json", "csv", "xlsx")
CSV_DIALECTS: tuple[CsvDialect, ...] = ("rfc4180", "excel-sv")

#: XLSX number formats: amounts with two decimals and grouping, dates as ISO.
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"


@dataclass
class Sheet:
    """One table of a result: a name (the XLSX worksheet), headers and rows."""

    name: str
    headers: Sequence[str]
    rows: list[Sequence[Cell]] = field(default_factory=list)
    #: column widths in XLSX (characters), by header; the rest get a width from their header
    widths: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Output:
    """Where and how a command's answer goes, from its options."""

    fmt: str
    path: Path | None
    dialect: CsvDialect


def format_options(f: F) -> F:
    """``--format``, ``--json``, ``-o/--output`` and ``--csv-dialect``, for a listing command.

    The command takes ``fmt``, ``as_json``, ``output`` and ``csv_dialect``; :func:`choose`
    turns them into an :class:`Output`."""
    from ledgerlink_cli.options import json_option

    decorators = [
        click.option(
            "--format",
            "fmt",
            type=click.Choice(FORMATS),
            default=None,
            help="table (default), json, csv or xlsx.",
        ),
        json_option,
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Write the csv or xlsx to this file (csv: default stdout).",
        ),
        click.option(
            "--csv-dialect",
            type=click.Choice(CSV_DIALECTS),
            default="rfc4180",
            show_default=True,
            help="excel-sv: semicolons and decimal commas, for Swedish Excel.",
        ),
    ]
    for decorator in reversed(decorators):
        f = decorator(f)
    return f


def choose(fmt: str | None, as_json: bool, output: Path | None, csv_dialect: str) -> Output:
    """Check the format options against each other (a clash is a usage error, exit 2)."""
    if as_json and fmt not in (None, "json"):
        raise click.UsageError("--json is short for --format json; give one of them")
    chosen = "json" if as_json else (fmt or "table")
    if output is not None and chosen not in ("csv", "xlsx"):
        raise click.UsageError("-o/--output is for --format csv or xlsx")
    if chosen == "xlsx" and output is None and _stdout_is_terminal():
        raise click.UsageError("--format xlsx writes a binary file: give -o FILE (or > FILE)")
    dialect: CsvDialect = "excel-sv" if csv_dialect == "excel-sv" else "rfc4180"
    return Output(chosen, output, dialect)


def _stdout_is_terminal() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def amount_text(value: Decimal, dialect: CsvDialect = "rfc4180") -> str:
    """An amount as text: two decimals (more only when it has more), ``,`` for excel-sv."""
    exponent = value.as_tuple().exponent
    text = f"{value:.2f}" if isinstance(exponent, int) and exponent >= -2 else f"{value:f}"
    return text.replace(".", ",") if dialect == "excel-sv" else text


def _cell_text(value: Cell, dialect: CsvDialect) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return amount_text(value, dialect)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_text(sheet: Sheet, dialect: CsvDialect = "rfc4180") -> str:
    """The sheet as CSV text (without the byte order mark of excel-sv)."""
    out = io.StringIO()
    writer = csv.writer(
        out,
        delimiter=";" if dialect == "excel-sv" else ",",
        lineterminator="\r\n",
        quoting=csv.QUOTE_MINIMAL,
    )
    writer.writerow(sheet.headers)
    for row in sheet.rows:
        writer.writerow([_cell_text(c, dialect) for c in row])
    return out.getvalue()


def csv_bytes(sheet: Sheet, dialect: CsvDialect = "rfc4180") -> bytes:
    """The CSV file's bytes: UTF-8, with a byte order mark for excel-sv."""
    prefix = "\ufeff" if dialect == "excel-sv" else ""
    return (prefix + csv_text(sheet, dialect)).encode("utf-8")


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The sheets as an XLSX workbook: numbers as numbers, dates as dates, headers frozen.

    XLSX keeps every number as an IEEE double, so amounts become floats only here, at the
    file format's edge: two-decimal amounts far below 2**53 öre survive the trip exactly."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    try:
        bold = book.add_format({"bold": True})
        money = book.add_format({"num_format": MONEY_FORMAT})
        day = book.add_format({"num_format": DATE_FORMAT})
        moment = book.add_format({"num_format": DATE_FORMAT + " hh:mm:ss"})
        for sheet in sheets:
            ws = book.add_worksheet(sheet.name[:31])
            ws.write_row(0, 0, list(sheet.headers), bold)
            ws.freeze_panes(1, 0)
            for c, header in enumerate(sheet.headers):
                ws.set_column(c, c, sheet.widths.get(header, max(10, len(header) + 2)))
            for r, row in enumerate(sheet.rows, start=1):
                for c, value in enumerate(row):
                    if value is None:
                        continue
                    if isinstance(value, bool):
                        ws.write_boolean(r, c, value)
                    elif isinstance(value, Decimal):
                        ws.write_number(r, c, float(value), money)
                    elif isinstance(value, int):
                        ws.write_number(r, c, value)
                    elif isinstance(value, dt.datetime):
                        ws.write_datetime(r, c, value.replace(tzinfo=None), moment)
                    elif isinstance(value, dt.date):
                        ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
                    else:
                        ws.write_string(r, c, str(value))
    finally:
        book.close()
    return buffer.getvalue()


def write_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``; a path that cannot be written is an InputError (exit 2)."""
    from ledgerlink_core.errors import InputError

    try:
        path.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write {path}: {exc.strerror or exc}") from exc


def emit(
    out: Output,
    *,
    sheets: Callable[[], Sequence[Sheet]],
    json_data: Callable[[], Any],
    table: Callable[[], str],
    csv_sheet: int = 0,
) -> None:
    """Print or write the answer in the chosen format (each form is built only if chosen);
    a CSV holds sheet ``csv_sheet``, an XLSX all of them."""
    from ledgerlink_cli.globals import note
    from ledgerlink_cli.render import echo_json

    if out.fmt == "json":
        echo_json(json_data())
        return
    if out.fmt == "table":
        text = table()
        click.echo(text, nl=not text.endswith("\n"))
        return
    found = sheets()
    data = csv_bytes(found[csv_sheet], out.dialect) if out.fmt == "csv" else xlsx_bytes(found)
    if out.path is None:
        # bytes, so the CRLF line ends of RFC 4180 (and the XLSX) reach stdout as they are
        click.echo(data, nl=False)
        return
    write_file(out.path, data)
    note(f"wrote {out.path}")
