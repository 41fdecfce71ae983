"""The commands over ``ledgerlink_core.jobs``: parse -> job -> render -> exit, where a job's
"problems found" is exit 1 with one line on stderr and the report unchanged on stdout."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ledgerlink_core.examples import example_company_path
from ledgerlink_core.testing.samples import open_items
from testpaths import JOB_BACKENDS

SAMPLEBOOKS = JOB_BACKENDS / "samplebooks"
YEAR_END = dt.date(2025, 12, 31)


def test_a_file_names_its_backend(run_cli, tmp_path: Path) -> None:
    pulled = run_cli("pull", str(example_company_path()), "--json")
    assert pulled.exit_code == 0, pulled.stderr
    assert json.loads(pulled.stdout)["company"]["name"].startswith("Exempelbolaget")
    text = tmp_path / "books.txt"
    text.write_text("not books", encoding="utf-8")  # it exists: a missing file says so first
    refused = run_cli("pull", str(text))
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"error: {text}: no installed backend reads a file like this; say where to import "
        "from with --from BACKEND\n"
    )


def test_the_year_selector_is_core_s_one_check(run_cli) -> None:
    result = run_cli("pull", str(example_company_path()), "--year", "2025", "--year-index", "0")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: choose the fiscal year by one of year, year_index or on_date "
        "(--year, --year-index or --date)\n"
    )


def test_a_file_that_is_not_clean_exits_1(run_cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.se"
    bad.write_bytes(
        b"#FLAGGA 0\r\n#FNAMN x\r\n#VER A 1 20250101 x\r\n{\r\n#TRANS 1930 {} 5\r\n}\r\n"
    )
    result = run_cli("check", str(bad), "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["clean"] is False and report["errors"] == 1
    assert result.stderr == f"error: {bad}: not clean (1 error(s), 0 warning(s))\n"
    assert run_cli("check", str(example_company_path())).exit_code == 0


def test_subledgers_that_differ_exit_1(run_cli_process) -> None:
    missing = open_items("customer", YEAR_END)[-1]
    args = ["reconcile", "--from", "samplebooks", "--date", "2025-12-31"]
    agrees = run_cli_process(*args, extra_path=[SAMPLEBOOKS])
    assert agrees.exit_code == 0, agrees.stderr
    assert agrees.stdout.count(" ok") == 2 and agrees.stderr == ""
    differs = run_cli_process(
        *args, "--set", f"leave_out={missing.number}", "--json", extra_path=[SAMPLEBOOKS]
    )
    assert differs.exit_code == 1
    report = json.loads(differs.stdout)
    assert report["agrees"] is False
    assert [line["agrees"] for line in report["lines"]] == [False, True]
    assert differs.stderr == (
        "error: customer: subledger and control accounts differ at 2025-12-31\n"
    )


def test_ledgers_lists_each_kind(run_cli_process) -> None:
    result = run_cli_process(
        "ledgers",
        "--from",
        "samplebooks",
        "--date",
        "2025-12-31",
        "--json",
        extra_path=[SAMPLEBOOKS],
    )
    assert result.exit_code == 0, result.stderr
    numbers = [(i["kind"], i["number"]) for i in json.loads(result.stdout)["items"]]
    assert numbers == [
        (kind, item.number)
        for kind in ("customer", "supplier")
        for item in open_items(kind, YEAR_END)
    ]
