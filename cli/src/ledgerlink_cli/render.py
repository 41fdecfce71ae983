"""Rendering helpers: JSON to stdout and simple aligned tables."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (Decimals and dates must already be strings)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))
    mark_json_written()


def mark_json_written() -> None:
    """Note that this invocation's JSON answer is out (an error after it prints no second)."""
    from ledgerlink_cli.paths_errors import JSON_WRITTEN

    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.find_root().meta[JSON_WRITTEN] = True


def echo_json_error(ctx: click.Context, exit_code: int, message: str) -> None:
    """When JSON was asked for and none printed: ``{"ok": false, "error": {...}}`` on stdout,
    so a script reading stdout always gets the envelope (the one-line error stays on
    stderr)."""
    from ledgerlink_cli.paths_errors import JSON_ASKED, JSON_WRITTEN

    meta = ctx.find_root().meta
    if meta.get(JSON_ASKED) and not meta.get(JSON_WRITTEN):
        echo_json({"ok": False, "error": {"exit_code": exit_code, "message": message}})


def terminal_width() -> int | None:
    """The width to fit tables to: the terminal's when stdout is one (``COLUMNS`` wins), else
    None: piped output is never cut."""
    import shutil
    import sys

    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    return shutil.get_terminal_size().columns


#: A column is never cut below this many characters.
MIN_COLUMN = 8


def table(
    headers: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    right: Sequence[int] = (),
    width: int | None = -1,
) -> str:
    """An aligned plain-text table; columns listed in ``right`` are right-aligned.

    It fits ``width`` characters (default: the terminal's, when stdout is a terminal): the
    widest left-aligned (text) columns are cut, each cut cell ending in "…"; numbers (the
    right-aligned columns) are never cut. ``width=None`` never cuts."""
    if width == -1:
        width = terminal_width()
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    if width is not None:
        widths = _fit(widths, width, right)
    lines = []
    for n, row in enumerate(cells):
        parts = [
            _cut(row[i], widths[i]).rjust(widths[i])
            if i in right
            else _cut(row[i], widths[i]).ljust(widths[i])
            for i in range(len(headers))
        ]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fit(widths: list[int], width: int, right: Sequence[int]) -> list[int]:
    widths = list(widths)
    gaps = 2 * (len(widths) - 1)
    while sum(widths) + gaps > width:
        cuttable = [i for i in range(len(widths)) if i not in right and widths[i] > MIN_COLUMN]
        if not cuttable:
            break
        widest = max(cuttable, key=lambda i: widths[i])
        widths[widest] -= 1
    return widths


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def installed_table(rows: Sequence[Any], detail_header: str, detail: Sequence[str]) -> str:
    """The table of ``ledgerlink backends`` / ``plugins``: one row per entry point, with
    ``detail`` (capabilities, hooks or the load error) in the last column."""
    return table(
        ["name", "distribution", "version", "status", detail_header],
        [
            [r.name, r.distribution or "?", r.version or "?", r.status, d]
            for r, d in zip(rows, detail, strict=True)
        ],
    )
