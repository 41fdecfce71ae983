"""``ledgerlink reconcile`` as a closing appendix: table, JSON, CSV (RFC 4180 and Swedish
Excel) and XLSX, closing rates, and bad input as one line with exit 2. The backend is the
kit's golden sample (an open EUR invoice, 1003, at 11.50)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

DATE = ["--from", "samplebooks", "--date", "2025-12-31"]


@pytest.fixture
def cli(run_cli: Any, install: Any) -> Any:
    install("samplebooks")
    return run_cli


def test_json_has_two_decimal_amounts_and_the_parts_of_the_appendix(cli: Any) -> None:
    result = cli("reconcile", *DATE, "--json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    customer = report["lines"][0]
    assert customer["accounts"] == "1510-1517" and customer["accounts_source"] == "BAS"
    for key in ("ledger", "subledger", "difference", "unexplained", "to_book_total"):
        assert re.fullmatch(r"-?\d+\.\d\d", customer[key]), (key, customer[key])
    assert customer["per_account"][0]["account"] == "1510"
    assert customer["unvalued"] == ["EUR"] and customer["revaluation"] == []
    assert customer["agrees"] is True and report["agrees"] is True
    assert cli("reconcile", *DATE, "--format", "json").stdout == result.stdout


def test_a_closing_rate_revalues_the_foreign_items(cli: Any) -> None:
    result = cli("reconcile", *DATE, "--rate", "EUR=11.0512", "--json")
    assert result.exit_code == 0, result.stderr
    (eur,) = json.loads(result.stdout)["lines"][0]["revaluation"]
    # 1 000 EUR booked at 11.50 (11 500.00 SEK), worth 11 051.20 at the closing rate
    assert eur == {
        "currency": "EUR",
        "balance": "1000.00",
        "booked_sek": "11500.00",
        "closing_rate": "11.0512",
        "closing_sek": "11051.20",
        "difference": "-448.80",
        "effect": "loss",
        "items": 1,
    }
    table = cli("reconcile", *DATE, "--rate", "EUR=11,0512")
    assert "revaluation EUR" in table.stdout and "-448.80" in table.stdout


def test_a_currency_without_a_rate_names_the_document(cli: Any) -> None:
    result = cli("reconcile", *DATE, "--rate", "USD=10.12")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: customer invoice 1003 is open in EUR, which has no closing rate: "
        "add --rate EUR=RATE\n"
    )
    bad = cli("reconcile", *DATE, "--rate", "EUR")
    assert bad.exit_code == 2 and "--rate expects CUR=RATE" in bad.stderr


def test_a_date_outside_every_fiscal_year_is_refused(cli: Any) -> None:
    result = cli("reconcile", "--from", "samplebooks", "--date", "2031-06-30")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: 2031-06-30 is outside every fiscal year")
    assert result.stderr.count("\n") == 1


def test_csv_is_rfc_4180_on_stdout_or_in_a_file(cli: Any, tmp_path: Path) -> None:
    result = cli("reconcile", *DATE, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("subledger,section,account,")
    out = tmp_path / "a.csv"
    assert cli("reconcile", *DATE, "--format", "csv", "-o", str(out)).exit_code == 0
    raw = out.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") > 5  # CRLF after every record
    assert raw.decode("utf-8").replace("\r\n", "\n") == result.stdout
    rows = list(csv.DictReader(io.StringIO(result.stdout, newline="")))
    ledger = next(r for r in rows if r["subledger"] == "customer" and r["section"] == "ledger")
    assert ledger["account"] == "1510" and re.fullmatch(r"-?\d+\.\d\d", ledger["amount_sek"])
    beside = {r["account"] for r in rows if r["section"] == "beside"}
    assert {"1518", "1519", "2448"} <= beside


def test_csv_for_swedish_excel_in_a_file(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "avstamning.csv"
    result = cli("reconcile", *DATE, "--format", "csv", "--csv-dialect", "excel-sv", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert rows[0][:3] == ["subledger", "section", "account"]
    amounts = [r[6] for r in rows[1:] if r[6]]
    assert amounts and all(re.fullmatch(r"-?\d+,\d\d", a) for a in amounts)


def test_xlsx_has_numbers_and_a_frozen_header(cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "avstamning.xlsx"
    result = cli("reconcile", *DATE, "--format", "xlsx", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(out) as book:
        names = book.namelist()
        sheets = [book.read(n).decode() for n in sorted(names) if n.startswith("xl/worksheets/")]
        shared = book.read("xl/sharedStrings.xml").decode()
    assert len(sheets) == 2
    for sheet in sheets:
        assert 'state="frozen"' in sheet and 'ySplit="1"' in sheet
    # amounts are numeric cells (no t="s"), e.g. the EUR invoice's 11 500 SEK on 1510
    assert re.search(r'<c r="G\d+" s="\d+"><v>-?\d+(\.\d+)?</v></c>', sheets[1])
    assert "document_not_in_ledger" not in shared  # the sample agrees: no causes
    assert "Specification" in book_names(out)


def book_names(path: Path) -> str:
    with zipfile.ZipFile(path) as book:
        return book.read("xl/workbook.xml").decode()


def test_an_unwritable_output_is_one_line_naming_it(cli: Any, tmp_path: Path) -> None:
    target = tmp_path / "no-such-dir" / "out.xlsx"
    for fmt in ("xlsx", "csv"):
        result = cli("reconcile", *DATE, "--format", fmt, "-o", str(target))
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: cannot write {target}: ")
        assert result.stderr.count("\n") == 1
    assert not target.parent.exists()


def test_output_options_that_do_not_fit_are_usage_errors(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ledgerlink_cli import formats

    piped = cli("reconcile", *DATE, "--format", "xlsx")  # stdout is not a terminal here
    assert piped.exit_code == 0 and piped.stdout.startswith("PK")  # a zip: the workbook
    monkeypatch.setattr(formats, "_stdout_is_terminal", lambda: True)
    assert cli("reconcile", *DATE, "--format", "xlsx").exit_code == 2
    assert cli("reconcile", *DATE, "-o", str(tmp_path / "x.csv")).exit_code == 2
    assert cli("reconcile", *DATE, "--json", "--format", "csv").exit_code == 2


def test_a_left_out_invoice_is_a_named_cause_in_every_format(cli: Any, tmp_path: Path) -> None:
    args = [*DATE, "--set", "leave_out=1004"]
    result = cli("reconcile", *args, "--json")
    assert result.exit_code == 1
    customer = json.loads(result.stdout)["lines"][0]
    assert Decimal(customer["difference"]) == Decimal("6250.00")
    assert Decimal(customer["unexplained"]) == 0
    (cause,) = customer["causes"]
    assert cause["cause"] == "ledger_without_document" and cause["reference"] == "B 3"
    assert cause["amount"] == "6250.00"
    text = cli("reconcile", *args)
    assert "ledger_without_document: voucher B 3" in text.stdout
    rows = list(csv.DictReader(io.StringIO(cli("reconcile", *args, "--format", "csv").stdout)))
    assert [r["reference"] for r in rows if r["section"] == "ledger_without_document"] == ["B 3"]
