"""The ``diff`` job: two SIE files in, a ``DiffReport`` out, progress from the runtime."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ledgerlink_core import ProgressTask, dumps_sie, read_sie
from ledgerlink_core.errors import InputError
from ledgerlink_core.examples import example_company_path
from ledgerlink_core.jobs import DiffRequest, diff


def test_the_example_company_against_its_own_round_trip(
    ledgerlink_runtime: Any, tmp_path: Path
) -> None:
    example = example_company_path()
    written = tmp_path / "written.se"
    written.write_bytes(dumps_sie(read_sie(example).bookkeeping))
    report = diff(ledgerlink_runtime, DiffRequest(old=example, new=written))
    assert report.equal
    assert report.old.vouchers == report.new.vouchers == len(read_sie(example).bookkeeping.vouchers)


def test_progress_counts_both_files(ledgerlink_runtime: Any, tmp_path: Path) -> None:
    drawn: list[tuple[str, int | None]] = []
    advanced: list[int] = []

    class Task:
        def advance(self, n: int = 1) -> None:
            advanced.append(n)

        def set_total(self, total: int | None) -> None:
            pass

        def __enter__(self) -> Task:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

    class Progress:
        def task(self, label: str, total: int | None = None) -> ProgressTask:
            drawn.append((label, total))
            return Task()

    example = example_company_path()
    ledgerlink_runtime.progress = Progress()
    diff(ledgerlink_runtime, DiffRequest(old=example, new=example))
    size = example.stat().st_size
    assert drawn == [(f"comparing {example.name} and {example.name} (kB)", 2 * size // 1024)]
    assert sum(advanced) == 2 * (size // 1024)  # one block of each file (kB, rounded down)


def test_a_directory_or_missing_file_is_input_error(
    ledgerlink_runtime: Any, tmp_path: Path
) -> None:
    example = example_company_path()
    for other, reason in ((tmp_path, "not a file"), (tmp_path / "gone.se", "no such file")):
        with pytest.raises(InputError) as caught:
            diff(ledgerlink_runtime, DiffRequest(old=example, new=other))
        assert str(caught.value) == f"{other}: {reason}"
