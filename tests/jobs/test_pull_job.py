"""``ledgerlink_core.jobs.pull`` from Python: the year it imports, the notification it fires,
how a file on the command line finds its backend, and the one year-selector check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from ledgerlink_core.backend import BookkeepingRequest
from ledgerlink_core.errors import InputError
from ledgerlink_core.examples import example_company_path
from ledgerlink_core.jobs import PullRequest, pull
from ledgerlink_core.progress import NullProgress, ProgressTask
from ledgerlink_core.sie import read_sie
from testpaths import THIRDPARTY


def example_summary() -> dict[str, int]:
    book = read_sie(example_company_path()).bookkeeping
    return {"accounts": len(book.accounts), "vouchers": len(book.vouchers)}


def test_a_library_call_imports_the_year_and_notifies(ledgerlink_runtime: Any, imports) -> None:
    request = PullRequest(
        backend="sie_file",
        overrides={"path": str(example_company_path())},
        selector=BookkeepingRequest(year=2025),
    )
    book = pull(ledgerlink_runtime, request).book
    assert book == read_sie(example_company_path()).bookkeeping
    assert imports.calls == [("sie_file", "bookkeeping", example_summary())]


def test_progress_comes_from_the_runtime(ledgerlink_runtime: Any) -> None:
    drawn: list[str] = []

    class Progress:
        def task(self, label: str, total: int | None = None) -> ProgressTask:
            drawn.append(label)
            return NullProgress().task(label, total)

    ledgerlink_runtime.progress = Progress()
    pull(ledgerlink_runtime, PullRequest(source=example_company_path()))
    assert drawn == [f"reading {example_company_path().name} (kB)"]


def test_a_sie_file_is_read_by_sie_file(ledgerlink_runtime: Any, imports) -> None:
    book = pull(ledgerlink_runtime, PullRequest(source=example_company_path())).book
    assert book.company.name == read_sie(example_company_path()).bookkeeping.company.name
    assert imports.calls == [("sie_file", "bookkeeping", example_summary())]
    # Deciding is pure: the name is enough, the file need not exist.
    registry = ledgerlink_runtime.registry
    assert registry.backend_for_source(Path("nowhere/BOOKS.SI")) == (
        "sie_file",
        {"path": str(Path("nowhere/BOOKS.SI"))},
    )


def test_the_source_beats_a_set_path(ledgerlink_runtime: Any, tmp_path: Path) -> None:
    request = PullRequest(
        source=example_company_path(), overrides={"path": str(tmp_path / "other.se")}
    )
    assert pull(ledgerlink_runtime, request).book.vouchers  # read the source, not other.se


def test_a_file_no_backend_reads_is_a_clear_error(ledgerlink_runtime: Any, tmp_path: Path) -> None:
    source = tmp_path / "books.txt"
    source.write_text("not books", encoding="utf-8")  # it exists: a missing file says so first
    with pytest.raises(InputError) as caught:
        pull(ledgerlink_runtime, PullRequest(source=source))
    assert str(caught.value) == (
        f"{source}: no installed backend reads a file like this; say where to import from "
        "with --from BACKEND"
    )
    assert caught.value.exit_code == 2


def test_two_backends_reading_the_file_must_be_told_apart(
    ledgerlink_runtime: Any, install, imports
) -> None:
    install("sieclone")
    source = example_company_path()
    with pytest.raises(InputError) as caught:
        pull(ledgerlink_runtime, PullRequest(source=source))
    assert str(caught.value) == (
        f"{source}: several backends read a file like this (sie_file, sieclone); choose one "
        "with --from BACKEND"
    )
    # --from settles it, and the chosen backend gets its own setting for the file.
    book = pull(ledgerlink_runtime, PullRequest(backend="sieclone", source=source)).book
    assert book == read_sie(source).bookkeeping
    assert imports.calls == [("sieclone", "bookkeeping", example_summary())]


def test_broken_backends_are_skipped(ledgerlink_runtime: Any, install) -> None:
    install("badsource")  # its accepts_source raises
    install(THIRDPARTY)  # `broken` fails to import at all
    names = ledgerlink_runtime.registry.backend_names()
    assert {"badsource", "broken", "sie_file"} <= set(names)
    name, _ = ledgerlink_runtime.registry.backend_for_source(example_company_path())
    assert name == "sie_file"


def test_a_named_backend_that_does_not_read_the_file(ledgerlink_runtime: Any) -> None:
    source = example_company_path()
    with pytest.raises(InputError, match="backend 'fortnox' does not read a file like this"):
        pull(ledgerlink_runtime, PullRequest(backend="fortnox", source=source))


def test_nowhere_to_import_from(ledgerlink_runtime: Any) -> None:
    with pytest.raises(InputError, match="--from BACKEND, or give a SIE file"):
        pull(ledgerlink_runtime, PullRequest())


def test_one_year_selector_checked_once_in_core() -> None:
    with pytest.raises(InputError, match="one of year, year_index or on_date") as caught:
        PullRequest.model_validate(
            {"backend": "sie_file", "selector": {"year": 2025, "on_date": dt.date(2025, 1, 1)}}
        )
    assert caught.value.exit_code == 2
