"""The backend contract: what every accounting backend implements.

A backend is one class, registered under the entry-point group ``ledgerlink.backends`` with
the backend's name. Core picks exactly one by name (stevedore), checks the capabilities it
needs from :meth:`AccountingBackend.capabilities` *before* creating it, validates its settings
with the settings model named by its type parameter (``AccountingBackend[MySettings]``) and
then calls the import methods, or for export asks it for a sink
(:mod:`ledgerlink_core.sinks`) and drives that itself.
"""

from __future__ import annotations

import abc
import datetime as dt
import logging
import typing
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar, Generic, Literal, Self, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.errors import InputError, NotSupported
from ledgerlink_core.model import (
    Account,
    Bookkeeping,
    ControlAccounts,
    FiscalYear,
    SubledgerHistory,
    VoucherAttachment,
)
from ledgerlink_core.progress import NullProgress, Progress

if TYPE_CHECKING:
    from ledgerlink_core.sinks import ExportSink

__all__ = [
    "AccountingBackend",
    "BackendContext",
    "BackendSettings",
    "BookkeepingRequest",
    "ConnectionInfo",
    "ExportConstraints",
    "SubledgerRequest",
    "TextRules",
]


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
    """Which fiscal year to import. At most one of ``year``, ``year_index``, ``on_date``.

    ``year`` is the calendar year the fiscal year ends in; ``year_index`` is SIE's
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
                "choose the fiscal year by one of year, year_index or on_date "
                "(--year, --year-index or --date)"
            )
        return self


class SubledgerRequest(BaseModel):
    """Which subledger to import, and the date it should be seen at."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["customer", "supplier"]
    as_of: dt.date


