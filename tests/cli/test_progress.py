"""Progress on a terminal: percent, rate and time left; silent when piped or dumb."""

from __future__ import annotations

import io

import pytest
from ledgerlink_cli import progress
from ledgerlink_core.progress import NullProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_task_with_a_total_draws_percent_rate_and_time_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock = iter(float(t) for t in range(100))
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    screen = Terminal()
    with progress.TerminalProgress(screen).task("writing x.se (vouchers)", total=100) as task:
        task.advance(25)
        task.advance(25)
    text = screen.getvalue()
    assert "writing x.se (vouchers)" in text
    assert "25/100" in text and "25%" in text
    assert "/s" in text  # the rate
    assert "00:00:0" in text  # the time left
    assert "100/100" not in text  # left at half: it was never finished
    assert text.endswith("\x1b[?25h\n")  # the cursor is shown again


def test_a_task_without_a_total_counts_with_its_rate(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter(float(t) for t in range(100))
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    screen = Terminal()
    with progress.TerminalProgress(screen).task("fetching SIE 4 (kB)") as task:
        task.advance(2048)
        task.set_total(4096)
        task.advance(2048)
    text = screen.getvalue()
    assert "fetching SIE 4 (kB): 2,048" in text
    assert "100%" in text


def test_silent_when_piped_or_dumb(monkeypatch: pytest.MonkeyPatch) -> None:
    assert isinstance(progress.terminal_progress(io.StringIO()), NullProgress)
    monkeypatch.setenv("TERM", "dumb")
    assert isinstance(progress.terminal_progress(Terminal()), NullProgress)
    monkeypatch.setenv("TERM", "xterm")
    assert isinstance(progress.terminal_progress(Terminal()), progress.TerminalProgress)
