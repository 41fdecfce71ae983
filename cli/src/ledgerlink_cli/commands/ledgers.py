"""``ledgerlink ledgers``: the customer and supplier invoices open at a date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ledgerlink_cli.amounts import money
from ledgerlink_cli.formats import Sheet, choose, emit, format_options
from ledgerlink_cli.options import DATE, complete_backends, set_option
from ledgerlink_cli.render import table

if TYPE_CHECKING:
    from ledgerlink_core.jobs import SubledgersResult
    from ledgerlink_core.runtime import Runtime

#: The subledgers, as core names them (ledgerlink_core.jobs.subledgers.KINDS).
KINDS = ("customer", "supplier")

HEADERS = (
    "number",
    "counterparty",
    "date",
    "due",
    "total",
    "balance",
    "cur",
    "voucher",
    "booked",
)

#: The columns of the csv and xlsx forms: one row per open invoice, both subledgers.
SHEET_HEADERS = (
    "kind",
    "number",
    "counterparty_number",
    "counterparty",
    "invoice_date",
    "due_date",
    "currency",
    "total",
    "balance",
    "currency_rate",
    "balance_sek",
    "voucher_series",
    "voucher_number",
    "booked",
)


@click.command()
@click.option(
    "--from",
    "backend",
    shell_complete=complete_backends,
    required=True,
    metavar="BACKEND",
    help="Import from.",
)
@click.option("--date", "as_of", required=True, type=DATE, help="The date to see them at.")
@click.option("--kind", type=click.Choice(KINDS), help="Only one subledger (default: both).")
@set_option
@format_options
@click.pass_obj
def ledgers(
    runtime: Runtime,
    backend: str,
    as_of: dt.date,
    kind: str | None,
    assignments: tuple[str, ...],
    fmt: str | None,
    as_json: bool,
    output: Path | None,
    csv_dialect: str,
) -> None:
    """Import subledgers (reskontra): invoices open at a date.

    Each invoice is shown with its balance on --date (total less the payments and
    write-offs up to it).

    \b
    Examples:
      ledgerlink ledgers --from fortnox --date 2025-12-31
      ledgerlink ledgers --from fortnox --date 2025-12-31 --kind customer --format csv
      ledgerlink ledgers --from fortnox --date 2025-12-31 --format xlsx -o open.xlsx
    """
    from ledgerlink_core.config import parse_assignments
    from ledgerlink_core.jobs import SubledgersRequest, subledgers

    out = choose(fmt, as_json, output, csv_dialect)
    request = SubledgersRequest.model_validate(
        {
            "backend": backend,
            "overrides": parse_assignments(assignments),
            "as_of": as_of,
            "kinds": [kind] if kind else KINDS,
        }
    )
    result = subledgers(runtime, request)
    emit(
        out,
        sheets=lambda: [sheet(result)],
        json_data=lambda: as_data(result),
        table=lambda: render(result),
    )


def as_data(result: SubledgersResult) -> dict[str, Any]:
    """The JSON answer: the job's document (what ``batch ledgers`` writes too)."""
    return result.document()


def _total(found: Any) -> Decimal:
    return sum((i.balance_sek for i in found), Decimal("0.00"))


def sheet(result: SubledgersResult) -> Sheet:
    """Every open invoice of both subledgers, one row each (amounts as numbers in xlsx)."""
    rows = [
        (
            i.kind,
            i.number,
            i.counterparty.number,
            i.counterparty.name,
            i.invoice_date,
            i.due_date,
            i.currency,
            i.total,
            i.balance,
            i.currency_rate,
            i.balance_sek,
            i.voucher.series if i.voucher else None,
            i.voucher.number if i.voucher else None,
            "yes" if i.booked else "no",
        )
        for found in result.items.values()
        for i in found
    ]
    return Sheet("Open items", SHEET_HEADERS, list(rows), widths={"counterparty": 30})


def render(result: SubledgersResult) -> str:
    """Per subledger: a count and balance line, then a table of its open invoices."""
    out = []
    for kind, found in result.items.items():
        method = result.methods.get(kind, "accrual")
        out.append(
            f"{kind} invoices open at {result.date}: {len(found)}, balance "
            f"{money(_total(found))} SEK ({method} method)\n"
        )
        if found:
            rows = [
                [
                    i.number,
                    i.counterparty.name or i.counterparty.number,
                    i.invoice_date,
                    i.due_date or "",
                    money(i.total),
                    money(i.balance),
                    i.currency,
                    f"{i.voucher.series} {i.voucher.number}" if i.voucher else "",
                    "yes" if i.booked else "no: to book at closing",
                ]
                for i in found
            ]
            out.append(table(HEADERS, rows, right=(4, 5)) + "\n\n")
        for o in result.left_out.get(kind, ()):
            out.append(
                f"left out: {kind} {o.number} {o.counterparty} {o.invoice_date} "
                f"{money(o.balance)} {o.currency}: {o.reason}\n"
            )
    return "".join(out)
