"""``ledgerlink ledgers``: the customer and supplier invoices open at a date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import click
from ledgerlink_core.config import parse_assignments
from ledgerlink_core.jobs import SubledgersRequest, SubledgersResult, subledgers
from ledgerlink_core.jobs.subledgers import KINDS
from ledgerlink_core.runtime import Runtime

from ledgerlink_cli.options import DATE, json_option, set_option
from ledgerlink_cli.render import echo_json, table

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


@click.command()
@click.option("--from", "backend", required=True, metavar="BACKEND", help="Import from.")
@click.option("--date", "as_of", required=True, type=DATE, help="The date to see them at.")
@click.option("--kind", type=click.Choice(KINDS), help="Only one subledger (default: both).")
@set_option
@json_option
@click.pass_obj
def ledgers(
    runtime: Runtime,
    backend: str,
    as_of: dt.date,
    kind: str | None,
    assignments: tuple[str, ...],
    as_json: bool,
) -> None:
    """Import subledgers (reskontra): invoices open at --date, with the balance on that date."""
    request = SubledgersRequest.model_validate(
        {
            "backend": backend,
            "overrides": parse_assignments(assignments),
            "as_of": as_of,
            "kinds": [kind] if kind else KINDS,
        }
    )
    result = subledgers(runtime, request)
    if as_json:
        echo_json(result.document())
    else:
        click.echo(render(result), nl=False)


def render(result: SubledgersResult) -> str:
    """Per subledger: a count and balance line, then a table of its open invoices."""
    out = []
    for kind, found in result.items.items():
        total = sum((i.balance_sek for i in found), Decimal("0.00"))
        method = result.methods.get(kind, "accrual")
        out.append(
            f"{kind} invoices open at {result.date}: {len(found)}, balance {total} SEK"
            f" ({method} method)\n"
        )
        if found:
            rows = [
                [
                    i.number,
                    i.counterparty.name or i.counterparty.number,
                    i.invoice_date,
                    i.due_date or "",
                    i.total,
                    i.balance,
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
                f"{o.balance} {o.currency}: {o.reason}\n"
            )
    return "".join(out)
