"""Use cases: what ledgerlink does, callable from Python exactly as the CLI calls them.

Each job takes the :class:`~ledgerlink_core.runtime.Runtime` and a request model, returns a
result model and fires its notification hook. The ``ledgerlink`` command parses, calls one
job, renders the result and exits; a library caller does the same without click.
"""

from __future__ import annotations

from ledgerlink_core.jobs.journal_status import JournalStatus, JournalStatusRequest, journal_status
from ledgerlink_core.jobs.push import PushRequest, push

__all__ = [
    "JournalStatus",
    "JournalStatusRequest",
    "PushRequest",
    "journal_status",
    "push",
]
