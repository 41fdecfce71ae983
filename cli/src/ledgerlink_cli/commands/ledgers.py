"""``ledgerlink ledgers``: the customer and supplier invoices open at a date."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import click
from ledgerlink_core.backend import SubledgerRequest
from ledgerlink_core.config import parse_assignments
from ledgerlink_core.model import SubledgerItem
from ledgerlink_core.runtime import Runtime

from ledgerlink_cli.options import DATE, json_option, set_option
from ledgerlink_cli.progress import terminal_progress
from ledgerlink_cli.render import echo_json, table


@click.command()
@click.option("--from", "backend", required=True, metavar="BACKEND", help="Import from.")
@click.option("--date", "as_of", required=True, type=DATE, help="The date to see them at.")
@click.option(
    "--kind",
    type=click.Choice(["customer", "supplier"]),
    help="Only one subledger (default: both).",
)
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
    kinds = [kind] if kind else ["customer", "supplier"]
    needs = [f"import.subledger.{k}" for k in kinds]
    items: list[SubledgerItem] = []
    with runtime.open_backend(
        backend, parse_assignments(assignments), require=needs, progress=terminal_progress()
    ) as opened:
        for k in kinds:
            request = SubledgerRequest.model_validate({"kind": k, "as_of": as_of})
            items.extend(opened.import_subledger(request))
    runtime.notify(
        "ledgerlink_import_finished",
        source=backend,
        kind="subledger",
        summary={k: sum(1 for i in items if i.kind == k) for k in kinds},
    )
    if as_json:
        echo_json({"date": as_of.isoformat(), "items": [i.model_dump(mode="json") for i in items]})
        return
    for k in kinds:
        subset = [i for i in items if i.kind == k]
        total = sum((i.balance_sek for i in subset), Decimal(0))
        click.echo(f"{k} invoices open at {as_of}: {len(subset)}, balance {total} SEK")
        if subset:
            click.echo(
                table(
                    ["number", "counterparty", "date", "due", "total", "balance", "cur", "voucher"],
                    [
                        [
                            i.number,
                            i.counterparty.name or i.counterparty.number,
                            i.invoice_date,
                            i.due_date or "",
                            i.total,
                            i.balance,
                            i.currency,
                            f"{i.voucher.series} {i.voucher.number}" if i.voucher else "",
                        ]
                        for i in subset
                    ],
                    right=(4, 5),
                )
            )
            click.echo()
