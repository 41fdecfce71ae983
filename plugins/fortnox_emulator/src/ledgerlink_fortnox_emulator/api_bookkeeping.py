"""Company, fiscal years, accounts, voucher series, vouchers, SIE and the locked period."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ledgerlink_fortnox_emulator.errors import bad_request, not_found
from ledgerlink_fortnox_emulator.routing import (
    Context,
    Request,
    Response,
    Router,
    num,
    paged,
    parse_date,
    parse_int,
    parse_modified,
    register_page,
    select_year,
)
from ledgerlink_fortnox_emulator.sie_export import export_sie
from ledgerlink_fortnox_emulator.state import AccountRec, FiscalYearRec, RowRec, VoucherRec
from ledgerlink_fortnox_emulator.voucher_rules import parse_voucher

router = Router()
ZERO = Decimal(0)

# --- company ------------------------------------------------------------------------------------


@router.add("GET", "/3/companyinformation", "companyinformation")
def company_information(ctx: Context, req: Request) -> Response:
    c = ctx.state.company
    return Response(
        200,
        {
            "CompanyInformation": {
                "Address": c.address,
                "City": c.city,
                "CountryCode": c.country_code,
                "DatabaseNumber": ctx.state.tenant_id,
                "CompanyName": c.name,
                "OrganizationNumber": c.org_nr,
                "VisitAddress": "",
                "VisitCity": "",
                "VisitCountryCode": "",
                "VisitZipCode": "",
                "ZipCode": c.zip_code,
            }
        },
    )


@router.add("GET", "/3/me", None)
def me(ctx: Context, req: Request) -> Response:
    return Response(
        200,
        {
            "MeInformation": {
                "Email": ctx.config.user_email,
                "Id": "1",
                "Locale": "sv_SE",
                "Name": ctx.config.user_name,
                "SysAdmin": True,
            }
        },
    )


@router.add("GET", "/3/settings/lockedperiod", "settings")
def locked_period(ctx: Context, req: Request) -> Response:
    until = ctx.state.locked_until
    return Response(200, {"LockedPeriod": {"EndDate": until.isoformat()} if until else {}})


# --- fiscal years ------------------------------------------------------------------------------


def _year_json(req: Request, y: FiscalYearRec) -> dict[str, Any]:
    return {
        "@url": f"{req.base_url}/3/financialyears/{y.id}",
        "AccountChartType": y.chart_type,
        "AccountingMethod": y.method,
        "FromDate": y.start.isoformat(),
        "Id": y.id,
        "ToDate": y.end.isoformat(),
    }


@router.add("GET", "/3/financialyears", "bookkeeping")
def fiscal_years(ctx: Context, req: Request) -> Response:
    # SPEC names the parameter ``Date``; clients found only ``financialyeardate`` works: take both.
    when = parse_date(req, "date") or parse_date(req, "financialyeardate")
    with ctx.state.lock:
        years = [y for y in ctx.state.years if when is None or y.contains(when)]
    return paged(ctx, req, "FinancialYears", years, lambda y: _year_json(req, y))


@router.add("GET", "/3/financialyears/{Id}", "bookkeeping")
def fiscal_year(ctx: Context, req: Request) -> Response:
    found = ctx.state.year(parse_int(req.params["Id"], "Id"))
    if found is None:
        raise not_found(2000617, "Kan inte hitta räkenskapsåret")
    return Response(200, {"FinancialYear": _year_json(req, found)})


# --- accounts -----------------------------------------------------------------------------------


def _carried(ctx: Context, year: FiscalYearRec, account: int) -> Decimal:
    total = ctx.state.opening_balances.get((year.id, account), ZERO)
    for v in ctx.state.vouchers(year=year.id):
        total += sum((r.amount for r in v.rows if r.account == account and not r.removed), ZERO)
    return total


def _account_json(req: Request, year: FiscalYearRec, a: AccountRec, bf: Decimal) -> dict[str, Any]:
    return {
        "@url": f"{req.base_url}/3/accounts/{a.number}?financialyear={year.id}",
        "Active": a.active,
        "BalanceBroughtForward": num(bf),
        "CostCenter": "",
        "CostCenterSettings": a.costcenter_settings,
        "Description": a.description,
        "Number": a.number,
        "Project": "",
        "ProjectSettings": a.project_settings,
        "SRU": a.sru or 0,
        "VATCode": a.vat_code,
        "Year": year.id,
    }


@router.add("GET", "/3/accounts", "bookkeeping")
def accounts(ctx: Context, req: Request) -> Response:
    year = select_year(ctx, req)
    sru = req.query.get("sru")
    with ctx.state.lock:
        chart = sorted(ctx.state.chart(year.id).values(), key=lambda a: a.number)
        if sru:
            chart = [a for a in chart if str(a.sru) == sru]
        opening = ctx.state.opening_balances
    return paged(
        ctx,
        req,
        "Accounts",
        chart,
        lambda a: _account_json(req, year, a, opening.get((year.id, a.number), ZERO)),
    )


@router.add("GET", "/3/accounts/{Number}", "bookkeeping")
def account(ctx: Context, req: Request) -> Response:
    year = select_year(ctx, req)
    number = parse_int(req.params["Number"], "Number")
    found = ctx.state.account(year.id, number)
    if found is None:
        raise not_found(2000423, "Kan inte hitta kontot.")
    body = _account_json(req, year, found, ctx.state.opening_balances.get((year.id, number), ZERO))
    body["BalanceCarriedForward"] = num(_carried(ctx, year, number))
    return Response(200, {"Account": body})


# --- voucher series -----------------------------------------------------------------------------


def _series_json(ctx: Context, req: Request, code: str) -> dict[str, Any]:
    return {
        "@url": f"{req.base_url}/3/voucherseries/{code}",
        "Approver": {"Id": 0, "Name": ""},
        "Code": code,
        "Description": ctx.state.series[code],
        "Manual": code not in ctx.state.non_manual_series,
        "Year": ctx.state.default_year().id,
    }


@router.add("GET", "/3/voucherseries", "bookkeeping")
def voucher_series_list(ctx: Context, req: Request) -> Response:
    return register_page(
        ctx, req, "VoucherSeriesCollection", ctx.state.series, lambda c: _series_json(ctx, req, c)
    )


@router.add("GET", "/3/voucherseries/{Code}", "bookkeeping")
def voucher_series(ctx: Context, req: Request) -> Response:
    code = req.params["Code"]
    if code not in ctx.state.series:
        raise not_found(2000606, "Kan inte hitta verifikationsserien.")
    year = select_year(ctx, req)
    body = _series_json(ctx, req, code)
    body["NextVoucherNumber"] = ctx.state.next_voucher_number(year.id, code)
    return Response(200, {"VoucherSeries": body})


# --- vouchers -----------------------------------------------------------------------------------


def _voucher_url(req: Request, v: VoucherRec) -> str:
    return f"{req.base_url}/3/vouchers/{v.series}/{v.number}?financialyear={v.year}"


def _voucher_list_item(req: Request, v: VoucherRec, comments: bool = True) -> dict[str, Any]:
    item = {
        "@url": _voucher_url(req, v),
        "ApprovalState": v.approval_state,
        "Comments": v.comments,
        "Description": v.description,
        "ReferenceNumber": v.reference_number,
        "ReferenceType": v.reference_type,
        "TransactionDate": v.date.isoformat(),
        "VoucherNumber": v.number,
        "VoucherSeries": v.series,
        "Year": v.year,
    }
    if not comments:
        # The older list shape (Fortnox's earlier documentation): no Comments key at all.
        del item["Comments"]
    return item


def _row_json(ctx: Context, year_id: int, r: RowRec) -> dict[str, Any]:
    account = ctx.state.account(year_id, r.account)
    return {
        "Account": r.account,
        "CostCenter": r.costcenter,
        "Credit": num(r.credit),
        "Debit": num(r.debit),
        "Description": r.description or (account.description if account else ""),
        "Project": r.project,
        "Quantity": num(r.quantity) if r.quantity is not None else 0,
        "Removed": r.removed,
        "TransactionInformation": r.transaction_information,
    }


def _voucher_json(ctx: Context, req: Request, v: VoucherRec) -> dict[str, Any]:
    body = _voucher_list_item(req, v)
    body["CostCenter"] = v.costcenter
    body["Project"] = v.project
    body["VoucherRows"] = [_row_json(ctx, v.year, r) for r in v.rows]
    return body


def _voucher_list(ctx: Context, req: Request, series: str | None) -> Response:
    year = select_year(ctx, req)
    sublist = series is not None
    series = series or req.query.get("voucherseries") or None
    start, end = parse_date(req, "fromdate"), parse_date(req, "todate")
    if sublist and not ctx.config.honour_date_filter:
        # Fortnox documents only ``financialyear`` on /sublist/{series}.
        start = end = None
    modified = parse_modified(req)
    costcenter = req.query.get("costcenter")
    found = [
        v
        for v in ctx.state.vouchers(year=year.id, series=series)
        if (start is None or v.date >= start)
        and (end is None or v.date <= end)
        and (modified is None or v.modified >= modified)
        and (
            not costcenter
            or v.costcenter == costcenter
            or any(r.costcenter == costcenter for r in v.rows)
        )
    ]
    sort = req.query.get("sortby")
    if sort in ("vouchernumber", "voucherseries", "referencenumber", "referencetype"):
        attr = {
            "vouchernumber": "number",
            "voucherseries": "series",
            "referencenumber": "reference_number",
            "referencetype": "reference_type",
        }[sort]
        found.sort(key=lambda v: getattr(v, attr))
    elif sort:
        raise bad_request(2000588, f"Ogiltig parameter i anropet: sortby={sort}")
    if req.query.get("sortorder") == "descending":
        found.reverse()
    comments = ctx.config.voucher_list_comments
    return paged(ctx, req, "Vouchers", found, lambda v: _voucher_list_item(req, v, comments))


@router.add("GET", "/3/vouchers", "bookkeeping")
def vouchers(ctx: Context, req: Request) -> Response:
    return _voucher_list(ctx, req, None)


@router.add("GET", "/3/vouchers/sublist/{VoucherSeries}", "bookkeeping")
def voucher_sublist(ctx: Context, req: Request) -> Response:
    return _voucher_list(ctx, req, req.params["VoucherSeries"])


@router.add("GET", "/3/vouchers/{VoucherSeries}/{VoucherNumber}", "bookkeeping")
def voucher(ctx: Context, req: Request) -> Response:
    year = select_year(ctx, req)
    number = parse_int(req.params["VoucherNumber"], "VoucherNumber")
    found = ctx.state.get_voucher(year.id, req.params["VoucherSeries"], number)
    if found is None:
        raise not_found(2000610, "Kan inte hitta verifikationen.")
    return Response(200, {"Voucher": _voucher_json(ctx, req, found)})


@router.add("POST", "/3/vouchers", "bookkeeping")
def create_voucher(ctx: Context, req: Request) -> Response:
    # No idempotency: the same body posted twice makes two vouchers.
    with ctx.state.lock:
        created = ctx.state.create_voucher(parse_voucher(ctx, req))
    return Response(201, {"Voucher": _voucher_json(ctx, req, created)})


# --- SIE ----------------------------------------------------------------------------------------


@router.add("GET", "/3/sie/{Type}", "bookkeeping")
def sie(ctx: Context, req: Request) -> Response:
    kind = req.params["Type"]
    if kind not in ("1", "2", "3", "4"):
        raise bad_request(2000588, f"Ogiltig parameter i anropet: SIE-typ {kind}")
    year = select_year(ctx, req)
    data = export_sie(ctx.state, year, int(kind), encoding=ctx.config.sie_encoding)
    return Response(
        200,
        data,
        content_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="SIE{kind}_{year.start.year}.se"'},
    )
