"""OAuth2 as Fortnox does it, over real HTTP: authorize, code, refresh rotation, client
credentials, expiry, revocation and the bearer check on the API."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

import httpx
from ledgerlink_fortnox_emulator import RunningEmulator

EmulatorFactory = Callable[..., RunningEmulator]

REDIRECT = "http://127.0.0.1:47865/callback"  # the default registered redirect URI


def _basic(emu: RunningEmulator, secret: str | None = None) -> dict[str, str]:
    raw = f"{emu.config.client_id}:{secret or emu.config.client_secret}".encode()
    return {"Authorization": "Basic " + base64.b64encode(raw).decode()}


def _authorize(emu: RunningEmulator, **params: str) -> httpx.Response:
    query = {
        "client_id": emu.config.client_id,
        "response_type": "code",
        "state": "xyz-123",
        "scope": "bookkeeping companyinformation",
        "redirect_uri": REDIRECT,
        "access_type": "offline",
        **params,
    }
    return httpx.get(emu.oauth_base + "/auth", params=query)


def _query(response: httpx.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(REDIRECT)
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def _token(emu: RunningEmulator, form: dict[str, str], **headers: str) -> httpx.Response:
    return httpx.post(emu.oauth_base + "/token", data=form, headers={**_basic(emu), **headers})


def _code_tokens(emu: RunningEmulator, **params: str) -> dict[str, object]:
    code = _query(_authorize(emu, **params))["code"]
    answer = _token(
        emu, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _company(emu: RunningEmulator, token: object) -> httpx.Response:
    return httpx.get(
        emu.api_base + "/companyinformation", headers={"Authorization": f"Bearer {token}"}
    )


def test_authorization_code_flow_end_to_end(small: RunningEmulator) -> None:
    query = _query(_authorize(small))
    assert query["state"] == "xyz-123"
    answer = _token(
        small,
        {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT},
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert set(body["scope"].split()) == {"bookkeeping", "companyinformation"}
    assert body["refresh_token"]
    # The access token is a JWT whose claims carry the tenant id, readable without the key.
    claims_part = body["access_token"].split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(claims_part + "=" * (-len(claims_part) % 4)))
    assert claims["tenantId"] == small.config.tenant_id
    company = _company(small, body["access_token"])
    assert company.status_code == 200
    assert company.json()["CompanyInformation"]["DatabaseNumber"] == small.config.tenant_id
    # A code is single-use.
    again = _token(
        small,
        {"grant_type": "authorization_code", "code": query["code"], "redirect_uri": REDIRECT},
    )
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"


def test_authorize_errors(small: RunningEmulator) -> None:
    assert _authorize(small, client_id="someone-else").status_code == 400
    assert _authorize(small, redirect_uri="https://evil.example/cb").status_code == 400
    assert _query(_authorize(small, state=""))["error"] == "invalid_request"
    bad_scope = _query(_authorize(small, scope="bookkeeping salary"))
    assert bad_scope["error"] == "invalid_scope"
    assert bad_scope["state"] == "xyz-123"
    assert _query(_authorize(small, response_type="token"))["error"] == (
        "unsupported_response_type"
    )


def test_token_endpoint_requires_basic_client_auth(small: RunningEmulator) -> None:
    code = _query(_authorize(small))["code"]
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    no_auth = httpx.post(small.oauth_base + "/token", data=form)
    assert no_auth.status_code == 401
    assert no_auth.json()["error"] == "invalid_client"
    wrong = httpx.post(small.oauth_base + "/token", data=form, headers=_basic(small, "nope"))
    assert wrong.status_code == 401
    mismatch = _token(small, {**form, "redirect_uri": "http://127.0.0.1:1/other"})
    assert mismatch.status_code == 400
    assert _token(small, {"grant_type": "password"}).json()["error"] == "unsupported_grant_type"


def test_refresh_tokens_rotate_and_are_single_use(small: RunningEmulator) -> None:
    first = _code_tokens(small)
    refreshed = _token(
        small, {"grant_type": "refresh_token", "refresh_token": str(first["refresh_token"])}
    )
    assert refreshed.status_code == 200
    second = refreshed.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    reused = _token(
        small, {"grant_type": "refresh_token", "refresh_token": str(first["refresh_token"])}
    )
    assert reused.status_code == 400
    assert reused.json() == {"error": "invalid_grant", "error_description": "Invalid refresh token"}
    third = _token(small, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
    assert third.status_code == 200
    assert _company(small, third.json()["access_token"]).status_code == 200
    assert small.auth.refreshes == 2


def test_refresh_token_lifetime_and_offline_access(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(access_token_lifetime=0.3, refresh_token_lifetime=60.0)
    offline = _code_tokens(emu)
    online = _code_tokens(emu, access_type="")
    time.sleep(0.4)
    # Without access_type=offline the refresh token dies with the access token.
    dead = _token(
        emu, {"grant_type": "refresh_token", "refresh_token": str(online["refresh_token"])}
    )
    assert dead.status_code == 400
    alive = _token(
        emu, {"grant_type": "refresh_token", "refresh_token": str(offline["refresh_token"])}
    )
    assert alive.status_code == 200
    short = small_emulator_factory(refresh_token_lifetime=0.2)
    tokens = short.issue_tokens()
    time.sleep(0.3)
    expired = _token(
        short, {"grant_type": "refresh_token", "refresh_token": str(tokens["refresh_token"])}
    )
    assert expired.json()["error_description"] == "Invalid refresh token"


def test_access_tokens_expire(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(access_token_lifetime=1.0)
    token = emu.issue_tokens()["access_token"]
    assert _company(emu, token).status_code == 200
    time.sleep(1.05)
    expired = _company(emu, token)
    assert expired.status_code == 401
    assert expired.json() == {"message": "unauthorized"}  # as Fortnox answers, no ErrorInformation
    assert expired.headers["content-type"].startswith("application/json")


def test_bearer_is_required_and_legacy_headers_are_refused(small: RunningEmulator) -> None:
    none = httpx.get(small.api_base + "/companyinformation")
    assert none.status_code == 401
    assert none.json()["ErrorInformation"]["code"] == 2000311
    legacy = httpx.get(
        small.api_base + "/companyinformation",
        headers={"Access-Token": "abc", "Client-Secret": small.config.client_secret},
    )
    assert legacy.status_code == 401
    invalid = _company(small, "not-a-token")
    assert (invalid.status_code, invalid.json()) == (401, {"message": "unauthorized"})


def test_client_credentials_grant(small: RunningEmulator) -> None:
    tenant = str(small.config.tenant_id)
    # No service-account consent yet: refused (review H3), whatever the credentials.
    fresh = _token(small, {"grant_type": "client_credentials"}, TenantId=tenant)
    assert fresh.status_code == 400 and fresh.json()["error"] == "invalid_grant"
    _code_tokens(small, account_type="service")  # an administrator creates the consent
    answer = _token(small, {"grant_type": "client_credentials"}, TenantId=tenant)
    assert answer.status_code == 200
    body = answer.json()
    assert "refresh_token" not in body
    assert body["expires_in"] == 3600
    assert _company(small, body["access_token"]).status_code == 200
    missing = _token(small, {"grant_type": "client_credentials"})
    assert missing.status_code == 400
    assert missing.json()["error"] == "invalid_request"
    wrong = _token(small, {"grant_type": "client_credentials"}, TenantId="999")
    assert wrong.json()["error"] == "invalid_grant"


def test_service_accounts_can_be_disabled(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(allow_service_account=False)
    refused = _token(emu, {"grant_type": "client_credentials"}, TenantId=str(emu.config.tenant_id))
    assert refused.json()["error"] == "unauthorized_client"
    assert _query(_authorize(emu, account_type="service"))["error"] == "unauthorized_client"


def _revoke(emu: RunningEmulator, **form: str) -> httpx.Response:
    return httpx.post(emu.oauth_base + "/revoke", data=form, headers=_basic(emu))


def test_revoking_a_refresh_token_as_documented(small: RunningEmulator) -> None:
    tokens = small.issue_tokens()
    refresh = str(tokens["refresh_token"])
    revoked = _revoke(small, token_type_hint="refresh_token", token=refresh)
    assert revoked.status_code == 200
    assert revoked.json() == {"revoked": True}
    again = _token(small, {"grant_type": "refresh_token", "refresh_token": refresh})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant"
    # The access token lives on until it expires: revoking stops new ones only.
    assert _company(small, tokens["access_token"]).status_code == 200


def test_revoking_access_tokens_or_without_the_hint_is_refused(small: RunningEmulator) -> None:
    tokens = small.issue_tokens()
    access, refresh = str(tokens["access_token"]), str(tokens["refresh_token"])
    for form in (
        {"token": refresh},  # no hint
        {"token_type_hint": "access_token", "token": refresh},
        {"token_type_hint": "access_token", "token": access},
        {"token_type_hint": "refresh_token", "token": access},  # an access token all the same
    ):
        refused = _revoke(small, **form)
        assert refused.status_code == 400, form
        assert refused.json()["error"] == "unsupported_token_type"
    assert _company(small, access).status_code == 200
    still = _token(small, {"grant_type": "refresh_token", "refresh_token": refresh})
    assert still.status_code == 200
    no_client = httpx.post(
        small.oauth_base + "/revoke", data={"token_type_hint": "refresh_token", "token": "x"}
    )
    assert no_client.status_code == 401


def test_redirect_uri_must_match_the_registered_one_exactly(
    small_emulator_factory: EmulatorFactory,
) -> None:
    emu = small_emulator_factory()
    near_misses = (
        "http://127.0.0.1:40000/callback",  # another port: no loopback wildcard
        "http://127.0.0.1/callback",
        "http://localhost:47865/callback",
        "http://127.0.0.1:47865/callback/",
        "http://127.0.0.1:47865/other",
        "https://127.0.0.1:47865/callback",
    )
    for uri in near_misses:
        refused = _authorize(emu, redirect_uri=uri)
        assert refused.status_code == 400, uri
        assert refused.text == "Invalid redirect_uri"
        assert "location" not in refused.headers
    assert _query(_authorize(emu))["code"]
    # A test that logs in on its own port registers exactly that URI.
    own = "http://127.0.0.1:40000/callback"
    custom = small_emulator_factory(redirect_uris=(own,))
    answer = _authorize(custom, redirect_uri=own)
    assert answer.status_code == 302
    assert answer.headers["location"].startswith(own + "?code=")
    assert _authorize(custom).status_code == 400  # the default is not registered there


def test_authorization_codes_expire(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(auth_code_lifetime=0.1)
    code = _query(_authorize(emu))["code"]
    time.sleep(0.2)
    late = _token(emu, {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT})
    assert late.status_code == 400
    assert late.json() == {
        "error": "invalid_grant",
        "error_description": "Authorization code has expired",
    }
