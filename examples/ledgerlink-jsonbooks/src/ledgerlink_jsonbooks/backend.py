"""The ``jsonbooks`` backend: a folder of JSON ledgers.

Started from ``ledgerlink plugins new jsonbooks`` and grown to every capability ledgerlink
has: bookkeeping import, both subledgers as of a date, and exactly-once voucher export with
attachments and a locked period. A real backend would call an API where this one reads and
writes files; the shape stays the same.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

from ledgerlink_core.backend import (
    AccountingBackend,
    BackendContext,
    BackendSettings,
    BookkeepingRequest,
    ConnectionInfo,
    ExportConstraints,
    ExportOptions,
    SubledgerRequest,
)
from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.errors import ExportError, InputError
from ledgerlink_core.model import (
    Account,
    Bookkeeping,
    FiscalYear,
    SubledgerItem,
    VoucherExport,
    VoucherOutcome,
)

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


class JsonbooksBackend(AccountingBackend):
    """A folder of JSON ledgers, for ledgerlink."""

    name: ClassVar[str] = "jsonbooks"
    Settings: ClassVar[type[BackendSettings]] = JsonbooksSettings

    def __init__(self, settings: BackendSettings, ctx: BackendContext) -> None:
        super().__init__(settings, ctx)
        assert isinstance(settings, JsonbooksSettings)
        self.jb_settings = settings
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
        """The financial year asked for (this folder holds one)."""
        book = self.folder.read_book()
        year = book.fiscal_year(0)
        if year is None or not _matches(year, request):
            raise InputError(f"it holds only the financial year {year}", path=self.folder.book_path)
        return book

    def import_subledger(self, request: SubledgerRequest) -> Iterator[SubledgerItem]:
        """Invoices open at ``request.as_of``, with the balance left on that date."""
        from ledgerlink_jsonbooks.subledger import open_items

        invoices = self.folder.read_json("invoices.json", {})
        yield from open_items(invoices.get(request.kind, []), request.kind, request.as_of)

    # --- export ---------------------------------------------------------------------------------

    def chart_of_accounts(self) -> Sequence[Account] | None:
        """The folder's accounts: exports may use only these."""
        return self.folder.read_book().accounts

    def export_constraints(self) -> ExportConstraints:
        """Its financial year, the locked period and the dimension objects."""
        book = self.folder.read_book()
        objects: dict[int, set[str]] = {}
        for obj in book.objects:
            objects.setdefault(obj.dimension, set()).add(obj.number)
        return ExportConstraints(
            fiscal_years=book.fiscal_years,
            locked_until=self.jb_settings.locked_until,
            objects={dim: frozenset(numbers) for dim, numbers in objects.items()},
        )

    def export_target(self) -> str:
        """The export journal's key: this folder."""
        return f"jsonbooks:{self.folder.directory.resolve()}"

    def export_vouchers(
        self, items: Sequence[VoucherExport], options: ExportOptions
    ) -> Iterator[VoucherOutcome]:
        """Write vouchers exactly once through core's export engine and journal."""
        from ledgerlink_core.export.engine import export_exactly_once

        from ledgerlink_jsonbooks.export import FolderSink

        if options.journal is None:
            raise ExportError("jsonbooks exports through `ledgerlink push` (it needs the journal)")
        yield from export_exactly_once(
            items,
            options.journal,
            self.export_target(),
            FolderSink(self.folder),
            series=options.series,
        )


def _matches(year: FiscalYear, request: BookkeepingRequest) -> bool:
    if request.year is not None:
        return year.end.year == request.year
    if request.year_index is not None:
        return request.year_index == 0
    if request.on_date is not None:
        return year.contains(request.on_date)
    return True
