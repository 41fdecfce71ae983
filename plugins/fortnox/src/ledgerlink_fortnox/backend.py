"""``FortnoxBackend``: ledgerlink's backend for the Fortnox REST API v3.

Imports a fiscal year's bookkeeping (SIE 4), the documents connected to its vouchers
(``attachments.py``) and the customer and supplier subledgers as they stood on a date, and
exports vouchers with their documents through :class:`FortnoxSink` (``export.py``). All of
it goes through one :class:`~ledgerlink_fortnox.client.FortnoxClient`: authenticated, paced
by one rate limiter, retried where that is safe.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar, Literal

from ledgerlink_core import (
    Account,
    AccountingBackend,
    BackendContext,
    Bookkeeping,
    BookkeepingRequest,
    Capabilities,
    Capability,
    ConfigError,
    ConnectionInfo,
    ControlAccounts,
    ExportConstraints,
    FiscalYear,
    SubledgerHistory,
    SubledgerRequest,
    VoucherAttachment,
)

from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.convert import field
from ledgerlink_fortnox.settings import FortnoxSettings

if TYPE_CHECKING:
    from ledgerlink_fortnox.export import FortnoxSink


class FortnoxBackend(AccountingBackend[FortnoxSettings]):
    """Fortnox (https://api.fortnox.se) over OAuth2; run ``ledgerlink fortnox login`` first."""

    name: ClassVar[str] = "fortnox"

    def __init__(self, settings: FortnoxSettings, ctx: BackendContext) -> None:
        super().__init__(settings, ctx)
        self._client: FortnoxClient | None = None
        self._sink: FortnoxSink | None = None
        self._target_id: str | None = None
        self._company: dict[str, Any] | None = None

    @classmethod
    def capabilities(cls) -> Capabilities:
        """Imports, and exactly-once voucher export with attachments (see ``export.py``)."""
        from ledgerlink_fortnox.export import MAX_ATTACHMENT_BYTES

        return Capabilities(
            supported=frozenset(
                {
                    Capability.IMPORT_BOOKKEEPING,
                    Capability.IMPORT_ATTACHMENTS,
                    Capability.IMPORT_SUBLEDGER_CUSTOMER,
                    Capability.IMPORT_SUBLEDGER_SUPPLIER,
                    Capability.EXPORT_VOUCHERS,
                    Capability.EXPORT_ATTACHMENTS,
                    Capability.EXPORT_IDEMPOTENT,
                    Capability.LOCKED_PERIODS,
                }
            ),
            max_attachment_bytes=MAX_ATTACHMENT_BYTES,
        )

    @property
    def client(self) -> FortnoxClient:
        """The HTTP client, created on first use (no I/O before that)."""
        if self._client is None:
            if self.ctx.token_store is None:
                raise ConfigError("fortnox needs a token store: open it with Runtime.open_backend")
            store = self.ctx.token_store(self.ctx.backend_name)
            self._client = FortnoxClient(
                self.settings, store, transport=self.ctx.transport, budget_dir=self.ctx.data_dir
            )
        return self._client

    def check_connection(self) -> ConnectionInfo:
        """Read ``/3/companyinformation`` with the stored tokens."""
        body = self.client.get_json("companyinformation", action="reading company information")
        info = field(body, "CompanyInformation", {}) or {}
        org = field(info, "OrganizationNumber")
        return ConnectionInfo(
            backend=self.name,
            company=field(info, "CompanyName"),
            detail=f"org.nr {org}, database {field(info, 'DatabaseNumber')}" if org else "",
        )

    def import_bookkeeping(self, request: BookkeepingRequest) -> Bookkeeping:
        """One fiscal year's bookkeeping from Fortnox's SIE 4 export."""
        from ledgerlink_fortnox.bookkeeping import import_bookkeeping

        with self.ctx.progress.task("fetching SIE 4 from Fortnox", total=None) as task:
            book = import_bookkeeping(self.client, request)
            task.advance()
        return book

    def list_attachments(self, request: BookkeepingRequest) -> Iterator[VoucherAttachment]:
        """The files connected to the year's vouchers (``/3/voucherfileconnections``), by
        voucher and file id. Sizes are not known without a request per file, so they are
        left out (``attachments.py`` says why)."""
        from ledgerlink_fortnox.attachments import list_attachments

        return list_attachments(self.client, request)

    def download_attachment(self, attachment: VoucherAttachment, out: BinaryIO) -> None:
        """Stream ``GET /3/archive/{FileId}`` into ``out``. Thread-safe: core runs
        :attr:`download_workers` of these at once, paced by the client's one limiter."""
        from ledgerlink_fortnox.attachments import download_attachment

        download_attachment(self.client, attachment, out)

    @property
    def download_workers(self) -> int:
        """Concurrent downloads: ``max_workers``. A round trip to Fortnox (about 300 ms) is
        longer than the 200 ms its allowance leaves between requests, so one download at a
        time would leave a third of the allowance unused; the limiter paces the rest."""
        return self.settings.max_workers

    def import_subledger_history(self, request: SubledgerRequest) -> SubledgerHistory:
        """Every invoice and credit note of the subledger, every payment (the full payment
        only where ``WriteOffExist`` says it has write-offs, dated up to ``request.as_of``)
        and each fiscal year's ``AccountingMethod``; core computes the balances."""
        from ledgerlink_fortnox.subledger import import_history

        # One task for all listings (payments, invoices); pages arrive on worker threads.
        lock = threading.Lock()
        totals: dict[str, int] = {}
        task = self.ctx.progress.task(f"Fortnox {request.kind} subledger, pages", total=None)

        def on_page(label: str, done: int, total: int) -> None:
            with lock:
                if totals.get(label) != total:
                    totals[label] = total
                    task.set_total(sum(totals.values()))
                task.advance()

        with task:
            return import_history(self.client, request.kind, request.as_of, on_page)

    def control_accounts(self, kind: Literal["customer", "supplier"]) -> ControlAccounts | None:
        """Fortnox's predefined account for the subledger (``CUSTCLAIM``, ``SUPDEBT``; scope
        ``settings``), or None when it cannot be read."""
        from ledgerlink_fortnox.subledger import control_accounts

        return control_accounts(self.client, kind)

    # -- export: the rules of the company, and the sink core drives (export.py) ---------------

    def export_sink(self) -> FortnoxSink:
        """Vouchers and documents over the REST API, ``max_workers`` vouchers at a time."""
        if self._sink is None:
            from ledgerlink_fortnox.export import FortnoxSink

            self._sink = FortnoxSink(self.client, workers=self.settings.max_workers)
        return self._sink

    def chart_of_accounts(self, year: FiscalYear | None = None) -> Sequence[Account] | None:
        """The Fortnox chart of ``year``: each account's active flag and cost-centre and
        project rules in that year (``rules.py``)."""
        return self.export_sink().chart(year)

    def export_constraints(self) -> ExportConstraints:
        """Fiscal years, locked period, voucher series (and the manual ones), active cost
        centres, unfinished projects and Fortnox's text rules (``rules.py``, ``texts.py``)."""
        return self.export_sink().constraints()

    def target_id(self) -> str:
        """The company (organisation and database number, read once from
        ``/3/companyinformation``) at this API host: ``<org nr>/<database nr>@<base url>``.
        Keying the journal by company, not by login, keeps a push to another company from
        being mistaken for one already done."""
        if self._target_id is None:
            info = self._company_information()
            company = "/".join(
                str(field(info, key) or "?") for key in ("OrganizationNumber", "DatabaseNumber")
            )
            self._target_id = f"{company}@{self.settings.base_url}"
        return self._target_id

    def target_company(self) -> str | None:
        """The connected company's organisation number (``/3/companyinformation``, read
        once): core refuses input that names another company."""
        org = field(self._company_information(), "OrganizationNumber")
        return str(org) if org else None

    def _company_information(self) -> dict[str, Any]:
        if self._company is None:
            body = self.client.get_json("companyinformation", action="reading company information")
            self._company = dict(field(body, "CompanyInformation", {}) or {})
        return self._company

    def close(self) -> None:
        """Close connections and worker threads."""
        if self._client is not None:
            self._client.close()
            self._client = None
