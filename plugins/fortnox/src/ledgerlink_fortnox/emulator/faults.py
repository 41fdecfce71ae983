"""Rate limiting and injected faults: what happens to a request before and after it is done."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from enum import Enum

from .config import EmulatorConfig


class SlidingWindow:
    """``requests`` per ``window`` seconds per key (Fortnox: 25 per 5 s per app and tenant)."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._hits: dict[str, deque[float]] = {}

    def admit(self, key: str) -> float | None:
        """Count a request; None when admitted, else seconds until one would be."""
        now = time.monotonic()
        window = self.config.rate_limit_window
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - window:
                hits.popleft()
            if len(hits) >= self.config.rate_limit_requests:
                return max(0.0, hits[0] + window - now)
            hits.append(now)
            return None

    def reset(self) -> None:
        """Forget every request (tests)."""
        with self._lock:
            self._hits.clear()


class Fault(Enum):
    """What an injected fault does to one request."""

    TOO_MANY = "429-burst"
    SERVER_ERROR = "5xx"
    DROP_BEFORE = "drop-before"
    DROP_AFTER = "drop-after"
    TIMEOUT = "timeout"


@dataclass
class Decision:
    """The fault chosen for a request (None: serve it normally), and the 5xx flavour."""

    fault: Fault | None
    status: int = 500


class FaultPlan:
    """Draws faults from a seeded generator: the same seed gives the same sequence of draws."""

    def __init__(self, config: EmulatorConfig) -> None:
        self.config = config
        self._lock = threading.Lock()
        self._rng = random.Random(config.seed)
        self._burst_left = 0

    def decide(self, is_write: bool) -> Decision:
        """Pick the fault for the next request. Every request makes the same number of draws,
        so the sequence does not depend on which faults fired."""
        c = self.config
        with self._lock:
            draws = [self._rng.random() for _ in range(6)]
            if self._burst_left > 0:
                self._burst_left -= 1
                return Decision(Fault.TOO_MANY)
            eligible = is_write or c.faults_on_reads
            if draws[0] < c.error_429_rate and eligible:
                self._burst_left = max(0, c.burst_429_length - 1)
                return Decision(Fault.TOO_MANY)
            if is_write and draws[1] < c.drop_before_commit_rate:
                return Decision(Fault.DROP_BEFORE)
            if not is_write and c.faults_on_reads and draws[1] < c.drop_before_commit_rate:
                return Decision(Fault.DROP_BEFORE)
            if eligible and draws[2] < c.error_5xx_rate:
                return Decision(Fault.SERVER_ERROR, 503 if draws[5] < 0.3 else 500)
            if is_write and draws[3] < c.drop_after_commit_rate:
                return Decision(Fault.DROP_AFTER)
            if eligible and draws[4] < c.timeout_rate:
                return Decision(Fault.TIMEOUT)
            return Decision(None)


def retry_after_header(wait: float, unit: float = 1.0) -> str:  # not money: seconds
    """``Retry-After`` for ``wait`` seconds: rounded up to a whole number of ``unit`` (at least one)
    seconds; ``unit`` 1.0 gives whole seconds, as HTTP has it."""
    if unit <= 0:
        raise ValueError("the Retry-After unit must be positive")
    units = max(1, math.ceil(wait / unit - 1e-9))
    if unit == 1.0:
        return str(units)
    return f"{units * unit:.6g}"
