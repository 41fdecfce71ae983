"""The ``snapshots`` job: list what earlier pulls kept (see :mod:`ledgerlink_core.snapshots`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.runtime import Runtime
from ledgerlink_core.snapshots import Snapshot, SnapshotStore

__all__ = [
    "SnapshotsRequest",
    "snapshot_store",
    "snapshots",
]


class SnapshotsRequest(BaseModel):
    """Which snapshots to list."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    company: str | None = None
    """Only this company's: its organisation number (with or without the dash) or name."""


def snapshot_store(runtime: Runtime) -> SnapshotStore:
    """The snapshots of this runtime's data directory: ``<data dir>/snapshots``."""
    return SnapshotStore(runtime.data_dir / "snapshots")


def snapshots(runtime: Runtime, request: SnapshotsRequest) -> list[Snapshot]:
    """The snapshots kept, newest pull first (only ``request.company``'s when given)."""
    return snapshot_store(runtime).list(request.company)
