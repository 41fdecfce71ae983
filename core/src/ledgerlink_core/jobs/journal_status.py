"""``journal_status``: what the export journal says was sent where (``ledgerlink push --status``).

Read-only: a missing journal is an empty one, and nothing is locked, so it can be asked while a
push runs.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.export.journal import FILENAME, ExportJournal, JournalEntry
from ledgerlink_core.runtime import Runtime

__all__ = ["JournalStatus", "JournalStatusRequest", "journal_status"]


class JournalStatusRequest(BaseModel):
    """Whose entries to show: one backend's, or (None) every backend's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: str | None = None


class JournalStatus(BaseModel):
    """The journal's entries, oldest first."""

    model_config = ConfigDict(frozen=True)

    journal: Path
    """The journal file (it may not exist yet)."""
    entries: tuple[JournalEntry, ...] = ()

    def counts(self) -> dict[str, int]:
        """How many vouchers are in each state, by state name."""
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry.state.value] = counts.get(entry.state.value, 0) + 1
        return dict(sorted(counts.items()))


def journal_status(runtime: Runtime, request: JournalStatusRequest) -> JournalStatus:
    """The entries of the journal in the runtime's data directory."""
    path = runtime.data_dir / FILENAME
    if not path.exists():
        return JournalStatus(journal=path)
    with ExportJournal(path) as journal:
        entries = journal.entries()
    if request.backend:
        entries = [e for e in entries if e.backend == request.backend]
    return JournalStatus(journal=path, entries=tuple(entries))
