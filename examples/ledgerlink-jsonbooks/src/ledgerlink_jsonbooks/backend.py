"""The ``jsonbooks`` backend: a folder of JSON ledgers.

Started from ``ledgerlink plugins new jsonbooks`` and grown to every capability ledgerlink
has: bookkeeping import with the vouchers' documents, both subledgers as of a date, and
exactly-once voucher export with attachments and a locked period. A real backend would call
an API where this one reads and writes files; the shape stays the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO, ClassVar

from ledgerlink_core import (
    Account,
    AccountingBackend,
    BackendContext,
    BackendSettings,
    Bookkeeping,
    BookkeepingRequest,
    Capabilities,
    Capability,
    ConnectionInfo,
    ExportConstraints,
    FiscalYear,
    InputError,
    SubledgerHistory,
    SubledgerRequest,
    VoucherAttachment,
)

from ledgerlink_jsonbooks.export import CONNECTED, FolderSink
from ledgerlink_jsonbooks.store import Folder

#: Largest attachment accepted (declared in the capabilities, checked before export).
MAX_ATTACHMENT_BYTES = 1024 * 1024


class JsonbooksSettings(BackendSettings):
    """Settings of the ``jsonbooks`` backend: ``--set directory=...``, the environment
    variable ``LEDGERLINK_JSONBOOKS__DIRECTORY`` or ``[backends.jsonbooks]`` in config.toml.
    """

    directory: Path
    """The folder holding ``bookkeeping.json`` (and ``invoices.json``)."""
    locked_until: dt.date | None = None
    """Bookkeeping is locked up to and including this date: exports before it are refused."""


class JsonbooksBackend(AccountingBackend[JsonbooksSettings]):
    """A folder of JSON ledgers, for ledgerlink."""

    name: ClassVar[str] = "jsonbooks"

    def __init__(self, settings: JsonbooksSettings, ctx: BackendContext) -> None:
        super().__init__(settings, ctx)
        self.folder = Folder(settings.directory)  # no I/O until the first call

    @classmethod
    def capabilities(cls) -> Capabilities:
        """Everything: pure data, no I/O."""
        return Capabilities(
            supported=frozenset(Capability),
            max_attachment_bytes=MAX_ATTACHMENT_BYTES,
        )

    def check_connection(self) -> ConnectionInfo:
        """Say whose bookkeeping the folder holds."""
        book = self.folder.read_book()
        return ConnectionInfo(
            backend=self.name, company=book.company.name, detail=str(self.folder.directory)
        )

    # --- import ---------------------------------------------------------------------------------

    def import_bookkeeping(self, request: BookkeepingRequest) -> Bookkeeping:
        """The fiscal year asked for (this folder holds one)."""
        book = self.folder.read_book()
        year = book.fiscal_year(0)
        if year is None or not _matches(year, request):
            raise InputError(f"it holds only the fiscal year {year}", path=self.folder.book_path)
        return book

    def list_attachments(self, request: BookkeepingRequest) -> Iterator[VoucherAttachment]:
        """The documents connected to the year's vouchers (``attachments.json``), by voucher."""
        year = self.import_bookkeeping(request).fiscal_year(0)
        assert year is not None  # import_bookkeeping checked it
        connected: dict[str, list[str]] = self.folder.read_json(CONNECTED, {})
        for key, file_ids in sorted(connected.items()):
            series, number, year_end = key.split(" ")
            if year_end != str(year.end.year):
                continue
            for file_id in file_ids:
                path = self.folder.directory / "attachments" / file_id
                yield VoucherAttachment(
                    series=series,
                    number=number,
                    filename=file_id.split("-", 1)[-1],  # without the stored hash prefix
                    ref=file_id,
                    size=path.stat().st_size if path.is_file() else None,
                )

    def download_attachment(self, attachment: VoucherAttachment, out: BinaryIO) -> None:
        """Copy the stored document into ``out``."""
        path = self.folder.directory / "attachments" / attachment.ref
        try:
            out.write(path.read_bytes())
        except FileNotFoundError:
            raise InputError("the document is gone", path=path) from None

    def import_subledger_history(self, request: SubledgerRequest) -> SubledgerHistory:
        """Every invoice of the subledger with its payments; core computes the balances."""
        from ledgerlink_jsonbooks.subledger import history

        invoices = self.folder.read_json("invoices.json", {})
        return history(invoices.get(request.kind, []), request.kind)

    # --- export ---------------------------------------------------------------------------------

    def chart_of_accounts(self, year: FiscalYear | None = None) -> Sequence[Account] | None:
        """The folder's accounts (it holds one year): exports may use only these."""
        return self.folder.read_book().accounts

    def export_constraints(self) -> ExportConstraints:
        """Its fiscal year, the locked period and the dimension objects."""
        book = self.folder.read_book()
        objects: dict[int, set[str]] = {}
        for obj in book.objects:
            objects.setdefault(obj.dimension, set()).add(obj.number)
        return ExportConstraints(
            fiscal_years=book.fiscal_years,
            locked_until=self.settings.locked_until,
            objects={dim: frozenset(numbers) for dim, numbers in objects.items()},
        )

    def target_id(self) -> str:
        """This folder: exports to two folders are two exports."""
        return str(self.folder.directory.resolve())

    def export_sink(self) -> FolderSink:
        """Writes vouchers and documents into the folder; core journals every step."""
        return FolderSink(self.folder)


def _matches(year: FiscalYear, request: BookkeepingRequest) -> bool:
    if request.year is not None:
        return year.end.year == request.year
    if request.year_index is not None:
        return request.year_index == 0
    if request.on_date is not None:
        return year.contains(request.on_date)
    return True
