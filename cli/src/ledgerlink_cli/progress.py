"""Progress on a terminal: click's progress bar on stderr (percent, rate and time left),
silent when stderr is piped, when ``TERM=dumb`` and with ``-q``.

Implements core's progress protocol (:mod:`ledgerlink_core.progress`). A task whose total is
not known yet (a download of unknown size, pages that keep coming) is a counter with its rate
until :meth:`set_total` gives it one; then it is a bar.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, TextIO

from ledgerlink_core.progress import NullProgress, Progress, ProgressTask

#: Redraw at most this often (seconds).
REDRAW = 0.1


def _rate(done: int, seconds: float) -> str:
    if seconds <= 0 or done <= 0:
        return ""
    per = done / seconds
    text = f"{per:,.0f}" if per >= 10 else f"{per:.1f}"
    return f"{text}/s"


class _BarTask:
    def __init__(self, stream: TextIO, label: str, total: int | None) -> None:
        self._stream = stream
        self._label = label
        self._total = total
        self._done = 0
        self._start = time.monotonic()
        self._last = 0.0
        self._bar: Any = None

    # -- the protocol --------------------------------------------------------------------------

    def set_total(self, total: int | None) -> None:
        self._total = total
        if self._bar is not None and total is not None:
            self._bar.length = max(total, self._done, 1)
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self._done += n
        if self._bar is not None:
            self._bar.pos = min(self._done, self._bar.length)
        self._draw()

    def __enter__(self) -> _BarTask:
        self._draw(force=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self._draw(force=True)
        if self._bar is not None:
            self._bar.render_finish()  # shows the cursor again and ends the line
        else:
            self._stream.write("\n")
        self._stream.flush()

    # -- drawing -------------------------------------------------------------------------------

    def _make_bar(self) -> Any:
        import click

        bar = click.progressbar(
            length=max(self._total or 1, self._done, 1),
            label=self._label,
            file=self._stream,
            show_eta=True,
            show_percent=True,
            show_pos=True,
            item_show_func=lambda rate: rate,
            width=24,
        )
        return bar

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < REDRAW:
            return
        self._last = now
        rate = _rate(self._done, now - self._start)
        if self._total is None:
            self._stream.write(f"\r{self._label}: {self._done:,} {rate}\x1b[K")
            self._stream.flush()
            return
        if self._bar is None:
            self._bar = self._make_bar()
        bar = self._bar
        bar.pos = min(self._done, bar.length)
        bar.current_item = rate
        if bar.pos >= bar.length:
            bar.finished = True
        # time left from the average since the task started (click's own is per update)
        bar.avg = [(now - self._start) / max(bar.pos, 1)]
        bar.eta_known = bar.pos > 0
        bar.render_progress()


class TerminalProgress:
    """Draws progress tasks on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def task(self, label: str, total: int | None = None) -> ProgressTask:
        """Start a task drawn as a bar: ``label [####----]  1234/5678  21%  12.3/s  00:00:08``."""
        return _BarTask(self._stream, label, total)


def terminal_progress(stream: TextIO | None = None) -> Progress:
    """Progress for the current process: drawn on a terminal, silent when piped or dumb."""
    out = stream or sys.stderr
    if os.environ.get("TERM") == "dumb" or not out.isatty():
        return NullProgress()
    return TerminalProgress(out)
