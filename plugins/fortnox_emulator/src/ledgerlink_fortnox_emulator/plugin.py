"""pluggy hook implementations of the emulator plugin (entry point ``ledgerlink.plugins``).

The emulator contributes ``ledgerlink fortnox emulator`` through the same CLI hook any third
party would use. The ``fortnox`` group belongs to the Fortnox plugin, which this distribution
never imports: the hook runs after it (``trylast``) and joins the group it finds, or, when the
Fortnox plugin is not installed or disabled, registers a ``fortnox`` group of its own.

Kept import-light: the click command is imported inside the hook, the server only when the
command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ledgerlink_core import hookimpl

if TYPE_CHECKING:
    import click

GROUP = "fortnox"


@hookimpl(trylast=True)
def ledgerlink_cli_commands(cli: click.Group) -> None:
    """Add ``ledgerlink fortnox emulator`` to the ``fortnox`` group (creating it if need be)."""
    import click

    from ledgerlink_fortnox_emulator.cli import emulator_command

    group = cli.commands.get(GROUP)
    if not isinstance(group, click.Group):
        group = click.Group(GROUP, help="Fortnox: run the local emulator.")
        cli.add_command(group)
    group.add_command(emulator_command)
