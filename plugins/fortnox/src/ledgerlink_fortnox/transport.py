"""The one place where Fortnox pacing and retries happen: an ``httpx`` transport wrapper.

* A client-side **sliding-window** limiter (Fortnox: 25 requests per 5 s per token) shared by
  every thread of a client, so the allowance is used fully and no 429 reaches the user. A
  token bucket is not enough: a 5/s bucket still trips a 5-second sliding window.
* Retries: 429 for any method (the request was rejected, not processed), honouring
  ``Retry-After``; 5xx, timeouts and dropped connections only for safe methods (reads). A
  write is never retried blindly: a 5xx or a dropped connection may hide a committed write,
  so core's export engine looks it up before it is sent again.

Being a transport, it also paces and retries the token refresh the auth flow yields.

Beneath it, :class:`DeadlineTransport` gives each attempt an overall deadline (review C2):
httpx's ``timeout`` bounds each read, so a server that trickles a byte at a time would never
time out. Past the deadline the answer fails as a read timeout does (:class:`DeadlineExceeded`
is one), so every layer above treats it as it treats a timeout: before the answer's headers a
read is retried, a write is ambiguous (core looks it up); in the body, it ends the request.
The deadline is checked when the headers are in and at each chunk of the body; httpx offers
no hook into reading the headers themselves, so headers sent a byte at a time are bounded
only by h11's limit on their size.
"""

from __future__ import annotations

import email.utils
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import httpx
from ledgerlink_core import Seconds

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
RETRYABLE_STATUS = frozenset({500, 502, 503, 504})


MARGIN_SHARE = 0.05
"""Default safety margin as a share of the window: 0.25 s of Fortnox's 5 s."""
MIN_MARGIN = 0.05
"""The margin never goes below this: on a loaded machine a request can reach the server tens
of milliseconds after one sent later (scheduler slices, the GIL), however small the window."""
WIDEN_CAP_SHARE = 0.2
"""Lag and 429s may grow the margin up to this share of the window (1 s of 5 s), or to twice
the base margin if that is more."""
LAG_FACTOR = 2.0
"""The margin covers this many times the worst recent lag between a slot and its send."""
LAG_DECAY = 0.98
"""Per observation, how much of the worst lag seen so far is remembered."""


class Slot(NamedTuple):
    """A request's place in the sliding window."""

    waited: Seconds  # seconds spent waiting for it
    at: Seconds  # the limiter clock's time when it was taken
    crowded: bool
    """The allowance was (nearly) in full use when it was taken: only then can a 429 mean
    that our pacing was too tight, not that someone else is using the same token."""


