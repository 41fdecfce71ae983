"""The pacing and retry transport: sliding window, 429 with Retry-After, safe-only retries."""

from __future__ import annotations

import threading

import httpx
import pytest
from ledgerlink_fortnox.transport import (
    IDEMPOTENT,
    RetryingTransport,
    SlidingWindowLimiter,
    retry_after_seconds,
)


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
        limiter.acquire()
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
    waited = limiter.acquire()
    assert waited >= 3.0 and clock.now >= 3.0


def test_widen_is_capped() -> None:
    limiter = SlidingWindowLimiter(25, 5.0, margin=0.1)
    for _ in range(10):
        limiter.widen()
    assert limiter.window == 6.0


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
        marked = client.post("https://api.example/3/x", json={}, extensions={IDEMPOTENT: True})
        assert marked.status_code == 503
        assert transport.stats.sent == 7


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
