"""The ``pull`` job: import one fiscal year's bookkeeping from a backend or a file."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ledgerlink_core.backend import AccountingBackend, BookkeepingRequest
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.errors import InputError
from ledgerlink_core.jobs.attachments import AttachmentsReport, import_attachments
from ledgerlink_core.jobs.snapshots import snapshot_store
from ledgerlink_core.model import Bookkeeping
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.snapshots import Snapshot

__all__ = [
    "PullRequest",
    "PullResult",
    "import_bookkeeping",
    "pull",
]

log = logging.getLogger("ledgerlink")


class PullRequest(BaseModel):
    """What to import, and from where: a backend, a file, or a file read by a named backend."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: str | None = None
    """The backend to import from. None: the one installed backend that reads ``source``."""
    overrides: dict[str, str] = Field(default_factory=dict)
    """Settings for this run (``--set key=value``); they beat environment and config file."""
    source: Path | None = None
    """A file to import (``ledgerlink pull books.se``). The backend that reads it says which
    settings point it there (:meth:`AccountingBackend.accepts_source`); those beat
    ``overrides``."""
    selector: BookkeepingRequest = Field(default_factory=BookkeepingRequest)
    """Which fiscal year: at most one of ``year``, ``year_index``, ``on_date`` (the
    current year when none is given)."""
    snapshot: bool = True
    """Keep a snapshot of what was imported (:mod:`ledgerlink_core.snapshots`), the baseline
    ``diff --from`` compares the backend with later."""
    attachments: Path | None = None
    """Also import the year's supporting documents into this folder (needs
    ``import.attachments``; see :func:`~ledgerlink_core.jobs.attachments.import_attachments`)."""


class PullResult(BaseModel):
    """What a pull imported, the snapshot it kept and, when asked, the attachments."""

    model_config = ConfigDict(frozen=True)

    book: Bookkeeping
    snapshot: Snapshot | None = None
    """The snapshot this pull made or refreshed; None when ``snapshot=False``."""
    attachments: AttachmentsReport | None = None


def pull(runtime: Runtime, request: PullRequest, *, transport: Any = None) -> PullResult:
    """Import the requested fiscal year, fire ``ledgerlink_import_finished``, keep a snapshot
    and, when asked, import the year's attachments.

    Raises :class:`~ledgerlink_core.errors.InputError` when the request says nowhere to import
    from or no single installed backend reads ``source``, and
    :class:`~ledgerlink_core.errors.NotSupported` (before any I/O) when the backend cannot
    import a bookkeeping (or attachments, when asked for).
    """
    name, overrides = _backend_and_settings(runtime, request)
    require = [Capability.IMPORT_BOOKKEEPING]
    if request.attachments is not None:
        require.append(Capability.IMPORT_ATTACHMENTS)
    with runtime.open_backend(name, overrides, require=require, transport=transport) as backend:
        book = import_bookkeeping(runtime, backend, request.selector)
        if book.company.org_nr:
            from ledgerlink_core.jobs.push import same_company

            same_company(book.company.org_nr, backend, what=f"the bookkeeping from {name}")
        snapshot = _keep_snapshot(runtime, book, backend.name) if request.snapshot else None
        attachments = None
        if request.attachments is not None:
            attachments = import_attachments(
                runtime, backend, request.selector, request.attachments
            )
    return PullResult(book=book, snapshot=snapshot, attachments=attachments)


def import_bookkeeping(
    runtime: Runtime, backend: AccountingBackend, selector: BookkeepingRequest
) -> Bookkeeping:
    """Import one year from an opened ``backend`` and fire ``ledgerlink_import_finished``
    (``kind="bookkeeping"``). For jobs that open the backend themselves."""
    book = backend.import_bookkeeping(selector)
    runtime.notify(
        "ledgerlink_import_finished",
        source=backend.name,
        kind="bookkeeping",
        summary={"accounts": len(book.accounts), "vouchers": len(book.vouchers)},
    )
    return book


def _keep_snapshot(runtime: Runtime, book: Bookkeeping, backend: str) -> Snapshot | None:
    """Keep the snapshot; a store that cannot be written (a full disk, a read-only data
    directory) costs the baseline of ``diff --from``, not the import: it is a warning."""
    try:
        return snapshot_store(runtime).keep(book, backend=backend)
    except InputError as exc:
        log.warning("no snapshot kept of this pull (diff --from will not see it): %s", exc)
        return None


def _backend_and_settings(runtime: Runtime, request: PullRequest) -> tuple[str, dict[str, str]]:
    """The backend's name and the settings overrides the request implies."""
    if request.source is not None:
        # a file the user named: say so, not which setting (a symlink loop is the codec's)
        if not request.source.exists() and not request.source.is_symlink():
            raise InputError("no such file", path=request.source)
        name, from_source = runtime.registry.backend_for_source(request.source, request.backend)
        return name, {**request.overrides, **from_source}
    if request.backend is None:
        raise InputError("say where to import from: --from BACKEND, or give a SIE file")
    return request.backend, dict(request.overrides)
