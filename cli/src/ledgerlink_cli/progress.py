"""Progress on a terminal: click's progress bar on stderr (percent, rate and time left),
silent when stderr is piped, when ``TERM=dumb`` and with ``-q``.

Implements core's progress protocol (:mod:`ledgerlink_core.progress`). A task whose total is
not known yet (a download of unknown size, pages that keep coming) is a counter with its rate
until :meth:`set_total` gives it one; then it is a bar. A batch shows one line per running
company instead (:class:`BatchBoard`).
"""

from __future__ import annotations

import os
import sys
import threading
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


class _BoardLine:
    """One company's line on a :class:`BatchBoard`: its outermost task is the line, inner
    tasks (a backend's pages) show as its detail."""

    def __init__(self, board: BatchBoard, key: str) -> None:
        self._board = board
        self._key = key
        self._depth = 0

    def task(self, label: str, total: int | None = None) -> ProgressTask:
        return _BoardTask(self, label, total)


class _BoardTask:
    def __init__(self, line: _BoardLine, label: str, total: int | None) -> None:
        self._line = line
        self._label = label
        self._total = total
        self._done = 0
        self._outer = False

    def _text(self) -> str:
        total = f"/{self._total}" if self._total is not None else ""
        return f"{self._label}: {self._done}{total}" if self._done or total else self._label

    def set_total(self, total: int | None) -> None:
        self._total = total
        self._show()

    def advance(self, n: int = 1) -> None:
        self._done += n
        self._show()

    def _show(self) -> None:
        board, key = self._line._board, self._line._key
        if self._outer:
            board.update(key, head=self._label)
        else:
            board.update(key, detail=self._text())

    def __enter__(self) -> _BoardTask:
        self._outer = self._line._depth == 0
        self._line._depth += 1
        if self._outer:
            self._line._board.start(self._line._key, self._label)
        else:
            self._show()
        return self

    def __exit__(self, *exc: object) -> None:
        self._line._depth -= 1
        if self._outer:
            self._line._board.finish(self._line._key)
        else:
            self._line._board.update(self._line._key, detail="", force=True)


class BatchBoard:
    """One progress line per running company on a terminal, redrawn in place; finished
    companies leave the board (the summary follows)."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._lock = threading.Lock()
        self._lines: dict[str, list[str]] = {}
        self._drawn = 0
        self._last = 0.0

    def for_company(self, key: str) -> Progress:
        """The progress one company's job draws on."""
        return _BoardLine(self, key)

    def start(self, key: str, head: str) -> None:
        with self._lock:
            self._lines[key] = [head, ""]
            self._draw(force=True)

    def update(
        self, key: str, *, head: str | None = None, detail: str | None = None, force: bool = False
    ) -> None:
        with self._lock:
            line = self._lines.get(key)
            if line is None:
                return
            if head is not None:
                line[0] = head
            if detail is not None:
                line[1] = detail
            self._draw(force=force)

    def finish(self, key: str) -> None:
        with self._lock:
            self._lines.pop(key, None)
            self._draw(force=True)

    def close(self) -> None:
        """Clear the board."""
        with self._lock:
            self._lines.clear()
            self._draw(force=True)

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        out = []
        if self._drawn:
            out.append(f"\x1b[{self._drawn}F")  # back to the board's first line
        rows = [f"{head}  {detail}".rstrip() for head, detail in self._lines.values()]
        for row in rows:
            out.append(f"{row}\x1b[K\n")
        out.append("\x1b[J")  # clear what the board held below
        self._drawn = len(rows)
        self._stream.write("".join(out))
        self._stream.flush()


def batch_board(stream: TextIO | None = None) -> BatchBoard | None:
    """A board on a terminal; None (no progress) when stderr is piped."""
    out = stream or sys.stderr
    return BatchBoard(out) if out.isatty() else None
