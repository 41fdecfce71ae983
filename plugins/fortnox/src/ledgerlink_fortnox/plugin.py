"""pluggy hook implementations of the Fortnox plugin (entry point ``ledgerlink.plugins``).

Kept import-light: click commands are imported inside the hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click

from ledgerlink_core import hookimpl


@hookimpl
def ledgerlink_cli_commands(cli: click.Group) -> None:
    """Add ``ledgerlink fortnox login|status|logout``."""
    from ledgerlink_fortnox.commands import fortnox_group

    cli.add_command(fortnox_group())
