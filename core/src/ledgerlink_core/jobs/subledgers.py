"""The ``subledgers`` job: the customer and supplier invoices (reskontra) open at a date."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledgerlink_core.backend import AccountingBackend, SubledgerRequest
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.model import SubledgerItem
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
    """The open invoices of each subledger imported, at one date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source: str
    """The backend they came from."""
    date: dt.date
    items: dict[Kind, tuple[SubledgerItem, ...]]
    """The open invoices per kind, in the requested kinds' order and the backend's order."""


def subledgers(
    runtime: Runtime, request: SubledgersRequest, *, transport: Any = None
) -> SubledgersResult:
    """Import the requested subledgers and fire ``ledgerlink_import_finished`` once for them.

    Raises :class:`~ledgerlink_core.errors.NotSupported` (before any I/O) naming every
    subledger the backend cannot import.
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
    """Import ``kinds`` from an opened ``backend`` and fire ``ledgerlink_import_finished``
    (``kind="subledger"``, a count per kind). For jobs that open the backend themselves."""
    items = {
        kind: tuple(backend.import_subledger(SubledgerRequest(kind=kind, as_of=as_of)))
        for kind in kinds
    }
    runtime.notify(
        "ledgerlink_import_finished",
        source=backend.name,
        kind="subledger",
        summary={kind: len(found) for kind, found in items.items()},
    )
    return SubledgersResult(source=backend.name, date=as_of, items=items)
