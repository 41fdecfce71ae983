"""What ``POST /3/vouchers`` checks before it stores a voucher, as strictly as Fortnox does.

A refusal is a 400 with lower-case ``ErrorInformation``; nothing is stored. Fortnox publishes
codes for few of these checks (2001304 "Kunde inte hitta konto", 2000359 for characters), so
the others come from :attr:`EmulatorConfig.voucher_errors` and are placeholders a test can
change; tests should assert on the status and the shape, not on those codes.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal

from ledgerlink_fortnox_emulator.config import DEFAULT_VOUCHER_ERRORS
from ledgerlink_fortnox_emulator.errors import ApiError, bad_request
from ledgerlink_fortnox_emulator.routing import (
    Context,
    Request,
    check_fields,
    parse_int,
    select_year,
)
from ledgerlink_fortnox_emulator.state import DimensionSetting, RowRec, VoucherRec
from ledgerlink_fortnox_emulator.text_rules import (
    INVALID_CHARACTERS_CODE,
    INVALID_CHARACTERS_MESSAGE,
    MAX_LENGTHS,
    describe,
    disallowed_characters,
)

CENT = Decimal("0.01")
ZERO = Decimal(0)

_VOUCHER_FIELDS = {
    "@url",
    "ApprovalState",
    "Comments",
    "CostCenter",
    "Description",
    "Project",
    "ReferenceNumber",
    "ReferenceType",
    "TransactionDate",
    "VoucherNumber",
    "VoucherRows",
    "VoucherSeries",
    "Year",
}
_ROW_FIELDS = {
    "Account",
    "CostCenter",
    "Credit",
    "Debit",
    "Description",
    "Project",
    "Quantity",
    "Removed",
    "TransactionInformation",
}


def voucher_error(ctx: Context, key: str, detail: str = "") -> ApiError:
    """The configured 400 for one of the voucher checks, with ``detail`` appended (a table
    that leaves a check out keeps its default)."""
    code, message = ctx.config.voucher_errors.get(key) or DEFAULT_VOUCHER_ERRORS[key]
    return bad_request(code, f"{message} {detail}".strip())


def checked_text(ctx: Context, value: object, name: str, where: str = "") -> str:
    """A text field as Fortnox takes it: a string (or absent), within its length, and only
    whitelisted characters (2000359 otherwise). ``where`` says which row, for the message."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad_request(INVALID_CHARACTERS_CODE, f"Ogiltigt värde för {name}{where}")
    limit = MAX_LENGTHS[name]
    if len(value) > limit:
        if not ctx.config.truncate_long_texts:
            raise bad_request(
                INVALID_CHARACTERS_CODE, f"Ogiltigt värde för {name}{where} (högst {limit} tecken)"
            )
        value = value[:limit]
    refused = disallowed_characters(value)
    if refused:
        raise bad_request(
            INVALID_CHARACTERS_CODE,
            f"{INVALID_CHARACTERS_MESSAGE} ({name}{where}: {describe(refused)})",
        )
    return value


def _amount(raw: object, name: str) -> Decimal:
    if raw in (None, ""):
        return ZERO
    if isinstance(raw, bool) or not isinstance(raw, int | Decimal | str):
        raise bad_request(2000108, f"Värdet måste vara numeriskt: {name}")
    try:
        value = Decimal(str(raw))
    except ArithmeticError:
        raise bad_request(2000108, f"Värdet måste vara numeriskt: {name}") from None
    if not value.is_finite():
        raise bad_request(2000108, f"Värdet måste vara numeriskt: {name}")
    return value.quantize(CENT, ROUND_HALF_UP)


def _dimension(
    ctx: Context,
    kind: Literal["costcenter", "project"],
    value: str,
    setting: DimensionSetting,
    account: int,
) -> None:
    """A row's cost centre or project against its account's setting and the register."""
    if not value:
        if setting == "MANDATORY":
            raise voucher_error(ctx, f"{kind}_mandatory", str(account))
        return
    if setting == "NOTALLOWED":
        raise voucher_error(ctx, f"{kind}_not_allowed", f"{account}: {value}")
    register = ctx.state.costcenters if kind == "costcenter" else ctx.state.projects
    if value not in register:
        raise voucher_error(ctx, f"{kind}_missing", value)
    if kind == "costcenter" and value in ctx.state.inactive_costcenters:
        raise voucher_error(ctx, "costcenter_inactive", value)


