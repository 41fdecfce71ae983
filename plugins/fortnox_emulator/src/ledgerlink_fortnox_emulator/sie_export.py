"""``GET /3/sie/{1..4}``: the current state as a SIE file, written by core's codec.

The balances are recomputed from the vouchers in the state (so vouchers created through the
API show up in them), the year asked for is ``#RAR 0`` and the one before it ``#RAR -1``.
As Fortnox's own exports do, the year before carries its results and period balances too
(``#RES -1``, ``#PSALDO -1``), on every account it used: an account that has left the chart
since appears there without a ``#KONTO``.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from ledgerlink_core import (
    Account,
    AccountType,
    Balance,
    Bookkeeping,
    CompanyInfo,
    Dimension,
    DimensionObject,
    FiscalYear,
    ObjectBalance,
    ObjectRef,
    PeriodBalance,
    SourceInfo,
    Voucher,
    VoucherRow,
)

from ledgerlink_fortnox_emulator.state import EmulatorState, FiscalYearRec, VoucherRec

ZERO = Decimal(0)


def _objects(costcenter: str, project: str) -> tuple[ObjectRef, ...]:
    refs = []
    if costcenter:
        refs.append(ObjectRef(dimension=1, number=costcenter))
    if project:
        refs.append(ObjectRef(dimension=6, number=project))
    return tuple(refs)


def _voucher(v: VoucherRec) -> Voucher:
    return Voucher(
        series=v.series,
        number=str(v.number),
        date=v.date,
        text=v.description,
        rows=tuple(
            VoucherRow(
                account=str(r.account),
                amount=r.amount,
                objects=_objects(r.costcenter, r.project),
                text=r.transaction_information or None,
                quantity=r.quantity,
            )
            for r in v.rows
            if not r.removed
        ),
    )


def _previous_year(
    state: EmulatorState, previous: FiscalYearRec | None
) -> tuple[list[Balance], list[PeriodBalance]]:
    """``#RES -1`` and ``#PSALDO -1``: the year before's results and period balances, on
    every account it used (also one that has left the chart since, as in Fortnox's files)."""
    moves: dict[int, Decimal] = defaultdict(Decimal)
    periods: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
    for v in state.vouchers(year=previous.id) if previous is not None else ():
        for r in v.rows:
            if not r.removed:
                moves[r.account] += r.amount
                periods[(f"{v.date.year:04d}{v.date.month:02d}", r.account)] += r.amount
    res = [
        Balance(year_index=-1, account=str(a), amount=amount)
        for a, amount in sorted(moves.items())
        if a >= 3000 and amount != 0
    ]
    psaldo = [
        PeriodBalance(year_index=-1, period=p, account=str(a), amount=amount)
        for (p, a), amount in sorted(periods.items())
        if amount != 0
    ]
    return res, psaldo


def build_bookkeeping(state: EmulatorState, year: FiscalYearRec, sie_type: int) -> Bookkeeping:
    """The canonical bookkeeping of ``year`` as a SIE ``sie_type`` (1-4) export holds it."""
    with state.lock:
        previous = next(
            (
                y
                for y in state.years
                if y.end < year.start and (y.end + dt.timedelta(days=1)) == year.start
            ),
            None,
        )
        vouchers = state.vouchers(year=year.id)
        movements: dict[int, Decimal] = defaultdict(Decimal)
        periods: dict[tuple[str, int], Decimal] = defaultdict(Decimal)
        object_moves: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
        prev_res, prev_psaldo = _previous_year(state, previous)
        for v in vouchers:
            period = f"{v.date.year:04d}{v.date.month:02d}"
            for r in v.rows:
                if r.removed:
                    continue
                movements[r.account] += r.amount
                periods[(period, r.account)] += r.amount
                if r.costcenter:
                    object_moves[(r.account, 1, r.costcenter)] += r.amount
                if r.project:
                    object_moves[(r.account, 6, r.project)] += r.amount
        accounts = sorted(state.chart(year.id).values(), key=lambda a: a.number)
        opening = {a: amount for (y, a), amount in state.opening_balances.items() if y == year.id}
        prev_opening = (
            {a: amount for (y, a), amount in state.opening_balances.items() if y == previous.id}
            if previous
            else {}
        )
        object_opening = {
            (a, d, o): amount
            for (y, a, d, o), amount in state.object_opening_balances.items()
            if y == year.id
        }
        costcenters = dict(state.costcenters)
        projects = dict(state.projects)
        dim_names = dict(state.dimension_names)
        company = state.company
        tenant = state.tenant_id

    years = [FiscalYear(index=0, start=year.start, end=year.end)]
    if previous is not None:
        years.append(FiscalYear(index=-1, start=previous.start, end=previous.end))
    balance_accounts = [a.number for a in accounts if a.number < 3000]
    result_accounts = [a.number for a in accounts if a.number >= 3000]
    ib = [
        Balance(year_index=0, account=str(a), amount=opening[a])
        for a in balance_accounts
        if opening.get(a, ZERO) != 0
    ]
    ub = [
        Balance(year_index=0, account=str(a), amount=opening.get(a, ZERO) + movements.get(a, ZERO))
        for a in balance_accounts
        if opening.get(a, ZERO) + movements.get(a, ZERO) != 0
    ]
    if previous is not None:
        ib += [
            Balance(year_index=-1, account=str(a), amount=prev_opening[a])
            for a in balance_accounts
            if prev_opening.get(a, ZERO) != 0
        ]
        ub += [
            Balance(year_index=-1, account=str(a), amount=opening[a])
            for a in balance_accounts
            if opening.get(a, ZERO) != 0
        ]
    res = [
        Balance(year_index=0, account=str(a), amount=movements[a])
        for a in result_accounts
        if movements.get(a, ZERO) != 0
    ]
    res += prev_res
    psaldo: list[PeriodBalance] = []
    if sie_type >= 2:
        psaldo = [
            PeriodBalance(year_index=0, period=p, account=str(a), amount=amount)
            for (p, a), amount in sorted(periods.items())
            if amount != 0
        ]
        psaldo += prev_psaldo
    oib: list[ObjectBalance] = []
    oub: list[ObjectBalance] = []
    dims: list[Dimension] = []
    objs: list[DimensionObject] = []
    if sie_type >= 3:
        if costcenters:
            dims.append(Dimension(number=1, name=dim_names.get(1, "Kostnadsställe")))
        if projects:
            dims.append(Dimension(number=6, name=dim_names.get(6, "Projekt")))
        objs = [
            DimensionObject(dimension=1, number=k, name=n) for k, n in sorted(costcenters.items())
        ]
        objs += [
            DimensionObject(dimension=6, number=k, name=n) for k, n in sorted(projects.items())
        ]
        keys = sorted(set(object_opening) | {k for k in object_moves if k[0] < 3000})
        for a, d, o in keys:
            ref = ObjectRef(dimension=d, number=o)
            start = object_opening.get((a, d, o), ZERO)
            if start:
                oib.append(ObjectBalance(year_index=0, account=str(a), object=ref, amount=start))
            end = start + object_moves.get((a, d, o), ZERO)
            if end:
                oub.append(ObjectBalance(year_index=0, account=str(a), object=ref, amount=end))
    types = {
        "T": AccountType.ASSET,
        "S": AccountType.LIABILITY,
        "K": AccountType.COST,
        "I": AccountType.INCOME,
    }
    return Bookkeeping(
        company=CompanyInfo(
            name=company.name, org_nr=company.org_nr or None, company_id=str(tenant)
        ),
        source=SourceInfo(
            program="Fortnox",
            program_version="3 (ledgerlink emulator)",
            generated_on=dt.date.today(),
        ),
        fiscal_years=tuple(years),
        accounts=tuple(
            Account(
                number=str(a.number),
                name=a.description,
                type=types.get(a.type or ""),
                sru=(str(a.sru),) if a.sru else (),
            )
            for a in accounts
        ),
        dimensions=tuple(dims),
        objects=tuple(objs),
        opening_balances=tuple(ib),
        closing_balances=tuple(ub),
        results=tuple(res),
        object_opening_balances=tuple(oib),
        object_closing_balances=tuple(oub),
        period_balances=tuple(psaldo),
        vouchers=tuple(_voucher(v) for v in vouchers) if sie_type == 4 else (),
    )


def export_sie(
    state: EmulatorState, year: FiscalYearRec, sie_type: int, *, encoding: str = "cp437"
) -> bytes:
    """The SIE file's bytes (CP437 as Fortnox serves it, or UTF-8 when configured)."""
    from ledgerlink_core import dumps_sie

    key = (year.id, sie_type, state.version, encoding)
    cached = state.export_cache.get(key)
    if cached is not None:
        return cached
    book = build_bookkeeping(state, year, sie_type)
    data: bytes = dumps_sie(book, sie_type="4E")
    if sie_type != 4:
        data = data.replace(b"#SIETYP 4", f"#SIETYP {sie_type}".encode("ascii"), 1)
    if encoding.lower().replace("-", "") in ("utf8",):
        data = data.decode("cp437").encode("utf-8")
    with state.lock:
        state.export_cache.clear()
        state.export_cache[key] = data
    return data
