"""``ledgerlink reconcile``: subledgers against their control accounts at a date, explained."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ledgerlink_cli.amounts import money as _money
from ledgerlink_cli.formats import choose, emit, format_options
from ledgerlink_cli.options import DATE, complete_backends, set_option
from ledgerlink_cli.render import table

if TYPE_CHECKING:
    from ledgerlink_core.reconcile import ReconcileLine, ReconcileReport
    from ledgerlink_core.runtime import Runtime

EPILOG = """\b
The ledger side is the control accounts' balance at the date: the year's opening
balance plus every voucher up to and including the date. The control accounts are
the backend's (Fortnox: the predefined accounts CUSTCLAIM and SUPDEBT), else BAS
1510-1517 and 2440-2447; 1518, 1519 and 2448 are shown on lines of their own and
never counted. The subledger side is the sum of the documents open on that date
(total less payments and write-offs up to it), in SEK at the invoices' rates.
Supplier balances are shown as positive debts. A difference is broken down into
ledger vouchers with no invoice behind them, documents whose voucher the ledger
lacks, payments booked on another date, and what remains unexplained. Under the
cash method the open items are listed as "to be booked at closing" instead.

\b
With --rate, foreign open items are valued at the closing rate and the
unrealised exchange difference is shown per currency; every open currency then
needs a rate. Without any --rate, foreign items are reported unrevalued.

\b
Exit codes: 0 every subledger agrees with its accounts; 1 some do not;
2 bad input (a malformed --rate or --accounts, an open currency without a
rate, a date outside every fiscal year, an unwritable -o path, a payment for a
document the backend does not list); 6 the backend has no subledgers; others
as for every command.
"""


@click.command(epilog=EPILOG)
@click.option(
    "--from",
    "backend",
    shell_complete=complete_backends,
    metavar="BACKEND",
    required=True,
    help="The backend to ask.",
)
@click.option("--date", "as_of", type=DATE, required=True, help="The date to reconcile at.")
@click.option(
    "--accounts",
    "ranges",
    multiple=True,
    metavar="KIND=FIRST-LAST",
    help="Control accounts of a subledger (repeatable), instead of the backend's or BAS.",
)
@click.option(
    "--rate",
    "rates",
    multiple=True,
    metavar="CUR=RATE",
    help="Closing rate, SEK per unit (repeatable), e.g. EUR=11.0512.",
)
@format_options
@set_option
@click.pass_obj
def reconcile(
    runtime: Runtime,
    backend: str,
    as_of: dt.date,
    ranges: tuple[str, ...],
    rates: tuple[str, ...],
    fmt: str | None,
    as_json: bool,
    output: Path | None,
    csv_dialect: str,
    assignments: tuple[str, ...],
) -> None:
    """Compare the subledgers with their control accounts.

    The customer and supplier subledgers against the control accounts' balance at --date,
    with every difference explained as far as the books allow.

    \b
    Examples:
      ledgerlink reconcile --from fortnox --date 2025-12-31
      ledgerlink reconcile --from fortnox --date 2025-12-31 --rate EUR=11.0512
      ledgerlink reconcile --from fortnox --date 2025-12-31 --format xlsx -o bilaga.xlsx
    """
    from ledgerlink_core.config import parse_assignments
    from ledgerlink_core.jobs import ReconcileRequest
    from ledgerlink_core.jobs import reconcile as run_reconcile
    from ledgerlink_core.reconcile import parse_ranges, parse_rates

    from ledgerlink_cli import appendix

    out = choose(fmt, as_json, output, csv_dialect)
    request = ReconcileRequest(
        backend=backend,
        overrides=parse_assignments(assignments),
        as_of=as_of,
        ranges=parse_ranges(ranges),
        rates=parse_rates(rates),
    )
    report = run_reconcile(runtime, request)
    emit(
        out,
        sheets=lambda: appendix.sheets(report),
        json_data=lambda: as_data(report),
        table=lambda: render(report),
        csv_sheet=appendix.CSV,
    )
    if not report.agrees:
        from ledgerlink_core.errors import ProblemsFound

        differ = [line.kind for line in report.lines if not line.agrees]
        raise ProblemsFound(
            f"{', '.join(differ)}: subledger and control accounts differ at {report.date}"
        )


def as_data(report: ReconcileReport) -> dict[str, Any]:
    """The JSON answer: the report's document (what ``batch reconcile`` writes too)."""
    return report.document()


def render(report: ReconcileReport) -> str:
    """The terminal table: one row per subledger, then each one's specification."""
    rows = [
        (
            line.kind,
            line.accounts,
            _money(line.ledger),
            _money(line.subledger),
            _money(line.difference),
            line.open_items,
            "ok" if line.agrees else "DIFFERS",
        )
        for line in report.lines
    ]
    out = [
        f"{report.source} at {report.date}",
        table(
            ["kind", "accounts", "ledger", "subledger", "difference", "open items", "status"],
            rows,
            right=[2, 3, 4, 5],
        ),
    ]
    for line in report.lines:
        out += _detail(line)
    return "\n".join(out)


def _detail(line: ReconcileLine) -> list[str]:
    out = ["", f"{line.kind} ({line.accounts}, {line.accounts_source}, {line.method} method)"]
    for a in line.per_account:
        out.append(
            f"  {a.account} {a.name}: ledger {_money(a.ledger)}, subledger "
            f"{_money(a.subledger)}, difference {_money(a.difference)}"
        )
    if line.specification:
        aging = ", ".join(
            f"{g.label} {_money(g.balance_sek)} ({g.items})" for g in line.aging if g.items
        )
        out.append(f"  open items by due date: {aging}")
    if line.contra_items:
        sides = "customer credit balances" if line.kind == "customer" else "supplier debits"
        out.append(
            f"  {sides}: {line.contra_items} items, {_money(line.contra_total)} "
            "(to reclassify at closing)"
        )
    for c in line.causes:
        out.append(f"  {_money(c.amount):>14}  {c.cause}: {c.text}")
    if line.difference != 0 or line.unexplained != 0:
        out.append(f"  {_money(line.unexplained):>14}  unexplained")
    for b in line.beside:
        named = f"{b.account} {b.name}".strip()
        out.append(f"  beside: {named} {_money(b.balance)} ({b.note})")
    if line.to_book:
        out.append(
            f"  not in the ledger: to be booked at closing: {len(line.to_book)} items, "
            f"{_money(line.to_book_total)} SEK"
        )
        for t in line.to_book:
            out.append(
                f"    {t.number} {t.counterparty} {t.invoice_date} {_money(t.balance_sek)}"
                + (f" ({_money(t.balance)} {t.currency})" if t.currency != "SEK" else "")
            )
    for r in line.revaluation:
        out.append(
            f"  revaluation {r.currency}: {_money(r.balance)} at {r.closing_rate} = "
            f"{_money(r.closing_sek)} SEK, booked {_money(r.booked_sek)}: unrealised "
            f"{r.effect} {_money(r.difference)}"
        )
    if line.unvalued:
        out.append(
            f"  not revalued (no --rate): {', '.join(line.unvalued)}; the SEK amounts are at "
            "the invoices' own rates"
        )
    for o in line.left_out:
        out.append(
            f"  left out: {o.number} {o.counterparty} {o.invoice_date} "
            f"{_money(o.balance)} {o.currency}: {o.reason}"
        )
    return out
