"""Use cases: what ledgerlink does, as functions that the CLI and library callers share.

One module per job, each holding the job's request model, its result model and the job
function, always of the same shape::

    result = job(runtime, request, *, transport=None)

* ``runtime`` (:class:`~ledgerlink_core.runtime.Runtime`) supplies config, registry and the
  progress renderer (``runtime.progress``); backends are opened through it, so capabilities
  are checked before any settings are read or anything is touched.
* ``request`` is a frozen pydantic model naming the backend, its ``overrides`` (the
  ``--set`` values) and the job's own fields.
* ``transport`` is an ``httpx`` transport standing in for the network (tests, the
  conformance kit).
* The result is a model; the job fires its notification hooks (``ledgerlink_import_finished``
  after every import) and neither prints nor exits. Problems it finds are part of its
  result (``ReconcileReport.agrees``, ``DoctorReport.ok``, ``DiffReport.equal``); errors
  are :class:`~ledgerlink_core.errors.LedgerlinkError`.

Import the functions and models from here: each function has its module's name and hides it
as an attribute of this package.
"""

from ledgerlink_core.jobs.attachments import (
    AttachmentFailure,
    AttachmentsReport,
    import_attachments,
)
from ledgerlink_core.jobs.batch import BatchReport, BatchRequest, CompanyOutcome, batch
from ledgerlink_core.jobs.connections import ConnectionRow, ConnectionsRequest, connections
from ledgerlink_core.jobs.diff import DiffRequest, diff
from ledgerlink_core.jobs.doctor import DoctorCheck, DoctorReport, DoctorRequest, doctor
from ledgerlink_core.jobs.journal_status import JournalStatus, JournalStatusRequest, journal_status
from ledgerlink_core.jobs.paths import Paths, paths
from ledgerlink_core.jobs.pull import PullRequest, PullResult, pull
from ledgerlink_core.jobs.push import PushRequest, push
from ledgerlink_core.jobs.reconcile import ReconcileRequest, reconcile
from ledgerlink_core.jobs.snapshots import SnapshotsRequest, snapshots
from ledgerlink_core.jobs.subledgers import SubledgersRequest, SubledgersResult, subledgers

__all__ = [
    "AttachmentFailure",
    "AttachmentsReport",
    "BatchReport",
    "BatchRequest",
    "CompanyOutcome",
    "ConnectionRow",
    "ConnectionsRequest",
    "DiffRequest",
    "DoctorCheck",
    "DoctorReport",
    "DoctorRequest",
    "JournalStatus",
    "JournalStatusRequest",
    "Paths",
    "PullRequest",
    "PullResult",
    "PushRequest",
    "ReconcileRequest",
    "SnapshotsRequest",
    "SubledgersRequest",
    "SubledgersResult",
    "batch",
    "connections",
    "diff",
    "doctor",
    "import_attachments",
    "journal_status",
    "paths",
    "pull",
    "push",
    "reconcile",
    "snapshots",
    "subledgers",
]