def _row(ctx: Context, year_id: int, voucher: dict[str, Any], raw: object, index: int) -> RowRec:
    """One ``VoucherRows`` entry, checked against the chart of the voucher's own year
    (``index`` counts from 1, for messages)."""
    if not isinstance(raw, dict):
        raise bad_request(2001392, "Ingen eller felaktig typ av data: VoucherRows")
    check_fields(raw, _ROW_FIELDS)
    if raw.get("Account") in (None, ""):
        raise voucher_error(ctx, "required_field", "Account")
    number = parse_int(raw["Account"], "Account")
    account = ctx.state.account(year_id, number)
    if account is None:
        raise voucher_error(ctx, "account_missing", str(number))
    if not account.active:
        raise voucher_error(ctx, "account_inactive", str(number))
    costcenter = str(raw.get("CostCenter") or voucher.get("CostCenter") or "")
    _dimension(ctx, "costcenter", costcenter, account.costcenter_settings, number)
    project = str(raw.get("Project") or voucher.get("Project") or "")
    _dimension(ctx, "project", project, account.project_settings, number)
    quantity = raw.get("Quantity")
    return RowRec(
        number,
        _amount(raw.get("Debit"), "Debit"),
        _amount(raw.get("Credit"), "Credit"),
        description=str(raw.get("Description") or ""),
        transaction_information=checked_text(
            ctx, raw.get("TransactionInformation"), "TransactionInformation", f", rad {index}"
        ),
        costcenter=costcenter,
        project=project,
        quantity=Decimal(str(quantity)) if quantity not in (None, "", 0) else None,
    )


def parse_voucher(ctx: Context, req: Request) -> VoucherRec:
    """Validate a ``POST /3/vouchers`` body as Fortnox does; the voucher is not yet numbered."""
    body = req.json()
    data = body.get("Voucher")
    if not isinstance(data, dict):
        raise bad_request(2001392, "Ingen eller felaktig typ av data")
    check_fields(data, _VOUCHER_FIELDS)
    for required in ("VoucherSeries", "TransactionDate", "Description"):
        if data.get(required) in (None, ""):
            raise voucher_error(ctx, "required_field", required)
    description = checked_text(ctx, data.get("Description"), "Description")
    comments = checked_text(ctx, data.get("Comments"), "Comments")
    try:
        when = dt.date.fromisoformat(str(data["TransactionDate"]))
    except ValueError:
        raise bad_request(2000092, f"Ogiltigt datum: {data['TransactionDate']}") from None
    year = select_year(ctx, req)
    if not year.contains(when):
        raise voucher_error(
            ctx, "no_fiscal_year", f"({when} ligger inte i {year.start}–{year.end})"
        )
    locked = ctx.state.locked_until
    if locked is not None and when <= locked:
        raise voucher_error(ctx, "locked_period", f"(låst t.o.m. {locked})")
    series = str(data["VoucherSeries"])
    if series not in ctx.state.series:
        raise voucher_error(ctx, "series_missing", series)
    if series in ctx.state.non_manual_series:
        raise voucher_error(ctx, "series_not_manual", f"({series})")
    raw_rows = data.get("VoucherRows") or []
    if not isinstance(raw_rows, list):
        raise bad_request(2001392, "Ingen eller felaktig typ av data: VoucherRows")
    rows = [_row(ctx, year.id, data, raw, i) for i, raw in enumerate(raw_rows, start=1)]
    if len(rows) < 2:
        raise voucher_error(ctx, "too_few_rows")
    debit = sum((r.debit for r in rows), ZERO)
    credit = sum((r.credit for r in rows), ZERO)
    if debit != credit:
        raise voucher_error(ctx, "unbalanced", f"(debet {debit}, kredit {credit})")
    return VoucherRec(
        series,
        0,
        year.id,
        when,
        description,
        rows,
        comments=comments,
        costcenter=str(data.get("CostCenter") or ""),
        project=str(data.get("Project") or ""),
        origin="api",
    )
