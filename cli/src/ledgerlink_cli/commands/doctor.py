"""``ledgerlink doctor``: is this installation healthy? Exits non-zero on any failure (for CI).

The checks are core's :func:`ledgerlink_core.jobs.doctor`; this command renders the report.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ledgerlink_cli.options import json_option
from ledgerlink_cli.render import echo_json, table

if TYPE_CHECKING:
    from ledgerlink_core.runtime import Runtime


@click.command()
@click.option("--connect", is_flag=True, help="Also call check_connection() on each backend.")
@json_option
@click.pass_obj
def doctor(runtime: Runtime, connect: bool, as_json: bool) -> None:
    """Check the installation, the config and the backends.

    Exits 1 if anything fails, so it can gate a CI job; --connect also logs in to
    every configured backend.

    \b
    Examples:
      ledgerlink doctor
      ledgerlink doctor --connect --json
    """
    from ledgerlink_core.errors import ProblemsFound
    from ledgerlink_core.jobs import DoctorRequest
    from ledgerlink_core.jobs import doctor as run_doctor

    report = run_doctor(runtime, DoctorRequest(connect=connect))
    if as_json:
        echo_json({"ok": report.ok, "checks": [c.model_dump() for c in report.checks]})
    else:
        click.echo(
            table(
                ["area", "name", "status", "detail"],  # as the JSON names them
                [[c.area, c.name, c.status, c.detail] for c in report.checks],
            )
        )
        if report.ok:
            click.echo("\nall checks passed")
    if not report.ok:
        raise ProblemsFound(f"{len(report.failures)} check(s) failed")
