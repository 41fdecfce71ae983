"""Generate the bundled example company, deterministically.

    python scripts/make_example_company.py [OUT.se]

Builds "Exempelbolaget Åkesson & Söner AB": the full calendar year 2025 (#RAR 0, with 2024 as
#RAR -1), a BAS chart with #KTYP and #SRU, cost centres (dimension 1) and projects (dimension
6), five voucher series (A manual, B customer invoices on 1510, C customer payments, D supplier
invoices on 2440, E supplier payments), a few corrections kept as #BTRANS/#RTRANS, and #IB,
#UB, #RES and #PSALDO that agree with the vouchers. The same seed always gives the same bytes;
the default output is ``core/src/ledgerlink_core/examples/exempel_ab.se`` (committed; a test
regenerates it and compares).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import sys
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from ledgerlink_core.model import (
    Account,
    AccountType,
    Address,
    Balance,
    Bookkeeping,
    CompanyInfo,
    Dimension,
    DimensionObject,
    FiscalYear,
    ObjectRef,
    PeriodBalance,
    RowChange,
    SourceInfo,
    Voucher,
    VoucherRow,
)
from ledgerlink_core.sie import check_sie, write_sie

SEED = 20250101
YEAR = 2025
DEFAULT_OUT = (
    Path(__file__).resolve().parent.parent
    / "core"
    / "src"
    / "ledgerlink_core"
    / "examples"
    / "exempel_ab.se"
)
CENT = Decimal("0.01")

T, S, K, INC = AccountType.ASSET, AccountType.LIABILITY, AccountType.COST, AccountType.INCOME
#: number, name, type, SRU code (or None)
CHART: list[tuple[str, str, AccountType, str | None]] = [
    ("1220", "Inventarier och verktyg", T, "7215"),
    ("1229", "Ackumulerade avskrivningar på inventarier", T, "7215"),
    ("1510", "Kundfordringar", T, "7251"),
    ("1630", "Avräkning för skatter och avgifter (skattekonto)", T, "7261"),
    ("1930", "Företagskonto / checkkonto", T, "7281"),
    ("2081", "Aktiekapital", S, "7301"),
    ("2091", "Balanserad vinst eller förlust", S, "7302"),
    ("2099", "Årets resultat", S, "7302"),
    ("2440", "Leverantörsskulder", S, "7365"),
    ("2610", "Utgående moms, 25 %", S, "7369"),
    ("2640", "Ingående moms", S, "7369"),
    ("2650", "Redovisningskonto för moms", S, "7369"),
    ("2710", "Personalskatt", S, "7369"),
    ("2731", "Avräkning lagstadgade sociala avgifter", S, "7369"),
    ("3001", "Försäljning inom Sverige, 25 % moms", INC, "7410"),
    ("3740", "Öres- och kronutjämning", INC, "7413"),
    ("4010", "Inköp material och varor", K, "7511"),
    ("5010", "Lokalhyra", K, "7513"),
    ("5410", "Förbrukningsinventarier", K, "7513"),
    ("5611", "Drivmedel för personbilar", K, "7513"),
    ("6110", "Kontorsmateriel", K, "7513"),
    ("6212", "Mobiltelefon", K, "7513"),
    ("6570", "Bankkostnader", K, "7513"),
    ("7010", "Löner till kollektivanställda", K, "7514"),
    ("7510", "Arbetsgivaravgifter 31,42 %", K, "7514"),
    ("7832", "Avskrivningar på inventarier och verktyg", K, "7515"),
    ("8310", "Ränteintäkter från omsättningstillgångar", INC, "7417"),
]

COST_CENTRES = [("100", "Försäljning"), ("200", "Produktion"), ("300", "Administration")]
PROJECTS = [("P1", "Projekt Älvsjö"), ("P2", "Projekt Örebro"), ("P3", "Ombyggnad Åre")]
CUSTOMERS = ["Öbergs Bygg AB", "Ängelholms Kakel HB", "Åhléns Fastigheter", "Björkö Marin AB"]
SUPPLIERS = {
    "4010": "Byggmaterial i Gävle AB",
    "5010": "Fastighets AB Söderhamn",
    "5410": "Verktygsboden i Umeå",
    "5611": "Bensinstationen Älmhult",
    "6110": "Kontorsvaror Östersund",
    "6212": "Telefonbolaget",
}
SIGNERS = ["Åsa Åkesson", "Göran Söner", "Märta Öhman"]


def money(rng: random.Random, low: int, high: int) -> Decimal:
    """A random amount in whole kronor and öre."""
    return Decimal(rng.randint(low * 100, high * 100)) / 100


def day_of_year(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A random date in [first, last]."""
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


