"""``ledgerlink push``: vouchers (and their documents) into a backend, exactly once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ledgerlink_cli.formats import Sheet, choose, emit, format_options
from ledgerlink_cli.options import complete_backends, set_option
from ledgerlink_cli.render import echo_json, table

if TYPE_CHECKING:
    from ledgerlink_core import ExportReport, Runtime
    from ledgerlink_core.jobs import JournalStatus

EPILOG = """\b
Input: a SIE 4I file (or a 4E file: its vouchers), or JSON: what `ledgerlink pull
--json` prints, {"vouchers": [...]} or a list of vouchers. In JSON a voucher may
name its documents: "attachments": ["receipts/a12.pdf"] (relative to the file).

\b
Attachments from --attach DIR (PDF, JPEG, PNG; checked by content): the file name
up to the first "_" (or the whole name without extension) names the voucher:
  A-12.pdf, A-12_receipt.pdf   voucher A 12 (series-number in the input)
  v3.png, v3_scan.jpg          the 3rd voucher of the input (unnumbered ones)
A file that matches no voucher, or more than one, is reported as a problem. In
JSON a voucher's own "attachments" must lie inside the JSON file's folder (or
--attach DIR): absolute paths, ".." and symlinks out of it are refused.

\b
Exactly once: every voucher is recorded in the export journal,
<data dir>/export-journal.sqlite3 (LEDGERLINK_DATA_DIR, or the platform's user data
directory), before it is sent. After a crash, timeout or dropped connection the
target is searched before anything is sent again, and pushing the same input
twice reports every voucher as already there. The target is the truth, the
journal a cache: before the first post, every voucher the journal has not
confirmed is looked up in the target, so a new data directory, an emptied
journal or another host name for the same server costs look-ups, never
duplicates. A voucher is looked up in the series it was sent to; --series does
not move a voucher exported before (its outcome says so). `ledgerlink push
--status` shows the journal.

\b
Vouchers of one series are posted strictly in input order, so a target that
numbers a series as vouchers arrive (Fortnox) numbers them as the input does.

