"""Generated pairs of SIE files, each with the report it must give."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ledgerlink_core.diff import DiffReport, diff_sie
from ledgerlink_core.model import ObjectRef

HEAD = [
    "#FLAGGA 0",
    '#PROGRAM "gen" "1.0"',
    "#FORMAT PC8",
    "#SIETYP 4",
    '#FNAMN "Diffbolaget AB"',
    "#RAR 0 20250101 20251231",
    "#RAR -1 20240101 20241231",
    '#KONTO 1930 "Företagskonto"',
    '#KONTO 1510 "Kundfordringar"',
    '#KONTO 3001 "Försäljning"',
    '#KONTO 5010 "Lokalhyra"',
    '#DIM 1 "Kostnadsställe"',
    '#DIM 6 "Projekt"',
    '#OBJEKT 1 "100" "Butik"',
    '#OBJEKT 6 "P1" "Projekt 1"',
]
BALANCES = [
    "#IB 0 1930 1000.00",
    "#UB 0 1930 1100.00",
    "#IB -1 1930 500.00",
    "#UB -1 1930 1000.00",
    "#RES 0 3001 -200.00",
    "#RES 0 5010 100.00",
    '#OIB 0 1930 {1 "100"} 400.00',
    '#OUB 0 1930 {1 "100"} 450.00',
    "#PSALDO 0 202501 3001 {} -200.00",
    '#PSALDO 0 202501 3001 {1 "100" 6 "P1"} -150.00',
]
VOUCHERS = [
    '#VER A 1 20250105 "Hyra januari" 20250106',
    "{",
    "#TRANS 5010 {} 100.00",
    "#TRANS 1930 {} -100.00",
    "}",
    '#VER A 2 20250110 "Kundfaktura 1"',
    "{",
    '#TRANS 1510 {} 250.00 20250110 "Kund"',
    '#TRANS 3001 {1 "100" 6 "P1"} -200.00',
    "#TRANS 2610 {} -50.00",
    "}",
    '#VER B 1 20250115 "Inbetalning"',
    "{",
    "#TRANS 1930 {} 250.00",
    "#TRANS 1510 {} -250.00",
    "}",
]


def sie(lines: list[str], *, crlf: bool = True, encoding: str = "cp437") -> bytes:
    return ("\r\n" if crlf else "\n").join(lines).encode(encoding) + b"\r\n"


BASE = sie(HEAD + BALANCES + VOUCHERS)


def diff(new_lines: list[str], old: bytes = BASE, **kw: object) -> DiffReport:
    return diff_sie(old, sie(new_lines, **kw), old_name="old.se", new_name="new.se")  # type: ignore[arg-type]


def replaced(lines: list[str], old: str, *new: str) -> list[str]:
    i = lines.index(old)
    return [*lines[:i], *new, *lines[i + 1 :]]


def test_the_same_bytes_are_equal() -> None:
    report = diff_sie(BASE, BASE)
    assert report.equal and report.summary.equal
    assert report.vouchers.added == report.vouchers.removed == report.vouchers.changed == ()
    assert report.balances == report.accounts == report.objects == ()
    assert report.old.vouchers == report.new.vouchers == 3
    assert report.old.sie_type == "4E" and report.old.company == "Diffbolaget AB"


def test_the_same_bookkeeping_written_differently_is_equal() -> None:
    vouchers = replaced(
        VOUCHERS,
        '#VER A 1 20250105 "Hyra januari" 20250106',
        '#VER "A" "1" 20250105 "Hyra januari" 20250106',
    )
    # rows in another order, amounts without decimals, transdat repeating the voucher date,
    # objects in another order
    vouchers = replaced(vouchers, "#TRANS 5010 {} 100.00", "#TRANS 1930 {} -100")
    vouchers = replaced(vouchers, "#TRANS 1930 {} -100.00", "#TRANS 5010 {} 100 20250105")
    vouchers = replaced(
        vouchers, '#TRANS 3001 {1 "100" 6 "P1"} -200.00', '#TRANS 3001 {6 "P1" 1 "100"} -200'
    )
    balances = [*reversed(BALANCES)]
    balances = replaced(balances, "#IB 0 1930 1000.00", "#IB 0 1930 1000")
    head = [*HEAD[:7], *reversed(HEAD[7:11]), *HEAD[11:]]
    for kw in ({"crlf": False}, {"encoding": "utf-8"}, {}):
        report = diff(head + vouchers + balances, **kw)  # balances after the vouchers
        assert report.equal, report.model_dump()


def test_vouchers_added_and_removed_are_listed_with_their_rows() -> None:
    removed = VOUCHERS[5:11]  # A 2
    added = [
        '#VER A 3 20250120 "Hyra februari"',
        "{",
        "#TRANS 5010 {} 100",
        "#TRANS 1930 {} -100",
        "}",
    ]
    vouchers = [*VOUCHERS[:5], *VOUCHERS[11:], *added]
    report = diff(HEAD + BALANCES + vouchers)
    assert not report.equal and not report.vouchers.changed
    (gone,) = report.vouchers.removed
    assert (gone.series, gone.number, gone.date, gone.text) == (
        "A",
        "2",
        dt.date(2025, 1, 10),
        "Kundfaktura 1",
    )
    assert gone.line == BASE.decode("cp437").splitlines().index(removed[0]) + 1
    assert [(r.account, r.amount) for r in gone.rows] == [
        ("1510", Decimal("250.00")),
        ("3001", Decimal("-200.00")),
        ("2610", Decimal("-50.00")),
    ]
    # a transdat that repeats the voucher's date is the voucher's date: not shown
    assert gone.rows[0].date is None and gone.rows[0].text == "Kund"
    (new,) = report.vouchers.added
    assert (new.series, new.number, new.text) == ("A", "3", "Hyra februari")
    assert report.summary.vouchers_added == report.summary.vouchers_removed == 1


def test_a_changed_voucher_says_what_changed() -> None:
    vouchers = replaced(
        VOUCHERS,
        '#VER A 2 20250110 "Kundfaktura 1"',
        '#VER A 2 20250111 "Kundfaktura 1 (rättad)" 20250112',
    )
    vouchers = replaced(
        vouchers, '#TRANS 3001 {1 "100" 6 "P1"} -200.00', '#TRANS 3001 {1 "100" 6 "P1"} -180.00'
    )
    vouchers = replaced(vouchers, "#TRANS 2610 {} -50.00", "#TRANS 2611 {} -70.00")
    report = diff(HEAD + BALANCES + vouchers)
    (change,) = report.vouchers.changed
    assert (change.series, change.number) == ("A", "2")
    assert (change.date, change.text) == (dt.date(2025, 1, 11), "Kundfaktura 1 (rättad)")
    assert change.changed == ("date", "text", "reg_date", "rows")
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("date", "2025-01-10", "2025-01-11"),
        ("text", "Kundfaktura 1", "Kundfaktura 1 (rättad)"),
        ("reg_date", None, "2025-01-12"),
    ]
    # 1510 keeps its own transdat (2025-01-10), which is no longer the voucher's date: the
    # row is corrected (date), the 3001 row too (amount); 2610 -> 2611 is a row removed and
    # one added (a different account pairs with nothing).
    corrected = {c.old.account: c for c in change.rows_corrected}
    assert set(corrected) == {"1510", "3001"}
    assert corrected["3001"].changed == ("amount",)
    assert (corrected["3001"].old.amount, corrected["3001"].new.amount) == (
        Decimal("-200.00"),
        Decimal("-180.00"),
    )
    assert corrected["3001"].new.objects == (
        ObjectRef(dimension=1, number="100"),
        ObjectRef(dimension=6, number="P1"),
    )
    assert corrected["1510"].changed == ("date",)
    assert [(r.account, r.amount) for r in change.rows_removed] == [("2610", Decimal("-50.00"))]
    assert [(r.account, r.amount) for r in change.rows_added] == [("2611", Decimal("-70.00"))]
    assert not report.vouchers.added and not report.vouchers.removed


def test_rows_on_one_account_pair_in_order_after_the_equal_ones_are_dropped() -> None:
    def voucher(*amounts: str) -> list[str]:
        rows = [f"#TRANS 1930 {{}} {a}" for a in amounts]
        return [*HEAD, '#VER A 1 20250105 "x"', "{", *rows, "#TRANS 3001 {} -60", "}"]

    old = sie(voucher("10", "20", "30"))
    new_lines = voucher("20", "11", "29")
    (change,) = diff(new_lines, old=old).vouchers.changed
    pairs = [(c.old.amount, c.new.amount) for c in change.rows_corrected]
    assert pairs == [(Decimal("10.00"), Decimal("11.00")), (Decimal("30.00"), Decimal("29.00"))]
    assert change.rows_added == change.rows_removed == ()


def test_rtrans_and_btrans_history_is_compared() -> None:
    vouchers = replaced(
        VOUCHERS,
        "#TRANS 1930 {} 250.00",
        "#BTRANS 1930 {} 240.00",
        "#RTRANS 1930 {} 250.00",
        "#TRANS 1930 {} 250.00",
    )
    report = diff(HEAD + BALANCES + vouchers)
    (change,) = report.vouchers.changed
    assert (change.series, change.number, change.changed) == ("B", "1", ("history",))
    kinds = sorted((h.kind, h.row.account, h.row.amount) for h in change.history_added)
    assert kinds == [("added", "1930", Decimal("250.00")), ("removed", "1930", Decimal("240.00"))]
    assert change.history_removed == () and change.rows_corrected == ()
    # and the other way round
    back = diff_sie(sie(HEAD + BALANCES + vouchers), BASE)
    (change,) = back.vouchers.changed
    assert len(change.history_removed) == 2 and change.history_added == ()


def test_balances_that_moved_per_kind_year_period_and_object() -> None:
    balances = replaced(BALANCES, "#UB 0 1930 1100.00", "#UB 0 1930 1150.00")
    balances = replaced(balances, "#IB -1 1930 500.00", "#IB -1 1930 0.00")
    balances = replaced(balances, "#RES 0 5010 100.00")  # removed
    balances = replaced(balances, '#OUB 0 1930 {1 "100"} 450.00', '#OUB 0 1930 {1 "100"} 475.50')
    balances = replaced(
        balances,
        '#PSALDO 0 202501 3001 {1 "100" 6 "P1"} -150.00',
        '#PSALDO 0 202501 3001 {1 "100" 6 "P1"} -160.00',
        "#PSALDO 0 202502 3001 {} -25.00",
        "#RES 0 1510 0.00",  # new, but zero: as good as missing
    )
    report = diff(HEAD + balances + VOUCHERS)
    got = [
        (b.kind, b.year, b.account, b.period, b.objects, b.old, b.new, b.difference)
        for b in report.balances
    ]
    shop = (ObjectRef(dimension=1, number="100"),)
    d = Decimal
    assert got == [
        ("opening", -1, "1930", None, (), d("500.00"), d("0.00"), d("-500.00")),
        ("closing", 0, "1930", None, (), d("1100.00"), d("1150.00"), d("50.00")),
        ("closing", 0, "1930", None, shop, d("450.00"), d("475.50"), d("25.50")),
        ("result", 0, "5010", None, (), d("100.00"), None, d("-100.00")),
        (
            "period",
            0,
            "3001",
            "202501",
            (*shop, ObjectRef(dimension=6, number="P1")),
            d("-150.00"),
            d("-160.00"),
            d("-10.00"),
        ),
        ("period", 0, "3001", "202502", (), None, d("-25.00"), d("-25.00")),
    ]
    assert report.summary.balances_moved == 6 and not report.vouchers.changed


def test_accounts_dimensions_and_objects_added_removed_and_renamed() -> None:
    head = replaced(
        HEAD, '#KONTO 1930 "Företagskonto"', '#KONTO 1930 "Bankkonto"', '#KONTO 1940 "Placering"'
    )
    head = replaced(head, '#KONTO 5010 "Lokalhyra"')
    head = replaced(head, '#DIM 6 "Projekt"', '#DIM 6 "Projekten"')
    head = replaced(
        head, '#OBJEKT 1 "100" "Butik"', '#OBJEKT 1 "100" "Butiken"', '#OBJEKT 1 "200" "Lager"'
    )
    head = replaced(head, '#OBJEKT 6 "P1" "Projekt 1"')
    report = diff(head + BALANCES + VOUCHERS)
    assert [(a.change, a.number, a.old, a.new) for a in report.accounts] == [
        ("renamed", "1930", "Företagskonto", "Bankkonto"),
        ("added", "1940", None, "Placering"),
        ("removed", "5010", "Lokalhyra", None),
    ]
    assert [(d.change, d.number, d.old, d.new) for d in report.dimensions] == [
        ("renamed", "6", "Projekt", "Projekten")
    ]
    assert [(o.change, o.dimension, o.number, o.new) for o in report.objects] == [
        ("renamed", 1, "100", "Butiken"),
        ("added", 1, "200", "Lager"),
        ("removed", 6, "P1", None),
    ]
    s = report.summary
    assert (s.accounts_added, s.accounts_removed, s.accounts_renamed) == (1, 1, 1)
    assert (s.objects_added, s.objects_removed, s.objects_renamed, s.dimensions_changed) == (
        1,
        1,
        1,
        1,
    )


UNNUMBERED = [
    '#VER A "" 20250105 "Första"',
    "{",
    "#TRANS 5010 {} 100",
    "#TRANS 1930 {} -100",
    "}",
    '#VER A "" 20250106 "Andra"',
    "{",
    "#TRANS 5010 {} 200",
    "#TRANS 1930 {} -200",
    "}",
]


def test_unnumbered_vouchers_match_by_their_place_in_the_series() -> None:
    old = sie(HEAD + UNNUMBERED)
    assert diff_sie(old, old).equal
    changed = replaced(UNNUMBERED, '#VER A "" 20250106 "Andra"', '#VER A "" 20250106 "Andra (ny)"')
    report = diff(HEAD + changed + ['#VER A "" 20250107 "Tredje"', "{", "}"], old=old)
    (change,) = report.vouchers.changed
    assert (change.series, change.number, change.position, change.changed) == (
        "A",
        None,
        2,
        ("text",),
    )
    (added,) = report.vouchers.added
    assert (added.number, added.position, added.text) == (None, 3, "Tredje")
    # the same when the old file lags (a voucher before them): its side comes second
    lagging = sie([*HEAD, '#VER B 9 20250101 "Före"', "{", "}", *UNNUMBERED])
    (change,) = diff([*HEAD, *changed], old=lagging).vouchers.changed
    assert (change.number, change.position, change.text) == (None, 2, "Andra (ny)")


def test_a_number_used_twice_is_reported_and_matched_occurrence_by_occurrence() -> None:
    twice = [
        *VOUCHERS,
        '#VER A 1 20250201 "Igen"',
        "{",
        "#TRANS 5010 {} 1",
        "#TRANS 1930 {} -1",
        "}",
    ]
    old = sie(HEAD + twice)
    same = diff_sie(old, old)
    assert same.equal  # the same duplicates on both sides
    assert [(d.side, d.series, d.number, d.occurrence) for d in same.vouchers.duplicates] == [
        ("old", "A", "1", 2),
        ("new", "A", "1", 2),
    ]
    assert same.vouchers.duplicates[0].line == len(HEAD) + len(VOUCHERS) + 1
    report = diff(HEAD + VOUCHERS, old=old)  # the second A 1 is gone
    (gone,) = report.vouchers.removed
    assert (gone.number, gone.text) == ("1", "Igen")
    assert report.summary.duplicate_vouchers == 1


def test_files_listing_vouchers_in_another_order_are_equal() -> None:
    blocks = [VOUCHERS[0:5], VOUCHERS[5:11], VOUCHERS[11:16]]
    shuffled = [line for block in reversed(blocks) for line in block]
    assert diff(HEAD + BALANCES + shuffled).equal


@pytest.mark.parametrize("side", ["old", "new"])
def test_json_dump_is_plain_data_with_decimal_strings(side: str) -> None:
    balances = replaced(BALANCES, "#UB 0 1930 1100.00", "#UB 0 1930 1100.5")
    pair = (BASE, sie(HEAD + balances + VOUCHERS))
    old, new = pair if side == "old" else pair[::-1]
    data = diff_sie(old, new).model_dump(mode="json")
    assert list(data) == [
        "old",
        "new",
        "vouchers",
        "balances",
        "accounts",
        "dimensions",
        "objects",
        "summary",
    ]
    assert set(data["vouchers"]) == {"added", "removed", "changed", "duplicates"}
    (item,) = data["balances"]
    assert (item["kind"], item["year"], item["account"]) == ("closing", 0, "1930")
    sign = "" if side == "old" else "-"
    assert item["difference"] == f"{sign}0.50"
    assert {item["old"], item["new"]} == {"1100.00", "1100.50"}  # two decimals at least
