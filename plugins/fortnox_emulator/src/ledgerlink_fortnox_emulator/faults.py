"""Rate limiting and injected faults: what happens to a request before and after it is done."""

from __future__ import annotations

import math
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from enum import Enum

from ledgerlink_core import Seconds

from ledgerlink_fortnox_emulator.config import EmulatorConfig


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
        """Pick the fault for the next request.

        One uniform draw falls into consecutive bands, one per kind, each as wide as its
        rate, so every kind hits exactly its configured share of the requests it applies to
        (10% each: 10% of requests answered 429, 10% dropped before the commit, and so on;
        with drawing in turn the later kinds would get less). A read's drop-after band is no
        fault. Rates adding up to more than 1 squeeze the later kinds. Every request makes
        the same number of draws, so the sequence does not depend on which faults fired."""
        c = self.config
        with self._lock:
            draw, flavour = self._rng.random(), self._rng.random()
            if self._burst_left > 0:
                self._burst_left -= 1
                return Decision(Fault.TOO_MANY)
            eligible = is_write or c.faults_on_reads
            bands = (
                (Fault.TOO_MANY, c.error_429_rate, eligible),
                (Fault.DROP_BEFORE, c.drop_before_commit_rate, eligible),
                (Fault.SERVER_ERROR, c.error_5xx_rate, eligible),
                (Fault.DROP_AFTER, c.drop_after_commit_rate, is_write),
                (Fault.TIMEOUT, c.timeout_rate, eligible),
            )
            edge = 0.0
            for fault, rate, applies in bands:
                edge += rate
                if draw < edge:
                    if not applies:
                        return Decision(None)
                    if fault is Fault.TOO_MANY:
                        self._burst_left = max(0, c.burst_429_length - 1)
                    if fault is Fault.SERVER_ERROR:
                        return Decision(fault, 503 if flavour < 0.3 else 500)
                    return Decision(fault)
            return Decision(None)


def retry_after_header(wait: Seconds, unit: Seconds = 1.0) -> str:
    """``Retry-After`` for ``wait`` seconds: rounded up to a whole number of ``unit`` (at least one)
    seconds; ``unit`` 1.0 gives whole seconds, as HTTP has it."""
    if unit <= 0:
        raise ValueError("the Retry-After unit must be positive")
    units = max(1, math.ceil(wait / unit - 1e-9))
    if unit == 1.0:
        return str(units)
    return f"{units * unit:.6g}"
