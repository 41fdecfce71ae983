"""The ``sie_file`` backend: a SIE file on disk as a source of bookkeeping and a target for
vouchers. A thin layer over :mod:`ledgerlink_core.sie`."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ledgerlink_core import (
    AccountingBackend,
    Bookkeeping,
    BookkeepingRequest,
    Capabilities,
    Capability,
    ConnectionInfo,
    InputError,
    SieRecord,
    ValidationFailed,
    iter_sie,
    read_sie,
)

from ledgerlink_sie_file.settings import SieFileSettings
from ledgerlink_sie_file.sink import SieFileSink
from ledgerlink_sie_file.years import select_year

__all__ = ["SieFileBackend", "SieFileSettings"]

#: The file names this backend reads when given one directly (``ledgerlink pull books.se``).
SIE_SUFFIXES = frozenset({".se", ".si", ".sie"})


class SieFileBackend(AccountingBackend[SieFileSettings]):
    """Read SIE 1-4 files; write vouchers as SIE 4I."""

    name: ClassVar[str] = "sie_file"

    @classmethod
    def capabilities(cls) -> Capabilities:
        """Import a bookkeeping, export vouchers (no attachments, no subledgers)."""
        return Capabilities(
            supported=frozenset(
                {
                    Capability.IMPORT_BOOKKEEPING,
                    Capability.EXPORT_VOUCHERS,
                    Capability.EXPORT_IDEMPOTENT,
                }
            )
        )

    @classmethod
    def accepts_source(cls, source: Path) -> dict[str, str] | None:
        """A ``.se``, ``.si`` or ``.sie`` file is read by setting ``path`` to it."""
        if source.suffix.lower() in SIE_SUFFIXES:
            return {"path": str(source)}
        return None

    def target_id(self) -> str:
        """This file: exports to two files are two exports."""
        return str(self.settings.path.resolve())

    def target_company(self) -> str | None:
        """The target file's ``#ORGNR`` (None when the file does not exist yet or has none)."""
        path = self.settings.path
        if not path.is_file():
            return None
        for item in iter_sie(path, strict=False):
            if isinstance(item, SieRecord) and item.label == "#ORGNR" and item.fields:
                first = item.fields[0]
                return first if isinstance(first, str) and first else None
            if not isinstance(item, SieRecord):
                break  # the header is over: no #ORGNR
        return None

    def check_connection(self) -> ConnectionInfo:
        """Say whether the file exists and whose it is."""
        path = self.settings.path
        if not path.exists():
            return ConnectionInfo(
                backend=self.name, detail=f"{path} does not exist yet (export creates it)"
            )
        company = None
        for item in iter_sie(path, strict=False):
            if isinstance(item, SieRecord) and item.label == "#FNAMN" and item.fields:
                first = item.fields[0]
                company = first if isinstance(first, str) else None
                break
        return ConnectionInfo(backend=self.name, company=company, detail=str(path))

    def import_bookkeeping(self, request: BookkeepingRequest) -> Bookkeeping:
        """Read the file and return the requested fiscal year (``#RAR``)."""
        s = self.settings
        if not s.path.is_file():
            raise InputError("no such file (set it with --set path=FILE)", path=s.path)
        size_kb = max(1, s.path.stat().st_size // 1024)
        with self.ctx.progress.task(f"reading {s.path.name} (kB)", total=size_kb) as task:
            doc = read_sie(s.path, strict=False, on_read=lambda n: task.advance(n // 1024))
        log = self.ctx.logger
        errors = [p for p in doc.problems if p.severity == "error"]
        for p in doc.problems:
            if p.severity == "warning" or not s.strict:
                log.warning("%s: %s", s.path, p)
        if errors and s.strict:
            raise ValidationFailed(
                f"{s.path}: {len(errors)} error(s) in the SIE file; "
                f"see `ledgerlink check {s.path}` (or --set strict=false to skip them)",
                [f"{s.path}:{p.line}: {p.message}" if p.line else p.message for p in errors],
            )
        return select_year(doc.bookkeeping, request, s.path)

    def export_sink(self) -> SieFileSink:
        """The file, written whole with the new vouchers added (see :mod:`.sink`)."""
        return SieFileSink(self.settings)
