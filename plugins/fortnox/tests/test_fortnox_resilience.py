"""Token expiry mid-run, rotation raced by processes, 429 storms, and every error's message."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path
from typing import Any

import pytest
from fortnox_testkit import backend_for, open_at, settings_for, stored_login
from ledgerlink_core.backend import BookkeepingRequest, SubledgerRequest
from ledgerlink_core.errors import (
    AuthenticationError,
    BackendUnavailable,
    PermissionDenied,
)
from ledgerlink_core.tokens import FileTokenStore, MemoryTokenStore
from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox_emulator import ALL_SCOPES


def _closing(emu: Any) -> Any:
    return max(emu.state.years, key=lambda y: y.start).end


def _everything(backend: Any, as_of: Any) -> int:
    year = backend.import_bookkeeping(BookkeepingRequest(year=as_of.year))
    count = len(year.vouchers)
    for kind in ("customer", "supplier"):
        count += len(open_at(backend, SubledgerRequest(kind=kind, as_of=as_of)))
    return count


def test_access_token_expires_mid_run(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory(access_token_lifetime=0.6, latency=0.05)
    store = MemoryTokenStore()
    first = stored_login(emu, store)
    # The client believes the token lasts an hour: it only learns from 401s (a revoked or
    # early-expired token), the harder path.
    store.save({**first, "expires_at": time.time() + 3600})
    with backend_for(emu, store, tmp_path) as backend:
        baseline = _everything(backend, _closing(emu))
        time.sleep(0.7)
        assert _everything(backend, _closing(emu)) == baseline
        assert backend.client.auth.refreshes >= 1
    assert emu.state.request_counts()["401"] >= 1
    saved = store.load()
    assert saved is not None and saved["refresh_token"] != first["refresh_token"]


def test_proactive_refresh_needs_no_401(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory(access_token_lifetime=1.0)
    store = MemoryTokenStore()
    stored_login(emu, store)
    with backend_for(emu, store, tmp_path, refresh_margin=0.8) as backend:
        backend.check_connection()
        time.sleep(0.3)  # now inside the margin
        backend.check_connection()
        assert backend.client.auth.refreshes == 1
    assert emu.state.request_counts()["401"] == 0


def _race_worker(settings_json: str, path: str, start_at: float, out: Any) -> None:
    from ledgerlink_fortnox.settings import FortnoxSettings

    settings = FortnoxSettings.model_validate_json(settings_json)
    while time.time() < start_at:
        time.sleep(0.005)
    try:
        with FortnoxClient(settings, FileTokenStore(path)) as client:
            body = client.get_json("companyinformation")
            out.put(("ok", body["CompanyInformation"]["CompanyName"]))
    except Exception as exc:  # reported to the parent, which fails the test
        out.put(("error", f"{type(exc).__name__}: {exc}"))


@pytest.mark.slow
def test_rotation_raced_by_processes(emulator: Any, tmp_path: Path) -> None:
    path = tmp_path / "tokens" / "fortnox.json"
    store = FileTokenStore(path)
    data = stored_login(emulator, store)
    store.save({**data, "expires_at": time.time() - 1})  # every process must refresh
    settings = settings_for(emulator)
    settings_json = settings.model_dump_json()
    settings_json = settings_json.replace('"**********"', f'"{emulator.config.client_secret}"')
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    start_at = time.time() + 2.0
    procs = [
        ctx.Process(target=_race_worker, args=(settings_json, str(path), start_at, out))
        for _ in range(4)
    ]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=30) for _ in procs]
    for proc in procs:
        proc.join(10)
    assert results == [("ok", emulator.state.company.name)] * 4
    assert emulator.auth.refreshes == 1, "the single-use refresh token was spent more than once"
    saved = store.load()
    assert saved is not None and saved["refresh_token"] != data["refresh_token"]


def test_429_storm_never_reaches_the_user(emulator_factory: Any, tmp_path: Path) -> None:
    # The server allows 8 per second; the client is told 40 per second, so the real limit
    # bites, and random bursts of 429 come on top.
    emu = emulator_factory(
        rate_limit_requests=8, rate_limit_window=1.0, error_429_rate=0.1, burst_429_length=3
    )
    store = MemoryTokenStore()
    stored_login(emu, store)
    with backend_for(
        emu, store, tmp_path, rate_limit_requests=40, rate_limit_window=1.0, max_workers=8
    ) as backend:
        expected = _everything(backend, _closing(emu))
        assert _everything(backend, _closing(emu)) == expected
        throttled = backend.client.stats.throttled
    assert throttled > 0
    assert emu.state.request_counts()["429"] == throttled


def test_matching_limits_cause_no_429(emulator_factory: Any, tmp_path: Path) -> None:
    # Fortnox's own 5 s window (fewer requests in it, so the test stays short): the client's
    # margin is 5% of the window, and at a scaled 0.5 s window its 0.05 s is less than the
    # lag a loaded two-core machine can put between a send and the server's count.
    emu = emulator_factory(rate_limit_requests=12, rate_limit_window=5.0)
    store = MemoryTokenStore()
    stored_login(emu, store)
    with backend_for(
        emu, store, tmp_path, rate_limit_requests=12, rate_limit_window=5.0, max_workers=8
    ) as backend:
        for _ in range(4):
            _everything(backend, _closing(emu))
        assert backend.client.stats.sent > 30  # past two full windows
    assert emu.state.request_counts()["429"] == 0


def test_missing_scope(emulator: Any, tmp_path: Path) -> None:
    store = MemoryTokenStore()
    stored_login(emulator, store, scopes=" ".join(sorted(ALL_SCOPES - {"supplierinvoice"})))
    with backend_for(emulator, store, tmp_path) as backend, pytest.raises(PermissionDenied) as err:
        open_at(backend, SubledgerRequest(kind="supplier", as_of=_closing(emulator)))
    text = str(err.value)
    assert "'supplierinvoice' scope" in text and "ledgerlink fortnox login" in text


def test_missing_licence(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory(licences=frozenset(ALL_SCOPES - {"invoice"}))
    store = MemoryTokenStore()
    stored_login(emu, store)
    with backend_for(emu, store, tmp_path) as backend, pytest.raises(PermissionDenied) as err:
        open_at(backend, SubledgerRequest(kind="customer", as_of=_closing(emu)))
    assert "no active licence for 'invoice'" in str(err.value)
    assert "2001101" in str(err.value)


def test_server_errors_after_retries(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory(error_5xx_rate=1.0)
    store = MemoryTokenStore()
    stored_login(emu, store)
    with backend_for(emu, store, tmp_path) as backend:
        backend.client.transport.backoff_base = 0.01  # keep the test fast
        with pytest.raises(BackendUnavailable, match="try again later"):
            backend.check_connection()
        assert backend.client.stats.sent == backend.client.transport.max_attempts


def test_transient_5xx_and_drops_are_absorbed(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory(error_5xx_rate=0.2, drop_before_commit_rate=0.1, faults_on_reads=True)
    store = MemoryTokenStore()
    stored_login(emu, store)
    with backend_for(emu, store, tmp_path) as backend:
        backend.client.transport.backoff_base = 0.01
        clean = _everything(backend, _closing(emu))
        assert clean > 0
        assert backend.client.stats.retried > 0


def test_spent_refresh_token_says_login_again(emulator: Any, tmp_path: Path) -> None:
    store = MemoryTokenStore()
    data = stored_login(emulator, store)
    store.save({**data, "refresh_token": "spent", "expires_at": 0})
    with (
        backend_for(emulator, store, tmp_path) as backend,
        pytest.raises(AuthenticationError, match="run `ledgerlink fortnox login` again"),
    ):
        backend.check_connection()


def test_not_logged_in(emulator: Any, tmp_path: Path) -> None:
    with (
        backend_for(emulator, MemoryTokenStore(), tmp_path) as backend,
        pytest.raises(AuthenticationError, match="not logged in"),
    ):
        backend.check_connection()


def test_unreachable(emulator: Any, tmp_path: Path) -> None:
    store = MemoryTokenStore()
    stored_login(emulator, store)
    emulator.stop()
    with backend_for(emulator, store, tmp_path) as backend:
        backend.client.transport.backoff_base = 0.01
        with pytest.raises(BackendUnavailable, match="cannot reach Fortnox"):
            backend.check_connection()
