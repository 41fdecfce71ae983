"""The ``ledgerlink`` command: a thin click layer over ledgerlink-core.

Core commands are listed in ``COMMANDS`` with their one-line summaries and imported only when
used, so ``--help`` and shell completion stay fast: they import neither pydantic nor any
plugin (``tests/cli/test_startup.py``). Plugins add commands through the
``ledgerlink_cli_commands`` hook, asked only when a name is not a core command; their names
and summaries are kept in a small cache (:mod:`ledgerlink_cli.plugin_cache`) so that listing
them does not import them again until the installed plugins change.

Every command is parse -> job (``ledgerlink_core.jobs``) -> render -> exit. Besides click's
own usage errors there is one way to exit non-zero: raise a
:class:`~ledgerlink_core.errors.LedgerlinkError` (``ProblemsFound`` when the job's answer is
"problems found"), which ``LedgerlinkGroup.invoke`` turns into one line on stderr and the
documented exit code. A filesystem error on a path the user gave is a one-line exit 2 too.

Global options (:data:`~ledgerlink_cli.globals.GLOBAL_OPTIONS`) are accepted before and after
the sub-command: they are added to every command when it is loaded.
"""

from __future__ import annotations

import importlib
import os
import sys
import traceback as _traceback
from typing import TYPE_CHECKING, Any

import click
import click.shell_completion
from ledgerlink_core.errors import EXIT_CODES, LedgerlinkError, did_you_mean

from ledgerlink_cli import globals as gopts
from ledgerlink_cli.paths_errors import user_path_error
from ledgerlink_cli.render import echo_json_error

if TYPE_CHECKING:
    from ledgerlink_core.runtime import Runtime

#: Core commands: name -> ("module:attribute" under ledgerlink_cli.commands, summary). The
#: summary is what ``ledgerlink --help`` shows without importing the command
#: (``tests/cli/test_conventions.py`` checks it is the command's own first line).
COMMANDS: dict[str, tuple[str, str]] = {
    "backends": ("backends:backends", "List the installed backends and what each can do."),
    "check": ("check:check", "Validate a SIE file."),
    "config": ("config:config", "Show and change settings in the config file."),
    "diff": ("diff:diff", "Compare two SIE files, or the last pull with the backend now."),
    "doctor": ("doctor:doctor", "Check the installation, the config and the backends."),
    "ledgers": ("ledgers:ledgers", "Import subledgers (reskontra): invoices open at a date."),
    "paths": ("paths:paths", "Show where the config, tokens, journal and snapshots live."),
    "plugins": ("plugins:plugins", "List the extension plugins and their hooks."),
    "pull": ("pull:pull", "Import a fiscal year's bookkeeping from a backend."),
    "push": ("push:push", "Export vouchers with their documents into a backend, exactly once."),
    "reconcile": ("reconcile:reconcile", "Compare the subledgers with their control accounts."),
    "snapshots": ("snapshots:snapshots", "List the snapshots that pulls kept, newest first."),
    "connections": ("connections:connections", "List the logins, one per company and backend."),
    "batch": (
        "batch:batch",
        "Run one operation for many companies: every connection, or --companies X,Y.",
    ),
}

INTERNAL_ERROR = 70


#: Where the plugins' commands are kept, once asked for, in ``ctx.meta`` (one invocation).
PLUGIN_COMMANDS = "ledgerlink.plugin_commands"


def runtime_of(ctx: click.Context) -> Runtime:
    """The invocation's :class:`Runtime` (``ctx.obj`` of the root), created on first use so
    that ``--help`` and completion never import it."""
    root = ctx.find_root()
    if root.obj is None:
        from ledgerlink_core.progress import NullProgress
        from ledgerlink_core.runtime import Runtime

        from ledgerlink_cli.progress import terminal_progress

        quiet = bool(gopts.value(root, "quiet"))
        root.obj = Runtime(
            progress=NullProgress() if quiet else terminal_progress(),
            company=gopts.value(root, "company"),
        )
        root.meta["ledgerlink.own_runtime"] = True
    runtime: Runtime = root.obj
    return runtime


