"""The one place where Fortnox pacing and retries happen: an ``httpx`` transport wrapper.

* A client-side **sliding-window** limiter (Fortnox: 25 requests per 5 s per token) shared by
  every thread of a client, so the allowance is used fully and no 429 reaches the user. A
  token bucket is not enough: a 5/s bucket still trips a 5-second sliding window.
* Retries: 429 for any method (the request was rejected, not processed), honouring
  ``Retry-After``; 5xx, timeouts and dropped connections only for safe methods or requests
  marked ``request.extensions["ledgerlink.idempotent"] = True``. ``POST /3/vouchers`` is
  never retried blindly: a 5xx or a dropped connection may hide a committed write.

Being a transport, it also paces and retries the token refresh the auth flow yields.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
IDEMPOTENT = "ledgerlink.idempotent"
RETRYABLE_STATUS = frozenset({500, 502, 503, 504})


class SlidingWindowLimiter:
    """At most ``limit`` request starts in any ``window`` seconds, across threads.

    ``margin`` widens the window a little so that jitter between taking a slot here and the
    request reaching the server (network, or a worker thread waiting for the GIL while another
    parses a page) cannot squeeze a 26th request into Fortnox's own window.
    """

    def __init__(
        self,
        limit: int = 25,
        window: float = 5.0,  # not money
        *,
        margin: float = 0.25,  # not money
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("the rate limit needs at least one request per positive window")
        self.limit = limit
        self._base_window = window
        self.window = window + margin
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Block until a request may start; return the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._starts and self._starts[0] <= now - self.window:
                    self._starts.popleft()
                delay = self._paused_until - now
                if delay <= 0 and len(self._starts) < self.limit:
                    self._starts.append(now)
                    return waited
                if delay <= 0:
                    delay = self._starts[0] + self.window - now
            delay = max(delay, 0.001)
            self._sleep(delay)
            waited += delay

    def pause(self, seconds: float) -> None:  # not money
        """Hold every caller back for ``seconds`` (after the server said 429)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def widen(self, seconds: float = 0.25, cap: float = 1.0) -> None:  # not money
        """Add to the margin, up to ``cap``: the server counted a request we thought was in
        the next window, so requests reach it later than they leave here (a loaded machine,
        a slow network)."""
        with self._lock:
            self.window = min(self.window + seconds, self._base_window + cap)


@dataclass
class TransportStats:
    """Counters for tests and benchmarks (thread-safe increments)."""

    sent: int = 0
    """Requests handed to the network, retries included."""
    throttled: int = 0
    """429 answers received (and retried)."""
    retried: int = 0
    waited: float = 0.0  # not money: seconds spent in the limiter
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: float) -> None:
        """Add to named counters."""
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


def retry_after_seconds(response: httpx.Response, cap: float = 60.0) -> float | None:  # not money
    """``Retry-After`` as seconds (delta or HTTP date), capped; None when absent or unreadable."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - time.time()
    return min(max(seconds, 0.0), cap)


class RetryingTransport(httpx.BaseTransport):
    """Wrap a transport with the sliding-window limiter and the retry policy above.

    ``limited`` decides which requests count against the rate limit (the API, not the OAuth
    endpoints). ``max_attempts`` bounds 5xx/timeout retries, ``max_throttled`` 429 retries.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        limiter: SlidingWindowLimiter | None = None,
        *,
        limited: Callable[[httpx.Request], bool] = lambda request: True,
        max_attempts: int = 4,
        max_throttled: int = 8,
        backoff_base: float = 0.5,  # not money
        backoff_cap: float = 8.0,  # not money
        sleep: Callable[[float], None] = time.sleep,
        stats: TransportStats | None = None,
    ) -> None:
        self.inner = inner
        self.limiter = limiter
        self.limited = limited
        self.max_attempts = max_attempts
        self.max_throttled = max_throttled
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self._sleep = sleep
        self.stats = stats or TransportStats()

    def _backoff(self, attempt: int) -> float:  # not money
        return min(self.backoff_base * 2**attempt, self.backoff_cap) * random.uniform(0.5, 1.0)

    @staticmethod
    def is_safe(request: httpx.Request) -> bool:
        """May this request be repeated after an ambiguous failure?"""
        return request.method in SAFE_METHODS or bool(request.extensions.get(IDEMPOTENT))

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, pacing it and retrying what is safe to retry."""
        safe = self.is_safe(request)
        failures = 0
        throttled = 0
        while True:
            if self.limiter is not None and self.limited(request):
                self.stats.add(waited=self.limiter.acquire())
            self.stats.add(sent=1)
            try:
                response = self.inner.handle_request(request)
            except (httpx.ConnectError, httpx.ConnectTimeout):
                # Nothing reached the server: always safe to try again.
                failures += 1
                if failures >= self.max_attempts:
                    raise
                self.stats.add(retried=1)
                self._sleep(self._backoff(failures - 1))
                continue
            except (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError):
                failures += 1
                if not safe or failures >= self.max_attempts:
                    raise
                self.stats.add(retried=1)
                self._sleep(self._backoff(failures - 1))
                continue

            if response.status_code == 429:
                throttled += 1
                self.stats.add(throttled=1)
                if throttled > self.max_throttled:
                    return response
                delay = retry_after_seconds(response)
                if delay is None:
                    delay = self._backoff(throttled - 1) + 1.0
                response.close()
                if self.limiter is not None:
                    if self.limited(request):
                        self.limiter.widen()
                    self.limiter.pause(delay)
                else:
                    self._sleep(delay)
                self.stats.add(retried=1)
                continue
            if response.status_code in RETRYABLE_STATUS and safe:
                failures += 1
                if failures >= self.max_attempts:
                    return response
                delay = retry_after_seconds(response)
                response.close()
                self.stats.add(retried=1)
                self._sleep(delay if delay is not None else self._backoff(failures - 1))
                continue
            return response

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()
