"""Helpers for the Fortnox backend tests: an emulator per test, settings and stored logins.

The emulator comes from the ``emulator`` / ``emulator_factory`` fixtures (the emulator
distribution's ``ledgerlink_fortnox_emulator.fixtures``, enabled in the repository's
conftest.py): a real server on an ephemeral 127.0.0.1 port, so every request goes over TCP.
"""

from __future__ import annotations

import socket
import time
from pathlib import Path
from typing import Any

from ledgerlink_core.backend import BackendContext, SubledgerRequest
from ledgerlink_core.model import SubledgerItem
from ledgerlink_core.openitems import open_items
from ledgerlink_core.tokens import FileTokenStore, TokenStore
from ledgerlink_fortnox.backend import FortnoxBackend
from ledgerlink_fortnox.settings import DEFAULT_SCOPES, FortnoxSettings


def free_port() -> int:
    """A loopback port free right now (for a login listener: Fortnox redirects to the exact
    URI registered, so the test picks the port, not the listener)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def redirect_uri() -> str:
    """A loopback redirect URI on a free port."""
    return f"http://127.0.0.1:{free_port()}/callback"


def login_emulator(factory: Any, uri: str, **config: Any) -> Any:
    """An emulator whose test integration has ``uri`` registered as its redirect URI and may
    ask for every scope ledgerlink asks for by default."""
    from ledgerlink_fortnox_emulator.config import ALL_SCOPES

    scopes = ALL_SCOPES | frozenset(DEFAULT_SCOPES.split())
    return factory(granted_scopes=scopes, redirect_uris=(uri,), **config)


def settings_for(emu: Any, **overrides: Any) -> FortnoxSettings:
    """Backend settings pointing at ``emu`` with its test client."""
    values: dict[str, Any] = {
        "client_id": emu.config.client_id,
        "client_secret": emu.config.client_secret,
        "base_url": emu.base_url,
        "oauth_url": emu.base_url + "/oauth-v1",
        "redirect_uri": redirect_uri(),
        "timeout": 10,
    }
    values.update(overrides)
    return FortnoxSettings.model_validate(values)


def env_for(emu: Any) -> dict[str, str]:
    """The same settings as ``LEDGERLINK_FORTNOX__*`` environment variables."""
    return {
        "LEDGERLINK_FORTNOX__CLIENT_ID": emu.config.client_id,
        "LEDGERLINK_FORTNOX__CLIENT_SECRET": emu.config.client_secret,
        "LEDGERLINK_FORTNOX__BASE_URL": emu.base_url,
        "LEDGERLINK_FORTNOX__OAUTH_URL": emu.base_url + "/oauth-v1",
    }


def stored_login(emu: Any, store: TokenStore, scopes: str | None = None) -> dict[str, Any]:
    """Mint tokens at the emulator (as if the user approved) and store them as login does."""
    data = _as_stored(emu, emu.issue_tokens(scopes))
    store.save(data)
    return data


def _as_stored(emu: Any, answer: dict[str, Any]) -> dict[str, Any]:
    """A token answer of ``emu`` as login stores it (times made absolute)."""
    now = time.time()
    return {
        "grant": "authorization_code",
        "access_token": answer["access_token"],
        "refresh_token": answer["refresh_token"],
        "expires_at": now + float(answer["expires_in"]),
        "refresh_expires_at": now + 45 * 86400,
        "scope": answer["scope"],
        "client_id": emu.config.client_id,
        "base_url": emu.base_url,
    }


def default_store(config_dir: Path) -> FileTokenStore:
    """Where the CLI's runtime keeps Fortnox tokens by default."""
    return FileTokenStore(config_dir / "tokens" / "fortnox.json")


def connection_store(config_dir: Path, org_nr: str) -> FileTokenStore:
    """Where the CLI keeps the tokens of the connection to company ``org_nr``."""
    digits = "".join(ch for ch in org_nr if ch.isdigit())
    return FileTokenStore(config_dir / "tokens" / "fortnox" / f"{digits}.json")


def connect_companies(emu: Any, config_dir: Path, tenants: list[int] | None = None) -> list[str]:
    """Connections to ``tenants`` (default: every company of ``emu``) as ``ledgerlink fortnox
    login`` leaves them, without the browser: tokens minted at the emulator for each
    company, stored per connection, listed in the index. Returns the organisation numbers."""
    from ledgerlink_core import Connection, Connections

    index = Connections(config_dir)
    orgs = []
    for tenant in tenants if tenants is not None else emu.tenant_ids:
        company = emu.tenant_state(tenant).company
        answer = emu.issue_tokens(tenant=tenant)
        connection_store(config_dir, company.org_nr).save(
            {**_as_stored(emu, answer), "org_nr": company.org_nr, "company": company.name}
        )
        index.add(Connection("fortnox", company.org_nr, company.name))
        orgs.append(company.org_nr)
    return orgs


def backend_for(emu: Any, store: TokenStore, tmp: Path, **overrides: Any) -> FortnoxBackend:
    """A FortnoxBackend against ``emu`` using ``store``."""
    ctx = BackendContext(
        backend_name="fortnox",
        config_dir=tmp,
        data_dir=tmp,
        token_store=lambda name: store,
    )
    return FortnoxBackend(settings_for(emu, **overrides), ctx)


def open_at(backend: FortnoxBackend, request: SubledgerRequest) -> list[SubledgerItem]:
    """The open items at ``request.as_of``: the backend's history through core's rule."""
    return list(open_items(backend.import_subledger_history(request), request.as_of).items)
