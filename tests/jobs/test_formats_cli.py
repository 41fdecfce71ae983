"""Spreadsheet output (issue 13 part 4): ``--format csv|xlsx`` on ledgers, push --status,
diff and snapshots reads back to the same rows and decimals as ``--json``; one amount style
in text (part 7); tables that fit the terminal."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from ledgerlink_cli import formats
from ledgerlink_cli.amounts import money, style_from
from ledgerlink_cli.render import table

DATE = ["--from", "samplebooks", "--date", "2025-12-31"]
EXAMPLE = Path(__file__).resolve().parents[2] / "core/src/ledgerlink_core/examples/exempel_ab.se"
MONEY = ("total", "balance", "currency_rate", "balance_sek")


@pytest.fixture
def cli(run_cli: Any, install: Any) -> Any:
    install("samplebooks")
    return run_cli


def _json_items(cli: Any) -> list[dict[str, Any]]:
    result = cli("ledgers", *DATE, "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert data["totals"]["customer"] == {"items": 2, "balance_sek": "17750.00"}
    items: list[dict[str, Any]] = data["items"]
    return items


def _xlsx(path: Path) -> tuple[Any, list[tuple[Any, ...]]]:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    return sheet, list(sheet.iter_rows(values_only=True))


def test_ledgers_csv_reads_back_to_the_json(cli: Any, tmp_path: Path) -> None:
    items = _json_items(cli)
    out = cli("ledgers", *DATE, "--format", "csv")
    assert out.exit_code == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout, newline="")))
    assert [r["number"] for r in rows] == [i["number"] for i in items]
    for row, item in zip(rows, items, strict=True):
        assert row["kind"] == item["kind"]
        assert row["counterparty"] == item["counterparty"]["name"]
        assert row["invoice_date"] == item["invoice_date"]
        for name in MONEY:
            assert Decimal(row[name]) == Decimal(item[name]), name
        assert row["balance"].count(".") == 1 and len(row["balance"].split(".")[1]) == 2
    path = tmp_path / "open.csv"
    assert cli("ledgers", *DATE, "--format", "csv", "-o", str(path)).exit_code == 0
    raw = path.read_bytes()
    assert raw.count(b"\r\n") == raw.count(b"\n") == len(items) + 1  # CRLF after every record
    assert raw.decode("utf-8").replace("\r\n", "\n") == out.stdout


def test_ledgers_csv_for_swedish_excel(cli: Any, tmp_path: Path) -> None:
    items = _json_items(cli)
    path = tmp_path / "open.csv"
    args = ["--format", "csv", "--csv-dialect", "excel-sv", "-o", str(path)]
    assert cli("ledgers", *DATE, *args).exit_code == 0
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=";"))
    for row, item in zip(rows, items, strict=True):
        for name in MONEY:
            assert "." not in row[name]
            assert Decimal(row[name].replace(",", ".")) == Decimal(item[name])


def test_ledgers_xlsx_has_numbers_dates_and_a_frozen_header(cli: Any, tmp_path: Path) -> None:
    items = _json_items(cli)
    path = tmp_path / "open.xlsx"
    result = cli("ledgers", *DATE, "--format", "xlsx", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    sheet, rows = _xlsx(path)
    assert sheet.freeze_panes == "A2"
    headers = list(rows[0])
    assert headers[:3] == ["kind", "number", "counterparty_number"]
    for row, item in zip(rows[1:], items, strict=True):
        cells = dict(zip(headers, row, strict=True))
        assert cells["number"] == item["number"]
        assert isinstance(cells["invoice_date"], dt.datetime)
        assert cells["invoice_date"].date().isoformat() == item["invoice_date"]
        for name in MONEY:
            assert isinstance(cells[name], (int, float)), name  # a number, not text
            assert Decimal(str(cells[name])).quantize(Decimal("0.01")) == Decimal(item[name])


def test_xlsx_goes_to_a_pipe_but_never_to_a_terminal(
    cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("ledgers", *DATE, "--format", "xlsx").stdout.startswith("PK")
    monkeypatch.setattr(formats, "_stdout_is_terminal", lambda: True)
    refused = cli("ledgers", *DATE, "--format", "xlsx")
    assert refused.exit_code == 2 and "-o FILE" in refused.stderr


def test_format_options_that_clash_are_usage_errors(cli: Any, tmp_path: Path) -> None:
    assert cli("ledgers", *DATE, "--json", "--format", "csv").exit_code == 2
    assert cli("ledgers", *DATE, "-o", str(tmp_path / "x.csv")).exit_code == 2
    assert (
        cli("ledgers", *DATE, "--format", "json").stdout == cli("ledgers", *DATE, "--json").stdout
    )
    unwritable = cli("ledgers", *DATE, "--format", "csv", "-o", str(tmp_path / "no" / "x.csv"))
    assert unwritable.exit_code == 2
    assert unwritable.stderr.startswith(f"error: cannot write {tmp_path / 'no' / 'x.csv'}: ")


def _push(run_cli: Any, tmp_path: Path) -> None:
    from ledgerlink_core.model import Voucher, VoucherRow

    vouchers = [
        Voucher(
            series="A",
            number=str(i),
            date=dt.date(2025, 12, 31),
            text=f"Bokslut {i}",
            rows=(
                VoucherRow(account="1790", amount=Decimal(f"{i}00.25")),
                VoucherRow(account="5010", amount=-Decimal(f"{i}00.25")),
            ),
        )
        for i in (1, 2)
    ]
    src = tmp_path / "v.json"
    src.write_text(json.dumps([v.model_dump(mode="json") for v in vouchers]))
    out = tmp_path / "out.si"
    assert run_cli("push", "--to", "sie_file", "--set", f"path={out}", str(src)).exit_code == 0


def test_push_status_in_every_format(run_cli: Any, tmp_path: Path) -> None:
    _push(run_cli, tmp_path)
    data = json.loads(run_cli("push", "--status", "--json").stdout)
    assert data["ok"] is True
    entries = data["entries"]
    assert [e["status"] for e in entries] == ["confirmed", "confirmed"]
    assert all("state" not in e and e["external_ref"] for e in entries)
    rows = list(csv.DictReader(io.StringIO(run_cli("push", "--status", "--format", "csv").stdout)))
    assert [(r["voucher"], r["status"], r["external_ref"]) for r in rows] == [
        (e["voucher"], e["status"], e["external_ref"]) for e in entries
    ]
    path = tmp_path / "journal.xlsx"
    assert run_cli("push", "--status", "--format", "xlsx", "-o", str(path)).exit_code == 0
    sheet, xrows = _xlsx(path)
    assert sheet.freeze_panes == "A2"
    cells = [dict(zip(xrows[0], r, strict=True)) for r in xrows[1:]]
    assert [c["external_ref"] for c in cells] == [e["external_ref"] for e in entries]
    assert all(isinstance(c["attempts"], int) for c in cells)
    assert run_cli("push", "--to", "sie_file", "x.si", "--format", "csv").exit_code == 2


def test_diff_in_every_format(run_cli: Any, tmp_path: Path) -> None:
    new = tmp_path / "new.se"
    shutil.copy(EXAMPLE, new)
    old_text = b'"Skattekontot: personalskatt och avgifter"'
    new.write_bytes(new.read_bytes().replace(old_text, b'"Skattekontot: personalskatt"', 1))
    data = json.loads(run_cli("diff", str(EXAMPLE), str(new), "--json").stdout)
    assert data["ok"] is False
    assert {"vouchers", "balances", "summary"} <= set(data)  # issue 12's shape, kept
    changed = data["vouchers"]["changed"]
    assert len(changed) == 1
    out = run_cli("diff", str(EXAMPLE), str(new), "--format", "csv")
    assert out.exit_code == 1  # differ, as with every format
    rows = list(csv.DictReader(io.StringIO(out.stdout, newline="")))
    assert [(r["section"], r["change"], r["series"], r["number"]) for r in rows] == [
        ("voucher", "changed", changed[0]["series"], changed[0]["number"])
    ]
    path = tmp_path / "changes.xlsx"
    assert (
        run_cli("diff", str(EXAMPLE), str(new), "--format", "xlsx", "-o", str(path)).exit_code == 1
    )
    _, xrows = _xlsx(path)
    assert len(xrows) == 2 and xrows[1][0] == "voucher"


def test_snapshots_in_every_format(run_cli: Any, tmp_path: Path) -> None:
    assert run_cli("pull", str(EXAMPLE)).exit_code == 0
    data = json.loads(run_cli("snapshots", "--json").stdout)
    (snapshot,) = data["snapshots"]
    rows = list(csv.DictReader(io.StringIO(run_cli("snapshots", "--format", "csv").stdout)))
    assert [(r["company"], r["org_nr"], int(r["vouchers"])) for r in rows] == [
        (snapshot["company"], snapshot["org_nr"], snapshot["vouchers"])
    ]
    path = tmp_path / "s.xlsx"
    assert run_cli("snapshots", "--format", "xlsx", "-o", str(path)).exit_code == 0
    _, xrows = _xlsx(path)
    cells = dict(zip(xrows[0], xrows[1], strict=True))
    assert cells["vouchers"] == snapshot["vouchers"]
    assert isinstance(cells["last_pulled"], dt.datetime)


# --- amounts and tables ------------------------------------------------------------------------


def test_one_amount_style_chosen_by_setting_or_locale() -> None:
    value = Decimal("527121")
    assert money(value, "sv") == "527 121,00"
    assert money(value, "en") == "527,121.00"
    assert money(value, "plain") == "527121.00"
    assert money(Decimal("-0.00"), "sv") == "0,00"
    assert money(Decimal("1234.125"), "sv") == "1 234,125"  # nothing rounded away
    assert style_from({}, {}) == "en"
    assert style_from({"LANG": "sv_SE.UTF-8"}, {}) == "sv"
    assert style_from({"LC_ALL": "C", "LANG": "sv_SE.UTF-8"}, {}) == "en"
    assert style_from({"LANG": "sv_SE.UTF-8"}, {"cli": {"amounts": "plain"}}) == "plain"
    assert style_from({"LEDGERLINK_AMOUNTS": "sv"}, {"cli": {"amounts": "en"}}) == "sv"


def test_ledgers_and_reconcile_show_swedish_amounts(cli: Any, monkeypatch: Any) -> None:
    assert "balance 17,750.00 SEK" in cli("ledgers", *DATE).stdout
    monkeypatch.setenv("LANG", "sv_SE.UTF-8")
    assert "balance 17 750,00 SEK" in cli("ledgers", *DATE).stdout
    assert "17 750,00" in cli("reconcile", *DATE).stdout
    assert cli("config", "set", "cli.amounts", "plain").exit_code == 0
    assert "balance 17750.00 SEK" in cli("ledgers", *DATE).stdout


def test_tables_fit_the_width_cutting_text_not_numbers() -> None:
    rows = [["Ängsvägen Fastigheter AB med ett mycket långt namn", "1,000.00", "x" * 30]]
    fitted = table(["counterparty", "balance", "note"], rows, right=[1], width=50)
    assert all(len(line) <= 50 for line in fitted.splitlines())
    assert "1,000.00" in fitted and "…" in fitted
    assert table(["a"], [["x" * 200]], width=None).endswith("x" * 200)


def test_every_json_answer_is_an_object_with_ok_first(cli: Any, tmp_path: Path) -> None:
    _push(cli, tmp_path)
    for args in (
        ["ledgers", *DATE],
        ["reconcile", *DATE],
        ["push", "--status"],
        ["diff", str(EXAMPLE), str(EXAMPLE)],
        ["snapshots"],
        ["paths"],
        ["config", "list"],
        ["check", str(EXAMPLE)],
        ["doctor"],
    ):
        result = cli(*args, "--json")
        data = json.loads(result.stdout)
        assert isinstance(data, dict) and next(iter(data)) == "ok", args
        assert data["ok"] is (result.exit_code == 0), args
