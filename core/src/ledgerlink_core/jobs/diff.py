"""The ``diff`` job: two SIE files compared by value (``ledgerlink diff OLD NEW``).

The comparison is :func:`ledgerlink_core.diff.diff_sie` (streaming); this job names the
files, checks they exist and shows progress. Differences are the report's answer
(``report.equal``), not an error.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.diff import DiffReport, diff_sie
from ledgerlink_core.errors import InputError
from ledgerlink_core.runtime import Runtime

__all__ = ["DiffRequest", "diff"]


class DiffRequest(BaseModel):
    """The two SIE files to compare (any type the reader takes)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    old: Path
    new: Path


def diff(runtime: Runtime, request: DiffRequest) -> DiffReport:
    """Compare ``request.old`` with ``request.new``.

    Raises :class:`~ledgerlink_core.errors.InputError` (a ``SieError`` naming the file and
    line) when either is missing, unreadable or broken.
    """
    for path in (request.old, request.new):
        if not path.is_file():
            raise InputError("no such file" if not path.exists() else "not a file", path=path)
    size_kb = max(1, (request.old.stat().st_size + request.new.stat().st_size) // 1024)
    label = f"comparing {request.old.name} and {request.new.name} (kB)"
    with runtime.progress.task(label, total=size_kb) as task:
        return diff_sie(request.old, request.new, on_read=lambda n: task.advance(n // 1024))
