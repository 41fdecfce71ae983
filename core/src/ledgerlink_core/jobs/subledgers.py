"""The ``subledgers`` job: the customer and supplier invoices (reskontra) open at a date.

The backend supplies each subledger's history (documents, payments, write-offs, the years'
accounting methods); core's one as-of rule (:mod:`ledgerlink_core.openitems`) turns it into
open items, so every backend gets the same balances.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledgerlink_core.backend import AccountingBackend, SubledgerRequest
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.errors import BackendError, InputError
from ledgerlink_core.model import AccountingMethod, SubledgerHistory, SubledgerItem
from ledgerlink_core.openitems import LeftOut, open_items
from ledgerlink_core.reconcile import Kind
from ledgerlink_core.runtime import Runtime

__all__ = [
    "KINDS",
    "SubledgersRequest",
    "SubledgersResult",
    "import_subledgers",
    "subledgers",
]

#: Every kind of subledger, in report order.
KINDS: tuple[Kind, ...] = ("customer", "supplier")


class SubledgersRequest(BaseModel):
    """Which subledgers to import from which backend, seen at which date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: str
    """The backend to import from."""
    overrides: dict[str, str] = Field(default_factory=dict)
    """Settings for this run (``--set key=value``); they beat environment and config file."""
    as_of: dt.date
    """The date the invoices are seen at: open then, with what remained unpaid then."""
    kinds: tuple[Kind, ...] = Field(default=KINDS, min_length=1)
    """The subledgers to import (each needs ``import.subledger.<kind>``)."""


class SubledgersResult(BaseModel):
    """The open invoices and credit notes of each subledger imported, at one date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    """The backend they came from."""
    date: dt.date
    items: dict[Kind, tuple[SubledgerItem, ...]]
    """The open items per kind, in the requested kinds' order and the backend's order."""
    left_out: dict[Kind, tuple[LeftOut, ...]] = Field(default_factory=dict)
    """Per kind, documents dated up to the date that are no open items, and why."""
    methods: dict[Kind, AccountingMethod] = Field(default_factory=dict)
    """Per kind, the accounting method of the fiscal year holding the date."""
    histories: dict[Kind, SubledgerHistory] = Field(default_factory=dict, exclude=True)
    """What the backend supplied (for ``reconcile``); left out of dumps."""

    def document(self) -> dict[str, Any]:
        """The JSON document ``ledgerlink ledgers --json`` prints (and ``batch ledgers``
        writes): ``ok``, ``date``, every open ``item``, per kind the count and the SEK balance
        (a two-decimal string), ``left_out`` and ``methods`` per kind."""
        totals = {
            k: {
                "items": len(found),
                "balance_sek": f"{sum((i.balance_sek for i in found), Decimal('0.00')):.2f}",
            }
            for k, found in self.items.items()
        }
        return {
            "ok": True,
            "date": self.date.isoformat(),
            "items": [i.model_dump(mode="json") for found in self.items.values() for i in found],
            "totals": totals,
            "left_out": {
                k: [o.model_dump(mode="json") for o in v] for k, v in self.left_out.items()
            },
            "methods": dict(self.methods),
        }


def subledgers(
    runtime: Runtime, request: SubledgersRequest, *, transport: Any = None
) -> SubledgersResult:
    """Import the requested subledgers and fire ``ledgerlink_import_finished`` once for them.

    Raises :class:`~ledgerlink_core.errors.NotSupported` (before any I/O) naming every
    subledger the backend cannot import, and :class:`~ledgerlink_core.errors.InputError`
    naming the document when the backend's history does not hold together (a payment for a
    document it does not list), or naming the date when it lies outside every fiscal year
    the backend knows.
    """
    with runtime.open_backend(
        request.backend,
        request.overrides,
        require=[Capability.subledger(k) for k in request.kinds],
        transport=transport,
    ) as backend:
        return import_subledgers(runtime, backend, request.as_of, request.kinds)


def import_subledgers(
    runtime: Runtime, backend: AccountingBackend, as_of: dt.date, kinds: tuple[Kind, ...]
) -> SubledgersResult:
    """Import ``kinds`` from an opened ``backend``, apply the as-of rule
    (:func:`~ledgerlink_core.openitems.open_items`) and fire ``ledgerlink_import_finished``
    (``kind="subledger"``, the open items per kind). For jobs that open the backend
    themselves."""
    histories = {
        kind: backend.import_subledger_history(SubledgerRequest(kind=kind, as_of=as_of))
        for kind in kinds
    }
    for kind, history in histories.items():
        if history.kind != kind:
            raise BackendError(
                f"{backend.name} answered the {kind} subledger with a {history.kind} history"
            )
        if history.years and not any(y.contains(as_of) for y in history.years):
            years = ", ".join(f"{y.start}..{y.end}" for y in history.years)
            raise InputError(
                f"{as_of} is outside every fiscal year of {backend.name} ({years}): the "
                "accounting method, and so what is open, is unknown there"
            )
    found = {kind: open_items(history, as_of) for kind, history in histories.items()}
    runtime.notify(
        "ledgerlink_import_finished",
        source=backend.name,
        kind="subledger",
        summary={kind: len(f.items) for kind, f in found.items()},
    )
    return SubledgersResult(
        source=backend.name,
        date=as_of,
        items={kind: f.items for kind, f in found.items()},
        left_out={kind: f.left_out for kind, f in found.items()},
        methods={kind: f.method for kind, f in found.items()},
        histories=histories,
    )
