"""``ledgerlink fortnox login``: the OAuth2 authorization-code flow with a loopback listener.

The user approves the integration in a browser; Fortnox redirects to the configured
``redirect_uri`` (exactly as registered for the integration, e.g.
``http://127.0.0.1:47865/callback``) with ``?code=...&state=...``, which a one-shot HTTP server
here receives. The authorize and token requests send that URI as configured. ``state`` is
checked (CSRF), ``access_type=offline`` is always sent (without it refresh tokens die within
hours), and the code is exchanged for tokens that are saved 0600 before anything else
happens. Service accounts use the client-credentials grant instead.
"""

from __future__ import annotations

import dataclasses
import secrets
import socket
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from ledgerlink_core import (
    AuthenticationError,
    BackendError,
    BackendUnavailable,
    ConfigError,
    Seconds,
    TokenStore,
    org_key,
)

from ledgerlink_fortnox.auth import OAuthClient, tokens_from_response
from ledgerlink_fortnox.settings import DEFAULT_REDIRECT_URI, FortnoxSettings
from ledgerlink_fortnox.tokens import checked
from ledgerlink_fortnox.transport import DeadlineTransport

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
CONNECTION_TIMEOUT = 15.0
"""Seconds a connection to the login listener may stay silent before it is dropped: browsers
open speculative connections they may never use (review C1)."""


