"""The ``diff`` job: two SIE files compared by value (``ledgerlink diff OLD NEW``), or the
last snapshot of a company's year against what its backend holds now (``ledgerlink diff
--from BACKEND --year Y``).

The comparison is :func:`ledgerlink_core.diff.diff_sie` (streaming); this job names the
inputs, checks they exist and shows progress. Differences are the report's answer
(``report.equal``), not an error.

Comparing with the backend reads the year from it (``ledgerlink_import_finished`` fires as
for every import) but keeps no snapshot: the baseline stays the last ``pull``, so asking
twice shows the same changes until the user pulls again.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledgerlink_core.backend import BookkeepingRequest
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.diff import DiffReport, diff_sie
from ledgerlink_core.errors import InputError
from ledgerlink_core.jobs.pull import import_bookkeeping
from ledgerlink_core.jobs.snapshots import snapshot_store
from ledgerlink_core.runtime import Runtime

__all__ = ["DiffRequest", "diff"]


class DiffRequest(BaseModel):
    """What to compare: two SIE files (``old`` and ``new``; any type the reader takes), or
    the last snapshot against ``backend`` now (with ``overrides`` and ``selector`` as for
    ``pull``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    old: Path | None = None
    new: Path | None = None
    backend: str | None = None
    overrides: dict[str, str] = Field(default_factory=dict)
    selector: BookkeepingRequest = Field(default_factory=BookkeepingRequest)

    @model_validator(mode="after")
    def _one_way(self) -> DiffRequest:
        files = self.old is not None and self.new is not None
        if self.backend is None and not files:
            raise ValueError("give two SIE files, or a backend to compare its last snapshot with")
        if self.backend is not None and (self.old is not None or self.new is not None):
            raise ValueError("give two SIE files or a backend, not both")
        return self


def diff(runtime: Runtime, request: DiffRequest, *, transport: Any = None) -> DiffReport:
    """Compare ``request.old`` with ``request.new``, or the last snapshot of the company and
    year that ``request.backend`` gives with what it gives now.

    Raises :class:`~ledgerlink_core.errors.InputError` (a ``SieError`` naming the file and
    line) when a file is missing, unreadable or broken, or when no pull of that company and
    year from that backend has kept a snapshot yet.
    """
    if request.backend is not None:
        return _diff_backend(runtime, request.backend, request, transport)
    assert request.old is not None and request.new is not None  # the validator saw to it
    for path in (request.old, request.new):
        if not path.is_file():
            raise InputError("no such file" if not path.exists() else "not a file", path=path)
    size_kb = max(1, (request.old.stat().st_size + request.new.stat().st_size) // 1024)
    label = f"comparing {request.old.name} and {request.new.name} (kB)"
    with runtime.progress.task(label, total=size_kb) as task:
        return diff_sie(request.old, request.new, on_read=lambda n: task.advance(n // 1024))


def _diff_backend(runtime: Runtime, name: str, request: DiffRequest, transport: Any) -> DiffReport:
    from ledgerlink_core.sie import dumps_sie

    with runtime.open_backend(
        name, request.overrides, require=[Capability.IMPORT_BOOKKEEPING], transport=transport
    ) as backend:
        book = import_bookkeeping(runtime, backend, request.selector)
    year = book.fiscal_year(0)
    company = book.company
    baseline = snapshot_store(runtime).latest(
        backend=name, org_nr=company.org_nr, company=company.name, year=year
    )
    who = company.name + (f" ({company.org_nr})" if company.org_nr else "")
    span = f"{year.start}..{year.end}" if year else "(no fiscal year)"
    if baseline is None:
        raise InputError(
            f"no snapshot of {who}, fiscal year {span}, from {name} yet: "
            f"`ledgerlink pull --from {name}` for that year keeps one"
        )
    if not baseline.path.is_file():
        raise InputError(
            "the snapshot's file is gone (pull again to keep a new one)", path=baseline.path
        )
    now = dumps_sie(book, sie_type="4E")
    size_kb = max(1, (baseline.size + len(now)) // 1024)
    pulled = baseline.last_pulled.strftime("%Y-%m-%d %H:%M %Z")
    with runtime.progress.task(f"comparing with the pull of {pulled} (kB)", total=size_kb) as task:
        return diff_sie(
            baseline.path,
            now,
            old_name=f"snapshot pulled {pulled}",
            new_name=f"{name} now",
            on_read=lambda n: task.advance(n // 1024),
        )
