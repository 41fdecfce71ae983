"""``ledgerlink plugins``: extension plugins and the hooks each implements."""

from __future__ import annotations

import dataclasses

import click

from ledgerlink_cli.commands.plugins_new import new
from ledgerlink_cli.options import json_option
from ledgerlink_cli.render import echo_json, installed_table


@click.group(invoke_without_command=True)
@json_option
@click.pass_context
def plugins(ctx: click.Context, as_json: bool) -> None:
    """List the extension plugins and their hooks.

    Plugins are the distributions declaring a `ledgerlink.plugins` entry point.

    \b
    Examples:
      ledgerlink plugins
      ledgerlink plugins --json
      ledgerlink plugins new acme
    """
    if ctx.invoked_subcommand is not None:
        return
    from ledgerlink_core.runtime import Runtime

    runtime = ctx.find_object(Runtime)
    assert runtime is not None
    rows = runtime.registry.list_plugins()
    if as_json:
        echo_json([dataclasses.asdict(r) for r in rows])
        return
    if not rows:
        click.echo("no extension plugins installed")
        return
    details = [", ".join(r.hooks) if r.status == "ok" else (r.error or "") for r in rows]
    click.echo(installed_table(rows, "hooks / error", details))


plugins.add_command(new)
