"""``ledgerlink connections``: the logins held, one per company and backend."""

from __future__ import annotations

import click
from ledgerlink_core.jobs import ConnectionsRequest
from ledgerlink_core.jobs import connections as run_connections
from ledgerlink_core.runtime import Runtime

from ledgerlink_cli.render import echo_json, table


@click.command()
@click.option("--backend", default=None, help="Only this backend's connections.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def connections(runtime: Runtime, backend: str | None, as_json: bool) -> None:
    """List the connections: one login per company, chosen with --company ORGNR|ALIAS.

    Status is valid, expired (log in again), refused (the backend refused to renew it: log
    in again) or legacy (a login from before connections; `ledgerlink fortnox login` keys
    it by company). "until" is when the login lasts to without use (renewed by each use;
    empty: until revoked).

    \b
    Example:
      ledgerlink fortnox login --as bolaget
      ledgerlink connections
      ledgerlink --company bolaget pull --from fortnox --year 2025 -o books.se
    """
    rows = run_connections(runtime, ConnectionsRequest(backend=backend))
    if as_json:
        echo_json({"ok": True, "connections": [r.model_dump(mode="json") for r in rows]})
        return
    if not rows:
        click.echo("no connections yet: `ledgerlink fortnox login` adds one", err=True)
        return
    click.echo(
        table(
            ["backend", "org nr", "company", "alias", "status", "until"],
            [
                [
                    r.backend,
                    r.org_nr or "-",
                    r.company or ("(login from before connections)" if not r.org_nr else ""),
                    r.alias or "",
                    r.status,
                    r.until or "",
                ]
                for r in rows
            ],
        )
    )
    if any(r.status == "legacy" for r in rows):
        click.echo(
            "legacy: run `ledgerlink fortnox login` to key that login by its company",
            err=True,
        )
