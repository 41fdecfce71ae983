"""``ledgerlink snapshots``: what earlier pulls kept, the baselines of ``diff --from``."""

from __future__ import annotations

import click
from ledgerlink_core.jobs import SnapshotsRequest
from ledgerlink_core.jobs import snapshots as run_snapshots
from ledgerlink_core.runtime import Runtime

from ledgerlink_cli.render import echo_json, table


@click.command()
@click.option(
    "--company", metavar="ORGNR|NAME", help="Only this company's (organisation number or name)."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@click.pass_obj
def snapshots(runtime: Runtime, company: str | None, as_json: bool) -> None:
    """List the snapshots that pulls kept, newest first.

    Each distinct content a pull imported is kept once per company, fiscal year and backend
    (a pull of unchanged books only updates "last pulled"); the 10 most recently pulled per
    company, year and backend are kept, older ones are pruned.

    \b
    Example:
      ledgerlink snapshots --company 556677-8899
    """
    found = run_snapshots(runtime, SnapshotsRequest(company=company or runtime.company))
    if as_json:
        echo_json({"ok": True, "snapshots": [s.model_dump(mode="json") for s in found]})
        return
    if not found:
        click.echo("no snapshots yet: every `ledgerlink pull` keeps one", err=True)
        return
    click.echo(
        table(
            [
                "last pulled",
                "company",
                "org nr",
                "fiscal year",
                "backend",
                "vouchers",
                "pulls",
                "content",
            ],
            [
                [
                    s.last_pulled.astimezone().strftime("%Y-%m-%d %H:%M"),
                    s.company,
                    s.org_nr or "",
                    f"{s.fiscal_year.start}..{s.fiscal_year.end}" if s.fiscal_year else "-",
                    s.backend,
                    s.vouchers,
                    s.pulls,
                    s.content_hash[:12],
                ]
                for s in found
            ],
            right=[5, 6],
        )
    )
