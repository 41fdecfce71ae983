"""``connections``: every login ledgerlink holds, one per company and backend
(``ledgerlink connections``). Read-only; the tokens themselves are never part of the answer."""

from __future__ import annotations

import time

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.connections import LoginStatus, login_status
from ledgerlink_core.errors import ConfigError
from ledgerlink_core.model import Seconds
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.tokens import TokenStore

__all__ = ["ConnectionRow", "ConnectionsRequest", "connections"]


class ConnectionsRequest(BaseModel):
    """Whose connections to list: one backend's, or (None) every backend's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: str | None = None


class ConnectionRow(BaseModel):
    """One connection as listed."""

    model_config = ConfigDict(frozen=True)

    backend: str
    org_nr: str
    """Empty for a login from before connections (``legacy``)."""
    company: str
    alias: str | None
    status: str
    """``valid``, ``expired``, ``refused``, ``missing`` (no tokens), or ``legacy`` (the
    backend's single login from before connections: log in again to key it by company)."""
    until: str | None
    """When the login lasts to (ISO 8601, UTC); None: until revoked, or unknown."""


def _iso(epoch: Seconds | None) -> str | None:
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def _status(store: TokenStore) -> LoginStatus:
    """What a connection's stored tokens say; ``corrupt`` for a file that cannot be read, so
    one damaged login does not stop the listing of the others."""
    try:
        return login_status(store.load())
    except ConfigError:
        return LoginStatus("corrupt", None)


def connections(runtime: Runtime, request: ConnectionsRequest) -> list[ConnectionRow]:
    """The connections in the runtime's config directory, by backend and organisation number,
    with a row for each backend's pre-connections login that is still the only one."""
    index = runtime.connections
    rows: list[ConnectionRow] = []
    known = index.listed(request.backend)
    for conn in known:
        store = runtime.token_store(conn.backend, connection=conn.key)
        state = _status(store)
        rows.append(
            ConnectionRow(
                backend=conn.backend,
                org_nr=conn.org_nr,
                company=conn.company,
                alias=conn.alias,
                status=state.status,
                until=_iso(state.until),
            )
        )
    with_connections = {c.backend for c in known}
    for backend in index.legacy_backends():
        if request.backend not in (None, backend) or backend in with_connections:
            continue
        state = _status(runtime.legacy_token_store(backend))
        if state.status == "missing":
            continue
        rows.append(
            ConnectionRow(
                backend=backend,
                org_nr="",
                company="",
                alias=None,
                status="legacy" if state.status == "valid" else state.status,
                until=_iso(state.until),
            )
        )
    return rows
