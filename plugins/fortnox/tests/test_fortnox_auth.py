"""FortnoxAuth: proactive and reactive refresh, rotation saved first, store settles races."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
from ledgerlink_core.errors import AuthenticationError
from ledgerlink_core.tokens import FileTokenStore, MemoryTokenStore
from ledgerlink_fortnox.auth import LOST_REFRESH, REFRESH_SENT, FortnoxAuth, OAuthClient
from pydantic import SecretStr

TOKEN_URL = "https://apps.example/oauth-v1/token"
CLIENT = OAuthClient("cid", SecretStr("csecret"), TOKEN_URL)


class FakeFortnox:
    """Single-use rotating refresh tokens, like Fortnox."""

    def __init__(self) -> None:
        self.generation = 0
        self.valid_refresh = {"r0"}
        self.valid_access = {"a0"}
        self.refresh_calls = 0
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            assert request.headers["Authorization"].startswith("Basic ")
            form = dict(httpx.QueryParams(request.content.decode()))
            with self.lock:
                self.refresh_calls += 1
                if form.get("refresh_token") not in self.valid_refresh:
                    return httpx.Response(
                        400,
                        json={
                            "error": "invalid_grant",
                            "error_description": "Invalid refresh token",
                        },
                    )
                self.valid_refresh.discard(form["refresh_token"])
                self.generation += 1
                g = self.generation
                self.valid_refresh.add(f"r{g}")
                self.valid_access = {f"a{g}"}
            return httpx.Response(
                200,
                json={
                    "access_token": f"a{g}",
                    "refresh_token": f"r{g}",
                    "expires_in": 3600,
                    "scope": "bookkeeping",
                    "token_type": "bearer",
                },
            )
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        if token not in self.valid_access:
            return httpx.Response(401, json={"message": "unauthorized"})
        return httpx.Response(200, json={"token": token})


def _tokens(expires_in: float) -> dict[str, object]:
    return {
        "grant": "authorization_code",
        "access_token": "a0",
        "refresh_token": "r0",
        "expires_at": time.time() + expires_in,
    }


def test_valid_token_used_as_is() -> None:
    fake = FakeFortnox()
    store = MemoryTokenStore(_tokens(3600))
    with httpx.Client(transport=httpx.MockTransport(fake), auth=FortnoxAuth(store, CLIENT)) as c:
        assert c.get("https://api.example/3/x").json() == {"token": "a0"}
    assert fake.refresh_calls == 0


def test_proactive_refresh_saves_rotated_pair_first() -> None:
    fake = FakeFortnox()
    store = MemoryTokenStore(_tokens(10))  # inside the 60 s margin
    with httpx.Client(transport=httpx.MockTransport(fake), auth=FortnoxAuth(store, CLIENT)) as c:
        assert c.get("https://api.example/3/x").json() == {"token": "a1"}
    saved = store.load()
    assert saved is not None and saved["refresh_token"] == "r1" and saved["access_token"] == "a1"
    assert fake.refresh_calls == 1


def test_reactive_refresh_on_401_once() -> None:
    fake = FakeFortnox()
    fake.valid_access = set()  # the server revoked a0 although it has not expired
    store = MemoryTokenStore(_tokens(3600))
    with httpx.Client(transport=httpx.MockTransport(fake), auth=FortnoxAuth(store, CLIENT)) as c:
        assert c.get("https://api.example/3/x").json() == {"token": "a1"}
    assert fake.refresh_calls == 1


def test_invalid_refresh_token_says_login_again() -> None:
    fake = FakeFortnox()
    fake.valid_refresh = set()
    store = MemoryTokenStore(_tokens(0))
    with (
        httpx.Client(transport=httpx.MockTransport(fake), auth=FortnoxAuth(store, CLIENT)) as c,
        pytest.raises(AuthenticationError, match="ledgerlink fortnox login"),
    ):
        c.get("https://api.example/3/x")


def test_not_logged_in() -> None:
    with (
        httpx.Client(
            transport=httpx.MockTransport(FakeFortnox()),
            auth=FortnoxAuth(MemoryTokenStore(), CLIENT),
        ) as c,
        pytest.raises(AuthenticationError, match="not logged in"),
    ):
        c.get("https://api.example/3/x")


def test_two_auths_sharing_a_store_never_burn_the_refresh_token(tmp_path: Path) -> None:
    """Like two processes: separate FortnoxAuth objects, one token file."""
    fake = FakeFortnox()
    path = tmp_path / "fortnox.json"
    FileTokenStore(path).save(_tokens(0))
    results: list[object] = []

    def run() -> None:
        auth = FortnoxAuth(FileTokenStore(path), CLIENT)
        with httpx.Client(transport=httpx.MockTransport(fake), auth=auth) as c:
            for _ in range(5):
                results.append(c.get("https://api.example/3/x").status_code)

    threads = [threading.Thread(target=run) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 30
    assert fake.refresh_calls == 1


def test_client_credentials_when_tenant_id_is_set() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            seen.append(request)
            return httpx.Response(200, json={"access_token": "cc1", "expires_in": 3600})
        return httpx.Response(200, json={"auth": request.headers["Authorization"]})

    client = OAuthClient("cid", SecretStr("s"), TOKEN_URL, tenant_id="1234567")
    store = MemoryTokenStore()
    with httpx.Client(transport=httpx.MockTransport(handler), auth=FortnoxAuth(store, client)) as c:
        assert c.get("https://api.example/3/x").json() == {"auth": "Bearer cc1"}
    assert seen[0].headers["TenantId"] == "1234567"
    assert b"grant_type=client_credentials" in seen[0].content
    saved = store.load()
    assert saved is not None and "refresh_token" not in saved
    assert "csecret" not in repr(client) and "s'" not in repr(client)


def _lost_answer(fake: FakeFortnox, *, processed: bool) -> httpx.MockTransport:
    """The token endpoint's answer never arrives: Fortnox got the refresh (``processed``, so
    it rotated) or not, and the connection then timed out."""

    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            if processed:
                fake(request)
            raise httpx.ReadTimeout("no answer", request=request)
        return fake(request)

    return httpx.MockTransport(handler)


def test_a_lost_refresh_answer_is_recorded_and_explained() -> None:
    fake = FakeFortnox()
    store = MemoryTokenStore(_tokens(0))
    seen: list[object] = []

    def recording(request: httpx.Request) -> httpx.Response:
        if str(request.url) == TOKEN_URL:
            seen.append((store.load() or {}).get(REFRESH_SENT))  # recorded before sending
        return _lost_answer(fake, processed=True).handle_request(request)

    with (
        httpx.Client(
            transport=httpx.MockTransport(recording), auth=FortnoxAuth(store, CLIENT)
        ) as c,
        pytest.raises(httpx.ReadTimeout),
    ):
        c.get("https://api.example/3/x")
    assert seen and seen[0] is not None
    saved = store.load()
    assert saved is not None and saved["refresh_token"] == "r0" and REFRESH_SENT in saved

    # the next run: Fortnox had rotated, so r0 is refused; the error says what happened
    with (
        httpx.Client(transport=httpx.MockTransport(fake), auth=FortnoxAuth(store, CLIENT)) as c,
        pytest.raises(AuthenticationError) as err,
    ):
        c.get("https://api.example/3/x")
    assert str(err.value) == LOST_REFRESH
    assert "answer to the last token refresh was lost" in str(err.value)
    assert "`ledgerlink fortnox login`" in str(err.value)
    assert err.value.exit_code == 4


def test_a_lost_refresh_that_fortnox_never_got_just_refreshes_next_time() -> None:
    fake = FakeFortnox()
    store = MemoryTokenStore(_tokens(0))
    transport = _lost_answer(fake, processed=False)
    with (
        httpx.Client(transport=transport, auth=FortnoxAuth(store, CLIENT)) as c,
        pytest.raises(httpx.ReadTimeout),
    ):
        c.get("https://api.example/3/x")
    with httpx.Client(transport=httpx.MockTransport(fake), auth=FortnoxAuth(store, CLIENT)) as c:
        assert c.get("https://api.example/3/x").json() == {"token": "a1"}
    saved = store.load()
    assert saved is not None and saved["refresh_token"] == "r1" and REFRESH_SENT not in saved


def test_a_saved_answer_clears_the_record_and_a_refusal_is_the_usual_one() -> None:
    fake = FakeFortnox()
    store = MemoryTokenStore(_tokens(0))
    with httpx.Client(transport=httpx.MockTransport(fake), auth=FortnoxAuth(store, CLIENT)) as c:
        c.get("https://api.example/3/x")
    assert REFRESH_SENT not in (store.load() or {})

    fake.valid_refresh = set()  # revoked elsewhere: an answer came, nothing was lost
    store.save({**_tokens(0), "refresh_token": "r1"})
    with (
        httpx.Client(transport=httpx.MockTransport(fake), auth=FortnoxAuth(store, CLIENT)) as c,
        pytest.raises(AuthenticationError) as err,
    ):
        c.get("https://api.example/3/x")
    assert "already used, has expired or was revoked" in str(err.value)
    assert REFRESH_SENT not in (store.load() or {})
