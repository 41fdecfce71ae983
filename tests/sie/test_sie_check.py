"""``check_sie``: the streaming validation report behind ``ledgerlink check``."""

from __future__ import annotations

import json
import sys
import tracemalloc
from pathlib import Path

import pytest
from ledgerlink_core.examples import example_company_path
from ledgerlink_core.sie import SieError, check_sie

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from sie_bench import generate

HEAD = [
    "#FLAGGA 0",
    '#PROGRAM "Test" 1.0',
    "#FORMAT PC8",
    "#GEN 20250101",
    "#SIETYP 4",
    '#FNAMN "Testbolaget"',
    "#RAR 0 20250101 20251231",
    "#KONTO 1930 Bank",
    "#KONTO 3001 Försäljning",
    "#IB 0 1930 1000.00",
    "#UB 0 1930 1500.00",
    "#RES 0 3001 -500.00",
]


def sie(*lines: str) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("cp437")


def test_a_clean_file_gives_a_clean_report() -> None:
    data = sie(
        *HEAD,
        "#VER A 1 20250105 Sålt",
        "{",
        "#TRANS 1930 {} 500.00",
        "#TRANS 3001 {} -500.00",
        "}",
    )
    report = check_sie(data, name="ok.se")
    assert report.clean and report.problems == []
    out = report.model_dump(mode="json")
    assert json.loads(json.dumps(out)) == out  # plain JSON
    assert {k: out[k] for k in ("file", "sie_type", "vouchers", "transactions", "ksumma")} == {
        "file": "ok.se",
        "sie_type": "4E",
        "vouchers": 1,
        "transactions": 2,
        "ksumma": "absent",
    }
    assert out["accounts"] == 2 and out["program"] == "Test" and out["encoding"] == "cp437"


def test_every_kind_of_problem_is_reported_with_its_line() -> None:
    data = sie(
        *HEAD,
        "#MOMSKOD 25",  # 13: unknown label
        "#VER A 1 20250105 x",  # 14: unbalanced
        "{",
        "#TRANS 1930 {} 500.00",
        "#TRANS 3001 {} -400.00",
        "}",
        "#VER A 2 20240105 x",  # 19: outside #RAR 0
        "{",
        "#BTRANS 1930 {} 7.00",
        "#RTRANS 2440 {} 5.00",  # 22: account not in the chart
        "#TRANS 2440 {} 5.00",
        "#TRANS 1930 {} -5.00",
        "}",
    )
    report = check_sie(data)
    found = {(p.code, p.line) for p in report.problems}
    assert ("unknown-label", 13) in found
    assert ("unbalanced", 14) in found
    assert ("date-outside-year", 19) in found
    assert ("account-not-in-chart", 22) in found
    # 1930: 1000 + 500 (voucher 1; voucher 2 lies outside the year) != 1500? equal: no problem
    # 3001: the vouchers move -400, #RES says -500
    assert ("result-mismatch", None) in found
    assert (report.vouchers, report.transactions) == (2, 4)
    assert (report.added_rows, report.removed_rows, report.unbalanced_vouchers) == (1, 1, 1)
    # errors: unbalanced, outside the year; warnings: the unknown label, the account used
    # without #KONTO (an error only in strict mode) and the result that does not add up
    severity = {p.code: p.severity for p in report.problems}
    assert severity["account-not-in-chart"] == severity["result-mismatch"] == "warning"
    assert not report.clean and report.errors == 2 and report.warnings == 3


def test_opening_plus_movements_must_equal_closing() -> None:
    data = sie(
        *HEAD[:-2],
        "#UB 0 1930 1400.00",
        "#RES 0 3001 -500.00",
        "#VER A 1 20250105 x",
        "{",
        "#TRANS 1930 {} 500.00",
        "#TRANS 3001 {} -500.00",
        "}",
    )
    report = check_sie(data)
    (problem,) = report.problems
    assert problem.code == "balance-mismatch" and "1930" in problem.message
    # A warning: real exports carry closing balances their vouchers do not explain.
    assert problem.severity == "warning" and report.clean


def test_an_unbalanced_voucher_is_reported_with_its_own_sum() -> None:
    # The voucher before it balances to 0.00: that zero must not lend the next sum its
    # two decimals (check and full load say the same).
    data = sie(
        *HEAD,
        '#VER "A" "1" 20250105 "Kassa" 20250105',
        "{",
        "#TRANS 1930 {} 1.50",
        "#TRANS 3001 {} -1.50",
        "}",
        '#VER "A" "2" 20250106 "Kassa" 20250106',
        "{",
        "#TRANS 1930 {} 100",
        "#TRANS 3001 {} -90",
        "}",
    )
    from ledgerlink_core.sie import read_sie

    for problems in (check_sie(data).problems, read_sie(data, strict=False).problems):
        (unbalanced,) = [p for p in problems if p.code == "unbalanced"]
        assert unbalanced.message == "voucher A 2 does not balance: its #TRANS rows sum to 10"


def test_unreadable_input_raises() -> None:
    with pytest.raises(SieError):
        check_sie(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(SieError, match="truncated"):
        check_sie(sie("#FLAGGA 0", "#KSUMMA", '#FNAMN "x"'))


def test_the_example_company_is_clean() -> None:
    report = check_sie(example_company_path())
    assert report.clean and report.problems == []
    assert report.vouchers > 300 and report.added_rows > 0 and report.removed_rows > 0


def test_check_and_full_load_agree_on_the_example(tmp_path: Path) -> None:
    from ledgerlink_core.sie import read_sie

    doc = read_sie(example_company_path())
    report = check_sie(example_company_path())
    assert report.vouchers == len(doc.bookkeeping.vouchers)
    assert report.transactions == sum(len(v.rows) for v in doc.bookkeeping.vouchers)


def test_memory_does_not_grow_with_the_file(tmp_path: Path) -> None:
    peaks = []
    for rows in (16_000, 64_000):
        path = tmp_path / f"{rows}.se"
        generate(path, rows)
        tracemalloc.start()
        report = check_sie(path)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert report.transactions == rows and report.clean
    # four times the rows, (nearly) the same peak: nothing per voucher is kept
    assert peaks[1] < peaks[0] * 1.3 + 200_000


@pytest.mark.parametrize("amount", ["--5", "+5", "0x10", "1_000"])
def test_u8_a_bad_amount_is_the_one_problem_not_also_an_unbalanced_voucher(amount: str) -> None:
    """Reliability review U8: an unreadable row made its voucher "not balance" as well."""
    data = sie(
        *HEAD,
        "#VER A 1 20250105 x",
        "{",
        "#TRANS 1930 {} 5",
        f"#TRANS 3001 {{}} {amount}",
        "}",
    )
    from ledgerlink_core.sie import read_sie

    for problems in (check_sie(data).problems, read_sie(data, strict=False).problems):
        assert [p.code for p in problems if p.severity == "error"] == ["bad-field"], problems
