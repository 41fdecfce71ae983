"""Rendering helpers: JSON to stdout and simple aligned tables."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import click


def echo_json(data: Any) -> None:
    """Print ``data`` as indented JSON (Decimals and dates must already be strings)."""
    click.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


def table(
    headers: Sequence[str], rows: Sequence[Sequence[Any]], *, right: Sequence[int] = ()
) -> str:
    """An aligned plain-text table; columns listed in ``right`` are right-aligned."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in r] for r in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        parts = [
            row[i].rjust(widths[i]) if i in right else row[i].ljust(widths[i])
            for i in range(len(headers))
        ]
        lines.append("  ".join(parts).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


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
