"""The pacing and retry transport: sliding window, 429 with Retry-After, safe-only retries."""

from __future__ import annotations

import threading

import httpx
import pytest
from ledgerlink_fortnox.transport import (
    RetryingTransport,
    SlidingWindowLimiter,
    retry_after_seconds,
)
from ledgerlink_fortnox_emulator import RunningEmulator


class FakeClock:
    """A clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.lock = threading.Lock()

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.now += seconds


def test_sliding_window_never_exceeds_limit_in_any_window() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(25, 5.0, margin=0.0, clock=clock.time, sleep=clock.sleep)
    starts = []
    for _ in range(130):
        limiter.take()
        starts.append(clock.now)
    # any 25 consecutive starts... the 26th after them is at least one window later
    for i in range(25, len(starts)):
        assert starts[i] - starts[i - 25] >= 5.0 - 1e-9
    # and the allowance is used fully: 130 requests need 5 windows, not more
    assert starts[-1] == pytest.approx(25.0, abs=0.01)
    assert starts[24] == 0.0  # a full burst at once


def test_pause_holds_everyone_back() -> None:
    clock = FakeClock()
    limiter = SlidingWindowLimiter(25, 5.0, clock=clock.time, sleep=clock.sleep)
    limiter.pause(3.0)
    waited = limiter.take().waited
    assert waited >= 3.0 and clock.now >= 3.0


def test_widen_is_capped() -> None:
    limiter = SlidingWindowLimiter(25, 5.0, margin=0.1)
    for _ in range(10):
        limiter.widen()
    assert limiter.window == 6.0


@pytest.mark.parametrize(
    ("window", "margin"), [(5.0, 0.25), (2.5, 0.125), (1.0, 0.05), (0.5, 0.05), (0.1, 0.05)]
)
def test_margin_is_proportional_to_the_window(window: float, margin: float) -> None:
    # 0.25 s of Fortnox's 5 s as before, but no longer a quarter of a scaled 1 s window;
    # never below 50 ms, the jitter of a loaded machine
    assert SlidingWindowLimiter(25, window).margin == pytest.approx(margin)


def test_observed_lag_widens_the_margin_then_decays() -> None:
    limiter = SlidingWindowLimiter(25, 1.0)
    limiter.observe_lag(0.1)  # a request left 100 ms after its slot
    assert limiter.margin == pytest.approx(0.2)
    for _ in range(200):  # prompt sends since: the margin comes back down
        limiter.observe_lag(0.0)
    assert limiter.margin == pytest.approx(0.05)
    limiter.observe_lag(5.0)  # a stall does not throw the window away: capped
    assert limiter.margin == pytest.approx(0.2)
    small = SlidingWindowLimiter(25, 0.1)  # a tiny window can still grow past its floor
    small.observe_lag(1.0)
    assert small.margin == pytest.approx(0.1)


def test_lag_is_measured_from_the_slot_to_the_send(emulator: RunningEmulator) -> None:
    ticks = iter(range(1000))
    limiter = SlidingWindowLimiter(25, 1.0, clock=lambda: next(ticks) * 0.04)
    events: list[str] = []
    transport = RetryingTransport(httpx.HTTPTransport(), limiter)
    with httpx.Client(transport=transport) as client:
        # the caller's own trace hook still sees every event
        response = client.get(
            emulator.api_base + "/companyinformation",
            extensions={"trace": lambda name, info: events.append(name)},
        )
    assert response.status_code == 401  # no token: the server answered all the same
    assert any(e.endswith("send_request_headers.started") for e in events)
    # slot at one tick, headers out at the next: 40 ms of lag, a margin of twice that
    assert limiter.margin == pytest.approx(0.08)


def _throttled_once(limiter: SlidingWindowLimiter) -> RetryingTransport:
    answers = iter([httpx.Response(429, headers={"Retry-After": "0"})])

    def handler(request: httpx.Request) -> httpx.Response:
        return next(answers, httpx.Response(200, json={}))

    return RetryingTransport(httpx.MockTransport(handler), limiter, sleep=lambda s: None)


def test_a_429_widens_the_margin_only_when_the_allowance_was_in_use() -> None:
    clock = FakeClock()
    idle = SlidingWindowLimiter(25, 1.0, clock=clock.time, sleep=clock.sleep)
    with httpx.Client(transport=_throttled_once(idle)) as client:
        assert client.get("https://api.example/3/a").status_code == 200
    # one request in the window: our pacing did not cause that 429
    assert idle.margin == pytest.approx(0.05)

    busy = SlidingWindowLimiter(25, 1.0, clock=clock.time, sleep=clock.sleep)
    for _ in range(24):
        busy.take()
    with httpx.Client(transport=_throttled_once(busy)) as client:
        assert client.get("https://api.example/3/a").status_code == 200
    assert busy.margin == pytest.approx(0.10)


def _transport(handler, **kw) -> tuple[RetryingTransport, list[float]]:
    slept: list[float] = []
    inner = httpx.MockTransport(handler)
    return RetryingTransport(inner, None, sleep=slept.append, **kw), slept


def test_429_is_retried_for_any_method_honouring_retry_after() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) < 3:
            return httpx.Response(429, headers={"Retry-After": "2"}, json={"message": "slow"})
        return httpx.Response(201, json={"ok": True})

    transport, slept = _transport(handler)
    with httpx.Client(transport=transport) as client:
        response = client.post("https://api.example/3/vouchers", json={"x": 1})
    assert response.status_code == 201
    assert calls == ["POST"] * 3
    assert slept == [2.0, 2.0]
    assert transport.stats.throttled == 2


def test_5xx_retried_for_get_but_never_for_post() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"ErrorInformation": {"code": 1000003}})

    transport, _ = _transport(handler, max_attempts=3)
    with httpx.Client(transport=transport) as client:
        assert client.get("https://api.example/3/invoices").status_code == 503
        assert transport.stats.sent == 3
        assert client.post("https://api.example/3/vouchers", json={}).status_code == 503
        assert transport.stats.sent == 4  # the POST went out exactly once


def test_read_timeout_retried_only_when_safe() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.method)
        if len(seen) in (1, 3):
            raise httpx.ReadTimeout("slow", request=request)
        return httpx.Response(200, json={})

    transport, _ = _transport(handler)
    with httpx.Client(transport=transport) as client:
        assert client.get("https://api.example/3/a").status_code == 200
        with pytest.raises(httpx.ReadTimeout):
            client.post("https://api.example/3/vouchers", json={})
    assert seen == ["GET", "GET", "POST"]


def test_connect_errors_are_always_retried() -> None:
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(1)
        if len(seen) == 1:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(201, json={})

    transport, _ = _transport(handler)
    with httpx.Client(transport=transport) as client:
        assert client.post("https://api.example/3/vouchers", json={}).status_code == 201


@pytest.mark.parametrize(
    ("value", "expected"), [("3", 3.0), ("0.5", 0.5), ("9999", 60.0), ("soon", None)]
)
def test_retry_after_parsing(value: str, expected: float | None) -> None:
    response = httpx.Response(429, headers={"Retry-After": value})
    assert retry_after_seconds(response) == expected


def test_429_without_retry_after_is_paced_and_retried() -> None:
    """Fortnox does not document ``Retry-After``: without it every thread is held back for
    a backoff of at least a second, then the request goes again (a POST too)."""
    clock = FakeClock()
    limiter = SlidingWindowLimiter(25, 5.0, clock=clock.time, sleep=clock.sleep)
    calls: list[float] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(clock.now)
        if len(calls) <= 2:
            return httpx.Response(429, json={"message": "Too Many Requests"})
        return httpx.Response(201, json={"ok": True})

    transport = RetryingTransport(httpx.MockTransport(handler), limiter, sleep=clock.sleep)
    with httpx.Client(transport=transport) as client:
        response = client.post("https://api.example/3/vouchers", json={"x": 1})
    assert response.status_code == 201
    assert transport.stats.throttled == 2 and transport.stats.retried == 2
    assert calls[1] - calls[0] >= 1.0 and calls[2] - calls[1] >= 1.0  # paced, not hammered
    assert retry_after_seconds(httpx.Response(429)) is None
