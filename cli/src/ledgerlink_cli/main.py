"""The ``ledgerlink`` command: a thin click layer over ledgerlink-core.

Core commands are listed in ``COMMANDS`` and imported only when used, so ``--help`` stays fast
and a broken plugin cannot break them. Plugins add commands through the
``ledgerlink_cli_commands`` hook, asked only when a name is not a core command.

Every command is parse -> job (``ledgerlink_core.jobs``) -> render -> exit. Besides click's
own usage errors there is one way to exit non-zero: raise a
:class:`~ledgerlink_core.errors.LedgerlinkError` (``ProblemsFound`` when the job's answer is
"problems found"), which ``LedgerlinkGroup.invoke`` turns into one line on stderr and the
documented exit code.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

import click
from ledgerlink_core.errors import EXIT_CODES, LedgerlinkError
from ledgerlink_core.runtime import Runtime

from ledgerlink_cli.options import company_option
from ledgerlink_cli.progress import terminal_progress

#: Core commands: name -> "module:attribute" under ledgerlink_cli.commands.
COMMANDS: dict[str, str] = {
    "backends": "backends:backends",
    "plugins": "plugins:plugins",
    "pull": "pull:pull",
    "snapshots": "snapshots:snapshots",
    "ledgers": "ledgers:ledgers",
    "check": "check:check",
    "diff": "diff:diff",
    "doctor": "doctor:doctor",
    "push": "push:push",
    "reconcile": "reconcile:reconcile",
    "connections": "connections:connections",
    "batch": "batch:batch",
}

INTERNAL_ERROR = 70


#: Where the plugins' commands are kept, once asked for, in ``ctx.meta`` (one invocation).
PLUGIN_COMMANDS = "ledgerlink.plugin_commands"


class LedgerlinkGroup(click.Group):
    """Resolves core commands lazily, then asks plugins for theirs."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """The root context, holding the invocation's :class:`Runtime` as ``ctx.obj``.

        It is created here rather than in the group's callback because click resolves the
        sub-command (and ``--help`` lists them), which asks the runtime's plugins, before
        the callback runs. A caller may pass its own (``CliRunner().invoke(cli, obj=...)``).
        """
        if extra.get("obj") is None:
            extra["obj"] = Runtime(progress=terminal_progress())
        return super().make_context(info_name, args, parent, **extra)

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        cache: dict[str, click.Command] | None = ctx.meta.get(PLUGIN_COMMANDS)
        if cache is None:
            runtime: Runtime = ctx.obj
            group = click.Group()
            runtime.registry.hook.ledgerlink_cli_commands(cli=group)
            cache = {n: c for n, c in group.commands.items() if n not in COMMANDS}
            ctx.meta[PLUGIN_COMMANDS] = cache
        return cache

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; turn ledgerlink errors into one line and a documented exit code."""
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except LedgerlinkError as exc:
            if ctx.params.get("traceback"):
                raise
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if ctx.params.get("traceback"):
                raise
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (run with --traceback and report it)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self._plugin_commands(ctx)))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is not None:
            module, attr = target.split(":")
            command: click.Command = getattr(
                importlib.import_module(f"ledgerlink_cli.commands.{module}"), attr
            )
            return command
        return self._plugin_commands(ctx).get(cmd_name)


def _exit_codes_epilog() -> str:
    # "\b" tells click not to rewrap the paragraph.
    return "Exit codes:\n\n\b\n" + "\n".join(f"{k:>3}  {v}" for k, v in EXIT_CODES.items())


@click.group(cls=LedgerlinkGroup, epilog=_exit_codes_epilog())
@click.option("--traceback", is_flag=True, help="Show the full traceback of an error.")
@click.option("-v", "--verbose", count=True, help="Log more (repeat for debug).")
@company_option
@click.version_option(package_name="ledgerlink-cli", prog_name="ledgerlink")
@click.pass_context
def cli(ctx: click.Context, traceback: bool, verbose: int, company: str | None) -> None:
    """Move bookkeeping between year-end closing and accounting systems (Fortnox, SIE files...)."""
    if company is not None:
        ctx.ensure_object(Runtime).company = company
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if not verbose:
        # Load failures are reported in our own rows and messages; stevedore's log is noise.
        logging.getLogger("stevedore").setLevel(logging.CRITICAL)


def main() -> None:
    """Console-script entry point."""
    cli.main(prog_name="ledgerlink")
