"""``ledgerlink fortnox login|status|logout`` end to end against the emulator over TCP."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fake_fortnox import settings as fake_settings
from fortnox_testkit import (
    connection_store,
    env_for,
    free_port,
    login_emulator,
    redirect_uri,
    settings_for,
)
from ledgerlink_core.errors import AuthenticationError, ConfigError
from ledgerlink_core.tokens import MemoryTokenStore
from ledgerlink_fortnox import login as flow
from ledgerlink_fortnox.settings import DEFAULT_SCOPES

CLI = [sys.executable, "-c", "from ledgerlink_cli.main import main; main()"]


def _approve(url: str) -> httpx.Response:
    """What the user's browser does: open the URL; the emulator approves and redirects."""
    return httpx.get(url, follow_redirects=True, timeout=10)


def test_login_status_logout_cli(
    emulator_factory: Any, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any
) -> None:
    uri = redirect_uri()
    emulator = login_emulator(emulator_factory, uri)
    for key, value in env_for(emulator).items():
        monkeypatch.setenv(key, value)
    proc = subprocess.Popen(
        [*CLI, "fortnox", "login", "--no-browser", "--set", f"redirect_uri={uri}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ),
    )
    try:
        assert proc.stderr is not None
        url = ""
        for line in proc.stderr:
            if line.startswith("http"):
                url = line.strip()
                break
        assert url.startswith(emulator.base_url + "/oauth-v1/auth?")
        query = dict(httpx.URL(url).params)
        assert query["access_type"] == "offline"
        assert query["response_type"] == "code"
        assert len(query["state"]) >= 20
        assert query["redirect_uri"] == uri  # exactly as configured
        assert set(query["scope"].split()) == set(DEFAULT_SCOPES.split())
        landed = _approve(url)
        assert landed.status_code == 200 and "connected to Fortnox" in landed.text
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Logged in to Fortnox" in out

    store = connection_store(
        Path(os.environ["LEDGERLINK_CONFIG_DIR"]), emulator.state.company.org_nr
    )
    saved = store.load()
    assert saved is not None and saved["refresh_token"]
    assert saved["org_nr"] == emulator.state.company.org_nr
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600

    status = run_cli("fortnox", "status", "--json", "--check")
    assert status.exit_code == 0, status.stderr
    info = json.loads(status.stdout)
    assert info["logged_in"] is True
    assert "bookkeeping" in info["scopes"]
    assert info["company"] == emulator.state.company.name
    for secret in (saved["access_token"], saved["refresh_token"], emulator.config.client_secret):
        assert secret not in status.stdout + status.stderr + out + err

    bye = run_cli("fortnox", "logout")
    assert bye.exit_code == 0 and "revoked" in bye.stdout
    assert store.load() is None
    # the revoked refresh token is dead at the server too
    client = flow._oauth_client(settings_for(emulator))
    request = client.token_request("refresh_token", refresh_token=saved["refresh_token"])
    assert httpx.Client().send(request).status_code == 400
    after = run_cli("fortnox", "status", "--json")
    assert json.loads(after.stdout) == {"logged_in": False}


def test_login_opens_the_browser_and_ignores_a_forged_redirect(
    emulator_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    uri = redirect_uri()
    emulator = login_emulator(emulator_factory, uri)
    seen: dict[str, Any] = {}

    def browser(url: str) -> bool:
        redirect = dict(httpx.URL(url).params)["redirect_uri"]
        # an attacker's redirect with a wrong state must not complete the login
        seen["forged"] = httpx.get(f"{redirect}?code=evil&state=wrong", timeout=5).status_code
        threading.Thread(target=lambda: seen.setdefault("real", _approve(url))).start()
        return True

    monkeypatch.setattr("webbrowser.open", browser)
    store = MemoryTokenStore()
    settings = settings_for(emulator, redirect_uri=uri)
    data = flow.login(settings, store, open_browser=True, show=lambda s: None)
    assert seen["forged"] == 400
    assert store.load() == data
    assert data["grant"] == "authorization_code"


def test_login_times_out_with_advice(emulator: Any) -> None:
    with pytest.raises(AuthenticationError, match="ledgerlink fortnox login"):
        flow.login(
            settings_for(emulator),
            MemoryTokenStore(),
            open_browser=False,
            show=lambda s: None,
            timeout=0.3,
        )


def test_refused_authorization_is_reported(emulator_factory: Any) -> None:
    uri = redirect_uri()
    emulator = login_emulator(emulator_factory, uri)
    settings = settings_for(emulator, scopes="bookkeeping nosuchscope", redirect_uri=uri)
    urls: list[str] = []

    def show(line: str) -> None:
        if line.startswith("http"):
            urls.append(line)
            threading.Thread(target=_approve, args=(line,)).start()

    with pytest.raises(AuthenticationError, match="nosuchscope"):
        flow.login(settings, MemoryTokenStore(), open_browser=False, show=show, timeout=10)


def test_service_account_needs_the_consent_first(
    emulator_factory: Any, run_cli: Any, monkeypatch: Any
) -> None:
    uri = redirect_uri()
    emulator = login_emulator(emulator_factory, uri)
    for key, value in env_for(emulator).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LEDGERLINK_FORTNOX__TENANT_ID", str(emulator.config.tenant_id))
    # client credentials against a fresh tenant: refused, with what to do (review H3)
    refused = run_cli("fortnox", "login", "--client-credentials")
    assert refused.exit_code == 4
    assert "--service-account" in refused.stderr
    seen: list[str] = []

    def browser(url: str) -> bool:
        seen.append(url)
        threading.Thread(target=_approve, args=(url,)).start()
        return True

    monkeypatch.setattr("webbrowser.open", browser)
    monkeypatch.delenv("LEDGERLINK_FORTNOX__TENANT_ID")
    result = run_cli("fortnox", "login", "--service-account", "--set", f"redirect_uri={uri}")
    assert result.exit_code == 0, result.stderr
    assert dict(httpx.URL(seen[0]).params)["account_type"] == "service"
    assert "client_credentials" in result.stdout
    saved = connection_store(
        Path(os.environ["LEDGERLINK_CONFIG_DIR"]), emulator.state.company.org_nr
    ).load()
    assert saved is not None and "refresh_token" not in saved
    assert saved["tenant_id"] == str(emulator.config.tenant_id)
    # afterwards: tokens from client credentials alone, no browser, no refresh token
    emulator.expire_access_tokens()
    status = json.loads(run_cli("fortnox", "status", "--json", "--check").stdout)
    assert status["grant"] == "client_credentials"
    assert status["company"] == emulator.state.company.name
    assert status["refresh_token_expires_at"] is None
    assert len(seen) == 1
    again = run_cli(
        "fortnox",
        "login",
        "--client-credentials",
        "--set",
        f"tenant_id={emulator.config.tenant_id}",
    )
    assert again.exit_code == 0, again.stderr


def test_wrong_tenant_is_an_auth_error(emulator: Any) -> None:
    settings = settings_for(emulator, tenant_id="999")
    with pytest.raises(AuthenticationError, match="tenant_id"):
        flow.login_client_credentials(settings, MemoryTokenStore())


# -- unit tests: the exact redirect URI, port 0 refused, revocation as documented -----------


@pytest.mark.parametrize("uri", ["http://127.0.0.1:0/callback", "http://localhost:0/"])
def test_port_0_is_refused_with_the_reason(uri: str) -> None:
    with pytest.raises(ConfigError, match="exact URI registered"):
        flow.login(fake_settings(redirect_uri=uri), MemoryTokenStore(), open_browser=False)


def test_the_redirect_uri_is_sent_exactly_as_configured() -> None:
    uri = f"http://localhost:{free_port()}/ledgerlink/cb"
    exchanged: list[dict[str, str]] = []

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        exchanged.append(dict(httpx.QueryParams(request.content.decode())))
        body = {"access_token": "a1", "refresh_token": "r1", "expires_in": 3600, "scope": "x"}
        return httpx.Response(200, json=body)

    def show(line: str) -> None:
        if not line.startswith("http"):
            return
        query = dict(httpx.URL(line).params)
        assert query["redirect_uri"] == uri
        back = f"{uri}?code=c1&state={query['state']}"
        threading.Thread(target=lambda: httpx.get(back.replace("localhost", "127.0.0.1"))).start()

    store = MemoryTokenStore()
    settings = fake_settings(redirect_uri=uri)
    flow.login(
        settings,
        store,
        open_browser=False,
        show=show,
        timeout=30,
        transport=httpx.MockTransport(token_endpoint),
    )
    assert exchanged == [
        {"grant_type": "authorization_code", "code": "c1", "redirect_uri": uri},
    ]
    saved = store.load()
    assert saved is not None and saved["refresh_token"] == "r1"


def _revoke_endpoint(answer: httpx.Response, seen: list[httpx.Request]) -> httpx.MockTransport:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer

    return httpx.MockTransport(handler)


def test_revoke_sends_the_refresh_token_with_its_hint() -> None:
    seen: list[httpx.Request] = []
    transport = _revoke_endpoint(httpx.Response(200, json={"revoked": True}), seen)
    data = {"grant": "authorization_code", "access_token": "a1", "refresh_token": "r1"}
    assert flow.revoke(fake_settings(), data, transport=transport) is True
    (request,) = seen
    assert str(request.url).endswith("/oauth-v1/revoke")
    assert request.headers["Authorization"].startswith("Basic ")
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    form = dict(httpx.QueryParams(request.content.decode()))
    assert form == {"token_type_hint": "refresh_token", "token": "r1"}


def test_revoke_reports_a_refusal() -> None:
    seen: list[httpx.Request] = []
    data = {"access_token": "a1", "refresh_token": "r1"}
    refused = _revoke_endpoint(httpx.Response(200, json={"revoked": False}), seen)
    assert flow.revoke(fake_settings(), data, transport=refused) is False
    error = _revoke_endpoint(httpx.Response(400, json={"error": "invalid_request"}), seen)
    assert flow.revoke(fake_settings(), data, transport=error) is False


def test_an_access_token_is_never_sent_for_revocation() -> None:
    seen: list[httpx.Request] = []
    transport = _revoke_endpoint(httpx.Response(200, json={"revoked": True}), seen)
    service = {"grant": "client_credentials", "access_token": "cc1"}
    assert flow.revoke(fake_settings(), service, transport=transport) is False
    assert not seen


# -- review C1: an idle connection to the listener, and --timeout as a hard deadline ---------


def _token_endpoint(request: httpx.Request) -> httpx.Response:
    body = {"access_token": "a1", "refresh_token": "r1", "expires_in": 3600, "scope": "x"}
    return httpx.Response(200, json=body)


def test_c1_an_idle_connection_does_not_block_the_redirect() -> None:
    uri = redirect_uri()
    port = int(httpx.URL(uri).port or 0)
    idle: list[socket.socket] = []
    answers: list[int | str] = []

    def browser(url: str) -> None:
        # What a browser does: a speculative connection it never uses, then the redirect.
        idle.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        time.sleep(0.2)  # the idle connection is accepted first
        back = f"{uri}?code=c1&state={dict(httpx.URL(url).params)['state']}"
        try:
            answers.append(httpx.get(back, timeout=10).status_code)
        except httpx.HTTPError as exc:
            answers.append(type(exc).__name__)
        finally:
            idle[0].close()  # lets the old single-threaded listener go on

    def show(line: str) -> None:
        if line.startswith("http"):
            threading.Thread(target=browser, args=(line,), daemon=True).start()

    store = MemoryTokenStore()
    flow.login(
        fake_settings(redirect_uri=uri),
        store,
        open_browser=False,
        show=show,
        timeout=30,
        transport=httpx.MockTransport(_token_endpoint),
    )
    assert answers == [200]  # the browser got its answer while the idle socket was open
    saved = store.load()
    assert saved is not None and saved["refresh_token"] == "r1"


def test_c1_login_ends_within_its_timeout_while_an_idle_connection_is_open() -> None:
    # The review's reproduction, as a process: `fortnox login --no-browser --timeout 1.5`
    # with an idle connection held open to the listener, and no redirect ever.
    uri = redirect_uri()
    port = int(httpx.URL(uri).port or 0)
    env = {
        **os.environ,
        "LEDGERLINK_FORTNOX__CLIENT_ID": "cid",
        "LEDGERLINK_FORTNOX__CLIENT_SECRET": "secret",
    }
    args = ["fortnox", "login", "--no-browser", "--timeout", "1.5"]
    proc = subprocess.Popen(
        [*CLI, *args, "--set", f"redirect_uri={uri}"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    idle = None
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            if line.startswith("http"):
                break
        idle = socket.create_connection(("127.0.0.1", port), timeout=5)
        started = time.monotonic()
        try:
            _, err = proc.communicate(timeout=15)  # generous: a loaded 2-core machine
        except subprocess.TimeoutExpired:
            pytest.fail("`fortnox login --timeout 1.5` still ran 15 s after it had started")
        assert time.monotonic() - started < 15
    finally:
        if idle is not None:
            idle.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 4, err
    lines = err.strip().splitlines()
    assert "no answer from the Fortnox login within 1.5 s" in lines[-1]
    assert "Traceback" not in err
