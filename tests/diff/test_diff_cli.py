"""``ledgerlink diff OLD NEW [--json]``: exit 0 equal, 1 different, 2 unreadable (file and
line named, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ledgerlink_core.examples import example_company_path

GOOD = (
    b'#FLAGGA 0\r\n#SIETYP 4\r\n#FNAMN "X"\r\n#RAR 0 20250101 20251231\r\n'
    b'#KONTO 1930 "Bank"\r\n#KONTO 3001 "Sales"\r\n#UB 0 1930 100.00\r\n'
    b'#VER A 1 20250105 "Sale"\r\n{\r\n#TRANS 1930 {} 100.00\r\n#TRANS 3001 {} -100.00\r\n}\r\n'
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_equal_files_exit_0(run_cli, tmp_path: Path) -> None:
    old = write(tmp_path, "old.se", GOOD)
    new = write(tmp_path, "new.se", GOOD.replace(b"\r\n", b"\n").replace(b"100.00", b"100"))
    result = run_cli("diff", str(old), str(new))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{old} -> {new}: equal\n" and result.stderr == ""
    example = str(example_company_path())
    assert run_cli("diff", example, example, "--json").exit_code == 0


def test_different_files_exit_1_with_the_summary_first(run_cli, tmp_path: Path) -> None:
    old = write(tmp_path, "old.se", GOOD)
    new = write(
        tmp_path,
        "new.se",
        GOOD.replace(b'"Sale"', b'"Sale 2"').replace(b"#UB 0 1930 100.00", b"#UB 0 1930 90.00"),
    )
    result = run_cli("diff", str(old), str(new))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{old} -> {new}: 1 voucher(s) changed, 1 balance(s) moved"
    assert "  ~ A 1  2025-01-05  'Sale 2': text" in lines
    assert any(
        line.split() == ["1930", "closing", "0", "100.00", "90.00", "-10.00"] for line in lines
    )
    assert result.stderr == (
        f"error: {old} and {new} differ: 1 voucher(s) changed, 1 balance(s) moved\n"
    )


def test_json_has_the_documented_shape(run_cli, tmp_path: Path) -> None:
    old = write(tmp_path, "old.se", GOOD)
    added = b'#VER A 2 20250106 "Rent"\r\n{\r\n#TRANS 1930 {} -5\r\n#TRANS 3001 {} 5\r\n}\r\n'
    new = write(tmp_path, "new.se", GOOD + added)
    result = run_cli("diff", str(old), str(new), "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert {"vouchers", "balances", "summary", "old", "new"} <= set(data)
    (item,) = data["vouchers"]["added"]
    assert {k: item[k] for k in ("series", "number", "date", "text")} == {
        "series": "A",
        "number": "2",
        "date": "2025-01-06",
        "text": "Rent",
    }
    assert [r["amount"] for r in item["rows"]] == ["-5.00", "5.00"]
    assert data["vouchers"]["removed"] == data["vouchers"]["changed"] == []
    assert data["summary"]["equal"] is False and data["summary"]["vouchers_added"] == 1
    assert data["old"]["file"] == str(old) and data["new"]["vouchers"] == 2


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (b"\x00\x01binary\x00", None, "this is binary data, not a SIE file"),
        (GOOD.replace(b"#TRANS 3001 {} -100.00", b"#TRANS 3001 {} -1OO"), 11, "is not a number"),
        (GOOD.replace(b"#TRANS 3001 {} -100.00", b"#TRANS 3001 {} -99.00"), 8, "does not balance"),
        (b"hello\r\n", 1, "this is not a SIE file"),
    ],
    ids=["binary", "broken-amount", "unbalanced", "not-sie"],
)
def test_unreadable_input_exits_2_naming_file_and_line(
    run_cli, tmp_path: Path, data: bytes, line: int | None, message: str
) -> None:
    good = write(tmp_path, "good.se", GOOD)
    bad = write(tmp_path, "bad.se", data)
    for args in ((good, bad), (bad, good)):
        result = run_cli("diff", *map(str, args))
        assert result.exit_code == 2, result.stdout
        where = f"{bad}:{line}: " if line is not None else f"{bad}: "
        assert result.stderr.startswith(f"error: {where}"), result.stderr
        assert message in result.stderr
        assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_a_missing_file_exits_2(run_cli, tmp_path: Path) -> None:
    good = write(tmp_path, "good.se", GOOD)
    missing = tmp_path / "missing.se"
    result = run_cli("diff", str(good), str(missing))
    assert result.exit_code == 2
    assert result.stderr == f"error: {missing}: no such file\n"


def test_help_documents_the_exit_codes(run_cli) -> None:
    text = run_cli("diff", "--help").stdout
    assert "0 the files are equal; 1 they differ; 2 a file is missing or" in text


def test_the_text_shows_the_first_twenty_of_a_list(run_cli, tmp_path: Path) -> None:
    more = b"".join(
        b'#VER B %d 20250106 "Extra"\r\n{\r\n#TRANS 1930 {} -5\r\n#TRANS 3001 {} 5\r\n}\r\n' % n
        for n in range(1, 26)
    )
    old = write(tmp_path, "old.se", GOOD)
    new = write(tmp_path, "new.se", GOOD + more)
    lines = run_cli("diff", str(old), str(new)).stdout.splitlines()
    assert lines[0].endswith(": 25 voucher(s) added")
    shown = [line for line in lines if line.startswith("  + B ")]
    assert shown[0] == "  + B 1  2025-01-06  'Extra'" and len(shown) == 20
    assert lines[-1] == "  ... and 5 more (--json has them all)"
    data = json.loads(run_cli("diff", str(old), str(new), "--json").stdout)
    assert [v["number"] for v in data["vouchers"]["added"]] == [str(n) for n in range(1, 26)]
