"""One rate budget per company across processes (review L8).

Fortnox counts 25 requests per 5 s per integration (client id) *and company* (tenant). Two
ledgerlink processes on the same company (a batch and a person, two terminals) must share
those 25, or each takes all of them and the server answers 429. :class:`SharedWindowLimiter`
is the client's :class:`~ledgerlink_fortnox.transport.SlidingWindowLimiter` with its log of
request starts kept in a SQLite file per integration and company
(``<data dir>/fortnox-budget/<key>.sqlite3``) instead of a deque: each slot is taken in one
``BEGIN IMMEDIATE`` transaction (count the starts inside the window, insert one if there is
room), which SQLite serialises across processes and threads. Everything else the limiter
does is kept as it was: the safety margin that grows with the lag measured between a slot
and its request going out and with 429s, the pause after a ``Retry-After``, and the retry
policy of :class:`~ledgerlink_fortnox.transport.RetryingTransport` around it. Companies
never share a file, so concurrent companies in a batch never wait for each other.

Why not pyrate-limiter's SQLite bucket, the maintained library for this: its rates are fixed
when the bucket is made, and this limiter's window is not (the margin adapts to the lag and
429s actually seen; at a scaled 1 s window a fixed 0.25 s margin used 80% of the allowance,
the adaptive one 95%, see the README's push benchmark), and its blocking acquire polls in
fixed steps where this one sleeps exactly until the oldest start leaves the window. The
shared part is one transaction over the standard library's ``sqlite3`` (which the export
journal already relies on for its cross-process guarantees); the clock is the wall clock
(``time.time``), the one clock processes share.

Each start is recorded with the window its process counts (the server's plus that
process's margin), and every process counts in the widest window recorded lately: the
margin covers the lag between taking a slot and the request reaching Fortnox, and a
process whose requests arrive late must not be overtaken by one whose margin is narrower.
Rows are deleted only once they are outside every window any process may use.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ledgerlink_core import Seconds

from ledgerlink_fortnox.transport import SlidingWindowLimiter, Slot

FOLDER = "fortnox-budget"
log = logging.getLogger("ledgerlink.fortnox")


def budget_file(data_dir: Path, key: str) -> Path:
    """The SQLite file holding the budget of ``key`` (integration and company)."""
    readable = re.sub(r"[^A-Za-z0-9_.-]+", "_", key)[:60]
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
    return data_dir / FOLDER / f"{readable}-{digest}.sqlite3"


class SharedWindowLimiter(SlidingWindowLimiter):
    """A :class:`SlidingWindowLimiter` whose request starts are shared, through a SQLite
    file, by every process using the same ``key`` (``<client id>@<api>:<tenant>``). The key
    is asked for on the first request (``key`` may be a function: the tenant is known only
    once the tokens are loaded)."""

    def __init__(
        self,
        data_dir: Path,
        key: str | Callable[[], str],
        limit: int = 25,
        window: Seconds = 5.0,
        *,
        margin: Seconds | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(limit, window, margin=margin, clock=time.time, sleep=sleep)
        self._data_dir = data_dir
        self._key_source = key
        self._key: str | None = None
        self._path: Path | None = None
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._broken = False

    def __repr__(self) -> str:
        return f"SharedWindowLimiter({self._key or '?'!r}, {self.limit}/{self.base_window}s)"

    @property
    def key(self) -> str:
        """The budget's key (integration, API and company)."""
        if self._key is None:
            source = self._key_source
            self._key = source() if callable(source) else source
        return self._key

    @property
    def path(self) -> Path:
        """The SQLite file."""
        if self._path is None:
            self._path = budget_file(self._data_dir, self.key)
        return self._path

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            db = sqlite3.connect(
                self.path, timeout=60.0, isolation_level=None, check_same_thread=False
            )
            # The default rollback journal: every statement below waits for the lock (the
            # busy timeout), where switching a shared file to WAL can fail at once when
            # another connection is opening it.
            db.execute("PRAGMA synchronous=OFF")  # a rate log: nothing to keep after a crash
            db.execute("BEGIN IMMEDIATE")
            db.execute("CREATE TABLE IF NOT EXISTS starts (at REAL NOT NULL, window REAL NOT NULL)")
            db.execute("CREATE INDEX IF NOT EXISTS starts_at ON starts (at)")
            db.execute("COMMIT")
            self._local.db = db
            with self._all_lock:
                self._all.append(db)
        return db

    def take(self) -> Slot:
        """Block until a request may start in the shared window; return the slot taken.

        When the file cannot be used (unwritable, corrupt, locked beyond the busy timeout)
        the process paces itself alone, as before budgets were shared, and says so once."""
        if self._broken:
            return super().take()
        try:
            return self._take_shared()
        except (sqlite3.Error, OSError) as exc:
            self._broken = True
            log.warning(
                "cannot share the Fortnox rate budget through %s (%s); pacing this process alone",
                self.path,
                exc,
            )
            return super().take()

    def _take_shared(self) -> Slot:
        waited = 0.0
        while True:
            with self._lock:
                window = self.window
                horizon = 2 * (self._base_window + self._cap)
                paused = self._paused_until - self._clock()
            if paused > 0:
                delay = paused
            else:
                db = self._db()
                db.execute("BEGIN IMMEDIATE")
                try:
                    now = self._clock()
                    db.execute("DELETE FROM starts WHERE at <= ?", (now - horizon,))
                    # The widest window any process used lately: a process whose requests
                    # reach the server late (a wider margin) must not be overtaken.
                    widest = db.execute("SELECT MAX(window) FROM starts").fetchone()[0]
                    window = max(window, float(widest or 0.0))
                    inside = db.execute(
                        "SELECT COUNT(*), MIN(at) FROM starts WHERE at > ?", (now - window,)
                    ).fetchone()
                    count, oldest = int(inside[0]), inside[1]
                    if count < self.limit:
                        db.execute(
                            "INSERT INTO starts (at, window) VALUES (?, ?)", (now, self.window)
                        )
                        db.execute("COMMIT")
                        crowded = count >= self.limit - 1 - max(1, self.limit // 10)
                        return Slot(waited, now, crowded)
                    db.execute("COMMIT")
                except BaseException:
                    with contextlib.suppress(sqlite3.Error):
                        db.execute("ROLLBACK")
                    raise
                delay = float(oldest) + window - now
            delay = max(delay, 0.001)
            self._sleep(delay)
            waited += delay

    def close(self) -> None:
        """Close this limiter's database connections."""
        with self._all_lock:
            for db in self._all:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
            self._all.clear()
        self._local = threading.local()
