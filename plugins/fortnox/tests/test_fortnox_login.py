"""``ledgerlink fortnox login|status|logout`` end to end against the emulator over TCP."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from fortnox_testkit import default_store, env_for, settings_for
from ledgerlink_core.errors import AuthenticationError
from ledgerlink_core.tokens import MemoryTokenStore
from ledgerlink_fortnox import login as flow

CLI = [sys.executable, "-c", "from ledgerlink_cli.main import main; main()"]


def _approve(url: str) -> httpx.Response:
    """What the user's browser does: open the URL; the emulator approves and redirects."""
    return httpx.get(url, follow_redirects=True, timeout=10)


def test_login_status_logout_cli(
    emulator: Any, isolated_dirs: Path, monkeypatch: pytest.MonkeyPatch, run_cli: Any
) -> None:
    for key, value in env_for(emulator).items():
        monkeypatch.setenv(key, value)
    proc = subprocess.Popen(
        [*CLI, "fortnox", "login", "--no-browser", "--set", "redirect_uri=http://127.0.0.1:0/cb"],
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
        assert query["redirect_uri"].startswith("http://127.0.0.1:")
        landed = _approve(url)
        assert landed.status_code == 200 and "connected to Fortnox" in landed.text
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Logged in to Fortnox" in out

    store = default_store(Path(os.environ["LEDGERLINK_CONFIG_DIR"]))
    saved = store.load()
    assert saved is not None and saved["refresh_token"]
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
    emulator: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def browser(url: str) -> bool:
        redirect = dict(httpx.URL(url).params)["redirect_uri"]
        # an attacker's redirect with a wrong state must not complete the login
        seen["forged"] = httpx.get(f"{redirect}?code=evil&state=wrong", timeout=5).status_code
        threading.Thread(target=lambda: seen.setdefault("real", _approve(url))).start()
        return True

    monkeypatch.setattr("webbrowser.open", browser)
    store = MemoryTokenStore()
    data = flow.login(settings_for(emulator), store, open_browser=True, show=lambda s: None)
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


def test_refused_authorization_is_reported(emulator: Any) -> None:
    settings = settings_for(emulator, scopes="bookkeeping nosuchscope")
    urls: list[str] = []

    def show(line: str) -> None:
        if line.startswith("http"):
            urls.append(line)
            threading.Thread(target=_approve, args=(line,)).start()

    with pytest.raises(AuthenticationError, match="nosuchscope"):
        flow.login(settings, MemoryTokenStore(), open_browser=False, show=show, timeout=10)


def test_service_account_client_credentials(emulator: Any, run_cli: Any, monkeypatch: Any) -> None:
    for key, value in env_for(emulator).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("LEDGERLINK_FORTNOX__TENANT_ID", str(emulator.config.tenant_id))
    result = run_cli("fortnox", "login", "--client-credentials")
    assert result.exit_code == 0, result.stderr
    assert "client_credentials" in result.stdout
    status = json.loads(run_cli("fortnox", "status", "--json", "--check").stdout)
    assert status["grant"] == "client_credentials"
    assert status["company"] == emulator.state.company.name
    assert status["refresh_token_expires_at"] is None


def test_wrong_tenant_is_an_auth_error(emulator: Any) -> None:
    settings = settings_for(emulator, tenant_id="999")
    with pytest.raises(AuthenticationError, match="tenant_id"):
        flow.login_client_credentials(settings, MemoryTokenStore())