\b
Texts: the target's rules (which characters, how long) are checked before
anything is sent; every refused character is named with its voucher and field.
--normalise-text replaces each by a look-alike the target takes (' -> ’,
" -> ’’, < -> ( ...), cuts over-long texts, keeps the original texts in the
voucher's comment in the target, and lists every change in the report.

\b
Exit codes: 0 all vouchers there; 1 validation failed (nothing was sent);
2 unreadable input, or a target file that cannot be written (read-only, its
folder missing); 4 not logged in; 5 the backend could not be reached;
6 the backend cannot take vouchers or attachments; 8 some vouchers failed
(run the same push again: it looks up what is unsure and finishes the rest),
or the journal is damaged (restore it or move it aside: a new one looks
everything up in the target); 9 another push to the same target is running
(nothing was sent: run it again when that one has finished).
"""


@click.command(epilog=EPILOG)
@click.argument("vouchers", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--to",
    "backend",
    shell_complete=complete_backends,
    metavar="BACKEND",
    help="The backend to export to.",
)
@click.option(
    "--attach",
    "attach_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Directory of documents (bilagor), named by the rule below.",
)
@click.option("--series", metavar="S", help="Put every voucher in voucher series S.")
@click.option(
    "--dry-run",
    is_flag=True,
    help="Validate and show what would be sent (asking the target what it holds); send nothing.",
)
@click.option(
    "--normalise-text",
    is_flag=True,
    help="Replace characters the target refuses by look-alikes (see below).",
)
@click.option("--status", "show_status", is_flag=True, help="Show the export journal and exit.")
@set_option
@format_options
@click.pass_obj
def push(
    runtime: Runtime,
    vouchers: Path | None,
    backend: str | None,
    attach_dir: Path | None,
    series: str | None,
    dry_run: bool,
    normalise_text: bool,
    show_status: bool,
    assignments: tuple[str, ...],
    fmt: str | None,
    as_json: bool,
    output: Path | None,
    csv_dialect: str,
) -> None:
    """Export vouchers with their documents into a backend, exactly once.

    Everything is validated before anything is written (balance, rows, accounts in the
    target's chart, fiscal years, locked periods, series, attachments); every problem
    is listed with its voucher.

    \b
    Examples:
      ledgerlink push --to fortnox adjustments.si --series A --dry-run
      ledgerlink push --to fortnox adjustments.si --series A --attach bilagor/
      ledgerlink push --status --format xlsx -o journal.xlsx
    """
    from ledgerlink_core import ExportError, ExportStatus, ValidationFailed, jobs
    from ledgerlink_core.config import parse_assignments

    out = choose(fmt, as_json, output, csv_dialect)
    if show_status:
        status = jobs.journal_status(runtime, jobs.JournalStatusRequest(backend=backend))
        emit(
            out,
            sheets=lambda: [_status_sheet(status)],
            json_data=lambda: _status_json(status),
            table=lambda: _status_text(status),
        )
        return
    if out.fmt in ("csv", "xlsx"):
        raise click.UsageError("--format csv and xlsx are for push --status")
    as_json = out.fmt == "json"
    if vouchers is None or backend is None:
        raise click.UsageError("usage: ledgerlink push --to BACKEND VOUCHERS (or --status)")
    request = jobs.PushRequest(
        backend=backend,
        source=vouchers,
        attach_dir=attach_dir,
        series=series,
        dry_run=dry_run,
        normalise_text=normalise_text,
        overrides=parse_assignments(assignments),
    )
    try:
        report = jobs.push(runtime, request)
    except ValidationFailed as exc:
        if as_json:
            echo_json({"ok": False, "error": str(exc), "problems": list(exc.problems)})
        else:
            for problem in exc.problems:
                click.echo(f"  {problem}", err=True)
        raise
    if as_json:
        echo_json(_report_json(report))
    else:
        click.echo(_report_text(report))
    if not report.ok:
        failed = report.count(ExportStatus.FAILED)
        raise ExportError(
            f"{failed} of {len(report.outcomes)} vouchers failed; the journal keeps their "
            "state: run the same push again to finish them"
        )


def _report_json(report: ExportReport) -> dict[str, Any]:
    from ledgerlink_core import ExportStatus

    data: dict[str, Any] = {"ok": report.ok, **report.model_dump(mode="json")}
    data["counts"] = {s.value: report.count(s) for s in ExportStatus if report.count(s)}
    return data


def _placement(o: Any) -> str:
    if o.placement is None:
        return ""
    year = f" ({o.placement.year})" if o.placement.year is not None else ""
    return f"{o.placement.series} {o.placement.number}{year}".strip()


def _report_text(report: ExportReport) -> str:
    from ledgerlink_core import ExportStatus

    rows = [
        (o.voucher, o.status.value, _placement(o), o.attachments or "", o.error or o.note or "")
        for o in report.outcomes
    ]
    counts = ", ".join(f"{report.count(s)} {s.value}" for s in ExportStatus if report.count(s))
    head = "dry run: nothing sent. " if report.dry_run else ""
    body = table(["voucher", "outcome", "in target", "attachments", "reason"], rows, right=[3])
    lines = [body, f"{head}{report.target}: {counts or 'no vouchers'}"]
    if report.text_changes:
        lines.append(f"texts changed to fit {report.target} (originals kept in its comments):")
        lines += [
            f"  {c.voucher}, {c.field}: {c.before!r} -> {c.after!r}" for c in report.text_changes
        ]
    return "\n".join(lines)


def _status_json(status: JournalStatus) -> dict[str, Any]:
    """``ok``, the journal's path, the counts and every entry; an entry's (and attachment's)
    state is its ``status``, as an outcome's is in push --json."""
    entries = []
    for e in status.entries:
        entry = e.model_dump(mode="json", exclude={"key"})
        entry["status"] = entry.pop("state")
        for a in entry["attachments"]:
            a["status"] = a.pop("state")
        entries.append({"backend": e.backend, "target_id": e.target_id, **entry})
    return {
        "ok": True,
        "journal": str(status.journal),
        "counts": status.counts(),
        "entries": entries,
    }


STATUS_HEADERS = (
    "backend",
    "target_id",
    "voucher",
    "date",
    "status",
    "series",
    "number",
    "year",
    "external_ref",
    "attempts",
    "attachments",
    "attachments_connected",
    "error",
    "updated_at",
)


def _status_sheet(status: JournalStatus) -> Sheet:
    """One row per journal entry (numbers and dates as such in xlsx)."""
    rows = [
        (
            e.backend,
            e.target_id,
            e.voucher,
            e.date,
            e.state.value,
            e.series,
            e.number,
            e.year,
            e.external_ref,
            e.attempts,
            len(e.attachments),
            sum(a.state == "connected" for a in e.attachments),
            e.error,
            e.updated_at,
        )
        for e in status.entries
    ]
    return Sheet("Export journal", STATUS_HEADERS, list(rows), widths={"voucher": 40})


def _status_text(status: JournalStatus) -> str:
    if not status.entries:
        return f"the export journal ({status.journal}) is empty"
    rows = [
        (
            e.key,
            e.voucher,
            e.date.isoformat(),
            e.state.value,
            f"{e.series} {e.number}" + (f" ({e.year})" if e.year is not None else "")
            if e.number
            else "",
            f"{sum(a.state == 'connected' for a in e.attachments)}/{len(e.attachments)}"
            if e.attachments
            else "",
            e.error or "",
        )
        for e in status.entries
    ]
    headers = ["target", "voucher", "date", "status", "in target", "attachments", "last error"]
    summary = ", ".join(f"{n} {s}" for s, n in status.counts().items())
    return f"{table(headers, rows)}\n{status.journal}: {summary}"
