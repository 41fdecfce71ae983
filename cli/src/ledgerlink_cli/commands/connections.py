"""``ledgerlink connections``: the logins held, one per company and backend."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ledgerlink_cli.formats import Sheet, choose, emit, format_options
from ledgerlink_cli.globals import note
from ledgerlink_cli.render import table

if TYPE_CHECKING:
    from ledgerlink_core.jobs import ConnectionRow
    from ledgerlink_core.runtime import Runtime

HEADERS = ("backend", "org_nr", "company", "alias", "status", "until")


@click.command()
@click.option("--backend", default=None, help="Only this backend's connections.")
@format_options
@click.pass_obj
def connections(
    runtime: Runtime,
    backend: str | None,
    fmt: str | None,
    as_json: bool,
    output: Path | None,
    csv_dialect: str,
) -> None:
    """List the logins, one per company and backend.

    Choose one with --company ORGNR|ALIAS. Status is valid, expired (log in again),
    refused (the backend refused to renew it: log in again) or legacy (a login from before
    connections; ledgerlink fortnox login keys it by company). "until" is when the login
    lasts to without use (renewed by each use; empty: until revoked).

    \b
    Examples:
      ledgerlink fortnox login --as bolaget
      ledgerlink connections
      ledgerlink connections --format xlsx -o connections.xlsx
      ledgerlink --company bolaget pull --from fortnox --year 2025 -o books.se
    """
    from ledgerlink_core.jobs import ConnectionsRequest
    from ledgerlink_core.jobs import connections as run_connections

    out = choose(fmt, as_json, output, csv_dialect)
    rows = run_connections(runtime, ConnectionsRequest(backend=backend))
    if not rows and out.fmt == "table":
        note("no connections yet: `ledgerlink fortnox login` adds one")
        return
    emit(
        out,
        sheets=lambda: [sheet(rows)],
        json_data=lambda: {"ok": True, "connections": [r.model_dump(mode="json") for r in rows]},
        table=lambda: render(rows),
    )
    if out.fmt == "table" and any(r.status == "legacy" for r in rows):
        note("legacy: run `ledgerlink fortnox login` to key that login by its company")


def _company(r: ConnectionRow) -> str:
    return r.company or ("(login from before connections)" if not r.org_nr else "")


def sheet(rows: list[ConnectionRow]) -> Sheet:
    """One row per connection."""
    data = [(r.backend, r.org_nr, _company(r), r.alias, r.status, r.until or None) for r in rows]
    return Sheet("Connections", HEADERS, list(data), widths={"company": 30})


def render(rows: list[ConnectionRow]) -> str:
    """The table."""
    return table(
        ["backend", "org nr", "company", "alias", "status", "until"],
        [
            [r.backend, r.org_nr or "-", _company(r), r.alias or "", r.status, r.until or ""]
            for r in rows
        ],
    )
