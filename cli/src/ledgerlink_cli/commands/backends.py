"""``ledgerlink backends``: every installed backend, its capabilities and status."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import click

from ledgerlink_cli.options import json_option
from ledgerlink_cli.render import echo_json, installed_table

if TYPE_CHECKING:
    from ledgerlink_core.runtime import Runtime


@click.command()
@json_option
@click.pass_obj
def backends(runtime: Runtime, as_json: bool) -> None:
    """List the installed backends and what each can do.

    A broken backend shows as an error row; this still exits 0.

    \b
    Examples:
      ledgerlink backends
      ledgerlink backends --json
    """
    rows = runtime.registry.list_backends()
    if as_json:
        echo_json([dataclasses.asdict(r) for r in rows])
        return
    if not rows:
        click.echo("no backends installed")
        return
    details = [", ".join(r.capabilities) if r.status == "ok" else (r.error or "") for r in rows]
    click.echo(installed_table(rows, "capabilities / error", details))
