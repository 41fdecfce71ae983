"""``check`` and ``pull`` apply one rule set (reliability review U1, U2, and real exports).

A file that ``check`` calls clean is never refused by ``pull``, and a file ``pull`` takes is
never called unclean by ``check``; a refusal names the first error and its line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

HEAD = ["#FLAGGA 0", "#SIETYP 4", '#FNAMN "Regler AB"', "#RAR 0 20250101 20251231"]
CHART = ["#KONTO 1930 Bank", "#KONTO 3001 Försäljning"]
VOUCHER = ['#VER A 1 20250105 "Kassa"', "{", "#TRANS 1930 {} 10", "#TRANS 3001 {} -10", "}"]

FILES = {
    # U1: no #FNAMN: pull refused it while check called it clean
    "u1_no_company_name": (["#FLAGGA 0", "#SIETYP 4", "#KONTO 1930 Bank"], 1, None),
    # U2: a voucher outside #RAR 0: check refused it while pull imported it
    "u2_voucher_outside_the_year": (
        [*HEAD, *CHART, '#VER A 1 99991231 "Sent"', "{", "#TRANS 1930 {} 10",
         "#TRANS 3001 {} -10", "}"],
        1,
        7,
    ),
    # real exports: last year's results on an account that has left the chart
    "real_export_old_year_account": (
        [*HEAD, "#RAR -1 20240101 20241231", *CHART, "#RES -1 3999 -50", *VOUCHER],
        0,
        None,
    ),
    "clean": ([*HEAD, *CHART, *VOUCHER], 0, None),
}  # fmt: skip


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / f"{name}.se"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp437"))
    return path


@pytest.mark.parametrize("name", sorted(FILES))
def test_u1_u2_check_and_pull_agree(name: str, tmp_path: Path, run_cli: Any) -> None:
    lines, code, line = FILES[name]
    path = _write(tmp_path, name, lines)
    check = run_cli("check", str(path))
    pull = run_cli("pull", str(path), "-o", str(tmp_path / "out.se"), "--no-snapshot")
    assert (check.exit_code, pull.exit_code) == (code, code), (check.stderr, pull.stderr)
    assert (tmp_path / "out.se").exists() == (code == 0)  # nothing written when refused
    if code:
        # one line that names the file, the count and the first error (with its line)
        (message,) = pull.stderr.strip().splitlines()
        assert str(path) in message and "1 error(s)" in message
        assert (f"(line {line})" in message) if line else ("#FNAMN" in message)
        assert "ledgerlink check" in message


def test_real_export_warns_with_the_record_and_the_year(tmp_path: Path, run_cli: Any) -> None:
    lines, _, _ = FILES["real_export_old_year_account"]
    path = _write(tmp_path, "real", lines)
    result = run_cli("check", str(path), "--json")
    report = json.loads(result.stdout)
    assert report["clean"] is True and report["errors"] == 0
    (problem,) = report["problems"]
    assert problem["severity"] == "warning" and problem["line"] == 8
    assert (
        problem["message"] == "account 3999 is used in #RES (year -1) but has no #KONTO in the file"
    )


def test_strict_false_imports_anyway(tmp_path: Path, run_cli: Any) -> None:
    lines, _, _ = FILES["u2_voucher_outside_the_year"]
    path = _write(tmp_path, "late", lines)
    out = tmp_path / "out.se"
    result = run_cli("pull", str(path), "--set", "strict=false", "-o", str(out), "--no-snapshot")
    assert result.exit_code == 0 and out.exists()


def test_u7_the_refusal_gives_the_real_count_beyond_the_listed_problems(
    tmp_path: Path, run_cli: Any
) -> None:
    """Reliability review U7: 199,998 errors were reported as "10000 error(s)"."""
    n = 10_050  # more than the 10,000 problems a report lists
    vouchers = [
        line
        for i in range(n)
        for line in (f'#VER A {i + 1} 20250105 "x"', "{", "#TRANS 1930 {} 10", "}")
    ]
    path = _write(tmp_path, "many", [*HEAD, *CHART, *vouchers])
    result = run_cli("pull", str(path), "-o", str(tmp_path / "out.se"), "--no-snapshot")
    assert result.exit_code == 1
    assert f"{n} error(s) in the SIE file" in result.stderr
