"""Scopes, licences and the sliding-window rate limit."""

from __future__ import annotations

import time
from collections.abc import Callable

from emulator_helpers import bearer
from ledgerlink_fortnox_emulator import RunningEmulator

EmulatorFactory = Callable[..., RunningEmulator]


def test_missing_scope_is_403_with_error_information(small: RunningEmulator) -> None:
    with bearer(small, "bookkeeping") as api:
        assert api.get("/vouchers").status_code == 200
        denied = api.get("/invoices")
        assert denied.status_code == 403
        assert denied.json()["ErrorInformation"]["code"] == 2000663
        assert api.get("/companyinformation").status_code == 403
        assert api.post("/voucherfileconnections", json={}).status_code == 403


def test_missing_licence_is_2001101(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(licences=frozenset({"bookkeeping", "companyinformation"}))
    with bearer(emu) as api:
        assert api.get("/financialyears").status_code == 200
        denied = api.get("/supplierinvoices")
        assert denied.status_code == 403
        assert denied.json() == {
            "ErrorInformation": {
                "error": 1,
                "message": "Det finns ingen aktiv licens för önskat scope",
                "code": 2001101,
            }
        }


def test_rate_limit_is_a_sliding_window(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(rate_limit_requests=5, rate_limit_window=1.2)
    with bearer(emu) as api:
        started = time.monotonic()
        statuses = [api.get("/financialyears").status_code]
        first_answered = time.monotonic()  # the first request was counted before this
        statuses += [api.get("/financialyears").status_code for _ in range(4)]
        assert statuses == [200] * 5
        limited = api.get("/financialyears")
        assert limited.status_code == 429
        assert int(limited.headers["Retry-After"]) >= 1
        # Half a window later the first requests still count: sliding, not a fixed bucket.
        time.sleep(max(0.0, started + 0.6 - time.monotonic()))
        assert api.get("/financialyears").status_code == 429
        # Once the first request has left the window, one more fits.
        time.sleep(max(0.0, first_answered + 1.25 - time.monotonic()))
        assert api.get("/financialyears").status_code == 200
    counts = emu.state.request_counts()
    assert counts["429"] == 2
    assert counts["200"] == 6


def test_rate_limit_is_per_app_and_tenant_not_per_token(
    small_emulator_factory: EmulatorFactory,
) -> None:
    emu = small_emulator_factory(rate_limit_requests=3, rate_limit_window=30.0)
    with bearer(emu) as first, bearer(emu) as second:
        assert [first.get("/financialyears").status_code for _ in range(3)] == [200] * 3
        assert second.get("/financialyears").status_code == 429


def test_retry_after_can_be_left_out(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(
        rate_limit_requests=1, rate_limit_window=30.0, send_retry_after=False
    )
    with bearer(emu) as api:
        api.get("/financialyears")
        limited = api.get("/financialyears")
        assert limited.status_code == 429
        assert "retry-after" not in limited.headers
        assert limited.json() == {"message": "Too Many Requests"}
        # Injected 429 bursts leave it out too; switched back on, both paths send it.
        emu.reset_rate_limit()
        emu.configure(rate_limit_requests=100, error_429_rate=1.0, burst_429_length=1)
        burst = api.get("/financialyears")
        assert burst.status_code == 429 and "retry-after" not in burst.headers
        emu.configure(send_retry_after=True)
        assert api.get("/financialyears").headers["Retry-After"] == "1"
