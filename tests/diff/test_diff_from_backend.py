"""``diff --from BACKEND``: the last snapshot a pull kept against the backend now, for any
backend (here ``sie_file``, reading a file that the client's program rewrites), and the
command line's two ways being kept apart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from ledgerlink_core.errors import InputError
from ledgerlink_core.examples import example_company_path
from ledgerlink_core.jobs import DiffRequest, PullRequest, diff, pull
from ledgerlink_core.sie import read_sie, write_sie


@pytest.fixture
def books(tmp_path: Path) -> Path:
    path = tmp_path / "books.se"
    shutil.copyfile(example_company_path(), path)
    return path


def rewrite_with_a_changed_voucher(path: Path) -> str:
    """The client's program corrects the text of one voucher and rewrites the export."""
    book = read_sie(path).bookkeeping
    first = book.vouchers[0]
    fixed = first.model_copy(update={"text": first.text + " (rättad)"})
    write_sie(book.model_copy(update={"vouchers": (fixed, *book.vouchers[1:])}), path)
    return f"{first.series} {first.number}"


def test_the_job_compares_the_last_pull_with_the_backend_now(
    ledgerlink_runtime: Any, books: Path
) -> None:
    settings = {"path": str(books)}
    pull(ledgerlink_runtime, PullRequest(backend="sie_file", overrides=settings))
    request = DiffRequest(backend="sie_file", overrides=settings)
    assert diff(ledgerlink_runtime, request).equal

    label = rewrite_with_a_changed_voucher(books)
    report = diff(ledgerlink_runtime, request)
    assert not report.equal
    (change,) = report.vouchers.changed
    assert f"{change.series} {change.number}" == label
    assert change.changed == ("text",)
    assert report.vouchers.added == report.vouchers.removed == ()
    assert report.balances == ()


def test_the_baseline_is_the_same_company_and_year(ledgerlink_runtime: Any, books: Path) -> None:
    """A snapshot of another fiscal year is no baseline for this one."""
    settings = {"path": str(books)}
    pull(ledgerlink_runtime, PullRequest(backend="sie_file", overrides=settings))
    book = read_sie(books).bookkeeping
    previous = book.fiscal_year(-1)
    assert previous is not None
    only_last_year = (previous.model_copy(update={"index": 0}),)
    other = books.with_name("last-year.se")
    write_sie(book.model_copy(update={"fiscal_years": only_last_year, "vouchers": ()}), other)
    with pytest.raises(InputError, match=f"fiscal year {previous.start}..{previous.end}"):
        diff(ledgerlink_runtime, DiffRequest(backend="sie_file", overrides={"path": str(other)}))


def test_the_cli_takes_two_files_or_a_backend(run_cli: Any, books: Path) -> None:
    assert run_cli("pull", str(books)).exit_code == 0
    same = run_cli("diff", "--from", "sie_file", "--set", f"path={books}", "--json")
    assert same.exit_code == 0, same.stderr
    assert json.loads(same.stdout)["summary"]["equal"] is True

    rewrite_with_a_changed_voucher(books)
    moved = run_cli("diff", "--from", "sie_file", "--set", f"path={books}")
    assert moved.exit_code == 1
    assert "snapshot pulled" in moved.stdout and "sie_file now" in moved.stdout
    assert "1 voucher(s) changed" in moved.stderr

    for args, message in (
        ((), "give two SIE files (OLD NEW), or --from BACKEND"),
        ((str(books),), "give two SIE files (OLD NEW), or --from BACKEND"),
        ((str(books), str(books), "--from", "sie_file"), "not both"),
        ((str(books), str(books), "--year", "2025"), "go with --from"),
    ):
        result = run_cli("diff", *args)
        assert result.exit_code == 2, args
        assert message in result.stderr
