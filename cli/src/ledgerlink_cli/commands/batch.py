"""``ledgerlink batch``: one operation over many companies (a firm's whole client list).

Parsing and rendering only: the work is core's ``batch`` job (``ledgerlink_core.jobs``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ledgerlink_cli.options import DATE, complete_backends, json_option, set_option
from ledgerlink_cli.progress import batch_board
from ledgerlink_cli.render import echo_json, table

if TYPE_CHECKING:
    from ledgerlink_core.jobs import BatchReport
    from ledgerlink_core.runtime import Runtime


def _common(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every batch operation takes."""
    for option in reversed(
        [
            click.option(
                "--from",
                "backend",
                required=True,
                metavar="BACKEND",
                help="Import from.",
                shell_complete=complete_backends,
            ),
            click.option(
                "--out",
                required=True,
                type=click.Path(path_type=Path, file_okay=False),
                metavar="DIR",
                help="One folder per company in DIR, named by its organisation number.",
            ),
            click.option(
                "--companies",
                default="all",
                show_default=True,
                metavar="all|X,Y",
                help="Which connections: all, or org numbers and aliases, comma-separated.",
            ),
            click.option(
                "--jobs",
                type=click.IntRange(1, 256),
                default=4,
                show_default=True,
                help="Companies at a time (each within its own rate budget).",
            ),
            click.option("--force", is_flag=True, help="Redo companies already done."),
            set_option,
            json_option,
        ]
    ):
        command = option(command)
    return command


@click.group()
def batch() -> None:
    """Run one operation for many companies: every connection, or --companies X,Y.

    Companies run concurrently (--jobs), each in its own rate budget; a company that fails
    never stops the others. A re-run skips companies already done (their state is kept in
    DIR; --force redoes them), so running it again finishes what failed. Exit 0 when every
    company succeeded, 8 when any failed.

    \b
    Examples:
      ledgerlink batch pull --from fortnox --year 2025 --out year-end/
      ledgerlink batch ledgers --from fortnox --date 2025-12-31 --out year-end/ --jobs 8
      ledgerlink batch reconcile --from fortnox --date 2025-12-31 --out year-end/ --json
    """


@batch.command("pull")
@_common
@click.option("--year", type=int, help="The fiscal year ending in this calendar year.")
@click.option("--year-index", type=int, help="The fiscal year by index (0 current, -1 ...).")
@click.option("--date", "on_date", type=DATE, help="The fiscal year containing this date.")
@click.pass_obj
def batch_pull(
    runtime: Runtime,
    year: int | None,
    year_index: int | None,
    on_date: dt.date | None,
    **common: Any,
) -> None:
    """Pull each company's bookkeeping into DIR/<org nr>/bookkeeping.se (SIE 4E).

    \b
    Example:
      ledgerlink batch pull --from fortnox --year 2025 --out year-end/
    """
    from ledgerlink_core.backend import BookkeepingRequest

    selector = BookkeepingRequest(year=year, year_index=year_index, on_date=on_date)
    _run(runtime, "pull", common, selector=selector)


@batch.command("ledgers")
@_common
@click.option("--date", "as_of", required=True, type=DATE, help="The date to see them at.")
@click.pass_obj
def batch_ledgers(runtime: Runtime, as_of: dt.date, **common: Any) -> None:
    """Each company's open invoices at --date into DIR/<org nr>/ledgers.json.

    The document is what ledgers --json prints.

    \b
    Example:
      ledgerlink batch ledgers --from fortnox --date 2025-12-31 --out year-end/ --jobs 8
    """
    _run(runtime, "ledgers", common, as_of=as_of)


@batch.command("reconcile")
@_common
@click.option("--date", "as_of", required=True, type=DATE, help="The closing date.")
@click.pass_obj
def batch_reconcile(runtime: Runtime, as_of: dt.date, **common: Any) -> None:
    """Each company's reconciliation at --date into DIR/<org nr>/reconcile.json.

    The document is what reconcile --json prints. A company whose subledgers differ is
    done, not failed: its summary says "differs".

    \b
    Example:
      ledgerlink batch reconcile --from fortnox --date 2025-12-31 --out year-end/ --force
    """
    _run(runtime, "reconcile", common, as_of=as_of)


def _run(runtime: Runtime, operation: str, common: dict[str, Any], **fields: Any) -> None:
    from ledgerlink_core.config import parse_assignments
    from ledgerlink_core.errors import BatchIncomplete
    from ledgerlink_core.jobs import BatchRequest
    from ledgerlink_core.jobs import batch as run_batch

    as_json = common.pop("as_json")
    request = BatchRequest.model_validate(
        {
            "operation": operation,
            "backend": common["backend"],
            "out": common["out"],
            "companies": tuple(c for c in common["companies"].split(",") if c.strip()),
            "jobs": common["jobs"],
            "force": common["force"],
            "overrides": parse_assignments(common["assignments"]),
            **fields,
        }
    )
    board = batch_board()
    try:
        report = run_batch(
            runtime,
            request,
            progress_for=(lambda conn: board.for_company(conn.key)) if board else None,
        )
    finally:
        if board is not None:
            board.close()
    if as_json:
        echo_json(report.document())
    else:
        click.echo(render(report))
    if not report.ok:
        names = ", ".join(o.org_nr for o in report.failed)
        raise BatchIncomplete(
            f"{len(report.failed)} of {len(report.outcomes)} companies failed ({names}); "
            f"run the same command again to redo them"
        )


def render(report: BatchReport) -> str:
    """The summary table and a count line."""
    rows = [
        [
            o.org_nr,
            o.alias or "",
            o.company,
            o.status,
            f"{o.seconds:.1f}s" if o.status != "skipped" else "",
            o.detail,
        ]
        for o in report.outcomes
    ]
    counts = report.counts()
    summary = (
        f"{report.operation}: {counts['done']} done, {counts['skipped']} skipped, "
        f"{counts['failed']} failed in {report.seconds:.1f}s; output in {report.out}"
    )
    return table(["org nr", "alias", "company", "status", "time", "detail"], rows) + "\n" + summary
