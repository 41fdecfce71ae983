"""Build the emulated tenant from a bookkeeping (a SIE file) plus generated subledgers.

The customer and supplier invoices are derived from the ledger itself so that they agree with
it: every voucher that debits a customer control account (1510-1519) is an invoice, every
credit to it a payment applied oldest invoice first, and an opening balance becomes invoices
from the year before (mirrored for suppliers on 2440-2449). What is open at the year-end is
then exactly the control accounts' closing balance. Padding invoices (for large benchmarks) are
booked with their own vouchers, so agreement holds; ``subledger_skew`` breaks it on purpose.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

from ledgerlink_core import Bookkeeping

from ledgerlink_fortnox_emulator.config import EmulatorConfig, tenant_company
from ledgerlink_fortnox_emulator.seed_subledgers import (
    REFERENCE_TYPES,
    ZERO,
    SubledgerGenerator,
    money,
    pick,
)
from ledgerlink_fortnox_emulator.state import (
    AccountRec,
    Company,
    EmulatorState,
    FiscalYearRec,
    RowRec,
    VoucherRec,
)

#: Fortnox's predefined series and what they hold.
SERIES_NAMES: dict[str, str] = {
    "A": "Redovisning",
    "B": "Kundfakturor",
    "C": "Kundinbetalningar",
    "D": "Leverantörsfakturor",
    "E": "Leverantörsutbetalningar",
}


def load_bookkeeping(path: Path | None) -> Bookkeeping:
    """Read the seed SIE file with core's codec (the bundled example company by default).

    A file that is missing, unreadable or not SIE is core's ``SieError``, one with no fiscal
    year (``#RAR``) an ``InputError``: both name the file (exit 2 from the CLI)."""
    from ledgerlink_core import InputError, read_sie

    if path is None:
        from ledgerlink_core import example_company_path

        path = example_company_path()
    book = read_sie(Path(path), strict=False).bookkeeping
    if not book.fiscal_years:
        raise InputError(
            "has no fiscal year (#RAR): the emulator needs at least one to seed a company",
            path=path,
        )
    return book


def build_state(
    config: EmulatorConfig, book: Bookkeeping | None = None, *, tenant: int = 0
) -> EmulatorState:
    """The state of the ``tenant``-th company (0: the first): ``book`` (or the config's seed
    SIE) plus generated data; other companies than the first get their own name and
    organisation number (:func:`~ledgerlink_fortnox_emulator.config.tenant_company`), tenant
    id ``config.tenant_id + tenant`` and their own generated subledgers."""
    if book is None:
        book = load_bookkeeping(config.seed_sie)
    rng = random.Random(config.seed + 7919 * tenant)
    address = book.company.address
    postal = re.match(r"^\s*(\d{3}\s?\d{2})\s+(.*)$", address.postal if address else "")
    name, org_nr = tenant_company(tenant, book.company.name, book.company.org_nr or "")
    state = EmulatorState(
        Company(
            name=name,
            org_nr=org_nr,
            address=address.street if address else "",
            zip_code=postal.group(1) if postal else "",
            city=postal.group(2).strip() if postal else (address.postal if address else ""),
        ),
        config.tenant_id + tenant,
    )
    _seed_ledger(state, book, config)
    if config.synthetic_vouchers:
        _synthesise_vouchers(state, config.synthetic_vouchers, rng)
    state.preselected_year = config.preselected_year
    if config.attached_files:
        from ledgerlink_fortnox_emulator.documents import attach_documents

        attach_documents(
            state,
            config.attached_files,
            seed=config.seed,
            max_size=config.attached_file_max_bytes,
        )
    if config.cash_method:
        state.default_year().method = "CASH"
    if config.predefined_accounts is not None:
        state.predefined_accounts = dict(config.predefined_accounts)
    generator = SubledgerGenerator(state, config, rng)
    generator.run()
    state.locked_until = config.locked_until
    state.preselected_year = config.preselected_year
    return state


def _seed_ledger(state: EmulatorState, book: Bookkeeping, config: EmulatorConfig) -> None:
    by_index: dict[int, int] = {}
    for year_id, fy in enumerate(sorted(book.fiscal_years, key=lambda y: y.start), start=1):
        state.years.append(FiscalYearRec(year_id, fy.start, fy.end))
        by_index[fy.index] = year_id
    if not state.years:
        raise ValueError("the seed bookkeeping has no fiscal year (#RAR)")
    for account in book.accounts:
        if not account.number.isdigit():
            continue
        number = int(account.number)
        sru = next((int(s) for s in account.sru if s.isdigit()), None)
        state.add_account(
            AccountRec(
                number,
                account.name,
                active=account.active and account.number not in config.inactive_accounts,
                sru=sru,
                type=account.type.value if account.type else None,
            )
        )
    _apply_account_settings(state, config)
    for balance in book.opening_balances:
        bal_year = by_index.get(balance.year_index)
        if bal_year is not None and balance.account.isdigit():
            key = (bal_year, int(balance.account))
            state.opening_balances[key] = state.opening_balances.get(key, ZERO) + balance.amount
    for ob in book.object_opening_balances:
        ob_year = by_index.get(ob.year_index)
        if ob_year is not None and ob.account.isdigit():
            okey = (ob_year, int(ob.account), ob.object.dimension, ob.object.number)
            state.object_opening_balances[okey] = ob.amount
    for dim in book.dimensions:
        state.dimension_names[dim.number] = dim.name
    for obj in book.objects:
        if obj.dimension == 1:
            state.costcenters[obj.number] = obj.name
        elif obj.dimension == 6:
            state.projects[obj.number] = obj.name
    state.series.update(SERIES_NAMES)
    unnumbered: list[VoucherRec] = []
    for voucher in sorted(book.vouchers, key=lambda v: v.date):
        year = state.year_of(voucher.date)
        if year is None:
            continue
        series = voucher.series or "A"
        state.series.setdefault(series, f"Serie {series}")
        rows = []
        for row in voucher.rows:
            if not row.account.isdigit():
                continue
            costcenter = next((o.number for o in row.objects if o.dimension == 1), "")
            project = next((o.number for o in row.objects if o.dimension == 6), "")
            rows.append(
                RowRec(
                    int(row.account),
                    row.amount if row.amount > 0 else ZERO,
                    -row.amount if row.amount < 0 else ZERO,
                    transaction_information=(row.text or "")[:100],
                    costcenter=costcenter,
                    project=project,
                    quantity=row.quantity,
                )
            )
        rec = VoucherRec(
            series,
            int(voucher.number) if voucher.number and voucher.number.isdigit() else 0,
            year.id,
            voucher.date,
            voucher.text,
            rows,
            reference_type=REFERENCE_TYPES.get(series, "MANUAL"),
            origin="seed",
        )
        if rec.number and state.get_voucher(year.id, series, rec.number) is None:
            state.add_voucher(rec)
        else:
            unnumbered.append(rec)
    for rec in unnumbered:
        state.create_voucher(rec)
    state.non_manual_series.update(code for code in config.system_series if code in state.series)


def _apply_account_settings(state: EmulatorState, config: EmulatorConfig) -> None:
    """Make the years' charts differ as ``config.account_settings`` says (0 = latest year)."""
    ordered = sorted(state.years, key=lambda y: y.start)
    for setting in config.account_settings:
        if not setting.account.isdigit():
            continue
        if setting.year is None:
            years = ordered
        elif -len(ordered) < setting.year <= 0:
            years = [ordered[len(ordered) - 1 + setting.year]]
        else:
            years = []
        for year in years:
            if state.account(year.id, int(setting.account)) is None:
                continue
            state.set_account(
                year.id,
                int(setting.account),
                active=setting.active,
                cost_center=setting.cost_center,
                project=setting.project,
            )


def _synthesise_vouchers(state: EmulatorState, count: int, rng: random.Random) -> None:
    """``count`` balanced vouchers in series A of the preselected year (benchmark bulk)."""
    year = state.default_year()
    bank = pick(state, (1930, 1910), "T")
    costs = [
        n
        for n, a in state.accounts.items()
        if a.type == "K"
        and a.active
        and "MANDATORY" not in (a.costcenter_settings, a.project_settings)
    ][:40] or [pick(state, (6110, 5010), "K")]
    days = (year.end - year.start).days
    dates = sorted(year.start + dt.timedelta(days=rng.randint(0, days)) for _ in range(count))
    for day in dates:
        amount = money(rng, 50, 20000)
        cost = rng.choice(costs)
        rows = [RowRec(cost, amount, ZERO), RowRec(bank, ZERO, amount)]
        state.create_voucher(
            VoucherRec(
                "A", 0, year.id, day, f"Utlägg {rng.randint(1, 9999)}", rows, origin="synthetic"
            )
        )
