"""``ledgerlink paths``: where the config, tokens and state live."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ledgerlink_cli.options import json_option
from ledgerlink_cli.render import echo_json

if TYPE_CHECKING:
    from ledgerlink_core.runtime import Runtime

LABELS = {
    "config_file": "config file",
    "config_dir": "config dir",
    "tokens_dir": "tokens",
    "data_dir": "data dir",
    "journal": "export journal",
    "snapshots_dir": "snapshots",
}


@click.command()
@json_option
@click.pass_obj
def paths(runtime: Runtime, as_json: bool) -> None:
    """Show where the config, tokens, journal and snapshots live.

    The config file and the two directories follow LEDGERLINK_CONFIG,
    LEDGERLINK_CONFIG_DIR and LEDGERLINK_DATA_DIR, else the platform's user
    directories. Nothing is created.

    \b
    Examples:
      ledgerlink paths
      ledgerlink paths --json
      datasette "$(ledgerlink paths --json | jq -r .paths.journal)"
    """
    from ledgerlink_core.jobs import paths as run_paths

    found = run_paths(runtime)
    data = found.model_dump(mode="json")
    if as_json:
        echo_json({"ok": True, "paths": data})
        return
    width = max(len(v) for v in LABELS.values())
    for key, label in LABELS.items():
        path = getattr(found, key)
        mark = "" if path.exists() else "  (not there yet)"
        click.echo(f"{label:<{width}}  {data[key]}{mark}")
