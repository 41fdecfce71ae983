"""The ``sie_file`` backend: a SIE file on disk as a source of bookkeeping and a target for
vouchers. A thin layer over :mod:`ledgerlink_core.sie`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import ClassVar

from ledgerlink_core import (
    AccountingBackend,
    Bookkeeping,
    BookkeepingRequest,
    Capabilities,
    Capability,
    ConnectionInfo,
    ExportConstraints,
    FiscalYear,
    InputError,
    SieRecord,
    iter_sie,
    load_checked,
)

from ledgerlink_sie_file.settings import SieFileSettings
from ledgerlink_sie_file.sink import SieFileSink
from ledgerlink_sie_file.years import select_year

__all__ = ["SieFileBackend", "SieFileSettings"]


def _year(start: object, end: object) -> FiscalYear | None:
    """``#RAR 0 start end`` as a fiscal year, or None when its dates are unreadable."""
    try:
        first = dt.datetime.strptime(str(start), "%Y%m%d").date()
        last = dt.datetime.strptime(str(end), "%Y%m%d").date()
        return FiscalYear(index=0, start=first, end=last)
    except ValueError:
        return None


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
        if not s.path.exists() and not s.path.is_symlink():
            raise InputError("no such file (set it with --set path=FILE)", path=s.path)
        # The codec names what else may be wrong (a directory, a FIFO, a symlink loop).
        size_kb = max(1, s.path.stat().st_size // 1024) if s.path.is_file() else 1
        # Two passes: the check (``ledgerlink check``'s rules), then the load.
        with self.ctx.progress.task(f"reading {s.path.name} (kB)", total=2 * size_kb) as task:
            doc = load_checked(
                s.path,
                refuse=s.strict,
                hint=f"see `ledgerlink check {s.path}` (or --set strict=false to import anyway)",
                on_read=lambda n: task.advance(n // 1024),
            )
        for p in doc.problems:
            self.ctx.logger.warning("%s: %s", s.path, p)
        return select_year(doc.bookkeeping, request, s.path)

    def export_constraints(self) -> ExportConstraints:
        """An existing file's financial year (``#RAR 0``): a voucher dated outside it would
        make the file fail ``ledgerlink check``, so validation refuses it. A new file, or one
        without ``#RAR``, takes any date."""
        path = self.settings.path
        if not path.is_file():
            return ExportConstraints()
        year: FiscalYear | None = None
        for item in iter_sie(path, strict=False):
            if not isinstance(item, SieRecord):
                break  # a voucher: the years come first
            if item.label == "#RAR" and len(item.fields) >= 3:
                index, start, end = item.fields[:3]
                if str(index) == "0":
                    year = _year(start, end)
                    break
        return ExportConstraints(fiscal_years=(year,) if year is not None else None)

    def export_sink(self) -> SieFileSink:
        """The file, written whole with the new vouchers added (see :mod:`.sink`)."""
        return SieFileSink(self.settings)
