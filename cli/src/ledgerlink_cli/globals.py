"""Global options: accepted before the sub-command and after it (``ledgerlink -v ledgers ...``
and ``ledgerlink ledgers ... -v`` are the same).

Each global option is declared once in :data:`GLOBAL_OPTIONS`. The root group takes them, and
:func:`add_to` adds a copy to every command when it is loaded (core and plugin commands, and
the commands of their groups), unless the command has an option of that name already. Every
copy stores its value in the root context, merged (counts add up, flags stay on, a value given
later wins), and a command reads it with :func:`value`::

    from ledgerlink_cli import globals as gopts
    gopts.value(click.get_current_context(), "verbose")

To add one: append a :class:`GlobalOption` to :data:`GLOBAL_OPTIONS`
(``GlobalOption("company", ("--company",), {"metavar": "ORGNR|NAME", "help": ...})``) and read
it with :func:`value` where it is needed; what must happen as soon as it is parsed goes in
:func:`apply` (``--company`` sets the runtime's company there). A command with its own
option of that name (``snapshots --company``) keeps its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click

from ledgerlink_cli.paths_errors import track_paths

F = TypeVar("F", bound=Callable[..., Any])

#: Where the merged values live, in the root context's ``meta``.
VALUES = "ledgerlink.globals"
_MARK = "_ledgerlink_globals"


@dataclass(frozen=True)
class GlobalOption:
    """One global option: click's declarations and keyword arguments, by ``name``."""

    name: str
    decls: tuple[str, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)

    def option(self) -> click.Option:
        """A fresh click option that records its value in the root context."""
        return click.Option(list(self.decls), expose_value=False, callback=_record, **self.kwargs)


GLOBAL_OPTIONS: list[GlobalOption] = [
    GlobalOption("verbose", ("-v", "--verbose"), {"count": True, "help": "Log more (repeat)."}),
    GlobalOption(
        "quiet",
        ("-q", "--quiet"),
        {"is_flag": True, "help": "Only errors: no progress, no notes on stderr."},
    ),
    GlobalOption(
        "traceback", ("--traceback",), {"is_flag": True, "help": "Show the full traceback."}
    ),
    GlobalOption(
        "company",
        ("--company",),
        {
            "metavar": "ORGNR|ALIAS",
            "default": None,
            "envvar": "LEDGERLINK_COMPANY",
            "help": "The company (connection) to work on, by organisation number or alias; "
            "needed when a backend has several (`ledgerlink connections` lists them).",
        },
    ),
]


def _by_name(name: str) -> GlobalOption:
    return next(g for g in GLOBAL_OPTIONS if g.name == name)


def _record(ctx: click.Context, param: click.Parameter, given: Any) -> Any:
    if ctx.resilient_parsing or param.name is None:
        return given
    root = ctx.find_root()
    values: dict[str, Any] = root.meta.setdefault(VALUES, {})
    source = ctx.get_parameter_source(param.name)
    if source is click.core.ParameterSource.DEFAULT and param.name in values:
        return given  # a copy left at its default does not undo what was given elsewhere
    before = values.get(param.name)
    if isinstance(given, bool):
        values[param.name] = bool(before) or given
    elif isinstance(given, int) and isinstance(before, int):
        values[param.name] = before + given
    elif given is not None or before is None:
        values[param.name] = given
    apply(root)
    return given


def value(ctx: click.Context, name: str) -> Any:
    """The merged value of global option ``name`` (its default when not given anywhere)."""
    values: dict[str, Any] = ctx.find_root().meta.get(VALUES, {})
    if name in values:
        return values[name]
    kwargs = _by_name(name).kwargs
    if kwargs.get("count"):
        return 0
    if kwargs.get("is_flag"):
        return False
    return kwargs.get("default")


def apply(ctx: click.Context) -> None:
    """Act on the options given so far: logging level, and quiet progress."""
    verbose = int(value(ctx, "verbose") or 0)
    quiet = bool(value(ctx, "quiet"))
    level = logging.ERROR if quiet else logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")
    if verbose or quiet:  # given after the sub-command too, when basicConfig already ran
        logging.getLogger().setLevel(level)
    # Load failures are reported in our own rows and messages; stevedore's log is noise.
    logging.getLogger("stevedore").setLevel(logging.NOTSET if verbose else logging.CRITICAL)
    root = ctx.find_root()
    company = value(ctx, "company")
    if company is not None and root.obj is not None and hasattr(root.obj, "company"):
        root.obj.company = company
    if quiet and root.obj is not None and hasattr(root.obj, "progress"):
        from ledgerlink_core.progress import NullProgress

        root.obj.progress = NullProgress()


def root_options(f: F) -> F:
    """Decorate the root group with every global option."""
    for g in reversed(GLOBAL_OPTIONS):
        f = click.option(*g.decls, expose_value=False, callback=_record, **g.kwargs)(f)
    return f


def add_to(command: click.Command) -> None:
    """Give ``command`` (and, for a group, its commands) every global option it lacks."""
    if getattr(command, _MARK, False):
        return
    setattr(command, _MARK, True)
    track_paths(command)
    taken = {o for p in command.params for o in (*p.opts, *p.secondary_opts)}
    names = {p.name for p in command.params}
    for g in GLOBAL_OPTIONS:
        if g.name in names or taken & set(g.decls):
            continue
        command.params.append(g.option())
    command.params.append(
        click.Option(
            ["--ledgerlink-runtime"],
            hidden=True,
            expose_value=False,
            is_flag=True,
            callback=_give_runtime,
        )
    )
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            add_to(sub)


def _give_runtime(ctx: click.Context, param: click.Parameter, given: Any) -> Any:
    """Hand the command its :class:`Runtime` (``ctx.obj``) once its options are parsed: a
    hidden option, processed last, so ``COMMAND -h`` (eager: it exits first) and completion
    never build one."""
    if not ctx.resilient_parsing and ctx.obj is None:
        from ledgerlink_cli.main import runtime_of

        ctx.obj = runtime_of(ctx)
    return given


def note(message: str) -> None:
    """An informational line on stderr (``wrote FILE``), unless ``-q``."""
    ctx = click.get_current_context(silent=True)
    if ctx is not None and value(ctx, "quiet"):
        return
    click.echo(message, err=True)
