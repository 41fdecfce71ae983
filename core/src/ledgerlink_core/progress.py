"""Progress reporting, as backends see it. The CLI supplies a terminal renderer; tests and
pipes get :class:`NullProgress`, which stays silent."""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

__all__ = [
    "NullProgress",
    "Progress",
    "ProgressTask",
]


class ProgressTask(Protocol):
    """One piece of long work: advance it as items are done."""

    def advance(self, n: int = 1) -> None:
        """Mark ``n`` more items done."""

    def set_total(self, total: int | None) -> None:
        """Tell the renderer how many items there are, once known."""

    def __enter__(self) -> ProgressTask: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Progress(Protocol):
    """Creates progress tasks: ``with ctx.progress.task("vouchers", total=n) as t: t.advance()``."""

    def task(self, label: str, total: int | None = None) -> ProgressTask:
        """Start a task called ``label`` with ``total`` items (None when unknown)."""
        ...


class _NullTask:
    def advance(self, n: int = 1) -> None:
        pass

    def set_total(self, total: int | None) -> None:
        pass

    def __enter__(self) -> _NullTask:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


class NullProgress:
    """Progress that shows nothing (pipes, tests, library use)."""

    def task(self, label: str, total: int | None = None) -> ProgressTask:
        """Return a task that ignores every update."""
        return _NullTask()
