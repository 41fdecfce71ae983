"""Reading a SIE file reports progress as it goes; a piped `check` stays quiet."""

from __future__ import annotations

from typing import Any

from ledgerlink_core.backend import BookkeepingRequest
from ledgerlink_core.examples import example_company_path
from ledgerlink_core.runtime import Runtime


class RecordingTask:
    def __init__(self, log: list[tuple[str, int | None, int]], label: str, total: int | None):
        self.log, self.label, self.total, self.done = log, label, total, 0

    def advance(self, n: int = 1) -> None:
        self.done += n

    def set_total(self, total: int | None) -> None:
        self.total = total

    def __enter__(self) -> RecordingTask:
        return self

    def __exit__(self, *exc: object) -> None:
        self.log.append((self.label, self.total, self.done))


class RecordingProgress:
    def __init__(self) -> None:
        self.log: list[tuple[str, int | None, int]] = []

    def task(self, label: str, total: int | None = None) -> Any:
        return RecordingTask(self.log, label, total)


def test_import_reports_the_bytes_read() -> None:
    path = example_company_path()
    progress = RecordingProgress()
    with Runtime().open_backend("sie_file", {"path": str(path)}, progress=progress) as backend:
        backend.import_bookkeeping(BookkeepingRequest())
    size_kb = path.stat().st_size // 1024
    # two passes: the check, then the load
    assert progress.log == [(f"reading {path.name} (kB)", 2 * size_kb, 2 * size_kb)]


def test_piped_check_prints_no_progress(run_cli_process: Any) -> None:
    result = run_cli_process("check", str(example_company_path()))
    assert result.exit_code == 0
    assert result.stderr == ""
