"""The target's rules, checked before anything is written: characters and lengths of texts
(and ``--normalise-text``), cost-centre and project rules per account, the chart of each
voucher's own fiscal year, and series closed to manual vouchers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ledgerlink_core import (
    Account,
    Capabilities,
    ExportConstraints,
    FiscalYear,
    ObjectRef,
    TextRules,
    ValidationFailed,
    Voucher,
    VoucherExport,
    VoucherRow,
    export_items,
)
from ledgerlink_core.export.normalise import normalise
from ledgerlink_core.export.validate import validate_export

#: A target much like Fortnox: letters, digits and a few signs; no ASCII quotes or brackets.
RULES = TextRules(characters="0123456789 .,:;-/()’\\\n", max_text=30, max_row_text=12, max_note=200)
OLD = FiscalYear(index=-1, start=dt.date(2024, 1, 1), end=dt.date(2024, 12, 31))
NEW = FiscalYear(index=0, start=dt.date(2025, 1, 1), end=dt.date(2025, 12, 31))


def item(
    text: str = "Bokslut",
    row_text: str | None = None,
    *,
    day: dt.date = dt.date(2025, 12, 31),
    series: str = "A",
    objects: tuple[ObjectRef, ...] = (),
) -> VoucherExport:
    voucher = Voucher(
        series=series,
        number="1",
        date=day,
        text=text,
        rows=(
            VoucherRow(account="1930", amount=Decimal(10), text=row_text, objects=objects),
            VoucherRow(account="3000", amount=Decimal(-10)),
        ),
    )
    return export_items([voucher], origin="test")[0]


def problems(
    items: list[VoucherExport],
    *,
    charts: dict[int | None, list[Account] | None] | None = None,
    **rules: object,
) -> list[str]:
    constraints = ExportConstraints(text=RULES, fiscal_years=(OLD, NEW), **rules)  # type: ignore[arg-type]
    try:
        validate_export(
            items,
            target="acme",
            capabilities=Capabilities(supported=frozenset()),
            charts=charts or {},
            constraints=constraints,
        )
    except ValidationFailed as exc:
        return list(exc.problems)
    return []


def test_every_refused_character_is_named_with_its_voucher_and_field() -> None:
    found = problems([item('Hyra "kontor"', "a<b>\tc")])
    assert found == [
        "voucher A 1: its text has characters acme refuses: '\"'",
        "voucher A 1: its row 1 text has characters acme refuses: '<', '>', TAB (U+0009)",
    ]


def test_texts_over_the_limits_are_refused() -> None:
    found = problems([item("x" * 31, "y" * 13)])
    assert found == [
        "voucher A 1: its text is 31 characters, over acme's limit of 30",
        "voucher A 1: its row 1 text is 13 characters, over acme's limit of 12",
    ]


def test_normalise_maps_to_look_alikes_the_target_takes_and_keeps_the_originals() -> None:
    original = item("Hyra 'kontor' \"A\"", "a<b>\tc")
    (fixed,), changes = normalise([original], RULES)
    assert fixed.voucher.text == "Hyra ’kontor’ ’’A’’"
    assert fixed.voucher.rows[0].text == "a(b) c"
    assert [(c.field, c.before, c.after) for c in changes] == [
        ("text", "Hyra 'kontor' \"A\"", "Hyra ’kontor’ ’’A’’"),
        ("row 1 text", "a<b>\tc", "a(b) c"),
    ]
    assert fixed.external_ref == original.external_ref  # the same export
    assert "\\u0027kontor\\u0027" in fixed.note and "a\\u003cb\\u003e\\u0009c" in fixed.note
    assert not RULES.refused(fixed.note), "the note itself must fit the target"
    assert problems([fixed]) == []


def test_normalise_never_writes_a_look_alike_the_target_refuses() -> None:
    strict = TextRules(characters="0123456789 ")
    (fixed,), _ = normalise([item("It's")], strict)
    assert fixed.voucher.text == "It's"  # ’ is not allowed here: the ' stays, and is reported
    assert strict.refused(fixed.voucher.text) == ["'"]


def test_normalise_cuts_over_long_texts_and_leaves_fitting_items_alone() -> None:
    fine = item("Bokslut")
    long = item("x" * 40)
    out, changes = normalise([fine, long], RULES)
    assert out[0] is fine
    assert out[1].voucher.text == "x" * 27 + "..." and len(out[1].voucher.text) == 30
    assert len(changes) == 1 and problems(out) == []


def test_cost_centre_and_project_rules_per_account() -> None:
    chart = [
        Account(number="1930", cost_centre_rule="mandatory", project_rule="not_allowed"),
        Account(number="3000"),
    ]
    bare = item()
    with_project = item(
        objects=(ObjectRef(dimension=1, number="10"), ObjectRef(dimension=6, number="P1"))
    )
    found = problems([bare, with_project], charts={0: chart})
    assert found == [
        "voucher A 1: account 1930 needs a cost centre on every row in acme",
        "voucher A 1: account 1930 takes no project in acme",
    ]


def test_each_voucher_is_checked_against_its_own_years_chart() -> None:
    charts: dict[int | None, list[Account] | None] = {
        -1: [Account(number="1930", active=False), Account(number="3000")],
        0: [Account(number="1930"), Account(number="3000")],
    }
    old, new = item(day=dt.date(2024, 6, 30)), item(day=dt.date(2025, 6, 30))
    assert problems([old, new], charts=charts) == ["voucher A 1: account 1930 is inactive in acme"]


def test_a_series_closed_to_manual_vouchers_is_refused() -> None:
    found = problems(
        [item(series="B")], series=frozenset({"A", "B"}), manual_series=frozenset({"A"})
    )
    assert found == [
        "voucher B 1: voucher series 'B' is not open for manual vouchers in acme (open: A); "
        "choose one with --series"
    ]


@pytest.mark.parametrize("char", ["'", '"', "<", ">", "[", "]", "{", "}", "|", "~", "\t"])
def test_every_named_ascii_sign_has_a_look_alike_for_a_fortnox_like_target(char: str) -> None:
    (fixed,), _ = normalise([item(f"a{char}b")], RULES)
    assert not RULES.refused(fixed.voucher.text), fixed.voucher.text
