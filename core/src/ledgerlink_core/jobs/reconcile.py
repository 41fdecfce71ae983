"""The ``reconcile`` job: import a bookkeeping and its subledgers, then compare them.

The comparison itself is :func:`ledgerlink_core.reconcile.reconcile` (pure, no I/O); this job
does the imports around it. Both imports are announced like those of ``pull`` and
``subledgers`` (``ledgerlink_import_finished`` with ``kind="bookkeeping"``, then
``kind="subledger"``): a plugin auditing what was read from a backend sees every read.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledgerlink_core.backend import BookkeepingRequest
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.jobs.pull import import_bookkeeping
from ledgerlink_core.jobs.subledgers import KINDS, import_subledgers
from ledgerlink_core.model import ControlAccounts
from ledgerlink_core.openitems import OpenItems
from ledgerlink_core.reconcile import AccountRange, Kind, ReconcileReport
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
    kinds: tuple[Kind, ...] = Field(default=KINDS, min_length=1)
    """The subledgers to compare."""
    ranges: tuple[AccountRange, ...] = ()
    """Control accounts chosen by the user (:func:`~ledgerlink_core.reconcile.parse_ranges`
    reads ``customer=1510-1517``); a kind not named takes the backend's
    (:meth:`~ledgerlink_core.backend.AccountingBackend.control_accounts`), else BAS."""
    rates: dict[str, Decimal] = Field(default_factory=dict)
    """Closing rates, SEK per unit (``{"EUR": Decimal("11.0512")}``): foreign open items are
    revalued at them. When any is given, every foreign currency open needs one."""


def reconcile(
    runtime: Runtime, request: ReconcileRequest, *, transport: Any = None
) -> ReconcileReport:
    """Compare each requested subledger with its control accounts at ``as_of`` and explain
    the difference.

    Differences are the report's answer (``report.agrees``), not an error. Raises
    :class:`~ledgerlink_core.errors.NotSupported` (before any I/O) when the backend lacks the
    bookkeeping or a subledger import, and :class:`~ledgerlink_core.errors.InputError` for a
    date outside every fiscal year, a foreign open item without a closing rate (when rates
    are given) or a history that does not hold together, naming the document.
    """
    kinds = request.kinds
    needs = [Capability.IMPORT_BOOKKEEPING, *(Capability.subledger(k) for k in kinds)]
    chosen: dict[Kind, AccountRange | ControlAccounts] = {r.kind: r for r in request.ranges}
    with runtime.open_backend(
        request.backend, request.overrides, require=needs, transport=transport
    ) as backend:
        book = import_bookkeeping(runtime, backend, BookkeepingRequest(on_date=request.as_of))
        found = import_subledgers(runtime, backend, request.as_of, kinds)
        for kind in kinds:
            if kind not in chosen:
                named = backend.control_accounts(kind)
                if named is not None:
                    chosen[kind] = named
    subledgers = {
        kind: (
            OpenItems(
                kind=kind,
                date=found.date,
                method=found.methods.get(kind, "accrual"),
                items=found.items[kind],
                left_out=found.left_out.get(kind, ()),
            ),
            found.histories[kind],
        )
        for kind in kinds
    }
    return compare(
        request.backend, book, subledgers, request.as_of, controls=chosen, rates=request.rates
    )
