"""The ``jsonbooks`` backend.

It starts out reading a folder that holds ``bookkeeping.json``: one financial year in
ledgerlink's canonical model (what ``ledgerlink pull --json`` prints). Replace the body of
``import_bookkeeping`` with calls to your system, keep the rules the conformance kit checks,
and declare every new capability in ``capabilities()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ledgerlink_core.backend import (
    AccountingBackend,
    BackendSettings,
    BookkeepingRequest,
    ConnectionInfo,
)
from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.errors import InputError
from ledgerlink_core.model import Bookkeeping, FiscalYear


class JsonbooksSettings(BackendSettings):
    """Settings of the ``jsonbooks`` backend: ``--set directory=...``, the environment variable
    ``LEDGERLINK_JSONBOOKS__DIRECTORY`` or ``[backends.jsonbooks]`` in ledgerlink's config.toml.

    Declare secrets (API keys, client secrets) as ``pydantic.SecretStr``.
    """

    directory: Path
    """The folder holding ``bookkeeping.json``."""


class JsonbooksBackend(AccountingBackend):
    """Jsonbooks for ledgerlink."""

    name: ClassVar[str] = "jsonbooks"
    Settings: ClassVar[type[BackendSettings]] = JsonbooksSettings

    @classmethod
    def capabilities(cls) -> Capabilities:
        """What this backend can do: pure data, no I/O."""
        return Capabilities(supported=frozenset({Capability.IMPORT_BOOKKEEPING}))

    @property
    def book_path(self) -> Path:
        """Where the bookkeeping lives."""
        settings = self.settings
        assert isinstance(settings, JsonbooksSettings)
        return settings.directory / "bookkeeping.json"

    def check_connection(self) -> ConnectionInfo:
        """Say whose bookkeeping the folder holds."""
        book = self._read()
        return ConnectionInfo(
            backend=self.name, company=book.company.name, detail=str(self.book_path)
        )

    def import_bookkeeping(self, request: BookkeepingRequest) -> Bookkeeping:
        """The financial year asked for (this folder holds one)."""
        book = self._read()
        year = book.fiscal_year(0)
        if year is None or not _matches(year, request):
            raise InputError(
                f"it holds only the financial year {year}", path=self.book_path
            )
        return book

    def _read(self) -> Bookkeeping:
        try:
            text = self.book_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("no such file", path=self.book_path) from None
        try:
            return Bookkeeping.model_validate_json(text)
        except ValueError as exc:
            first_line = f"not a bookkeeping: {exc}".splitlines()[0]
            raise InputError(first_line, path=self.book_path) from None


def _matches(year: FiscalYear, request: BookkeepingRequest) -> bool:
    if request.year is not None:
        return year.end.year == request.year
    if request.year_index is not None:
        return request.year_index == 0
    if request.on_date is not None:
        return year.contains(request.on_date)
    return True
