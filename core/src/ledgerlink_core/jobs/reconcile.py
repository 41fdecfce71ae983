"""The ``reconcile`` job: import a bookkeeping and its subledgers, then compare them.

The comparison itself is :func:`ledgerlink_core.reconcile.reconcile` (pure, no I/O); this job
does the imports around it. Both imports are announced like those of ``pull`` and
``subledgers`` (``ledgerlink_import_finished`` with ``kind="bookkeeping"``, then
``kind="subledger"``): a plugin auditing what was read from a backend sees every read.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledgerlink_core.backend import BookkeepingRequest
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.jobs.pull import import_bookkeeping
from ledgerlink_core.jobs.subledgers import import_subledgers
from ledgerlink_core.reconcile import DEFAULT_RANGES, AccountRange, ReconcileReport
from ledgerlink_core.reconcile import reconcile as compare
from ledgerlink_core.runtime import Runtime

__all__ = [
    "ReconcileRequest",
    "reconcile",
]


class ReconcileRequest(BaseModel):
    """Which backend's subledgers to hold against which control accounts, at which date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: str
    """The backend to import from (it needs a bookkeeping and the subledgers compared)."""
    overrides: dict[str, str] = Field(default_factory=dict)
    """Settings for this run (``--set key=value``); they beat environment and config file."""
    as_of: dt.date
    """The date to reconcile at; its fiscal year is the one imported."""
    ranges: tuple[AccountRange, ...] = Field(default=DEFAULT_RANGES, min_length=1)
    """The subledgers to compare and their control accounts
    (:func:`~ledgerlink_core.reconcile.parse_ranges` reads ``customer=1510-1519``)."""


def reconcile(
    runtime: Runtime, request: ReconcileRequest, *, transport: Any = None
) -> ReconcileReport:
    """Compare each requested subledger with its control accounts at ``as_of``.

    Differences are the report's answer (``report.agrees``), not an error. Raises
    :class:`~ledgerlink_core.errors.NotSupported` (before any I/O) when the backend lacks the
    bookkeeping or a subledger import.
    """
    kinds = tuple(r.kind for r in request.ranges)
    needs = [Capability.IMPORT_BOOKKEEPING, *(Capability.subledger(k) for k in kinds)]
    with runtime.open_backend(
        request.backend, request.overrides, require=needs, transport=transport
    ) as backend:
        book = import_bookkeeping(runtime, backend, BookkeepingRequest(on_date=request.as_of))
        found = import_subledgers(runtime, backend, request.as_of, kinds)
    return compare(request.backend, book, found.items, request.as_of, request.ranges)