class Journal:
    """Collects vouchers per series; numbers them by date at the end."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.items: list[tuple[str, dt.date, str, list[VoucherRow], list[RowChange]]] = []

    def add(
        self,
        series: str,
        date: dt.date,
        text: str,
        rows: list[VoucherRow],
        history: list[RowChange] | None = None,
    ) -> None:
        total = sum((r.amount for r in rows), Decimal(0))
        if total:
            # Öresutjämning keeps every voucher balanced to the öre.
            rows = [*rows, VoucherRow(account="3740", amount=-total)]
        self.items.append((series, date, text, rows, history or []))

    def vouchers(self) -> list[Voucher]:
        out: list[Voucher] = []
        counters: dict[str, int] = defaultdict(int)
        ordered = sorted(self.items, key=lambda it: (it[0], it[1]))
        for series, date, text, rows, history in ordered:
            counters[series] += 1
            reg = min(date + dt.timedelta(days=self.rng.randint(0, 4)), dt.date(YEAR, 12, 31))
            out.append(
                Voucher(
                    series=series,
                    number=str(counters[series]),
                    date=date,
                    text=text,
                    reg_date=reg,
                    sign=self.rng.choice(SIGNERS),
                    rows=tuple(rows),
                    history=tuple(history),
                )
            )
        return out


def row(
    account: str, amount: Decimal, *objects: tuple[int, str], text: str | None = None
) -> VoucherRow:
    """A voucher row."""
    return VoucherRow(
        account=account,
        amount=amount,
        objects=tuple(ObjectRef(dimension=d, number=n) for d, n in objects),
        text=text,
    )


def customer_flow(j: Journal, rng: random.Random) -> None:
    """B: invoices on 1510 (with cost centre and often a project); C: their payments."""
    first, last = dt.date(YEAR, 1, 2), dt.date(YEAR, 12, 20)
    for n in range(1, 97):
        date = day_of_year(rng, first, last)
        customer = rng.choice(CUSTOMERS)
        net = money(rng, 2_000, 60_000)
        vat = (net * Decimal("0.25")).quantize(CENT)
        objects: tuple[tuple[int, str], ...] = ((1, "100"),)
        if rng.random() < 0.6:
            objects += ((6, rng.choice(PROJECTS)[0]),)
        text = f"Kundfaktura {1000 + n} {customer}"
        j.add(
            "B",
            date,
            text,
            [row("1510", net + vat), row("3001", -net, *objects), row("2610", -vat)],
        )
        paid = date + dt.timedelta(days=rng.randint(8, 45))
        if paid.year == YEAR and rng.random() < 0.93:
            j.add(
                "C",
                paid,
                f"Inbetalning faktura {1000 + n} {customer}",
                [row("1930", net + vat), row("1510", -(net + vat))],
            )


def supplier_flow(j: Journal, rng: random.Random) -> None:
    """D: supplier invoices on 2440 (cost centre objects); E: their payments. A few invoices
    were corrected after registration: the struck row is a #BTRANS, the new one a #RTRANS."""
    first, last = dt.date(YEAR, 1, 3), dt.date(YEAR, 12, 22)
    corrections = 0
    for _ in range(74):
        date = day_of_year(rng, first, last)
        account = rng.choice(sorted(SUPPLIERS))
        supplier = SUPPLIERS[account]
        net = money(rng, 300, 25_000) if account != "5010" else Decimal("18500.00")
        vat = (net * Decimal("0.25")).quantize(CENT)
        centre = "300" if account in ("5010", "6110", "6212") else "200"
        text = f"Leverantörsfaktura {supplier}"
        cost = row(account, net, (1, centre))
        history: list[RowChange] = []
        if account == "4010" and corrections < 4:
            # Booked on 4010 first, then moved to 5410: strike the old row, add the new one.
            corrections += 1
            struck = VoucherRow(
                account="4010",
                amount=net,
                objects=((ObjectRef(dimension=1, number=centre)),),
                date=date,
                text="Fel konto",
                sign="Åsa Åkesson",
            )
            cost = row("5410", net, (1, centre), text="Rättat konto")
            added = dataclasses.replace(cost, date=date + dt.timedelta(days=3), sign="Åsa Åkesson")
            history = [
                RowChange(kind="removed", row=struck, position=0),
                RowChange(kind="added", row=added, position=0),
            ]
        j.add("D", date, text, [cost, row("2640", vat), row("2440", -(net + vat))], history)
        paid = date + dt.timedelta(days=rng.randint(10, 30))
        if paid.year == YEAR and rng.random() < 0.9:
            j.add(
                "E",
                paid,
                f"Betalning {supplier}",
                [row("2440", net + vat), row("1930", -(net + vat))],
            )