class TextRules(BaseModel):
    """Which characters and how many a target takes in a voucher's texts.

    A character is allowed when it is a letter of any language (``letters``, Unicode
    category L) or one of ``characters``. ``None`` as a length means no limit.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    letters: bool = True
    characters: str = ""
    """Every other character allowed, listed."""
    max_text: int | None = None
    """Longest voucher text."""
    max_row_text: int | None = None
    """Longest row text."""
    max_note: int | None = None
    """Longest note (the target's comment, which also carries the external reference)."""

    def allows(self, char: str) -> bool:
        """Whether ``char`` (one character) may appear in a text."""
        return char in self.characters or (self.letters and unicodedata.category(char)[0] == "L")

    def refused(self, text: str) -> list[str]:
        """The characters of ``text`` the target refuses, each once, in order of appearance."""
        return [c for c in dict.fromkeys(text) if not self.allows(c)]


class ExportConstraints(BaseModel):
    """What the target allows, read once before validation (one round of look-ups).

    ``None`` in a field means "no such rule here" (a SIE file takes any date or series).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    fiscal_years: tuple[FiscalYear, ...] | None = None
    """The target's existing fiscal years; a voucher dated outside all of them is refused."""
    locked_until: dt.date | None = None
    """Bookkeeping is locked up to and including this date."""
    series: frozenset[str] | None = None
    """The voucher series that exist in the target."""
    manual_series: frozenset[str] | None = None
    """Of those, the ones open for vouchers entered by hand (None: every one)."""
    objects: dict[int, frozenset[str]] | None = None
    """Known objects per dimension (1 cost centre, 6 project); dimensions absent are not
    checked."""
    text: TextRules | None = None
    """The characters and lengths the target takes in texts."""
    decimals: int | None = Field(default=None, ge=0)
    """The decimals the target keeps in an amount (Fortnox: 2); an amount with more is
    refused before anything is sent, since the target would round it."""


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


S = TypeVar("S", bound=BackendSettings)
"""A backend's settings model."""


def _settings_model(cls: type) -> type[BackendSettings] | None:
    """The settings model a class names as its base's type parameter, if it names one."""
    for base in cls.__dict__.get("__orig_bases__", ()):
        origin = typing.get_origin(base)
        if isinstance(origin, type) and issubclass(origin, AccountingBackend):
            (arg,) = typing.get_args(base)
            if isinstance(arg, type) and issubclass(arg, BackendSettings):
                return arg
    return None


class AccountingBackend(abc.ABC, Generic[S]):
    """Base class of every backend. Subclass it as ``AccountingBackend[MySettings]``, set
    ``name``, implement :meth:`capabilities` and the methods for the capabilities you declare.
    ``self.settings`` is then a validated ``MySettings``."""

    name: ClassVar[str]
    """The entry-point name, e.g. ``fortnox``; must equal the name in ``ledgerlink.backends``."""
    Settings: ClassVar[type[BackendSettings]] = BackendSettings
    """The settings model core validates with: the class's type parameter (set for you)."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        model = _settings_model(cls)
        if model is not None:
            cls.Settings = model

    def __init__(self, settings: S, ctx: BackendContext) -> None:
        """Keep settings and context. Must not do I/O: that starts with the first call."""
        self.settings: S = settings
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
        """Import one fiscal year's bookkeeping: company, chart, dimensions, balances,
        period balances and every voucher. Requires ``import.bookkeeping``."""
        raise NotSupported(self.name, [Capability.IMPORT_BOOKKEEPING])

    def import_subledger_history(self, request: SubledgerRequest) -> SubledgerHistory:
        """The documents of one subledger (invoices and credit notes, cancelled and unbooked
        ones too), every payment registered against them with its write-offs, and the fiscal
        years' accounting methods. Requires ``import.subledger.<kind>``.

        Core computes what was open at ``request.as_of`` from it
        (:func:`ledgerlink_core.openitems.open_items`); a backend computes no balances.
        ``as_of`` only lets it fetch less: it may leave out documents dated after the date
        (together with their payments) and the write-offs of payments dated after it. Every
        payment must name a document of the history.
        """
        raise NotSupported(self.name, [Capability.subledger(request.kind)])

    def control_accounts(self, kind: Literal["customer", "supplier"]) -> ControlAccounts | None:
        """The ledger accounts the ``kind`` subledger is booked on, as the backend is set up
        (Fortnox: its predefined accounts), or None when it cannot say: core then uses BAS
        (1510-1517, 2440-2447). May do I/O; asked only by ``reconcile``."""
        return None

    def list_attachments(self, request: BookkeepingRequest) -> Iterator[VoucherAttachment]:
        """Yield the supporting documents linked to the vouchers of one fiscal year (the
        year ``request`` selects, as for :meth:`import_bookkeeping`), in a stable order.
        Requires ``import.attachments``.

        Listing must not download anything: core decides which files it still needs (those
        not already in the target folder with the same size and hash) and asks for each.
        """
        raise NotSupported(self.name, [Capability.IMPORT_ATTACHMENTS])

    @property
    def download_workers(self) -> int:
        """How many :meth:`download_attachment` calls core may run at once, each on its own
        thread and with its own ``out``. More than 1 promises that the method is
        thread-safe; a backend behind a network with a rate limit sets enough to fill it
        while answers are on their way. Default 1: one at a time."""
        return 1

    def download_attachment(self, attachment: VoucherAttachment, out: BinaryIO) -> None:
        """Write the bytes of ``attachment`` (one that :meth:`list_attachments` yielded) to
        ``out``, a file open for binary writing; core writes to a temporary file and renames
        it only when the download is complete. Requires ``import.attachments``.

        Raises :class:`~ledgerlink_core.errors.BackendError` (or another
        :class:`~ledgerlink_core.errors.LedgerlinkError`) when this one file cannot be had;
        core names it and goes on with the rest.
        """
        raise NotSupported(self.name, [Capability.IMPORT_ATTACHMENTS])

    # --- export: the backend supplies a sink and the target's rules; core drives ------------

    def export_sink(self) -> ExportSink:
        """The sink core exports vouchers through: a
        :class:`~ledgerlink_core.sinks.VoucherSink` (one voucher at a time) or a
        :class:`~ledgerlink_core.sinks.BatchSink` (all at once, atomically).

        Core has validated the vouchers before it writes through the sink, journals every
        step and looks the target up after an ambiguous answer. Requires ``export.vouchers``.
        """
        raise NotSupported(self.name, [Capability.EXPORT_VOUCHERS])

    def chart_of_accounts(self, year: FiscalYear | None = None) -> Sequence[Account] | None:
        """The target's accounts in fiscal ``year`` (one of ``export_constraints().
        fiscal_years``; None when the target has no years), for validation before export:
        each with its ``active`` flag and object rules in that year. None when the backend
        accepts any account. Core asks once per year the vouchers fall in."""
        return None

    def export_constraints(self) -> ExportConstraints:
        """Fiscal years, locked period, series and objects of the target, for validation
        before export. The default knows no rules."""
        return ExportConstraints()

    def target_id(self) -> str:
        """What tells this target apart from the backend's other targets (a file's path, a
        company): core keys the export journal by ``<backend name>:<target id>``, so the same
        vouchers pushed to two targets are two exports. Empty (the default) when the backend
        has one target only. May do I/O (e.g. ask which company a login reaches)."""
        return ""

    def target_company(self) -> str | None:
        """The organisation number of the company this target holds, or None when it cannot
        say. Core refuses a push (or pull) whose input names another company
        (:class:`~ledgerlink_core.errors.WrongCompany`) before anything is written. May do
        I/O (a company look-up); asked once per job."""
        return None

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
