"""Filesystem errors on paths the user gave: one line naming the path, exit 2 (never 70).

Every ``click.Path`` parameter of a loaded command (and every ``--set KEY=VALUE``'s value)
records its value in the root context
(:func:`track_paths`, called for every command by :func:`ledgerlink_cli.globals.add_to`).
When an ``OSError`` escapes a command, :func:`user_path_error` says whether it concerns one of
those paths: the path itself, a file beside it (the temporary file of an atomic write), a file
under it (a directory given), or a missing parent of it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

PATHS = "ledgerlink.user_paths"
#: Set in the root context's meta when the command was asked for JSON (--json, --format json).
JSON_ASKED = "ledgerlink.json_asked"
#: Set when the command printed its JSON answer (render.echo_json).
JSON_WRITTEN = "ledgerlink.json_written"


def track_paths(command: click.Command) -> None:
    """Make every ``click.Path`` parameter of ``command`` record its value, and its ``--json``
    and ``--format`` say whether JSON was asked for."""
    for param in command.params:
        if isinstance(param.type, click.Path):
            param.callback = _recorder(param.callback)
        elif param.name == "assignments":  # --set path=FILE names a path too
            param.callback = _recorder(param.callback, lambda v: str(v).partition("=")[2])
        elif param.name in ("as_json", "fmt"):
            param.callback = _json_recorder(param.callback)


def _json_recorder(inner: Callable[..., Any] | None) -> Callable[..., Any]:
    def record(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is True or value == "json":
            ctx.find_root().meta[JSON_ASKED] = True
        return inner(ctx, param, value) if inner is not None else value

    return record


def _recorder(
    inner: Callable[..., Any] | None, path_of: Callable[[Any], str] = str
) -> Callable[..., Any]:
    def record(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        if value is not None and not ctx.resilient_parsing:
            found: list[Path] = ctx.find_root().meta.setdefault(PATHS, [])
            values = value if isinstance(value, (tuple, list)) else (value,)
            found += [Path(path_of(v)) for v in values if path_of(v) not in ("", "-")]
        return inner(ctx, param, value) if inner is not None else value

    return record


def _related(failed: Path, given: Path) -> bool:
    failed, given = failed.absolute(), given.absolute()
    return (
        failed == given
        or failed.parent == given.parent
        or given in failed.parents
        or failed in given.parents
    )


def user_path_error(ctx: click.Context, exc: BaseException) -> str | None:
    """The one-line message for ``exc`` when it is an OS error on a path the user gave."""
    if not isinstance(exc, OSError):
        return None
    names = [n for n in (exc.filename, exc.filename2) if n is not None]
    given: list[Path] = ctx.find_root().meta.get(PATHS, [])
    for name in names:
        failed = Path(str(name))
        for path in given:
            if _related(failed, path):
                reason = exc.strerror or type(exc).__name__
                return f"{path}: {reason}"
    return None
