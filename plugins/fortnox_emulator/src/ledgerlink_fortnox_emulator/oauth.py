"""The OAuth2 authorization server, as apps.fortnox.se/oauth-v1 behaves (https://www.fortnox.se/developer/authorization).

Authorization codes live 10 minutes and are single-use; refresh tokens are single-use and
rotate on every refresh (45 days); access tokens are JWTs carrying ``tenantId`` that expire.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import random
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from ledgerlink_core import Seconds

from ledgerlink_fortnox_emulator.config import EmulatorConfig
from ledgerlink_fortnox_emulator.errors import OAuthError


@dataclass(frozen=True, slots=True)
class Grant:
    """What an access token allows: whose data, which scopes, until when."""

    client_id: str
    tenant_id: int
    scopes: frozenset[str]
    expires_at: Seconds  # time.time()
    service_account: bool = False


@dataclass(slots=True)
class _Code:
    client_id: str
    tenant_id: int
    redirect_uri: str | None
    scopes: frozenset[str]
    offline: bool
    service_account: bool
    expires_at: Seconds  # time.time()
    used: bool = False


@dataclass(slots=True)
class _Refresh:
    client_id: str
    tenant_id: int
    scopes: frozenset[str]
    offline: bool
    service_account: bool
    expires_at: Seconds  # time.time()


class AnswerLost(Exception):
    """The grant is done (tokens rotated) but its answer must not reach the client."""


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class AuthServer:
    """Codes and tokens of one emulated Fortnox. Thread-safe."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, Grant] = {}
        self._refresh: dict[str, _Refresh] = {}
        self._signing_key = secrets.token_bytes(32)
        self.refreshes = 0
        """How many refresh_token grants succeeded (inspection)."""
        self.lost_refresh_answers = 0
        """How many of those had their answer dropped (``drop_refresh_answer_rate``)."""
        self._faults = random.Random(config.seed + 2)
        self._consents: set[tuple[str, int]] = {
            (config.client_id, int(t)) for t in config.service_consents
        }
        self.tenant_for_login: Callable[[], int] = lambda: self.config.tenant_id
        """The tenant the test user picks at the next approval (set by the app, which knows
        the companies; ``login_tenant``)."""

    def has_consent(self, tenant_id: int) -> bool:
        """Whether the app has a service-account consent in ``tenant_id``."""
        with self._lock:
            return (self.config.client_id, tenant_id) in self._consents

    def revoke_tenant(self, tenant_id: int) -> None:
        """The company removed the integration: every token and consent of ``tenant_id`` is
        gone at once (what a user does under Integrations in Fortnox)."""
        with self._lock:
            self._consents = {c for c in self._consents if c[1] != tenant_id}
            self._refresh = {k: v for k, v in self._refresh.items() if v.tenant_id != tenant_id}
            self._access = {k: v for k, v in self._access.items() if v.tenant_id != tenant_id}
            self._codes = {k: v for k, v in self._codes.items() if v.tenant_id != tenant_id}

    # --- /oauth-v1/auth -------------------------------------------------------------------------

    def redirect_uri_allowed(self, uri: str) -> bool:
        """True when ``uri`` is exactly a registered redirect URI: Fortnox says it "must match
        the Redirect URI for the app set in the Developer Portal" and documents no port
        wildcard, not even for loopback addresses."""
        return uri in self.config.redirect_uris

    def authorize(self, params: dict[str, str]) -> tuple[int, str]:
        """Answer the authorize request: ``(302, location)`` or ``(400, plain-text reason)``.

        The configured test user is logged in and approves at once.
        """
        client_id = params.get("client_id", "")
        if client_id != self.config.client_id:
            return 400, "Invalid client_id"
        redirect_uri = params.get("redirect_uri") or self.config.redirect_uris[0]
        if not self.redirect_uri_allowed(redirect_uri):
            return 400, "Invalid redirect_uri"
        state = params.get("state")

        def back(**query: str) -> tuple[int, str]:
            if state is not None:
                query["state"] = state
            sep = "&" if urlsplit(redirect_uri).query else "?"
            return 302, f"{redirect_uri}{sep}{urlencode(query)}"

        if params.get("response_type") != "code":
            return back(
                error="unsupported_response_type", error_description="response_type must be code"
            )
        if not state:
            return back(error="invalid_request", error_description="state is required")
        scopes = frozenset(params.get("scope", "").split())
        if not scopes:
            return back(error="invalid_scope", error_description="scope is required")
        unknown = scopes - self.config.granted_scopes
        if unknown:
            return back(
                error="invalid_scope",
                error_description=f"The client is not allowed scope: {' '.join(sorted(unknown))}",
            )
        service = params.get("account_type") == "service"
        if service and not self.config.allow_service_account:
            return back(
                error="unauthorized_client",
                error_description="Client does not allow service account",
            )
        code = secrets.token_urlsafe(24)
        tenant = self.tenant_for_login()
        with self._lock:
            self._codes[code] = _Code(
                client_id,
                tenant,
                params.get("redirect_uri"),
                scopes,
                params.get("access_type") == "offline",
                service,
                time.time() + self.config.auth_code_lifetime,
            )
        return back(code=code)

    # --- /oauth-v1/token ------------------------------------------------------------------------

    def _client(self, authorization: str | None) -> str:
        """Check HTTP Basic client authentication; return the client id."""
        if not authorization or not authorization.lower().startswith("basic "):
            raise OAuthError(401, "invalid_client", "Client authentication is required")
        try:
            raw = base64.b64decode(authorization[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError(401, "invalid_client", "Malformed client authentication") from None
        client_id, _, secret = raw.partition(":")
        ok_id = hmac.compare_digest(client_id, self.config.client_id)
        ok_secret = hmac.compare_digest(secret, self.config.client_secret)
        if not (ok_id and ok_secret):
            raise OAuthError(401, "invalid_client", "Invalid client credentials")
        return client_id

    def token(
        self, form: dict[str, str], authorization: str | None, tenant_header: str | None
    ) -> dict[str, object]:
        """Answer a token request (raises :class:`OAuthError`)."""
        client_id = self._client(authorization)
        grant_type = form.get("grant_type", "")
        if grant_type == "authorization_code":
            return self._from_code(client_id, form)
        if grant_type == "refresh_token":
            return self._from_refresh(client_id, form.get("refresh_token", ""))
        if grant_type == "client_credentials":
            return self._from_client_credentials(client_id, tenant_header)
        raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type: {grant_type}")

    def _from_code(self, client_id: str, form: dict[str, str]) -> dict[str, object]:
        code = form.get("code", "")
        with self._lock:
            found = self._codes.get(code)
            if found is None or found.used or found.client_id != client_id:
                raise OAuthError(400, "invalid_grant", "Invalid authorization code")
            found.used = True
            if time.time() > found.expires_at:
                raise OAuthError(400, "invalid_grant", "Authorization code has expired")
            if found.redirect_uri is not None and form.get("redirect_uri") != found.redirect_uri:
                raise OAuthError(400, "invalid_grant", "redirect_uri does not match")
            if found.service_account:
                # An administrator approved with account_type=service: the consent that
                # client credentials need from now on.
                self._consents.add((client_id, found.tenant_id))
            return self._mint(
                client_id, found.tenant_id, found.scopes, found.offline, found.service_account
            )

    def _from_refresh(self, client_id: str, token: str) -> dict[str, object]:
        with self._lock:
            found = self._refresh.pop(token, None)  # single use: gone whatever happens next
            if found is None or found.client_id != client_id or time.time() > found.expires_at:
                raise OAuthError(400, "invalid_grant", "Invalid refresh token")
            self.refreshes += 1
            answer = self._mint(
                client_id, found.tenant_id, found.scopes, found.offline, found.service_account
            )
            # One draw per successful refresh, so a seed gives the same sequence of losses.
            if self._faults.random() < self.config.drop_refresh_answer_rate:
                self.lost_refresh_answers += 1
                raise AnswerLost("refresh answer dropped after rotating the tokens")
            return answer

    def _from_client_credentials(self, client_id: str, tenant: str | None) -> dict[str, object]:
        if not tenant:
            raise OAuthError(400, "invalid_request", "The TenantId header is required")
        if not self.config.allow_service_account:
            raise OAuthError(400, "unauthorized_client", "Client does not allow service account")
        try:
            tenant_id = int(tenant.strip())
        except ValueError:
            raise OAuthError(400, "invalid_request", "The TenantId header is invalid") from None
        with self._lock:
            # Only after an administrator's approval with account_type=service (H3): "You
            # have to use account_type=service for the consent to be created".
            if (client_id, tenant_id) not in self._consents:
                raise OAuthError(400, "invalid_grant", "No service account consent for this tenant")
            answer = self._mint(client_id, tenant_id, self.config.granted_scopes, False, True)
        answer.pop("refresh_token", None)
        return answer

    def _mint(
        self, client_id: str, tenant_id: int, scopes: frozenset[str], offline: bool, service: bool
    ) -> dict[str, object]:
        """New access and refresh tokens for ``tenant_id`` (caller holds the lock)."""
        now = time.time()
        lifetime = self.config.access_token_lifetime
        grant = Grant(client_id, tenant_id, scopes, now + lifetime, service)
        access = self._jwt(grant, now)
        self._access[access] = grant
        refresh = str(uuid.uuid4())
        # Without access_type=offline the refresh token dies with the access token: the
        # reported cause of refresh tokens "expiring within hours"
        # (softwerkab/fortnox-csharp-api-sdk issue 234).
        refresh_life = self.config.refresh_token_lifetime if offline else lifetime
        self._refresh[refresh] = _Refresh(
            client_id, tenant_id, scopes, offline, service, now + refresh_life
        )
        return {
            "access_token": access,
            "refresh_token": refresh,
            "scope": " ".join(sorted(scopes)),
            "expires_in": int(lifetime) if lifetime == int(lifetime) else lifetime,
            "token_type": "bearer",
        }

    def _jwt(self, grant: Grant, now: float) -> str:
        header = {"alg": "HS256", "typ": "JWT"}
        claims = {
            "iss": "ledgerlink-fortnox-emulator",
            "sub": self.config.user_email,
            "tenantId": grant.tenant_id,
            "clientId": grant.client_id,
            "scope": " ".join(sorted(grant.scopes)),
            "iat": int(now),
            "exp": int(grant.expires_at),
            "jti": uuid.uuid4().hex,
        }
        signing_input = (
            _b64url(json.dumps(header, separators=(",", ":")).encode())
            + "."
            + _b64url(json.dumps(claims, separators=(",", ":")).encode())
        )
        signature = hmac.new(self._signing_key, signing_input.encode(), hashlib.sha256).digest()
        return signing_input + "." + _b64url(signature)

    # --- /oauth-v1/revoke and helpers ------------------------------------------------------------

    def revoke(self, form: dict[str, str], authorization: str | None) -> dict[str, object]:
        """Revoke a refresh token as Fortnox documents it: Basic client auth and
        ``token_type_hint=refresh_token&token=...``, answered ``{"revoked": true}``.

        Revoking access tokens "is not supported for Authorization Code Flow", so an access
        token, or a request without the hint, is refused with ``unsupported_token_type``.
        Access tokens already issued stay valid until they expire; an unknown refresh token
        is answered as revoked (RFC 7009 §2.2)."""
        self._client(authorization)
        token = form.get("token", "")
        if not token:
            raise OAuthError(400, "invalid_request", "token is required")
        with self._lock:
            if form.get("token_type_hint") != "refresh_token" or token in self._access:
                raise OAuthError(
                    400,
                    "unsupported_token_type",
                    "Only refresh tokens can be revoked (token_type_hint=refresh_token)",
                )
            self._refresh.pop(token, None)
        return {"revoked": True}

    def check_bearer(self, token: str) -> Grant | None:
        """The grant behind a bearer token, or None when it is unknown or expired."""
        with self._lock:
            grant = self._access.get(token)
        if grant is None or time.time() >= grant.expires_at:
            return None
        return grant

    def issue(
        self,
        scopes: frozenset[str] | None = None,
        *,
        offline: bool = True,
        tenant_id: int | None = None,
    ) -> dict[str, object]:
        """Mint tokens directly, as if the test user had approved for ``tenant_id`` (None:
        the first company) (tests)."""
        with self._lock:
            return self._mint(
                self.config.client_id,
                self.config.tenant_id if tenant_id is None else tenant_id,
                scopes if scopes is not None else self.config.granted_scopes,
                offline,
                False,
            )

    def expire_access_tokens(self) -> None:
        """Make every access token expire now (tests of refresh on 401)."""
        with self._lock:
            for token, grant in list(self._access.items()):
                self._access[token] = Grant(
                    grant.client_id, grant.tenant_id, grant.scopes, 0.0, grant.service_account
                )
