"""``ledgerlink snapshots``: what earlier pulls kept, the baselines of ``diff --from``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ledgerlink_cli.formats import Sheet, choose, emit, format_options
from ledgerlink_cli.globals import note
from ledgerlink_cli.render import table

if TYPE_CHECKING:
    from ledgerlink_core.runtime import Runtime
    from ledgerlink_core.snapshots import Snapshot

HEADERS = (
    "last_pulled",
    "first_pulled",
    "company",
    "org_nr",
    "year_start",
    "year_end",
    "backend",
    "vouchers",
    "pulls",
    "size",
    "content_hash",
    "path",
)


@click.command()
@click.option(
    "--company", metavar="ORGNR|NAME", help="Only this company's (organisation number or name)."
)
@format_options
@click.pass_obj
def snapshots(
    runtime: Runtime,
    company: str | None,
    fmt: str | None,
    as_json: bool,
    output: Path | None,
    csv_dialect: str,
) -> None:
    """List the snapshots that pulls kept, newest first.

    Each distinct content a pull imported is kept once per company, fiscal year and backend
    (a pull of unchanged books only updates "last pulled"); the 10 most recently pulled per
    company, year and backend are kept, older ones are pruned.

    \b
    Examples:
      ledgerlink snapshots --company 556677-8899
      ledgerlink snapshots --format csv -o snapshots.csv
    """
    from ledgerlink_core.jobs import SnapshotsRequest
    from ledgerlink_core.jobs import snapshots as run_snapshots

    out = choose(fmt, as_json, output, csv_dialect)
    found = run_snapshots(runtime, SnapshotsRequest(company=company or runtime.company))
    if not found and out.fmt == "table":
        note("no snapshots yet: every `ledgerlink pull` keeps one")
        return
    emit(
        out,
        sheets=lambda: [sheet(found)],
        json_data=lambda: {"ok": True, "snapshots": [s.model_dump(mode="json") for s in found]},
        table=lambda: render(found),
    )


def sheet(found: list[Snapshot]) -> Sheet:
    """One row per snapshot (times in local time, without the zone, for spreadsheets)."""
    rows = [
        (
            s.last_pulled.astimezone().replace(tzinfo=None, microsecond=0),
            s.first_pulled.astimezone().replace(tzinfo=None, microsecond=0),
            s.company,
            s.org_nr,
            s.fiscal_year.start if s.fiscal_year else None,
            s.fiscal_year.end if s.fiscal_year else None,
            s.backend,
            s.vouchers,
            s.pulls,
            s.size,
            s.content_hash,
            str(s.path),
        )
        for s in found
    ]
    return Sheet("Snapshots", HEADERS, list(rows), widths={"company": 30, "path": 60})


def render(found: list[Snapshot]) -> str:
    """The terminal table."""
    return table(
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
