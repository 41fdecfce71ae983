"""``ledgerlink reconcile``: subledgers against their control accounts at a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

import click
from ledgerlink_core.config import parse_assignments
from ledgerlink_core.errors import ProblemsFound
from ledgerlink_core.jobs import ReconcileRequest
from ledgerlink_core.jobs import reconcile as run_reconcile
from ledgerlink_core.reconcile import ReconcileReport, parse_ranges
from ledgerlink_core.runtime import Runtime

from ledgerlink_cli.options import DATE, json_option, set_option
from ledgerlink_cli.render import echo_json, table

EPILOG = """\b
The ledger side is the control accounts' balance at the date: the year's opening
balance plus every voucher up to and including the date. The subledger side is
the sum of the invoices open on that date, with what remained unpaid then (SEK).
Supplier balances are shown as positive debts.

\b
Exit codes: 0 every subledger agrees with its accounts; 1 some do not;
6 the backend has no subledgers; others as for every command.
"""


@click.command(epilog=EPILOG)
@click.option("--from", "backend", metavar="BACKEND", required=True, help="The backend to ask.")
@click.option("--date", "as_of", type=DATE, required=True, help="The date to reconcile at.")
@click.option(
    "--accounts",
    "ranges",
    multiple=True,
    metavar="KIND=FIRST-LAST",
    help="Control accounts of a subledger (repeatable); default customer=1510-1519, "
    "supplier=2440-2449.",
)
@set_option
@json_option
@click.pass_obj
def reconcile(
    runtime: Runtime,
    backend: str,
    as_of: dt.date,
    ranges: tuple[str, ...],
    assignments: tuple[str, ...],
    as_json: bool,
) -> None:
    """Compare the customer and supplier subledgers with their control accounts."""
    request = ReconcileRequest(
        backend=backend,
        overrides=parse_assignments(assignments),
        as_of=as_of,
        ranges=parse_ranges(ranges),
    )
    report = run_reconcile(runtime, request)
    if as_json:
        data: dict[str, Any] = report.model_dump(mode="json")
        data["agrees"] = report.agrees
        for line, out in zip(report.lines, data["lines"], strict=True):
            out["agrees"] = line.agrees
        echo_json(data)
    else:
        click.echo(render(report))
    if not report.agrees:
        differ = [line.kind for line in report.lines if not line.agrees]
        raise ProblemsFound(
            f"{', '.join(differ)}: subledger and control accounts differ at {report.date}"
        )


def render(report: ReconcileReport) -> str:
    """The terminal table: one row per subledger, then the items behind each difference."""
    rows = [
        (
            line.kind,
            line.accounts,
            f"{line.ledger:,.2f}",
            f"{line.subledger:,.2f}",
            f"{line.difference:,.2f}",
            line.open_items,
            "ok" if line.agrees else "DIFFERS",
        )
        for line in report.lines
    ]
    out = [
        f"{report.source} at {report.date}",
        table(
            ["subledger", "accounts", "ledger", "subledger", "difference", "open items", ""],
            rows,
            right=[2, 3, 4, 5],
        ),
    ]
    for line in report.lines:
        if line.agrees:
            continue
        out.append("")
        out.append(f"{line.kind}: difference {line.difference:,.2f}")
        accounts = ", ".join(f"{a.account} {a.balance:,.2f}" for a in line.per_account)
        out.append(f"  ledger per account: {accounts or 'no balances'}")
        for item in line.items:
            out.append(
                f"  invoice {item.number} ({item.counterparty}, {item.invoice_date}) "
                f"{item.balance_sek:,.2f}: {item.reason}"
            )
        if line.unexplained:
            out.append(f"  not explained by the items above: {line.unexplained:,.2f}")
    return "\n".join(out)
