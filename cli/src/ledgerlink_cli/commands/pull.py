"""``ledgerlink pull``: import a fiscal year's bookkeeping from a backend."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import click

from ledgerlink_cli.globals import note
from ledgerlink_cli.options import DATE, complete_backends, json_option, set_option
from ledgerlink_cli.render import mark_json_written

if TYPE_CHECKING:
    from ledgerlink_core.jobs import AttachmentsReport
    from ledgerlink_core.model import Bookkeeping
    from ledgerlink_core.runtime import Runtime


@click.command()
@click.argument("source", required=False, type=click.Path(path_type=Path))
@click.option(
    "--from",
    "backend",
    shell_complete=complete_backends,
    metavar="BACKEND",
    help="The backend to import from.",
)
@set_option
@click.option("--year", type=int, help="The fiscal year ending in this calendar year.")
@click.option("--year-index", type=int, help="The fiscal year by index (0 current, -1 ...).")
@click.option("--date", "on_date", type=DATE, help="The fiscal year containing this date.")
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="Write a SIE file (.se 4E, .si 4I)."
)
@click.option(
    "--attachments",
    "attachments_dir",
    type=click.Path(path_type=Path, file_okay=False),
    metavar="DIR",
    help="Also download the year's supporting documents into DIR as <series>-<number>_<name> "
    "(what push --attach reads). Files already there are not downloaded again.",
)
@click.option(
    "--no-snapshot",
    is_flag=True,
    help="Keep no snapshot of this import (diff --from compares with the last one kept).",
)
@json_option
@click.pass_obj
def pull(
    runtime: Runtime,
    source: Path | None,
    backend: str | None,
    assignments: tuple[str, ...],
    year: int | None,
    year_index: int | None,
    on_date: dt.date | None,
    output: Path | None,
    attachments_dir: Path | None,
    no_snapshot: bool,
    as_json: bool,
) -> None:
    """Import a fiscal year's bookkeeping from a backend.

    The company, chart, dimensions, balances and every voucher. A file given directly
    (ledgerlink pull books.se) is read by the installed backend that reads such files
    (a SIE file: sie_file); --from names it when several do.

    Every pull keeps a snapshot of what it imported in the data directory (see
    ledgerlink snapshots), the baseline that ledgerlink diff --from compares with.

    \b
    Examples:
      ledgerlink pull books.se
      ledgerlink pull --from fortnox --year 2025 -o books.se
      ledgerlink pull --from fortnox --date 2025-06-30 --attachments bilagor/
    """
    from ledgerlink_core.backend import BookkeepingRequest
    from ledgerlink_core.config import parse_assignments
    from ledgerlink_core.errors import ProblemsFound
    from ledgerlink_core.jobs import PullRequest
    from ledgerlink_core.jobs import pull as run_pull

    if output is not None and as_json:
        raise click.UsageError("choose one of -o/--output and --json")
    request = PullRequest(
        backend=backend,
        overrides=parse_assignments(assignments),
        source=source,
        selector=BookkeepingRequest(year=year, year_index=year_index, on_date=on_date),
        snapshot=not no_snapshot,
        attachments=attachments_dir,
    )
    result = run_pull(runtime, request)
    book = result.book
    if result.attachments is not None:
        _report_attachments(result.attachments)

    if as_json:
        echo_book_json(book)
    elif output is not None:
        from ledgerlink_core.sie import write_sie

        sie_type: Literal["4E", "4I"] = "4I" if output.suffix.lower() == ".si" else "4E"
        label = f"writing {output.name} (vouchers)"
        with runtime.progress.task(label, total=len(book.vouchers)) as task:
            write_sie(book, output, sie_type=sie_type, on_vouchers=task.advance)
        note(f"wrote {output} (SIE {sie_type}, {len(book.vouchers)} vouchers)")
    else:
        click.echo(summary(book))
    if result.attachments is not None and not result.attachments.ok:
        failed = result.attachments.failed
        raise ProblemsFound(
            f"{len(failed)} attachment(s) could not be imported into "
            f"{result.attachments.directory}; run the same command again to retry them"
        )


def echo_book_json(book: Bookkeeping) -> None:
    """Print ``book`` as ``echo_json`` would, a voucher at a time: the whole bookkeeping as
    one dict of JSON values took 65 times the file's size in memory, one voucher takes
    nothing worth counting."""
    head = json.dumps(
        book.model_copy(update={"vouchers": ()}).model_dump(mode="json"),
        indent=2,
        ensure_ascii=False,
    )
    before, marker, after = head.partition('\n  "vouchers": []')
    assert marker, "the bookkeeping's JSON has a top-level vouchers list"
    click.echo(before + '\n  "vouchers": [', nl=False)
    for n, voucher in enumerate(book.vouchers):
        item = json.dumps(voucher.model_dump(mode="json"), indent=2, ensure_ascii=False)
        click.echo(("," if n else "") + "\n" + textwrap.indent(item, "    "), nl=False)
    click.echo(("\n  ]" if book.vouchers else "]") + after)
    mark_json_written()


def _report_attachments(report: AttachmentsReport) -> None:
    """One line per failed file and a count (not with -q), on stderr (stdout carries the
    bookkeeping)."""
    for failure in report.failed:
        click.echo(
            f"attachment {failure.filename!r} of voucher {failure.voucher}: {failure.message}",
            err=True,
        )
    note(
        f"attachments in {report.directory}: {len(report.downloaded)} downloaded "
        f"({report.bytes_downloaded} bytes), {len(report.kept)} already there, "
        f"{len(report.failed)} failed"
    )


def summary(book: Bookkeeping) -> str:
    """A human summary of an imported bookkeeping."""
    lines = [f"{book.company.name}" + (f" ({book.company.org_nr})" if book.company.org_nr else "")]
    if book.source.program:
        lines.append(f"  from:        {book.source.program} {book.source.program_version or ''}")
    for year in sorted(book.fiscal_years, key=lambda y: -y.index):
        lines.append(f"  year {year.index:>3}:    {year.start} .. {year.end}")
    rows = sum(len(v.rows) for v in book.vouchers)
    series: dict[str, int] = {}
    for v in book.vouchers:
        series[v.series] = series.get(v.series, 0) + 1
    lines += [
        f"  accounts:    {len(book.accounts)}",
        f"  dimensions:  {len(book.dimensions)} ({len(book.objects)} objects)",
        f"  balances:    {len(book.opening_balances)} opening, {len(book.closing_balances)} "
        f"closing, {len(book.results)} results, {len(book.period_balances)} period",
        f"  vouchers:    {len(book.vouchers)} with {rows} rows",
    ]
    if series:
        lines.append(
            "  series:      "
            + ", ".join(f"{s or '(none)'}: {n}" for s, n in sorted(series.items()))
        )
    return "\n".join(lines)
