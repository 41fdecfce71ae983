"""``pull --json`` prints the bookkeeping a voucher at a time (reliability review C10)."""

from __future__ import annotations

import json

from ledgerlink_core import example_company_path
from ledgerlink_core.sie import read_sie


def test_pull_json_is_the_bookkeeping_exactly(run_cli) -> None:
    path = example_company_path()
    result = run_cli("pull", str(path), "--json", "--no-snapshot")
    assert result.exit_code == 0, result.stderr
    book = read_sie(path).bookkeeping
    expected = json.dumps(book.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    assert result.stdout == expected  # the same text as one json.dumps of the whole
    assert len(json.loads(result.stdout)["vouchers"]) == len(book.vouchers) > 0


def test_pull_json_of_books_without_vouchers(run_cli, tmp_path) -> None:
    path = tmp_path / "empty.se"
    path.write_bytes(b'#FLAGGA 0\r\n#SIETYP 4\r\n#FNAMN "Tom AB"\r\n#RAR 0 20250101 20251231\r\n')
    result = run_cli("pull", str(path), "--json", "--no-snapshot")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["vouchers"] == []
