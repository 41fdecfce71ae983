"""pluggy hook implementations of the Fortnox plugin (entry point ``ledgerlink.plugins``).

Kept import-light: click commands and the emulator are imported inside the hooks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import click

from ledgerlink_core import hookimpl


@hookimpl
def ledgerlink_cli_commands(cli: click.Group) -> None:
    """Add ``ledgerlink fortnox login|status|logout|emulator``."""
    from ledgerlink_fortnox.commands import add_emulator, fortnox

    add_emulator(fortnox)
    cli.add_command(fortnox)