def manual_flow(j: Journal, rng: random.Random) -> None:
    """A: salaries, employer contributions, bank fees, interest, VAT and depreciation."""
    for month in range(1, 13):
        payday = dt.date(YEAR, month, 25)
        gross = money(rng, 58_000, 64_000)
        tax = (gross * Decimal("0.30")).quantize(CENT)
        fees = (gross * Decimal("0.3142")).quantize(CENT)
        j.add(
            "A",
            payday,
            f"Löner {payday:%Y-%m}",
            [
                row("7010", gross, (1, "200")),
                row("2710", -tax),
                row("1930", -(gross - tax)),
            ],
        )
        j.add(
            "A",
            payday,
            f"Arbetsgivaravgifter {payday:%Y-%m}",
            [row("7510", fees, (1, "200")), row("2731", -fees)],
        )
        settle = dt.date(YEAR, month, 12)
        j.add(
            "A",
            settle,
            "Skattekontot: personalskatt och avgifter",
            [row("2710", tax), row("2731", fees), row("1930", -(tax + fees))],
        )
        fee = money(rng, 95, 180)
        j.add(
            "A",
            dt.date(YEAR, month, 28),
            "Bankavgift",
            [row("6570", fee, (1, "300")), row("1930", -fee)],
        )
        if month % 3 == 0:
            interest = money(rng, 200, 900)
            j.add(
                "A",
                dt.date(YEAR, month, 30),
                "Ränta på företagskontot",
                [row("1930", interest), row("8310", -interest)],
            )
    j.add(
        "A",
        dt.date(YEAR, 12, 31),
        "Avskrivning inventarier 2025",
        [row("7832", Decimal("30000.00"), (1, "300")), row("1229", Decimal("-30000.00"))],
    )


OPENING: dict[str, Decimal] = {
    "1220": Decimal("150000.00"),
    "1229": Decimal("-30000.00"),
    "1930": Decimal("412345.67"),
    "2081": Decimal("-50000.00"),
    "2650": Decimal("-21000.00"),
}
OPENING["2091"] = -sum(OPENING.values(), Decimal(0))
RESULTS_2024: dict[str, Decimal] = {
    "3001": Decimal("-1480250.00"),
    "4010": Decimal("402117.50"),
    "7010": Decimal("731400.00"),
    "7510": Decimal("229805.88"),
}


