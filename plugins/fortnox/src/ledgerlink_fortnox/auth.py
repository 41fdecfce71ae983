"""OAuth2 for Fortnox: token requests and the ``httpx.Auth`` flow that keeps tokens fresh.

Fortnox refresh tokens are single-use and rotate on every refresh, so the flow

* refreshes *proactively* a margin before expiry, and once *reactively* on a 401;
* yields the refresh request, so it goes through the same client and transport (rate limit,
  tests' transports) as the API calls;
* refreshes under the token store's cross-process lock and re-reads the store first: when
  another thread or process already rotated, its tokens are used instead of burning the
  (already spent) refresh token;
* saves the new pair atomically before the original request is retried;
* records in the store that a refresh is under way *before* sending it, and clears that
  when the answer is saved: an answer that never comes (a timeout after sending) may hide a
  rotation, so when the next refresh with the old token is refused, the error says that the
  answer was lost and the login must be renewed, not that the token was misused.
"""

from __future__ import annotations

import base64
import dataclasses
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import httpx
from ledgerlink_core import AuthenticationError, Seconds, TokenStore
from pydantic import SecretStr

from ledgerlink_fortnox.errors import (
    LOGIN_AGAIN,
    is_invalid_refresh_token,
    parse_error,
    to_ledgerlink_error,
)
from ledgerlink_fortnox.tokens import checked

REFRESH_TOKEN_LIFETIME = 45 * 24 * 3600  # seconds; Fortnox does not say it in the response
REFRESH_SENT = "refresh_sent_at"
"""Store key: when a refresh was sent whose answer has not been saved (absent otherwise)."""
LOST_REFRESH = (
    "the answer to the last token refresh was lost, and Fortnox had already replaced the "
    "refresh token; log in again: `ledgerlink fortnox login`"
)


@dataclass(frozen=True)
class OAuthClient:
    """The integration's identity at the Fortnox OAuth2 server."""

    client_id: str
    client_secret: SecretStr
    token_url: str
    tenant_id: str | None = None

    def __repr__(self) -> str:
        return f"OAuthClient(client_id={self.client_id!r}, token_url={self.token_url!r})"

    def basic_header(self) -> str:
        """``Basic base64(id:secret)``."""
        raw = f"{self.client_id}:{self.client_secret.get_secret_value()}".encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def token_request(self, grant_type: str, **fields: str) -> httpx.Request:
        """A token-endpoint request for ``grant_type`` with form ``fields``."""
        headers = {"Authorization": self.basic_header(), "Accept": "application/json"}
        if grant_type == "client_credentials":
            if not self.tenant_id:
                raise AuthenticationError(
                    "a service account needs the `tenant_id` setting (the company's "
                    "DatabaseNumber in Fortnox)"
                )
            headers["TenantId"] = self.tenant_id
        return httpx.Request(
            "POST",
            self.token_url,
            data={"grant_type": grant_type, **fields},
            headers=headers,
        )


def tokens_from_response(
    response: httpx.Response,
    *,
    grant: str,
    client: OAuthClient,
    clock: Callable[[], float] = time.time,
) -> dict[str, Any]:
    """Turn a token response into the dict kept in the token store.

    Raises :class:`AuthenticationError` with advice for refused grants.
    """
    if response.status_code != 200:
        info = parse_error(response)
        if grant == "refresh_token" and (is_invalid_refresh_token(info) or info.status == 400):
            raise AuthenticationError(
                f"the Fortnox refresh token was already used, has expired or was revoked; "
                f"{LOGIN_AGAIN}"
            )
        if info.status in (400, 401):
            detail = f" ({info.message})" if info.message else ""
            hint = (
                "check `client_id`, `client_secret` and `tenant_id`, and that the company's "
                "administrator created the service-account consent (`ledgerlink fortnox login "
                "--service-account`)"
                if grant == "client_credentials"
                else f"check `client_id` and `client_secret`, then {LOGIN_AGAIN}"
            )
            raise AuthenticationError(f"Fortnox refused the {grant} grant{detail}; {hint}")
        raise to_ledgerlink_error(response, action="getting a Fortnox access token")
    try:
        body = response.json()
        access = str(body["access_token"])
        expires_in = float(body.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError) as exc:
        raise AuthenticationError("Fortnox sent an unreadable token response") from exc
    now = clock()
    data: dict[str, Any] = {
        "grant": "client_credentials" if grant == "client_credentials" else "authorization_code",
        "access_token": access,
        "token_type": str(body.get("token_type", "bearer")),
        "expires_at": now + expires_in,
        "scope": str(body.get("scope", "")),
        "obtained_at": now,
        "client_id": client.client_id,
        "token_url": client.token_url,
    }
    if body.get("refresh_token"):
        data["refresh_token"] = str(body["refresh_token"])
        data["refresh_expires_at"] = now + REFRESH_TOKEN_LIFETIME
    if client.tenant_id:
        data["tenant_id"] = client.tenant_id
    return data