class SlidingWindowLimiter:
    """At most ``limit`` request starts in any ``window`` seconds, across threads.

    The window is counted a little wider than the server's, by a safety ``margin``, so that
    jitter between taking a slot here and the request reaching the server (network, or a
    worker thread waiting for the GIL while another parses a page) cannot squeeze a 26th
    request into Fortnox's own window. The margin scales with the window (``MARGIN_SHARE`` of
    it, at least ``MIN_MARGIN``; 0.25 s of Fortnox's 5 s) and grows with the lag actually
    observed between a slot and its request being sent (:meth:`observe_lag`), so a
    scaled-down window is not wasted by a margin sized for a 5 s one. A 429 that arrives
    while we were using the allowance fully widens it further (:meth:`widen`).
    """

    def __init__(
        self,
        limit: int = 25,
        window: Seconds = 5.0,
        *,
        margin: Seconds | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("the rate limit needs at least one request per positive window")
        self.limit = limit
        self._base_window = window
        if margin is None:
            margin = max(MIN_MARGIN, MARGIN_SHARE * window)
        self._margin = margin
        self._widened = 0.0  # seconds added after 429s
        self._lag = 0.0  # decaying maximum of the observed slot-to-send lag
        # the largest margin lag and 429s may cause
        self._cap = max(WIDEN_CAP_SHARE * window, 2 * margin)
        self._step = max(MIN_MARGIN, MARGIN_SHARE * window)  # one widening
        self.window = window + margin
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()
        self._paused_until = 0.0
        self._lock = threading.Lock()

    @property
    def margin(self) -> Seconds:
        """The safety margin in use now (seconds added to the server's window)."""
        with self._lock:
            return self.window - self._base_window

    @property
    def base_window(self) -> Seconds:
        """The server's window, without the margin."""
        return self._base_window

    def now(self) -> Seconds:
        """The limiter's clock."""
        return self._clock()

    def _update_window(self) -> None:
        # (lock held) the base margin or the observed lag, whichever is larger, plus what
        # 429s added; in all at most ``_cap`` (or the base margin, if that is larger).
        margin = max(self._margin, LAG_FACTOR * self._lag) + self._widened
        self.window = self._base_window + min(margin, max(self._margin, self._cap))

    def take(self) -> Slot:
        """Block until a request may start; return the :class:`Slot` taken."""
        waited = 0.0
        while True:
            with self._lock:
                now = self._clock()
                while self._starts and self._starts[0] <= now - self.window:
                    self._starts.popleft()
                delay = self._paused_until - now
                if delay <= 0 and len(self._starts) < self.limit:
                    others = len(self._starts)
                    self._starts.append(now)
                    return Slot(waited, now, others >= self.limit - 1 - max(1, self.limit // 10))
                if delay <= 0:
                    delay = self._starts[0] + self.window - now
            delay = max(delay, 0.001)
            self._sleep(delay)
            waited += delay

    def observe_lag(self, seconds: Seconds) -> None:
        """Record how long after its slot a request actually went out; the margin follows
        the worst recent lag (decaying, so one hiccup does not cost the whole run)."""
        with self._lock:
            self._lag = max(seconds, self._lag * LAG_DECAY)
            self._update_window()

    def pause(self, seconds: Seconds) -> None:
        """Hold every caller back for ``seconds`` (after the server said 429)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)

    def widen(self, seconds: Seconds | None = None, cap: Seconds | None = None) -> None:
        """Add ``seconds`` (default: ``MARGIN_SHARE`` of the window) to the margin, up to a
        margin of ``cap`` in all (default: ``WIDEN_CAP_SHARE`` of the window): the server
        counted a request we thought was in the next window, so requests reach it later
        than they leave here (a loaded machine, a slow network)."""
        with self._lock:
            if cap is not None:
                self._cap = cap
            self._widened = min(
                self._widened + (self._step if seconds is None else seconds), self._cap
            )
            self._update_window()


@dataclass
class TransportStats:
    """Counters for tests and benchmarks (thread-safe increments)."""

    sent: int = 0
    """Requests handed to the network, retries included."""
    throttled: int = 0
    """429 answers received (and retried)."""
    retried: int = 0
    waited: Seconds = 0.0  # seconds spent in the limiter
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **counts: float) -> None:
        """Add to named counters."""
        with self._lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


def retry_after_seconds(response: httpx.Response, cap: Seconds = 60.0) -> Seconds | None:
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
    Backoff between retries starts at ``backoff_base`` (default: a tenth of the limiter's
    window, 0.5 s for Fortnox) and doubles up to ``backoff_cap``.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport,
        limiter: SlidingWindowLimiter | None = None,
        *,
        limited: Callable[[httpx.Request], bool] = lambda request: True,
        max_attempts: int = 4,
        max_throttled: int = 8,
        backoff_base: Seconds | None = None,
        backoff_cap: Seconds = 8.0,
        sleep: Callable[[float], None] = time.sleep,
        stats: TransportStats | None = None,
    ) -> None:
        self.inner = inner
        self.limiter = limiter
        self.limited = limited
        self.max_attempts = max_attempts
        self.max_throttled = max_throttled
        if backoff_base is None:
            # A tenth of the rate window: 0.5 s for Fortnox's 5 s, scaled with a scaled clock.
            backoff_base = 0.1 * limiter.base_window if limiter is not None else 0.5
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        # A 429 without Retry-After (Fortnox documents no header) waits what Fortnox's own
        # header says when it is sent: 1 s of its 5 s window, scaled with a scaled window.
        self.default_retry_after: Seconds = (
            0.2 * limiter.base_window if limiter is not None else 1.0
        )
        self._sleep = sleep
        self.stats = stats or TransportStats()

    def _backoff(self, attempt: int) -> Seconds:
        return min(self.backoff_base * 2**attempt, self.backoff_cap) * random.uniform(0.5, 1.0)

    @staticmethod
    def is_safe(request: httpx.Request) -> bool:
        """May this request be repeated after an ambiguous failure? Only reads may."""
        return request.method in SAFE_METHODS

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``, pacing it and retrying what is safe to retry."""
        safe = self.is_safe(request)
        failures = 0
        throttled = 0
        while True:
            slot = None
            if self.limiter is not None and self.limited(request):
                slot = self.limiter.take()
                self.stats.add(waited=slot.waited)
            self.stats.add(sent=1)
            try:
                response = self._send(request, slot)
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
                    delay = self._backoff(throttled - 1) + self.default_retry_after
                response.close()
                if self.limiter is not None:
                    if slot is not None and slot.crowded:
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

    def _send(self, request: httpx.Request, slot: Slot | None) -> httpx.Response:
        """Hand ``request`` to the inner transport; with a ``slot``, tell the limiter how
        long after it the request's headers started going out (httpcore's ``trace`` hook)."""
        limiter = self.limiter
        if slot is None or limiter is None:
            return self.inner.handle_request(request)
        outer = request.extensions.get("trace")
        reported = False

        def trace(name: str, info: dict[str, Any]) -> Any:
            nonlocal reported
            if not reported and name.endswith("send_request_headers.started"):
                reported = True
                limiter.observe_lag(limiter.now() - slot.at)
            return outer(name, info) if outer is not None else None

        request.extensions["trace"] = trace
        try:
            return self.inner.handle_request(request)
        finally:
            if outer is None:
                request.extensions.pop("trace", None)
            else:
                request.extensions["trace"] = outer

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()


class DeadlineExceeded(httpx.ReadTimeout):
    """The whole answer did not arrive within the request's deadline. A read timeout, so it
    takes the same paths as one (retried before the headers only for reads, ambiguous for a
    write, "did not answer in time" for the user)."""


class _DeadlineStream(httpx.SyncByteStream):
    """An answer's body that fails with :class:`DeadlineExceeded` once the deadline passes."""

    def __init__(
        self,
        inner: httpx.SyncByteStream,
        request: httpx.Request,
        expires: float,
        deadline: Seconds,
        clock: Callable[[], float],
    ) -> None:
        self._inner = inner
        self._request = request
        self._expires = expires
        self._deadline = deadline
        self._clock = clock

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self._inner:
            # Checked per chunk: each read is bounded by ``timeout``, so this ends the
            # request at most one read timeout past the deadline.
            if self._clock() > self._expires:
                raise _exceeded(self._request, self._deadline)
            yield chunk

    def close(self) -> None:
        self._inner.close()


def _exceeded(request: httpx.Request, deadline: Seconds) -> DeadlineExceeded:
    return DeadlineExceeded(
        f"no whole answer within the {deadline:g} s request deadline", request=request
    )


class DeadlineTransport(httpx.BaseTransport):
    """Wrap a transport so that each request must be answered whole within ``deadline``
    seconds of being handed to it (headers and body; see the module docstring)."""

    def __init__(
        self,
        inner: httpx.BaseTransport,
        deadline: Seconds,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if deadline <= 0:
            raise ValueError("the request deadline must be a positive number of seconds")
        self.inner = inner
        self.deadline = deadline
        self._clock = clock

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Send ``request``; its body fails with :class:`DeadlineExceeded` past the deadline."""
        expires = self._clock() + self.deadline
        response = self.inner.handle_request(request)
        if self._clock() > expires:  # the headers alone took too long
            response.close()
            raise _exceeded(request, self.deadline)
        if isinstance(response.stream, httpx.SyncByteStream):
            response.stream = _DeadlineStream(
                response.stream, request, expires, self.deadline, self._clock
            )
        return response

    def close(self) -> None:
        """Close the wrapped transport."""
        self.inner.close()
