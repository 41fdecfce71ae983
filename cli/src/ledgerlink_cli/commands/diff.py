"""``ledgerlink diff``: what changed between two SIE files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ledgerlink_cli.amounts import money
from ledgerlink_cli.formats import Sheet, choose, emit, format_options
from ledgerlink_cli.options import DATE, complete_backends, set_option
from ledgerlink_cli.render import table

if TYPE_CHECKING:
    from ledgerlink_core.diff import BalanceChange, DiffReport, DiffRow, NameChange, VoucherChange
    from ledgerlink_core.runtime import Runtime

EPILOG = """\b
Vouchers are matched by series and number (unnumbered ones by their place in
the series); the same bookkeeping written differently (field order, quoting,
encoding, 100 vs 100.00, row order) is equal. Balances are #IB/#OIB, #UB/#OUB,
#RES and #PSALDO per account, year, period and object; a missing record counts
as zero. --json has every item; the text shows the first few of each list.

\b
With --from, the last snapshot that `ledgerlink pull` kept of the company and
year from that backend is compared with what the backend holds now; diff keeps
no snapshot itself, so the baseline stays the last pull.

\b
Exit codes: 0 the files are equal; 1 they differ; 2 a file is missing or
unreadable (the message names the file and line), or --from has no snapshot
to compare with yet; others as for every command.
"""

#: Items shown per list on a terminal (``--json`` has them all).
SHOWN = 20


@click.command(epilog=EPILOG)
@click.argument("old", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.argument("new", required=False, type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--from",
    "backend",
    metavar="BACKEND",
    shell_complete=complete_backends,
    help="Compare the last snapshot (what the last pull imported) with BACKEND now.",
)
@set_option
@click.option("--year", type=int, help="With --from: the fiscal year ending in this year.")
@click.option("--year-index", type=int, help="With --from: the fiscal year by index.")
@click.option("--date", "on_date", type=DATE, help="With --from: the year containing this date.")
@format_options
@click.pass_obj
def diff(
    runtime: Runtime,
    old: Path | None,
    new: Path | None,
    backend: str | None,
    assignments: tuple[str, ...],
    year: int | None,
    year_index: int | None,
    on_date: dt.date | None,
    fmt: str | None,
    as_json: bool,
    output: Path | None,
    csv_dialect: str,
) -> None:
    """Compare two SIE files, or the last pull with the backend now.

    Lists vouchers added, removed and changed, balances moved, accounts and objects
    added, removed or renamed.

    \b
    Examples:
      ledgerlink diff january.se today.se
      ledgerlink diff --from fortnox --year 2025
      ledgerlink diff january.se today.se --format xlsx -o changes.xlsx
    """
    from ledgerlink_core.backend import BookkeepingRequest
    from ledgerlink_core.config import parse_assignments
    from ledgerlink_core.errors import ProblemsFound
    from ledgerlink_core.jobs import DiffRequest
    from ledgerlink_core.jobs import diff as run_diff

    out = choose(fmt, as_json, output, csv_dialect)
    if backend is None and (old is None or new is None):
        raise click.UsageError("give two SIE files (OLD NEW), or --from BACKEND")
    if backend is not None and old is not None:
        raise click.UsageError("give two SIE files or --from BACKEND, not both")
    if backend is None and (assignments or year or year_index or on_date):
        raise click.UsageError("--set, --year, --year-index and --date go with --from")
    request = DiffRequest(
        old=old,
        new=new,
        backend=backend,
        overrides=parse_assignments(assignments),
        selector=BookkeepingRequest(year=year, year_index=year_index, on_date=on_date),
    )
    report = run_diff(runtime, request)
    emit(
        out,
        sheets=lambda: [sheet(report)],
        json_data=lambda: as_data(report),
        table=lambda: render(report),
    )
    if not report.equal:
        raise ProblemsFound(f"{report.old.file} and {report.new.file} differ: {_counts(report)}")


def as_data(report: DiffReport) -> dict[str, Any]:
    """The JSON answer: ``ok`` (the two sides are equal) and the report (issue 12's shape:
    ``old``, ``new``, ``vouchers``, ``balances``, the name changes and ``summary``)."""
    return {"ok": report.equal, **report.model_dump(mode="json")}


SHEET_HEADERS = (
    "section",
    "change",
    "series",
    "number",
    "account",
    "kind",
    "year",
    "period",
    "objects",
    "date",
    "text",
    "old",
    "new",
    "difference",
    "detail",
)


def sheet(report: DiffReport) -> Sheet:
    """Every change, one row each: vouchers added, removed and changed, balances moved,
    accounts, dimensions and objects added, removed or renamed."""
    rows: list[Sequence[Any]] = []
    v = report.vouchers
    for change, items in (("added", v.added), ("removed", v.removed)):
        for item in items:
            number = item.number if item.number is not None else f"#{item.position}"
            rows.append(
                (
                    "voucher",
                    change,
                    item.series,
                    number,
                    None,
                    None,
                    None,
                    None,
                    None,
                    item.date,
                    item.text,
                    None,
                    None,
                    None,
                    "",
                )
            )
    for c in v.changed:
        number = c.number if c.number is not None else f"#{c.position}"
        detail = "; ".join(f"{f.field}: {f.old!r} -> {f.new!r}" for f in c.fields)
        rows.append(
            (
                "voucher",
                "changed",
                c.series,
                number,
                None,
                None,
                None,
                None,
                None,
                c.date,
                c.text,
                None,
                None,
                None,
                ", ".join(c.changed) + (f" ({detail})" if detail else ""),
            )
        )
    for b in report.balances:
        objects = " ".join(f"{o.dimension}:{o.number}" for o in b.objects)
        rows.append(
            (
                "balance",
                "moved",
                None,
                None,
                b.account,
                b.kind,
                b.year,
                b.period,
                objects or None,
                None,
                None,
                b.old,
                b.new,
                b.difference,
                "",
            )
        )
    for section, names in (
        ("account", report.accounts),
        ("dimension", report.dimensions),
        ("object", report.objects),
    ):
        for n in names:
            key = f"{n.dimension}:{n.number}" if n.dimension is not None else n.number
            rows.append(
                (
                    section,
                    n.change,
                    None,
                    None,
                    key,
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    n.old,
                    n.new,
                    None,
                    "",
                )
            )
    return Sheet("Changes", SHEET_HEADERS, rows, widths={"text": 40, "detail": 50})


def _counts(report: DiffReport) -> str:
    s = report.summary
    parts = [
        (s.vouchers_added, "voucher(s) added"),
        (s.vouchers_removed, "voucher(s) removed"),
        (s.vouchers_changed, "voucher(s) changed"),
        (s.balances_moved, "balance(s) moved"),
        (s.accounts_added + s.accounts_removed + s.accounts_renamed, "account(s) changed"),
        (s.dimensions_changed, "dimension(s) changed"),
        (s.objects_added + s.objects_removed + s.objects_renamed, "object(s) changed"),
    ]
    return ", ".join(f"{n} {what}" for n, what in parts if n) or "equal"


def _voucher(series: str, number: str | None, position: int | None) -> str:
    if number is None:
        return f"{series} (unnumbered #{position})".strip()
    return f"{series} {number}".strip()


def _row(row: DiffRow) -> str:
    objects = " ".join(f"{o.dimension}:{o.number}" for o in row.objects)
    parts = [row.account, f"{{{objects}}}" if objects else "", money(row.amount)]
    if row.text:
        parts.append(repr(row.text))
    return " ".join(p for p in parts if p)


def _change(change: VoucherChange) -> list[str]:
    head = f"  ~ {_voucher(change.series, change.number, change.position)}"
    lines = [f"{head}  {change.date}  {change.text!r}: {', '.join(change.changed)}"]
    for field in change.fields:
        lines.append(f"      {field.field}: {field.old!r} -> {field.new!r}")
    for row in change.rows_removed:
        lines.append(f"      - row {_row(row)}")
    for row in change.rows_added:
        lines.append(f"      + row {_row(row)}")
    for fix in change.rows_corrected:
        lines.append(f"      ~ row {_row(fix.old)} -> {_row(fix.new)} ({', '.join(fix.changed)})")
    for entry in change.history_removed:
        lines.append(f"      - history ({entry.kind}) {_row(entry.row)}")
    for entry in change.history_added:
        lines.append(f"      + history ({entry.kind}) {_row(entry.row)}")
    return lines


def _more(items: Sequence[object]) -> list[str]:
    left = len(items) - SHOWN
    return [f"  ... and {left} more (--json has them all)"] if left > 0 else []


def _balances(items: Sequence[BalanceChange]) -> str:
    def amount(value: Decimal | None) -> str:
        return "-" if value is None else money(value)  # every decimal it has is shown

    rows = [
        (
            b.account,
            b.kind,
            b.year,
            b.period or "",
            " ".join(f"{o.dimension}:{o.number}" for o in b.objects),
            amount(b.old),
            amount(b.new),
            amount(b.difference),
        )
        for b in items[:SHOWN]
    ]
    headers = ["account", "kind", "year", "period", "objects", "old", "new", "difference"]
    return table(headers, rows, right=[5, 6, 7])


def _names(title: str, items: Sequence[NameChange]) -> list[str]:
    lines = [f"{title}:"]
    for item in items[:SHOWN]:
        what = f"{item.dimension}:{item.number}" if item.dimension is not None else item.number
        mark = {"added": "+", "removed": "-", "renamed": "~"}[item.change]
        names = {"added": repr(item.new), "removed": repr(item.old)}.get(
            item.change, f"{item.old!r} -> {item.new!r}"
        )
        lines.append(f"  {mark} {what} {names}")
    return lines + _more(items)


def render(report: DiffReport) -> str:
    """The terminal form: the summary, then the first few items of each list."""
    verdict = "equal" if report.equal else _counts(report)
    out = [f"{report.old.file} -> {report.new.file}: {verdict}"]
    v = report.vouchers
    for title, items, mark in (("added", v.added, "+"), ("removed", v.removed, "-")):
        if items:
            out.append(f"vouchers {title}:")
            for item in items[:SHOWN]:
                name = _voucher(item.series, item.number, item.position)
                out.append(f"  {mark} {name}  {item.date}  {item.text!r}")
            out += _more(items)
    if v.changed:
        out.append("vouchers changed:")
        for change in v.changed[:SHOWN]:
            out += _change(change)
        out += _more(v.changed)
    if v.duplicates:
        out.append("series and numbers used more than once (matched in order):")
        for dup in v.duplicates[:SHOWN]:
            out.append(f"  {dup.side} line {dup.line}: {dup.series} {dup.number} #{dup.occurrence}")
        out += _more(v.duplicates)
    if report.balances:
        out.append("balances moved:")
        out.append(_balances(report.balances))
        out += _more(report.balances)
    for title, names in (
        ("accounts", report.accounts),
        ("dimensions", report.dimensions),
        ("objects", report.objects),
    ):
        if names:
            out += _names(title, names)
    return "\n".join(out)
