"""``FortnoxBackend``: ledgerlink's backend for the Fortnox REST API v3.

Imports a financial year's bookkeeping (SIE 4) and the customer and supplier subledgers as
they stood on a date. The HTTP layer (:class:`~ledgerlink_fortnox.client.FortnoxClient`) is
reusable for export: it already offers authenticated, paced ``get``/``paginate``/``post``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from ledgerlink_core.backend import (
    AccountingBackend,
    BackendContext,
    BackendSettings,
    BookkeepingRequest,
    ConnectionInfo,
    SubledgerRequest,
)
from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.model import Bookkeeping, SubledgerItem
from ledgerlink_core.progress import ProgressTask
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

    @classmethod
    def capabilities(cls) -> Capabilities:
        """Imports now; export arrives with the export engine."""
        return Capabilities(
            supported=frozenset(
                {
                    Capability.IMPORT_BOOKKEEPING,
                    Capability.IMPORT_SUBLEDGER_CUSTOMER,
                    Capability.IMPORT_SUBLEDGER_SUPPLIER,
                }
            )
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

        tasks: dict[str, ProgressTask] = {}

        def on_page(label: str, done: int, total: int) -> None:
            task = tasks.get(label)
            if task is None:
                task = tasks[label] = self.ctx.progress.task(f"{label} (pages)", total=total)
                task.__enter__()
            task.set_total(total)
            task.advance()

        try:
            yield from import_subledger(self.client, request.kind, request.as_of, on_page)
        finally:
            for task in tasks.values():
                task.__exit__(None, None, None)

    def close(self) -> None:
        """Close connections and worker threads."""
        if self._client is not None:
            self._client.close()
            self._client = None
