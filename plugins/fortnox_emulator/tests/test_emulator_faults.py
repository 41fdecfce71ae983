"""Injected faults: latency (without serialising clients), 5xx, 429 bursts, timeouts and
connections dropped before or after the write is committed; all repeatable by seed."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from emulator_helpers import bearer, voucher_body
from ledgerlink_fortnox_emulator import EmulatorConfig, RunningEmulator
from ledgerlink_fortnox_emulator.faults import Fault, FaultPlan

EmulatorFactory = Callable[..., RunningEmulator]
YEAR = {"financialyear": 2}


def _api_vouchers(emu: RunningEmulator) -> int:
    return len(emu.state.vouchers(origin="api"))


def test_drop_after_commit_keeps_the_write(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(drop_after_commit_rate=1.0)
    with bearer(emu) as api:
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/vouchers", params=YEAR, json=voucher_body())
        assert _api_vouchers(emu) == 1
        assert api.get("/vouchers/A/2", params=YEAR).status_code == 200  # reads are not dropped
    assert emu.state.request_counts()["fault:drop-after"] == 1


def test_drop_before_commit_loses_the_write(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(drop_before_commit_rate=1.0, faults_on_reads=False)
    with bearer(emu) as api:
        with pytest.raises(httpx.RemoteProtocolError):
            api.post("/vouchers", params=YEAR, json=voucher_body())
        assert _api_vouchers(emu) == 0
        assert api.get("/vouchers", params=YEAR).status_code == 200


def test_server_errors_do_not_commit(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(error_5xx_rate=1.0)
    with bearer(emu) as api:
        statuses = {
            api.post("/vouchers", params=YEAR, json=voucher_body()).status_code for _ in range(12)
        }
    assert statuses <= {500, 503} and 500 in statuses
    assert _api_vouchers(emu) == 0


def test_429_bursts(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(error_429_rate=1.0, burst_429_length=3)
    with bearer(emu) as api:
        assert api.get("/financialyears").status_code == 429
        emu.configure(error_429_rate=0.0)
        # The burst runs on for its length, then requests pass.
        assert [api.get("/financialyears").status_code for _ in range(3)] == [429, 429, 200]


def test_retry_after_is_whole_seconds_unless_scaled(
    small_emulator_factory: EmulatorFactory,
) -> None:
    emu = small_emulator_factory(error_429_rate=1.0, burst_429_length=1)
    with bearer(emu) as api:
        assert api.get("/financialyears").headers["Retry-After"] == "1"
        emu.configure(retry_after_unit=0.05)
        assert api.get("/financialyears").headers["Retry-After"] == "0.05"
        # The real limit rounds its wait up to whole units too.
        emu.configure(error_429_rate=0.0, rate_limit_requests=1, rate_limit_window=0.3)
        emu.reset_rate_limit()
        assert api.get("/financialyears").status_code == 200
        limited = api.get("/financialyears")
        assert limited.status_code == 429
        wait = float(limited.headers["Retry-After"])
        assert 0.05 <= wait <= 0.3 and round(wait / 0.05, 6).is_integer()


def test_timeout_holds_the_answer_after_committing(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(timeout_rate=1.0, timeout_hold=1.0)
    with bearer(emu, timeout=0.3) as api, pytest.raises(httpx.ReadTimeout):
        api.post("/vouchers", params=YEAR, json=voucher_body())
    assert _api_vouchers(emu) == 1


def test_latency_does_not_serialise_concurrent_clients(
    small_emulator_factory: EmulatorFactory,
) -> None:
    emu = small_emulator_factory(latency=0.3)

    def get(_: int) -> int:
        with bearer(emu) as api:
            return api.get("/financialyears").status_code

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(get, range(10)))
    elapsed = time.monotonic() - started
    assert statuses == [200] * 10
    assert 0.3 <= elapsed < 2.0  # ten 0.3 s requests at once, not 3 s in a row


def test_faults_are_repeatable_by_seed(small_emulator_factory: EmulatorFactory) -> None:
    def run(seed: int) -> list[str]:
        emu = small_emulator_factory(
            seed=seed, error_5xx_rate=0.3, error_429_rate=0.1, burst_429_length=2
        )
        with bearer(emu) as api:
            return [str(api.get("/financialyears").status_code) for _ in range(30)]

    first, again, other = run(11), run(11), run(12)
    assert first == again
    assert first != other
    assert {"200", "429"} <= set(first) and ({"500", "503"} & set(first))


def test_each_fault_kind_hits_its_own_rate() -> None:
    rates = {
        "error_429_rate": 0.1,
        "drop_before_commit_rate": 0.1,
        "error_5xx_rate": 0.1,
        "drop_after_commit_rate": 0.1,
        "timeout_rate": 0.1,
    }
    plan = FaultPlan(EmulatorConfig(seed=5, burst_429_length=1, **rates))
    n = 20_000
    writes = Counter(plan.decide(is_write=True).fault for _ in range(n))
    reads = Counter(plan.decide(is_write=False).fault for _ in range(n))
    for fault in Fault:
        assert abs(writes[fault] / n - 0.1) < 0.01, (fault, writes)
    assert reads[Fault.DROP_AFTER] == 0  # a read has nothing to commit
    for fault in set(Fault) - {Fault.DROP_AFTER}:
        assert abs(reads[fault] / n - 0.1) < 0.01, (fault, reads)


def test_a_refresh_whose_answer_is_lost_has_still_rotated(
    small_emulator_factory: EmulatorFactory,
) -> None:
    emu = small_emulator_factory(drop_refresh_answer_rate=1.0)
    old = str(emu.issue_tokens()["refresh_token"])
    client = (emu.config.client_id, emu.config.client_secret)
    form = {"grant_type": "refresh_token", "refresh_token": old}
    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(emu.oauth_base + "/token", data=form, auth=client)
    assert (emu.auth.refreshes, emu.auth.lost_refresh_answers) == (1, 1)
    # The client still holds the old token, which Fortnox has already used up.
    emu.configure(drop_refresh_answer_rate=0.0)
    retry = httpx.post(emu.oauth_base + "/token", data=form, auth=client)
    assert retry.status_code == 400
    assert retry.json() == {"error": "invalid_grant", "error_description": "Invalid refresh token"}
    fresh = {
        "grant_type": "refresh_token",
        "refresh_token": str(emu.issue_tokens()["refresh_token"]),
    }
    assert httpx.post(emu.oauth_base + "/token", data=fresh, auth=client).status_code == 200


def test_runtime_configuration_over_http(small: RunningEmulator) -> None:
    set_latency = httpx.post(small.base_url + "/_emulator/config", json={"latency": 0.2})
    assert set_latency.status_code == 200
    assert small.config.latency == 0.2
    uris = httpx.post(small.base_url + "/_emulator/config", json={"redirect_uris": ["http://a/b"]})
    assert uris.status_code == 200 and small.config.redirect_uris == ("http://a/b",)
    refused = httpx.post(small.base_url + "/_emulator/config", json={"seed_sie": "x"})
    assert refused.status_code == 400
    state = httpx.get(small.base_url + "/_emulator/state").json()
    assert state["vouchers_per_year_and_series"]["2:A"] == 1
    assert state["preselected_year"] == 2
