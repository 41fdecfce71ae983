"""What a backend can do, declared up front and checked before any I/O."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.errors import NotSupported

__all__ = [
    "Capabilities",
    "Capability",
]


class Capability(StrEnum):
    """One thing a backend may support. The conformance kit tests each declared one."""

    IMPORT_BOOKKEEPING = "import.bookkeeping"
    """``import_bookkeeping``: company, chart, balances and vouchers of a fiscal year."""
    IMPORT_SUBLEDGER_CUSTOMER = "import.subledger.customer"
    """``import_subledger_history(kind="customer")``: the customer invoices, credit notes and
    payments core computes the open items at a date from."""
    IMPORT_SUBLEDGER_SUPPLIER = "import.subledger.supplier"
    """``import_subledger_history(kind="supplier")``: the same for supplier invoices."""
    IMPORT_ATTACHMENTS = "import.attachments"
    """``list_attachments`` and ``download_attachment``: the supporting documents (underlag)
    linked to a fiscal year's vouchers."""
    EXPORT_VOUCHERS = "export.vouchers"
    """``export_sink``: write vouchers into the backend (core drives the sink)."""
    EXPORT_ATTACHMENTS = "export.attachments"
    """Exported vouchers may carry attachments (bilagor)."""
    EXPORT_IDEMPOTENT = "export.idempotent"
    """Re-exporting the same vouchers creates nothing new, even after a crash or timeout."""
    LOCKED_PERIODS = "locked_periods"
    """The backend knows locked periods and refuses exports into them before any write."""

    @classmethod
    def subledger(cls, kind: str) -> Capability:
        """The capability of importing subledger ``kind``: ``import.subledger.<kind>``.

        Raises ``ValueError`` for a kind no capability exists for.
        """
        return cls(f"import.subledger.{kind}")


class Capabilities(BaseModel):
    """A backend's declared capabilities and limits. Pure data: computing it needs no I/O."""

    model_config = ConfigDict(frozen=True)

    supported: frozenset[Capability]
    max_attachment_bytes: int | None = None
    """Largest attachment accepted, when attachments are supported."""

    def __contains__(self, cap: object) -> bool:
        return cap in self.supported

    def require(self, backend: str, *caps: Capability) -> None:
        """Raise :class:`NotSupported` naming every capability of ``caps`` that is missing."""
        missing = [str(c) for c in caps if c not in self.supported]
        if missing:
            raise NotSupported(backend, missing)