def build() -> Bookkeeping:
    """The example company's bookkeeping for 2025."""
    rng = random.Random(SEED)
    j = Journal(rng)
    customer_flow(j, rng)
    supplier_flow(j, rng)
    manual_flow(j, rng)
    vouchers = j.vouchers()

    moves: dict[str, Decimal] = defaultdict(Decimal)
    monthly: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    for v in vouchers:
        for r in v.rows:
            moves[r.account] += r.amount
            monthly[(f"{v.date:%Y%m}", r.account)] += r.amount
    balance_accounts = [a for a, _, t, _ in CHART if t in (T, S)]
    result_accounts = [a for a, _, t, _ in CHART if t in (K, INC)]
    opening = [
        Balance(year_index=0, account=a, amount=OPENING[a])
        for a in balance_accounts
        if a in OPENING
    ]
    closing_2025 = {
        a: OPENING.get(a, Decimal(0)) + moves.get(a, Decimal(0)) for a in balance_accounts
    }
    closing = [Balance(year_index=0, account=a, amount=x) for a, x in closing_2025.items() if x]
    # 2024 closed where 2025 opened.
    closing += [
        Balance(year_index=-1, account=a, amount=OPENING[a])
        for a in balance_accounts
        if a in OPENING
    ]
    results = [
        Balance(year_index=0, account=a, amount=moves[a]) for a in result_accounts if moves.get(a)
    ]
    results += [Balance(year_index=-1, account=a, amount=amt) for a, amt in RESULTS_2024.items()]
    periods = [
        PeriodBalance(year_index=0, period=period, account=a, amount=amt)
        for (period, a), amt in sorted(monthly.items())
        if amt
    ]
    return Bookkeeping(
        company=CompanyInfo(
            name="Exempelbolaget Åkesson & Söner AB",
            org_nr="556677-8899",
            company_id="EXEMPEL1",
            company_type="AB",
            sni_code="43320",
            address=Address(
                contact="Åsa Åkesson",
                street="Storgatan 12",
                postal="123 45 Småstad",
                phone="012-345 67 89",
            ),
            chart_type="EUBAS97",
            taxation_year=YEAR + 1,
        ),
        source=SourceInfo(
            generated_on=dt.date(YEAR + 1, 1, 15),
            generated_by="Åsa Åkesson",
            comment="Exempelföretag för ledgerlink, genererat av scripts/make_example_company.py",
        ),
        fiscal_years=(
            FiscalYear(index=0, start=dt.date(YEAR, 1, 1), end=dt.date(YEAR, 12, 31)),
            FiscalYear(index=-1, start=dt.date(YEAR - 1, 1, 1), end=dt.date(YEAR - 1, 12, 31)),
        ),
        accounts=tuple(
            Account(number=a, name=name, type=t, sru=(sru,) if sru else ())
            for a, name, t, sru in CHART
        ),
        dimensions=(
            Dimension(number=1, name="Kostnadsställe"),
            Dimension(number=6, name="Projekt"),
        ),
        objects=tuple(DimensionObject(dimension=1, number=n, name=name) for n, name in COST_CENTRES)
        + tuple(DimensionObject(dimension=6, number=n, name=name) for n, name in PROJECTS),
        opening_balances=tuple(opening),
        closing_balances=tuple(closing),
        results=tuple(results),
        period_balances=tuple(periods),
        vouchers=tuple(vouchers),
    )


def main(argv: list[str]) -> int:
    """Write the example company (to ``argv[0]`` or the bundled path) and check it."""
    out = Path(argv[0]) if argv else DEFAULT_OUT
    out.parent.mkdir(parents=True, exist_ok=True)
    write_sie(build(), out, sie_type="4E")
    report = check_sie(out)
    if not report.clean or report.problems:
        for p in report.problems:
            print(f"{out}: {p}", file=sys.stderr)
        return 1
    print(f"wrote {out}: {report.vouchers} vouchers, {report.transactions} #TRANS rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
