"""The ``sie_file`` backend: a SIE file on disk as a source of bookkeeping and a target for
vouchers. A thin layer over :mod:`ledgerlink_core.sie`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from ledgerlink_core.backend import (
    AccountingBackend,
    BackendContext,
    BackendSettings,
    BookkeepingRequest,
    ConnectionInfo,
    ExportOptions,
)
from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.errors import InputError, ValidationFailed
from ledgerlink_core.model import (
    Bookkeeping,
    CompanyInfo,
    ExportStatus,
    SourceInfo,
    Voucher,
    VoucherExport,
    VoucherOutcome,
    VoucherRef,
)
from ledgerlink_core.sie import SieKind, SieRecord, iter_sie, read_sie, write_sie
from pydantic import Field

from ledgerlink_sie_file.years import select_year


class SieFileSettings(BackendSettings):
    """Settings of the ``sie_file`` backend (``--set path=books.se``)."""

    path: Path
    """The SIE file to read (import) or to write (export, SIE 4I)."""
    strict: bool = True
    """Import: any error in the file fails the import, listing every error. False leaves the
    broken parts (e.g. an unbalanced voucher) out and logs them."""
    ksumma: bool = False
    """Export: write a ``#KSUMMA`` checksum."""
    company_name: str = Field(default="ledgerlink export", min_length=1)
    """Export: the ``#FNAMN`` of the written file."""
    org_nr: str | None = None
    """Export: the ``#ORGNR`` of the written file."""


class SieFileBackend(AccountingBackend):
    """Read SIE 1-4 files; write vouchers as SIE 4I."""

    name: ClassVar[str] = "sie_file"
    Settings: ClassVar[type[BackendSettings]] = SieFileSettings

    def __init__(self, settings: BackendSettings, ctx: BackendContext) -> None:
        super().__init__(settings, ctx)
        if not isinstance(settings, SieFileSettings):
            settings = SieFileSettings.model_validate(settings.model_dump())
        self.sie_settings: SieFileSettings = settings

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

    def export_target(self) -> str:
        """The export journal's key: this file."""
        return f"sie_file:{self.sie_settings.path.resolve()}"

    def check_connection(self) -> ConnectionInfo:
        """Say whether the file exists and whose it is."""
        path = self.sie_settings.path
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
        """Read the file and return the requested financial year (``#RAR``)."""
        s = self.sie_settings
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

    def _target(self) -> tuple[Bookkeeping, SieKind]:
        """What the target file holds (to keep it) and the kind to write it as."""
        s = self.sie_settings
        today = SourceInfo(generated_on=dt.date.today(), sie_type="4I")
        if not s.path.exists():
            return Bookkeeping(
                company=CompanyInfo(name=s.company_name, org_nr=s.org_nr), source=today
            ), "4I"
        # Strict: never rewrite a file we could not read completely.
        doc = read_sie(s.path, strict=True)
        kind: SieKind = "4I" if doc.info.sie_type == "4I" else "4E"
        source = doc.bookkeeping.source.model_copy(
            update={"generated_on": today.generated_on, "sie_type": kind}
        )
        return doc.bookkeeping.model_copy(update={"source": source}), kind

    def export_vouchers(
        self, items: Sequence[VoucherExport], options: ExportOptions
    ) -> Iterator[VoucherOutcome]:
        """Add the vouchers to the file, atomically; unbalanced ones are refused before
        anything is written. ``dry_run`` writes nothing.

        A new file is SIE 4I. An existing file keeps everything it held (company, years, chart,
        objects, balances, vouchers) and its kind: a 4E bookkeeping stays 4E.
        """
        s = self.sie_settings
        vouchers: list[Voucher] = []
        bad: list[str] = []
        for item in items:
            v = item.voucher
            total = sum((r.amount for r in v.rows), Decimal(0))
            if total != 0:
                where = f" ({item.origin})" if item.origin else ""
                bad.append(f"voucher {v.label}{where} does not balance: rows sum to {total}")
            if options.series is not None:
                v = v.model_copy(update={"series": options.series})
            vouchers.append(v)
        if bad:
            raise ValidationFailed(f"{len(bad)} unbalanced voucher(s); nothing written", bad)
        header, kind = self._target()
        if options.journal is not None and not options.dry_run:
            # `ledgerlink push`: journaled, appends only what the journal has not confirmed.
            from ledgerlink_core.export.sie_target import export_to_sie_file

            yield from export_to_sie_file(
                items,
                path=s.path,
                journal=options.journal,
                target=self.export_target(),
                series=options.series,
                header=header,
                write=lambda book, path: write_sie(book, path, sie_type=kind, ksumma=s.ksumma),
            )
            return
        status = ExportStatus.WOULD_CREATE if options.dry_run else ExportStatus.CREATED
        if not options.dry_run:
            book = header.model_copy(update={"vouchers": (*header.vouchers, *vouchers)})
            write_sie(book, s.path, sie_type=kind, ksumma=s.ksumma)
        for item, v in zip(items, vouchers, strict=True):
            target = VoucherRef(series=v.series, number=v.number) if v.number else None
            yield VoucherOutcome(
                external_ref=item.external_ref,
                voucher=item.voucher.label,
                status=status,
                target=target,
            )
