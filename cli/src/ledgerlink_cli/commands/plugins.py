"""``ledgerlink plugins``: extension plugins and the hooks each implements."""

from __future__ import annotations

import dataclasses

import click
from ledgerlink_core.runtime import Runtime

from ledgerlink_cli.options import json_option
from ledgerlink_cli.render import echo_json, table


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def plugins(ctx: click.Context, as_json: bool) -> None:
    """List extension plugins (``ledgerlink.plugins``) and the hooks they implement."""
    if ctx.invoked_subcommand is not None:
        return
    runtime = ctx.find_object(Runtime)
    assert runtime is not None
    rows = runtime.registry.list_plugins()
    if as_json:
        echo_json([dataclasses.asdict(r) for r in rows])
        return
    if not rows:
        click.echo("no extension plugins installed")
        return
    click.echo(
        table(
            ["name", "distribution", "version", "status", "hooks / error"],
            [
                [
                    r.name,
                    r.distribution or "?",
                    r.version or "?",
                    r.status,
                    ", ".join(r.hooks) if r.status == "ok" else (r.error or ""),
                ]
                for r in rows
            ],
        )
    )


from ledgerlink_cli.commands.plugins_new import new  # noqa: E402 -- `ledgerlink plugins new`

plugins.add_command(new)