class LedgerlinkGroup(click.Group):
    """Resolves core commands lazily, then asks plugins for theirs; suggests on a typo."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        """The root context. Its ``obj``, the invocation's :class:`Runtime`, is made on first
        use (:func:`runtime_of`); a caller may pass its own (``CliRunner().invoke(cli,
        obj=...)``)."""
        extra.setdefault("obj", None)
        return super().make_context(info_name, args, parent, **extra)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # Bare `ledgerlink` shows the help and succeeds (click's default exits 2).
        if not args and not ctx.resilient_parsing:
            click.echo(ctx.get_help(), color=ctx.color)
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def _plugin_commands(self, ctx: click.Context) -> dict[str, click.Command]:
        root = ctx.find_root()
        cache: dict[str, click.Command] | None = root.meta.get(PLUGIN_COMMANDS)
        if cache is None:
            runtime = runtime_of(ctx)
            group = click.Group()
            runtime.registry.hook.ledgerlink_cli_commands(cli=group)
            cache = {n: c for n, c in group.commands.items() if n not in COMMANDS}
            for command in cache.values():
                gopts.add_to(command)
            root.meta[PLUGIN_COMMANDS] = cache
            if root.meta.get("ledgerlink.own_runtime"):
                from ledgerlink_cli import plugin_cache

                plugin_cache.store(
                    runtime.environ, {n: c.get_short_help_str(limit=200) for n, c in cache.items()}
                )
        return cache

    def _plugin_summaries(self, ctx: click.Context) -> dict[str, str]:
        """Plugin command names and summaries: from the cache while it is valid (no plugin
        imported), else from the plugins themselves."""
        root = ctx.find_root()
        if root.obj is None and PLUGIN_COMMANDS not in root.meta:
            from ledgerlink_cli import plugin_cache

            cached = plugin_cache.load()
            if cached is not None:
                return cached
        return {n: c.get_short_help_str(limit=200) for n, c in self._plugin_commands(ctx).items()}

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; turn ledgerlink errors into one line and a documented exit code.

        ``--traceback`` adds the traceback and keeps the exit code. A reader that closed the
        pipe (``| head``) ends the command quietly with exit 0: it had what it wanted.
        """
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            _quiet_stdout()
            ctx.exit(0)
        except LedgerlinkError as exc:
            if gopts.value(ctx, "traceback"):
                _traceback.print_exc()
            echo_json_error(ctx, exc.exit_code, str(exc))
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except Exception as exc:
            if gopts.value(ctx, "traceback"):
                _traceback.print_exc()
            message = user_path_error(ctx, exc)
            if message is not None:
                echo_json_error(ctx, 2, message)
                click.echo(f"error: {message}", err=True)
                ctx.exit(2)
            click.echo(
                f"internal error: {type(exc).__name__}: {exc} (run with --traceback and report it)",
                err=True,
            )
            ctx.exit(INTERNAL_ERROR)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self._plugin_summaries(ctx)))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is not None:
            module, attr = entry[0].split(":")
            command: click.Command = getattr(
                importlib.import_module(f"ledgerlink_cli.commands.{module}"), attr
            )
            gopts.add_to(command)
            return command
        return self._plugin_commands(ctx).get(cmd_name)

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        name = args[0]
        missing = not name.startswith("-") and not ctx.resilient_parsing
        if missing and self.get_command(ctx, name) is None:
            hint = did_you_mean(name, self.list_commands(ctx))
            ctx.fail(f"No such command {name!r}." + (f" {hint}" if hint else ""))
        return super().resolve_command(ctx, args)

    def shell_complete(
        self, ctx: click.Context, incomplete: str
    ) -> list[click.shell_completion.CompletionItem]:
        """Complete command names from ``COMMANDS`` and the plugins' summaries, importing no
        command (click's own would load each one for its help text)."""
        from click.shell_completion import CompletionItem

        if incomplete.startswith("-"):
            return super().shell_complete(ctx, incomplete)
        summaries = {name: summary for name, (_, summary) in COMMANDS.items()}
        summaries.update(self._plugin_summaries(ctx))
        return [
            CompletionItem(name, help=summary)
            for name, summary in sorted(summaries.items())
            if name.startswith(incomplete)
        ]

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, from ``COMMANDS`` and the plugins' summaries: nothing imported."""
        rows = [(name, summary) for name, (_, summary) in COMMANDS.items()]
        plugins = sorted(self._plugin_summaries(ctx).items())
        with formatter.section("Commands"):
            formatter.write_dl(sorted(rows))
        if plugins:
            with formatter.section("Commands from plugins"):
                formatter.write_dl(plugins)


def _exit_codes_epilog() -> str:
    # "\b" tells click not to rewrap the paragraph.
    codes = "\n".join(f"{k:>3}  {v}" for k, v in EXIT_CODES.items())
    return (
        "Exit codes:\n\n\b\n"
        + codes
        + "\n\n\b\nExamples:\n"
        + "  ledgerlink check books.se\n"
        + "  ledgerlink pull --from fortnox --year 2025 -o books.se\n"
        + "  ledgerlink ledgers --from fortnox --date 2025-12-31 --format xlsx -o open.xlsx\n"
        + "  ledgerlink COMMAND -h\n"
        + "\n\b\nShell completion (bash; zsh and fish likewise):\n"
        + '  eval "$(_LEDGERLINK_COMPLETE=bash_source ledgerlink)"'
    )


@click.group(
    cls=LedgerlinkGroup,
    epilog=_exit_codes_epilog(),
    context_settings={"help_option_names": ["-h", "--help"]},
)
@gopts.root_options
@click.version_option(package_name="ledgerlink-cli", prog_name="ledgerlink")
def cli() -> None:
    """Move bookkeeping between year-end closing and accounting systems (Fortnox, SIE files...)."""
    # The runtime is made when the sub-command's options are parsed (globals.add_to), so
    # `ledgerlink COMMAND -h` does not build it.
    gopts.apply(click.get_current_context())


def _quiet_stdout() -> None:
    """Point stdout at devnull, so that flushing it at exit does not raise again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (tests capture it)
        pass


def main() -> None:
    """Console-script entry point."""
    try:
        cli.main(prog_name="ledgerlink")
    except BrokenPipeError:  # while click itself wrote (help, usage)
        _quiet_stdout()
        sys.exit(0)
