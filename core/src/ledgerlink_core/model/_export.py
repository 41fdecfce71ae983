"""Export: vouchers to write, their attachments, and what became of each.

Part of :mod:`ledgerlink_core.model`, which re-exports every public name."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from ledgerlink_core.model._base import Frozen
from ledgerlink_core.model._books import Voucher
from ledgerlink_core.model._subledgers import VoucherRef

__all__ = [
    "AttachmentRef",
    "ExportReport",
    "ExportStatus",
    "TextChange",
    "VoucherAttachment",
    "VoucherExport",
    "VoucherOutcome",
]

# --- export -------------------------------------------------------------------------------------


class AttachmentRef(Frozen):
    """An underlying document (bilaga) to attach to an exported voucher."""

    path: str
    filename: str
    media_type: str
    size: int = Field(ge=0)
    sha256: str


class VoucherAttachment(Frozen):
    """A supporting document (underlag) linked to a voucher in a backend, as the backend
    lists it for import. Core names the local copy ``<series>-<number>_<filename>``, the rule
    ``push --attach`` reads, so a round trip keeps every link."""

    series: str
    number: str
    filename: str
    """The file's name as the backend keeps it (core makes it safe before using it)."""
    ref: str
    """What the backend needs to download it (Fortnox: the archive file id). Opaque to core."""
    size: int | None = Field(default=None, ge=0)
    """Its size in bytes, when the backend says (used to skip files already downloaded)."""
    sha256: str | None = None
    """Its SHA-256 (hex), when the backend says."""


class VoucherExport(Frozen):
    """A voucher on its way into a backend, with its documents and a stable key.

    ``external_ref`` is derived from the voucher's content and its series and number in the
    input (see :func:`ledgerlink_core.export.refs.external_ref`) and identifies it across
    retries and runs.
    """

    voucher: Voucher
    attachments: tuple[AttachmentRef, ...] = ()
    external_ref: str
    origin: str = ""
    """The input the voucher came from (a file's path), for messages."""
    note: str = ""
    """More for the target's comment on the voucher, next to the reference: what a
    normalisation changed, with the original texts (see :class:`TextChange`)."""


class TextChange(Frozen):
    """A text changed on the way to a target whose character set or lengths it broke."""

    voucher: str
    """The voucher's label in the input."""
    field: str
    """``text`` (the voucher's) or ``row N text``."""
    before: str
    after: str


class ExportStatus(StrEnum):
    """What happened to one voucher in an export run."""

    CREATED = "created"
    ALREADY_THERE = "already-there"
    WOULD_CREATE = "would-create"
    FAILED = "failed"


class VoucherOutcome(Frozen):
    """The result of exporting one voucher."""

    external_ref: str
    voucher: str
    """The voucher's label in the input."""
    status: ExportStatus
    placement: VoucherRef | None = None
    """Where the target holds the voucher: the series, number and year it was given."""
    attachments: int = 0
    """Attachments connected to it."""
    error: str | None = None
    note: str | None = None
    """Something the user should know although it did not fail: e.g. that ``--series`` did
    not apply to a voucher exported before into another series."""

    @classmethod
    def of(
        cls,
        item: VoucherExport,
        status: ExportStatus,
        placement: VoucherRef | None = None,
        *,
        attachments: int = 0,
        error: str | None = None,
        note: str | None = None,
    ) -> VoucherOutcome:
        """The outcome of exporting ``item``, named by its label in the input."""
        return cls(
            external_ref=item.external_ref,
            voucher=item.voucher.label,
            status=status,
            placement=placement,
            attachments=attachments,
            error=error,
            note=note,
        )


class ExportReport(Frozen):
    """Everything one export run did."""

    target: str
    """The backend exported to (its name)."""
    dry_run: bool = False
    outcomes: tuple[VoucherOutcome, ...] = ()
    text_changes: tuple[TextChange, ...] = ()
    """Texts normalised to fit the target (``--normalise-text``), each with its original."""

    def count(self, status: ExportStatus) -> int:
        """How many vouchers ended with ``status``."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def ok(self) -> bool:
        """True when no voucher failed."""
        return self.count(ExportStatus.FAILED) == 0
