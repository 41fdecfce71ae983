"""Validation before any write: every problem found at once, each naming its voucher.

Two layers:

* :func:`content_problems`: what can be told from the vouchers and the target's chart of
  their fiscal year (empty, one-row and unbalanced vouchers; accounts missing or inactive;
  cost centres and projects an account requires or forbids);
* :func:`constraint_problems`: what needs the target's rules
  (:class:`~ledgerlink_core.backend.ExportConstraints`): dates outside every fiscal year,
  dates in a locked period, unknown or closed series, unknown objects, characters and
  lengths the target refuses in texts, and attachments that are missing or over the size
  limit.

:func:`validate_export` runs both, and the ``ledgerlink_validate_export`` hook for the
plugins' own checks, and raises :class:`~ledgerlink_core.errors.ValidationFailed` listing all
problems, or returns quietly.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ledgerlink_core.backend import ExportConstraints, TextRules
from ledgerlink_core.capabilities import Capabilities
from ledgerlink_core.errors import ValidationFailed
from ledgerlink_core.model import Account, Voucher, VoucherExport, exact_sum

__all__ = [
    "Charts",
    "constraint_problems",
    "content_problems",
    "show_char",
    "text_problems",
    "texts",
    "validate_export",
    "year_of",
]

#: The target's chart per fiscal year (its ``index``; None when the target has no years):
#: ``None`` as a chart means "any account".
Charts = Mapping[int | None, Sequence[Account] | None]

_DIMENSION_NAMES = {1: "cost centre", 6: "project"}
_RULES = (("cost_centre_rule", 1), ("project_rule", 6))


def _name(item: VoucherExport) -> str:
    return f"voucher {item.voucher.label}"


def year_of(day: dt.date, constraints: ExportConstraints) -> int | None:
    """The index of the target's fiscal year holding ``day`` (None without years or when no
    year holds it)."""
    for year in constraints.fiscal_years or ():
        if year.contains(day):
            return year.index
    return None


def _account_problems(item: VoucherExport, target: str, accounts: dict[str, Account]) -> list[str]:
    problems = []
    rows = item.voucher.rows
    for number in dict.fromkeys(r.account for r in rows):
        account = accounts.get(number)
        if account is None:
            problems.append(
                f"{_name(item)}: account {number} is not in {target}'s chart of accounts"
            )
            continue
        if not account.active:
            problems.append(f"{_name(item)}: account {number} is inactive in {target}")
        for attr, dim in _RULES:
            rule = getattr(account, attr)
            what = _DIMENSION_NAMES[dim]
            named = [
                any(o.dimension == dim for o in r.objects) for r in rows if r.account == number
            ]
            if rule == "mandatory" and not all(named):
                problems.append(
                    f"{_name(item)}: account {number} needs a {what} on every row in {target}"
                )
            elif rule == "not_allowed" and any(named):
                problems.append(f"{_name(item)}: account {number} takes no {what} in {target}")
    return problems


def content_problems(
    items: Sequence[VoucherExport],
    target: str,
    chart: Sequence[Account] | None,
) -> list[str]:
    """Empty, one-row or unbalanced vouchers; accounts missing or inactive in ``chart`` (the
    chart of the items' fiscal year), and rows without a cost centre or project their account
    requires, or with one it forbids."""
    accounts = {a.number: a for a in chart} if chart is not None else None
    problems: list[str] = []
    for item in items:
        rows = item.voucher.rows
        if not rows:
            problems.append(f"{_name(item)}: empty: it has no rows")
            continue
        if len(rows) == 1:
            problems.append(f"{_name(item)}: it has only one row (at least two are needed)")
        try:
            total = exact_sum(r.amount for r in rows)
        except ValueError as exc:
            problems.append(f"{_name(item)}: {exc}")
            continue
        if total != 0:
            problems.append(f"{_name(item)}: unbalanced: its rows sum to {total}, not 0")
        for number in dict.fromkeys(r.account for r in rows):
            if not (number.isascii() and number.isdigit()):
                problems.append(
                    f"{_name(item)}: account {number!r} is not an account number (digits only)"
                )
        if accounts is not None:
            problems.extend(_account_problems(item, target, accounts))
    return problems


def texts(v: Voucher) -> list[tuple[str, str]]:
    """Every text of a voucher that is not empty, with its field: ``text``, ``row N text``."""
    found = [("text", v.text)] if v.text else []
    return found + [(f"row {n} text", r.text) for n, r in enumerate(v.rows, start=1) if r.text]


def text_problems(item: VoucherExport, target: str, rules: TextRules) -> list[str]:
    """Characters ``target`` refuses, and texts longer than it takes, naming the field."""
    problems = []
    for field, text in texts(item.voucher):
        refused = rules.refused(text)
        if refused:
            shown = ", ".join(show_char(c) for c in refused)
            problems.append(f"{_name(item)}: its {field} has characters {target} refuses: {shown}")
        limit = rules.max_text if field == "text" else rules.max_row_text
        if limit is not None and len(text) > limit:
            problems.append(
                f"{_name(item)}: its {field} is {len(text)} characters, over {target}'s "
                f"limit of {limit}"
            )
    if rules.max_note is not None and len(item.note) > rules.max_note:
        problems.append(
            f"{_name(item)}: its note is {len(item.note)} characters, over {target}'s limit "
            f"of {rules.max_note}"
        )
    return problems


def show_char(char: str) -> str:
    """A character as a message can show it: ``'"'``, ``TAB (U+0009)``."""
    if char.isprintable():
        return repr(char)
    name = {"\t": "TAB", "\n": "LF", "\r": "CR"}.get(char, "control character")
    return f"{name} (U+{ord(char):04X})"


def _decimal_problems(item: VoucherExport, target: str, decimals: int) -> list[str]:
    """Amounts with more decimals than ``target`` keeps (it would round them)."""
    problems = []
    for n, row in enumerate(item.voucher.rows, start=1):
        exponent = row.amount.normalize().as_tuple().exponent
        if isinstance(exponent, int) and -exponent > decimals:
            problems.append(
                f"{_name(item)}: row {n} amount {row.amount} has more than {decimals} decimals, "
                f"which {target} would round; round it in the input"
            )
    return problems


def _series_problems(
    item: VoucherExport, target: str, constraints: ExportConstraints, series_override: str | None
) -> list[str]:
    series = series_override or item.voucher.series
    if constraints.series is None:
        return []
    name = _name(item)
    if not series:
        return [f"{name}: it has no voucher series; choose one with --series"]
    if series not in constraints.series:
        known = ", ".join(sorted(constraints.series)) or "none"
        return [f"{name}: voucher series {series!r} does not exist in {target} (series: {known})"]
    if constraints.manual_series is not None and series not in constraints.manual_series:
        open_ = ", ".join(sorted(constraints.manual_series)) or "none"
        return [
            f"{name}: voucher series {series!r} is not open for manual vouchers in {target} "
            f"(open: {open_}); choose one with --series"
        ]
    return []


def constraint_problems(
    items: Sequence[VoucherExport],
    target: str,
    constraints: ExportConstraints,
    capabilities: Capabilities,
    series_override: str | None = None,
) -> list[str]:
    """Dates, locked period, series, objects, texts and attachments against the target's
    rules."""
    problems: list[str] = []
    limit = capabilities.max_attachment_bytes
    for item in items:
        v = item.voucher
        name = _name(item)
        if constraints.fiscal_years is not None and year_of(v.date, constraints) is None:
            problems.append(f"{name}: its date {v.date} is outside every fiscal year in {target}")
        elif constraints.locked_until is not None and v.date <= constraints.locked_until:
            problems.append(
                f"{name}: its date {v.date} is in a locked period "
                f"({target} is locked up to and including {constraints.locked_until})"
            )
        problems.extend(_series_problems(item, target, constraints, series_override))
        if constraints.objects is not None:
            for dim, known_objects in constraints.objects.items():
                wanted = {o.number for r in v.rows for o in r.objects if o.dimension == dim}
                for number in sorted(wanted - known_objects):
                    what = _DIMENSION_NAMES.get(dim, f"dimension {dim} object")
                    problems.append(f"{name}: {what} {number!r} does not exist in {target}")
        if constraints.text is not None:
            problems.extend(text_problems(item, target, constraints.text))
        if constraints.decimals is not None:
            problems.extend(_decimal_problems(item, target, constraints.decimals))
        for att in item.attachments:
            if not Path(att.path).is_file():
                problems.append(f"{name}: attachment {att.path} is missing")
            elif limit is not None and att.size > limit:
                problems.append(
                    f"{name}: attachment {att.filename} is {att.size} bytes, over {target}'s "
                    f"limit of {limit} bytes"
                )
    return problems


def validate_export(
    items: Sequence[VoucherExport],
    *,
    target: str,
    capabilities: Capabilities,
    charts: Charts,
    constraints: ExportConstraints,
    hook: Any = None,
    series_override: str | None = None,
    input_problems: Sequence[str] = (),
) -> None:
    """Raise :class:`ValidationFailed` with every problem, or return when there is none.

    Each voucher is checked against the chart of its own fiscal year (``charts``), and the
    ``ledgerlink_validate_export`` hook (``hook``: the registry's relay) is asked once per
    year, with that year's vouchers and chart; core's own checks run either way.
    """
    problems = list(input_problems)
    by_year: dict[int | None, list[VoucherExport]] = {}
    for item in items:
        by_year.setdefault(year_of(item.voucher.date, constraints), []).append(item)
    for index, group in by_year.items():
        chart = charts.get(index)
        problems.extend(content_problems(group, target, chart))
        if hook is not None:
            for contributed in hook.ledgerlink_validate_export(
                items=group, target=target, capabilities=capabilities, chart=chart
            ):
                problems.extend(contributed or [])
    problems.extend(constraint_problems(items, target, constraints, capabilities, series_override))
    if problems:
        count = len(problems)
        raise ValidationFailed(
            f"{count} problem{'s' if count != 1 else ''} found; nothing was sent to {target}",
            problems,
        )