@dataclass
class _Callback:
    """What the redirect brought back."""

    expected_state: str
    path: str
    code: str | None = None
    error: str | None = None
    done: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Connections are served on threads of their own: the first redirect to finish wins."""


def _handler(callback: _Callback) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Per-connection socket timeout: an idle connection ends on its own (its thread too).
        timeout = CONNECTION_TIMEOUT

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path != callback.path:
                self._answer(404, "Not the ledgerlink login callback.")
                return
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if query.get("state") != callback.expected_state:
                # Do not finish: a forged or stale redirect must not end the login.
                self._answer(400, "The login state does not match; start the login again.")
                callback.error = "the redirect's state did not match (possible CSRF)"
                return
            with callback.lock:
                if callback.done.is_set():
                    self._answer(409, "This login has already finished; see the terminal.")
                    return
                if "error" in query:
                    callback.error = query.get("error_description") or query["error"]
                    status, text = 400, f"Fortnox refused the authorization: {callback.error}"
                elif query.get("code"):
                    callback.code = query["code"]
                    status, text = (
                        200,
                        "ledgerlink is connected to Fortnox. You can close this tab.",
                    )
                else:
                    callback.error = "the redirect carried no authorization code"
                    status, text = 400, callback.error
                try:
                    self._answer(status, text)  # before the login goes on and may exit
                finally:
                    callback.done.set()  # even when the browser hung up before the answer

        def _answer(self, status: int, text: str) -> None:
            body = f"<!doctype html><title>ledgerlink</title><p>{text}</p>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # the query holds the authorization code: keep it out of logs

    return Handler


def authorize_url(
    settings: FortnoxSettings, redirect_uri: str, state: str, *, service_account: bool = False
) -> str:
    """The Fortnox authorize URL for this integration; ``service_account`` adds
    ``account_type=service``, which makes the approval (by a system administrator of the
    company) create the service-account consent that client credentials need (review H3:
    "You have to use account_type=service for the consent to be created")."""
    params = {
        "client_id": settings.client_id,
        "redirect_uri": redirect_uri,
        "scope": settings.scopes,
        "state": state,
        "access_type": "offline",
        "response_type": "code",
    }
    if service_account:
        params["account_type"] = "service"
    return f"{settings.authorize_url}?{urlencode(params)}"


def _listener(redirect_uri: str) -> tuple[str, int, str]:
    """``(host as written, port, path)`` of a loopback redirect URI.

    Fortnox redirects only to the exact URI registered for the integration ("must match the
    Redirect URI for the app set in the Developer Portal",
    https://www.fortnox.se/developer/authorization/get-authorization-code), so the URI is used
    as configured: no port is picked here, and port 0 (any free port) is refused.
    """
    parts = urlsplit(redirect_uri)
    if parts.scheme != "http" or parts.hostname not in LOOPBACK_HOSTS:
        raise ConfigError(
            f"redirect_uri {redirect_uri!r} must be a loopback http URL such as "
            f"{DEFAULT_REDIRECT_URI} (set it with --set redirect_uri=...)"
        )
    if parts.port == 0:
        raise ConfigError(
            f"redirect_uri {redirect_uri!r} names port 0, but Fortnox redirects only to the "
            f"exact URI registered in its Developer Portal; set the registered URI with its "
            f"port, such as {DEFAULT_REDIRECT_URI}"
        )
    host = "[::1]" if parts.hostname in ("::1", "[::1]") else parts.hostname
    return host, parts.port or 80, parts.path or "/"


class _Server(ThreadingHTTPServer):
    """The login listener: one daemon thread per connection, so a connection that never
    sends a request (a browser's pre-connect) cannot hold up the redirect (review C1), and
    closing the server never waits for such a connection."""

    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a browser that hung up early is not the user's problem: no traceback


class _V6Server(_Server):
    address_family = socket.AF_INET6


def _server(host: str, port: int, callback: _Callback) -> ThreadingHTTPServer:
    if host == "[::1]":
        return _V6Server(("::1", port), _handler(callback))
    # "localhost" is bound as 127.0.0.1: a browser may resolve it either way, but Fortnox
    # redirects to exactly the URI we send, so keep that spelling in the URL.
    return _Server(("127.0.0.1", port), _handler(callback))


def login(
    settings: FortnoxSettings,
    store: TokenStore,
    *,
    open_browser: bool = True,
    show: Callable[[str], None] = print,
    timeout: Seconds = 300.0,
    transport: httpx.BaseTransport | None = None,
    service_account: bool = False,
) -> dict[str, Any]:
    """Run the authorization-code flow and save the tokens; return what was saved.
    ``service_account``: ask with ``account_type=service`` (see :func:`authorize_url`)."""
    host, port, path = _listener(settings.redirect_uri)
    state = secrets.token_urlsafe(24)
    callback = _Callback(expected_state=state, path=path)
    try:
        server = _server(host, port, callback)
    except OSError as exc:
        raise ConfigError(
            f"cannot listen on {host}:{port} for the login redirect ({exc.strerror}); "
            f"free the port or change `redirect_uri`"
        ) from exc
    redirect_uri = settings.redirect_uri
    url = authorize_url(settings, redirect_uri, state, service_account=service_account)
    # The whole wait, the browser included, counts against ``timeout``.
    deadline = time.monotonic() + timeout
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.daemon = True
    thread.start()
    try:
        if open_browser:
            show("Opening the browser to log in to Fortnox. If it does not open, visit:")
        else:
            show("Open this URL in a browser to log in to Fortnox and approve ledgerlink:")
        show(url)
        if open_browser:
            webbrowser.open(url)
        while not callback.done.wait(0.2):
            if time.monotonic() >= deadline:
                raise AuthenticationError(
                    f"no answer from the Fortnox login within {timeout:g} s; run "
                    f"`ledgerlink fortnox login` again"
                )
    finally:
        server.shutdown()
        server.server_close()
    if callback.code is None:
        raise AuthenticationError(f"Fortnox login failed: {callback.error}")
    client = _oauth_client(settings)
    request = client.token_request(
        "authorization_code", code=callback.code, redirect_uri=redirect_uri
    )
    data = tokens_from_response(
        _send(request, settings, transport), grant="authorization_code", client=client
    )
    data["requested_scopes"] = settings.scopes
    data["base_url"] = settings.base_url
    store.save(data)
    return data


def login_client_credentials(
    settings: FortnoxSettings,
    store: TokenStore,
    *,
    transport: httpx.BaseTransport | None = None,
    tenant_id: str | None = None,
) -> dict[str, Any]:
    """Get a service-account token (client credentials + ``TenantId``: ``tenant_id`` or the
    setting) and save it. Works only once the company has a service-account consent
    (``ledgerlink fortnox login --service-account``)."""
    tenant_id = tenant_id or settings.tenant_id
    if not tenant_id:
        raise ConfigError(
            "a service account needs `tenant_id` (the company's DatabaseNumber): "
            "--set tenant_id=... or LEDGERLINK_FORTNOX__TENANT_ID, or create the consent "
            "with `ledgerlink fortnox login --service-account`"
        )
    client = dataclasses.replace(_oauth_client(settings), tenant_id=tenant_id)
    request = client.token_request("client_credentials")
    data = tokens_from_response(
        _send(request, settings, transport), grant="client_credentials", client=client
    )
    data["base_url"] = settings.base_url
    store.save(data)
    return data


@dataclass(frozen=True)
class Company:
    """Which company a login reaches (``/3/companyinformation``)."""

    org_nr: str
    name: str
    database_number: str


def identify(
    settings: FortnoxSettings, store: TokenStore, *, transport: httpx.BaseTransport | None = None
) -> Company:
    """Ask Fortnox which company the tokens in ``store`` reach."""
    from ledgerlink_fortnox.client import FortnoxClient
    from ledgerlink_fortnox.convert import field as get

    client = FortnoxClient(settings, store, transport=transport)
    try:
        body = client.get_json("companyinformation", action="reading company information")
    finally:
        client.close()
    info = get(body, "CompanyInformation", {}) or {}
    org = str(get(info, "OrganizationNumber") or "")
    if not org_key(org):
        raise BackendError(
            "Fortnox did not say which company the login reaches (no OrganizationNumber in "
            "/3/companyinformation)"
        )
    return Company(
        org_nr=org,
        name=str(get(info, "CompanyName") or ""),
        database_number=str(get(info, "DatabaseNumber") or ""),
    )


def _oauth_client(settings: FortnoxSettings) -> OAuthClient:
    return OAuthClient(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        token_url=settings.token_url,
        tenant_id=settings.tenant_id,
    )


def _send(
    request: httpx.Request, settings: FortnoxSettings, transport: httpx.BaseTransport | None
) -> httpx.Response:
    timeout = httpx.Timeout(settings.timeout, connect=settings.connect_timeout)
    bounded = DeadlineTransport(transport or httpx.HTTPTransport(), settings.request_deadline)
    try:
        with httpx.Client(transport=bounded, timeout=timeout) as http:
            response = http.send(request)
            response.read()
            return response
    except httpx.TransportError as exc:
        raise BackendUnavailable(
            f"cannot reach the Fortnox login service at {settings.oauth_url} ({exc}); check the "
            f"network and the `oauth_url` setting"
        ) from exc


def revoke(
    settings: FortnoxSettings,
    data: dict[str, Any],
    *,
    transport: httpx.BaseTransport | None = None,
) -> bool:
    """Revoke the stored refresh token; True when Fortnox confirmed it.

    As documented (https://www.fortnox.se/developer/authorization/revoke-access-token):
    ``POST <oauth_url>/revoke`` with Basic auth and ``token_type_hint=refresh_token&token=...``,
    answered ``{"revoked":true}``. Fortnox does not revoke access tokens ("not supported for
    Authorization Code Flow due to their short lifespan"), so a store without a refresh token
    (a service account's) is only deleted: this returns False without a request.
    """
    token = data.get("refresh_token")
    if not token:
        return False
    client = _oauth_client(settings)
    request = httpx.Request(
        "POST",
        f"{settings.oauth_url}/revoke",
        data={"token_type_hint": "refresh_token", "token": str(token)},
        headers={"Authorization": client.basic_header(), "Accept": "application/json"},
    )
    try:
        response = _send(request, settings, transport)
    except BackendUnavailable:
        return False
    if response.status_code not in (200, 204):
        return False
    try:
        body = response.json() if response.content else {}
    except ValueError:
        body = {}
    return not (isinstance(body, dict) and body.get("revoked") is False)


def status(store: TokenStore, *, now: float | None = None) -> dict[str, Any]:
    """What is known about the stored login, never the tokens themselves."""
    data = checked(store).load()
    if not data:
        return {"logged_in": False}
    clock = time.time() if now is None else now
    expires_at = float(data.get("expires_at", 0))
    refresh_expires = data.get("refresh_expires_at")
    can_renew = data.get("grant") == "client_credentials" or (
        bool(data.get("refresh_token"))
        and (refresh_expires is None or float(refresh_expires) > clock)
    )
    return {
        "logged_in": can_renew or expires_at > clock,
        "grant": data.get("grant"),
        "scopes": str(data.get("scope") or "").split(),
        "client_id": data.get("client_id"),
        "token_url": data.get("token_url"),
        "base_url": data.get("base_url"),
        "tenant_id": data.get("tenant_id"),
        "access_token_expires_at": _iso(expires_at),
        "access_token_valid": expires_at > clock,
        "refresh_token_expires_at": _iso(float(refresh_expires)) if refresh_expires else None,
    }


def _iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))
