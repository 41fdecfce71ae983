"""Validation before any write: every problem found at once, each naming its voucher.

Two layers:

* :func:`content_problems`: what can be told from the vouchers and the target's chart alone
  (empty, one-row and unbalanced vouchers; accounts missing or inactive);
* :func:`constraint_problems`: what needs the target's rules
  (:class:`~ledgerlink_core.backend.ExportConstraints`): dates outside every fiscal year,
  dates in a locked period, unknown series and objects, and attachments that are missing or
  over the size limit.

:func:`validate_export` runs both, and the ``ledgerlink_validate_export`` hook for the
plugins' own checks, and raises :class:`~ledgerlink_core.errors.ValidationFailed` listing all
problems, or returns quietly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledgerlink_core.backend import ExportConstraints
from ledgerlink_core.capabilities import Capabilities
from ledgerlink_core.errors import ValidationFailed
from ledgerlink_core.model import Account, VoucherExport

__all__ = ["constraint_problems", "content_problems", "validate_export"]

_DIMENSION_NAMES = {1: "cost centre", 6: "project"}


def _name(item: VoucherExport) -> str:
    return f"voucher {item.voucher.label}"


def content_problems(
    items: Sequence[VoucherExport], target: str, chart: Sequence[Account] | None
) -> list[str]:
    """Empty, one-row or unbalanced vouchers, and accounts missing or inactive in ``chart``."""
    accounts = {a.number: a for a in chart} if chart is not None else None
    problems: list[str] = []
    for item in items:
        rows = item.voucher.rows
        if not rows:
            problems.append(f"{_name(item)}: empty: it has no rows")
            continue
        if len(rows) == 1:
            problems.append(f"{_name(item)}: it has only one row (at least two are needed)")
        total = sum((r.amount for r in rows), Decimal(0))
        if total != 0:
            problems.append(f"{_name(item)}: unbalanced: its rows sum to {total}, not 0")
        if accounts is None:
            continue
        for number in dict.fromkeys(r.account for r in rows):
            account = accounts.get(number)
            if account is None:
                problems.append(
                    f"{_name(item)}: account {number} is not in {target}'s chart of accounts"
                )
            elif not account.active:
                problems.append(f"{_name(item)}: account {number} is inactive in {target}")
    return problems


def constraint_problems(
    items: Sequence[VoucherExport],
    target: str,
    constraints: ExportConstraints,
    capabilities: Capabilities,
    series_override: str | None = None,
) -> list[str]:
    """Dates, locked period, series, objects and attachments against the target's rules."""
    problems: list[str] = []
    limit = capabilities.max_attachment_bytes
    for item in items:
        v = item.voucher
        name = _name(item)
        if constraints.fiscal_years is not None and not any(
            y.contains(v.date) for y in constraints.fiscal_years
        ):
            problems.append(f"{name}: its date {v.date} is outside every fiscal year in {target}")
        elif constraints.locked_until is not None and v.date <= constraints.locked_until:
            problems.append(
                f"{name}: its date {v.date} is in a locked period "
                f"({target} is locked up to and including {constraints.locked_until})"
            )
        series = series_override or v.series
        if constraints.series is not None:
            if not series:
                problems.append(f"{name}: it has no voucher series; choose one with --series")
            elif series not in constraints.series:
                known = ", ".join(sorted(constraints.series)) or "none"
                problems.append(
                    f"{name}: voucher series {series!r} does not exist in {target} "
                    f"(series: {known})"
                )
        if constraints.objects is not None:
            for dim, known_objects in constraints.objects.items():
                wanted = {o.number for r in v.rows for o in r.objects if o.dimension == dim}
                for number in sorted(wanted - known_objects):
                    what = _DIMENSION_NAMES.get(dim, f"dimension {dim} object")
                    problems.append(f"{name}: {what} {number!r} does not exist in {target}")
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
    chart: Sequence[Account] | None,
    constraints: ExportConstraints,
    hook: Any = None,
    series_override: str | None = None,
    input_problems: Sequence[str] = (),
) -> None:
    """Raise :class:`ValidationFailed` with every problem, or return when there is none.

    ``hook`` is the registry's ``hook`` relay, for the plugins' ``ledgerlink_validate_export``
    contributions; core's own checks run either way.
    """
    problems = [*input_problems, *content_problems(items, target, chart)]
    if hook is not None:
        for contributed in hook.ledgerlink_validate_export(
            items=list(items), target=target, capabilities=capabilities, chart=chart
        ):
            problems.extend(contributed or [])
    problems.extend(constraint_problems(items, target, constraints, capabilities, series_override))
    if problems:
        count = len(problems)
        raise ValidationFailed(
            f"{count} problem{'s' if count != 1 else ''} found; nothing was sent to {target}",
            problems,
        )
