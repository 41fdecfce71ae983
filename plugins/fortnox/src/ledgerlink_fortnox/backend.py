"""``FortnoxBackend``: ledgerlink's backend for the Fortnox REST API v3.

Imports a financial year's bookkeeping (SIE 4) and the customer and supplier subledgers as
they stood on a date, and exports vouchers with their documents (:mod:`ledgerlink_fortnox.export`).
Every request goes through one authenticated, paced
:class:`~ledgerlink_fortnox.client.FortnoxClient` per backend.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

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
from ledgerlink_core.model import (
    Account,
    Bookkeeping,
    SubledgerItem,
    VoucherExport,
    VoucherOutcome,
)
from ledgerlink_core.tokens import FileTokenStore, TokenStore

from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.convert import field
from ledgerlink_fortnox.settings import FortnoxSettings


def token_store_for(ctx: BackendContext) -> TokenStore:
    """The token store core hands out, or the default file under ``config_dir``."""
    if ctx.token_store is not None:
        store: TokenStore = ctx.token_store(ctx.backend_name)
        return store
    return FileTokenStore(ctx.config_dir / "tokens" / f"{ctx.backend_name}.json")


class FortnoxBackend(AccountingBackend):
    """Fortnox (https://api.fortnox.se) over OAuth2; run ``ledgerlink fortnox login`` first."""

    name: ClassVar[str] = "fortnox"
    Settings: ClassVar[type[BackendSettings]] = FortnoxSettings

    def __init__(self, settings: BackendSettings, ctx: BackendContext) -> None:
        super().__init__(settings, ctx)
        if not isinstance(settings, FortnoxSettings):
            settings = FortnoxSettings.model_validate(settings.model_dump())
        self.fortnox_settings: FortnoxSettings = settings
        self._client: FortnoxClient | None = None
        self._export_target: str | None = None

    @classmethod
    def capabilities(cls) -> Capabilities:
        """Imports, and exactly-once voucher export with attachments (see ``export.py``)."""
        from ledgerlink_fortnox.export import MAX_ATTACHMENT_BYTES

        return Capabilities(
            supported=frozenset(
                {
                    Capability.IMPORT_BOOKKEEPING,
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
            self._client = FortnoxClient(
                self.fortnox_settings, token_store_for(self.ctx), transport=self.ctx.transport
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
        """One financial year's bookkeeping from Fortnox's SIE 4 export."""
        from ledgerlink_fortnox.bookkeeping import import_bookkeeping

        with self.ctx.progress.task("fetching SIE 4 from Fortnox", total=None) as task:
            book = import_bookkeeping(self.client, request)
            task.advance()
        return book

    def import_subledger(self, request: SubledgerRequest) -> Iterator[SubledgerItem]:
        """The invoices open at ``request.as_of``, with the balance on that date."""
        from ledgerlink_fortnox.subledger import import_subledger

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
            yield from import_subledger(self.client, request.kind, request.as_of, on_page)

    # -- export (engineer EXPORT: the logic lives in export.py) --------------------------------

    def _export_sink(self) -> Any:
        from ledgerlink_fortnox.export import FortnoxSink

        sink = getattr(self, "_sink", None)
        if sink is None:
            sink = self._sink = FortnoxSink(self.client)
        return sink

    def chart_of_accounts(self) -> Sequence[Account] | None:
        """The Fortnox chart, with inactive accounts marked."""
        chart: list[Account] = self._export_sink().chart()
        return chart

    def export_constraints(self) -> ExportConstraints:
        """Financial years, locked period and voucher series of the company."""
        constraints: ExportConstraints = self._export_sink().constraints()
        return constraints

    def export_target(self) -> str:
        """The journal's key: the company (organisation and database number, read once from
        ``/3/companyinformation``) at this Fortnox host. Keying by company, not by login, keeps
        a push to another company from being mistaken for one already done."""
        if self._export_target is None:
            from ledgerlink_fortnox.export import export_target

            body = self.client.get_json("companyinformation", action="reading company information")
            info = field(body, "CompanyInformation", {}) or {}
            company = "/".join(
                str(field(info, key) or "?") for key in ("OrganizationNumber", "DatabaseNumber")
            )
            self._export_target = export_target(self.fortnox_settings.base_url, company)
        return self._export_target

    def export_vouchers(
        self, items: Sequence[VoucherExport], options: ExportOptions
    ) -> Iterator[VoucherOutcome]:
        """Post each voucher and its documents exactly once (journaled, looked up after an
        ambiguous failure), ``max_workers`` vouchers at a time."""
        from ledgerlink_core.export.engine import run_export

        yield from run_export(
            items,
            options,
            data_dir=self.ctx.data_dir,
            target=self.export_target(),
            sink=self._export_sink(),
            workers=self.fortnox_settings.max_workers,
        )

    def close(self) -> None:
        """Close connections and worker threads."""
        if self._client is not None:
            self._client.close()
            self._client = None
