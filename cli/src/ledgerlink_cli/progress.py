"""Progress on a terminal: a single updating line on stderr, silent when stderr is piped."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from ledgerlink_core.progress import NullProgress, Progress, ProgressTask


class _LineTask:
    def __init__(self, stream: TextIO, label: str, total: int | None) -> None:
        self._stream = stream
        self._label = label
        self._total = total
        self._done = 0
        self._last = 0.0  # a monotonic timestamp

    def set_total(self, total: int | None) -> None:
        self._total = total
        self._draw(force=True)

    def advance(self, n: int = 1) -> None:
        self._done += n
        self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last < 0.1:
            return
        self._last = now
        total = f"/{self._total}" if self._total is not None else ""
        self._stream.write(f"\r{self._label}: {self._done}{total}\x1b[K")
        self._stream.flush()

    def __enter__(self) -> _LineTask:
        self._draw(force=True)
        return self

    def __exit__(self, *exc: object) -> None:
        self._draw(force=True)
        self._stream.write("\n")
        self._stream.flush()


class TerminalProgress:
    """Draws progress tasks on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def task(self, label: str, total: int | None = None) -> ProgressTask:
        """Start a task drawn as ``label: done/total``."""
        return _LineTask(self._stream, label, total)


def terminal_progress(stream: TextIO | None = None) -> Progress:
    """Progress for the current process: drawn on a terminal, silent when piped."""
    out = stream or sys.stderr
    return TerminalProgress(out) if out.isatty() else NullProgress()
