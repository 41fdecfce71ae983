"""The backend contract: what every accounting backend implements.

A backend is one class, registered under the entry-point group ``ledgerlink.backends`` with
the backend's name. Core picks exactly one by name (stevedore), checks the capabilities it
needs from :meth:`AccountingBackend.capabilities` *before* creating it, validates its settings
with its :attr:`AccountingBackend.Settings` model and then calls the import/export methods.
"""

from __future__ import annotations

import abc
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, model_validator

from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.errors import InputError, NotSupported
from ledgerlink_core.model import (
    Bookkeeping,
    FiscalYear,
    SubledgerItem,
    VoucherExport,
    VoucherOutcome,
)
from ledgerlink_core.progress import NullProgress, Progress


class BackendSettings(BaseModel):
    """Base of every backend's settings model.

    Declare secrets as ``pydantic.SecretStr`` so they never show in ``repr``, logs or JSON.
    Values come from the config file, ``LEDGERLINK_<BACKEND>__<FIELD>`` env vars and
    ``--set field=value`` (flag > env > file > default).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)


class ConnectionInfo(BaseModel):
    """What :meth:`AccountingBackend.check_connection` found."""

    model_config = ConfigDict(frozen=True)

    backend: str
    company: str | None = None
    detail: str = ""


class BookkeepingRequest(BaseModel):
    """Which financial year to import. At most one of ``year``, ``year_index``, ``on_date``.

    ``year`` is the calendar year the financial year ends in; ``year_index`` is SIE's
    ``#RAR`` index (0 current, -1 previous...) or a backend's own index; ``on_date`` picks the
    year containing that date. None of them means the current (latest) year.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    year: int | None = None
    year_index: int | None = None
    on_date: dt.date | None = None

    @model_validator(mode="after")
    def _one_selector(self) -> BookkeepingRequest:
        # An InputError, not a ValueError: pydantic lets it through unwrapped, so a caller
        # (the CLI included) meets a usage error (exit 2) rather than a ValidationError.
        chosen = [v for v in (self.year, self.year_index, self.on_date) if v is not None]
        if len(chosen) > 1:
            raise InputError(
                "choose the financial year by one of year, year_index or on_date "
                "(--year, --year-index or --date)"
            )
        return self


class SubledgerRequest(BaseModel):
    """Which subledger to import, and the date it should be seen at."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["customer", "supplier"]
    as_of: dt.date


class ExportOptions(BaseModel):
    """How to export. ``dry_run`` validates and reports but writes nothing."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    dry_run: bool = False
    series: str | None = None
    """Put every voucher in this series instead of its own."""
    journal: Any = None
    """The export journal (``ledgerlink_core.export.journal.ExportJournal``) that makes the
    export exactly-once; core passes it in, backends record each step in it."""


class ExportConstraints(BaseModel):
    """What the target allows, read once before validation (one round of look-ups).

    ``None`` in a field means "no such rule here" (a SIE file takes any date or series).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    fiscal_years: tuple[FiscalYear, ...] | None = None
    """The target's existing financial years; a voucher dated outside all of them is refused."""
    locked_until: dt.date | None = None
    """Bookkeeping is locked up to and including this date."""
    series: frozenset[str] | None = None
    """The voucher series that exist in the target."""
    objects: dict[int, frozenset[str]] | None = None
    """Known objects per dimension (1 cost centre, 6 project); dimensions absent are not
    checked."""


@dataclass
class BackendContext:
    """What core hands a backend besides its settings. Backends never touch pluggy."""

    backend_name: str
    config_dir: Path
    data_dir: Path
    progress: Progress = field(default_factory=NullProgress)
    logger: logging.Logger = field(default_factory=lambda: logging.getLogger("ledgerlink"))
    transport: Any = None
    """An ``httpx.BaseTransport`` to use instead of the network (tests, the conformance kit)."""
    token_store: Callable[[str], Any] | None = None
    """Returns the token store for a backend name (``ledgerlink_token_store`` hook)."""
    extra: dict[str, Any] = field(default_factory=dict)


class AccountingBackend(abc.ABC):
    """Base class of every backend. Subclass it, set ``name`` and ``Settings``, implement
    :meth:`capabilities` and the methods for the capabilities you declare."""

    name: ClassVar[str]
    """The entry-point name, e.g. ``fortnox``; must equal the name in ``ledgerlink.backends``."""
    Settings: ClassVar[type[BackendSettings]] = BackendSettings
    """The pydantic model for this backend's settings."""

    def __init__(self, settings: BackendSettings, ctx: BackendContext) -> None:
        """Keep settings and context. Must not do I/O: that starts with the first call."""
        self.settings = settings
        self.ctx = ctx

    @classmethod
    @abc.abstractmethod
    def capabilities(cls) -> Capabilities:
        """Declare what this backend supports. Pure: no I/O, no credentials, no settings."""

    @classmethod
    def accepts_source(cls, source: Path) -> dict[str, str] | None:
        """The settings (as ``--set`` strings) that make this backend read ``source``, a file
        named on the command line (``ledgerlink pull books.se``), or None when it does not
        read such a file. Pure: decide from the name alone (its suffix), never open it.

        Core asks every installed backend; exactly one may answer. The default reads none.
        """
        return None

    def check_connection(self) -> ConnectionInfo:
        """Reach the backend with the configured credentials and say what was found.

        Raises :class:`~ledgerlink_core.errors.AuthenticationError` for bad credentials and
        :class:`~ledgerlink_core.errors.BackendUnavailable` when it cannot be reached.
        """
        return ConnectionInfo(backend=self.name)

    def import_bookkeeping(self, request: BookkeepingRequest) -> Bookkeeping:
        """Import one financial year's bookkeeping: company, chart, dimensions, balances,
        period balances and every voucher. Requires ``import.bookkeeping``."""
        raise NotSupported(self.name, [Capability.IMPORT_BOOKKEEPING])

    def import_subledger(self, request: SubledgerRequest) -> Iterator[SubledgerItem]:
        """Yield the invoices of one subledger that were open at ``request.as_of``, with the
        balance remaining *on that date*. Requires ``import.subledger.<kind>``."""
        raise NotSupported(self.name, [Capability.subledger(request.kind)])

    def export_vouchers(
        self, items: Sequence[VoucherExport], options: ExportOptions
    ) -> Iterator[VoucherOutcome]:
        """Write vouchers into the backend, yielding one outcome per voucher in input order.

        Core has validated the vouchers before calling this. Requires ``export.vouchers``.
        """
        raise NotSupported(self.name, [Capability.EXPORT_VOUCHERS])

    def chart_of_accounts(self) -> Sequence[Any] | None:
        """The target's accounts (``model.Account``) for validation before export, or None
        when the backend accepts any account."""
        return None

    def export_constraints(self) -> ExportConstraints:
        """Financial years, locked period, series and objects of the target, for validation
        before export. The default knows no rules."""
        return ExportConstraints()

    def export_target(self) -> str:
        """Which target the export journal keys its entries by: the backend's name plus what
        tells two targets of the same backend apart (a file path, a company)."""
        return self.name

    def close(self) -> None:
        """Release connections and files. Called once; also via ``with backend:``."""
        return None  # nothing to release by default

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
