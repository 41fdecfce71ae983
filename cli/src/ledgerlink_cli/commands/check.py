"""``ledgerlink check``: validate a SIE file, streaming."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from ledgerlink_cli.options import json_option
from ledgerlink_cli.render import echo_json

if TYPE_CHECKING:
    from ledgerlink_core.runtime import Runtime


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@json_option
@click.pass_obj
def check(runtime: Runtime, file: Path, as_json: bool) -> None:
    """Validate a SIE file.

    Exits 0 when the file is clean, 1 when problems were found, 2 when it cannot be read.

    \b
    Examples:
      ledgerlink check books.se
      ledgerlink check books.se --json
    """
    from ledgerlink_core.errors import ProblemsFound
    from ledgerlink_core.sie import check_sie

    # The codec names what is wrong with a path that is not a readable file (exit 2).
    size_kb = max(1, file.stat().st_size // 1024) if file.is_file() else 1
    with runtime.progress.task(f"checking {file.name} (kB)", total=size_kb) as task:
        report = check_sie(file, on_read=lambda n: task.advance(n // 1024))
    if as_json:
        echo_json({"ok": report.clean, **report.model_dump(mode="json")})
    else:
        click.echo(render_report(report))
    if not report.clean:
        raise ProblemsFound(
            f"{file}: not clean ({report.errors} error(s), {report.warnings} warning(s))"
        )


def render_report(report: object) -> str:
    """The human form of a check report."""
    data = report.model_dump(mode="json")  # type: ignore[attr-defined]
    problems = data.pop("problems", [])
    lines = [f"{k}: {v}" for k, v in data.items() if not isinstance(v, (list, dict))]
    errors = [p for p in problems if p.get("severity") == "error"]
    lines.append(f"problems: {len(errors)} errors, {len(problems) - len(errors)} warnings")
    for p in problems:
        where = f"line {p['line']}: " if p.get("line") else ""
        lines.append(f"  {p.get('severity', 'error')}: {where}{p['message']}")
    lines.append("clean" if not errors else "NOT clean")
    return "\n".join(lines)