class FortnoxAuth(httpx.Auth):
    """Bearer auth that refreshes Fortnox tokens proactively and on a 401, safely rotated.

    Thread-safe: one refresh at a time per process (a lock), and per machine (the store's
    file lock). Never shows tokens in ``repr``.
    """

    requires_response_body = True

    def __init__(
        self,
        store: TokenStore,
        client: OAuthClient,
        *,
        margin: Seconds = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.store = checked(store)
        self.client = client
        self.margin = margin
        self._clock = clock
        self._lock = threading.RLock()
        self._tokens: dict[str, Any] | None = None
        self.refreshes = 0
        """How many token requests this auth made (tests, benchmarks)."""

    def __repr__(self) -> str:
        return f"FortnoxAuth(store={self.store!r}, client={self.client!r})"

    # -- helpers --------------------------------------------------------------------------

    def _fresh(self, data: dict[str, Any] | None) -> bool:
        return bool(
            data
            and data.get("access_token")
            and float(data.get("expires_at", 0)) - self.margin > self._clock()
        )

    def _service_account(self, data: dict[str, Any] | None) -> bool:
        if data and data.get("grant") == "client_credentials":
            return True
        return bool(self.client.tenant_id) and not (data and data.get("refresh_token"))

    def _renew(self, stale: str | None) -> Generator[httpx.Request, httpx.Response, str]:
        """Get a usable access token, refreshing unless someone else already did."""
        with self._lock, self.store.lock():
            data = self.store.load()
            if self._fresh(data) and data is not None and data["access_token"] != stale:
                self._tokens = data  # another thread or process rotated already
                return str(data["access_token"])
            client = self.client
            if self._service_account(data):
                # A connection's service account keeps its company's tenant id in the store.
                tenant = str((data or {}).get("tenant_id") or self.client.tenant_id or "")
                client = dataclasses.replace(self.client, tenant_id=tenant or None)
                request = client.token_request("client_credentials")
                grant = "client_credentials"
            else:
                refresh = (data or {}).get("refresh_token")
                if not refresh:
                    raise AuthenticationError(
                        "not logged in to Fortnox; run `ledgerlink fortnox login` first"
                    )
                if float((data or {}).get("refresh_expires_at", float("inf"))) <= self._clock():
                    raise AuthenticationError(
                        f"the Fortnox login has expired (45 days without use); {LOGIN_AGAIN}"
                    )
                request = self.client.token_request("refresh_token", refresh_token=str(refresh))
                grant = "refresh_token"
            self.refreshes += 1
            if grant == "refresh_token" and data is not None:
                response = yield from self._send_refresh(request, data)
            else:
                response = yield request
            try:
                new = tokens_from_response(
                    response,
                    grant=grant,
                    client=client,
                    clock=self._clock,
                )
            except AuthenticationError:
                if data and 400 <= response.status_code < 500:
                    # Recorded so that `ledgerlink connections` can say "refused".
                    self.store.save({**(self.store.load() or data), "refused_at": self._clock()})
                raise
            if data and grant == "client_credentials":
                kept: dict[str, Any] = {
                    k: data[k] for k in ("org_nr", "company", "base_url") if k in data
                }
                new = {**kept, **new}
            if grant == "refresh_token" and data:
                # Keep what the login recorded (e.g. the requested scopes) unless replaced;
                # the answer came, so no refresh is outstanding any more.
                new = {k: v for k, v in {**data, **new}.items() if k != REFRESH_SENT}
            self.store.save(new)  # before anything uses the new access token
            self._tokens = new
            return str(new["access_token"])

    def _send_refresh(
        self, request: httpx.Request, data: dict[str, Any]
    ) -> Generator[httpx.Request, httpx.Response, httpx.Response]:
        """Send a refresh, recorded in the store first (see the module docstring). A refusal
        of a refresh token whose last refresh lost its answer says so; any other refusal is
        an answer, so the record goes (the store is as before); a 5xx may hide a rotation as
        a lost answer does, so the record stays."""
        lost_before = REFRESH_SENT in data
        self.store.save({**data, REFRESH_SENT: self._clock()})
        response = yield request
        if 400 <= response.status_code < 500:
            if lost_before and is_invalid_refresh_token(parse_error(response)):
                raise AuthenticationError(LOST_REFRESH)
            self.store.save(data)
        return response

    def _access_token(self) -> Generator[httpx.Request, httpx.Response, str]:
        with self._lock:
            if self._tokens is None:
                self._tokens = self.store.load()
            data = self._tokens
            if self._fresh(data) and data is not None:
                return str(data["access_token"])
            stale = str(data["access_token"]) if data and data.get("access_token") else None
            return (yield from self._renew(stale))

    # -- the flow -------------------------------------------------------------------------

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Attach a bearer token, refreshing first if it is about to expire, and once on 401."""
        token = yield from self._access_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            token = yield from self._renew(token)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request
