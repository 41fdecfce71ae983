"""The durable export journal: what was sent where, so that export happens exactly once.

One SQLite database (WAL, ``synchronous=FULL``: a step recorded is on disk before the next
request goes out) in the user's data directory, ``<data_dir>/export-journal.sqlite3``.
Each voucher is keyed by ``(journal key, external_ref)``, where the journal key
``<backend>:<target id>`` (:func:`journal_key`) names one target: the backend's name and what
its :meth:`~ledgerlink_core.backend.AccountingBackend.target_id` says tells its targets apart
(a file, a company). Each voucher moves

    pending -> sending -> confirmed (series, number, year)
                       -> failed     (the target refused it; nothing was written)

``sending`` is written *before* the request goes out, so after a crash, a timeout or a
dropped connection the journal says "fate unknown" and the backend must look the voucher up
in the target before it may post it again. Core's export engine is the only writer; backends
never see the journal. Attachments have their own steps:

    pending -> uploading -> uploaded (file id) -> connecting -> connected

with the same rule for ``uploading`` and ``connecting``. A push holds an exclusive lock on
its target, ``export-journal.<digest of the journal key>.lock`` (through ``filelock``:
``flock`` on POSIX, ``msvcrt.locking`` on Windows), released by the operating system even
after ``kill -9``: two pushes to one target exclude each other (the second gets
:class:`~ledgerlink_core.errors.ExportBusy`), pushes to two targets run side by side (each
step is its own short SQLite transaction, and SQLite serialises those).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from ledgerlink_core._files import LockBusy, _Lock, file_lock, make_private
from ledgerlink_core.errors import ExportBusy, JournalError
from ledgerlink_core.model import VoucherExport, VoucherRef

__all__ = [
    "FILENAME",
    "AttachmentEntry",
    "AttachmentState",
    "ExportJournal",
    "JournalEntry",
    "VoucherState",
    "journal_key",
]

_log = logging.getLogger("ledgerlink.export")

FILENAME = "export-journal.sqlite3"
LOCKSTEM = "export-journal"  # one lock per target: export-journal.<digest of its key>.lock


def journal_key(backend: str, target_id: str) -> str:
    """The key of one target's entries: ``<backend>:<target id>``."""
    return f"{backend}:{target_id}"


_SCHEMA = """
CREATE TABLE IF NOT EXISTS vouchers (
    target     TEXT NOT NULL,
    ref        TEXT NOT NULL,
    label      TEXT NOT NULL,
    origin     TEXT NOT NULL DEFAULT '',
    date       TEXT NOT NULL,
    state      TEXT NOT NULL,
    series     TEXT,
    number     TEXT,
    year       INTEGER,
    sent_series TEXT,
    attempts   INTEGER NOT NULL DEFAULT 0,
    error      TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target, ref)
);
CREATE TABLE IF NOT EXISTS attachments (
    target     TEXT NOT NULL,
    ref        TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    filename   TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    state      TEXT NOT NULL,
    file_id    TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target, ref, idx)
);
"""


class VoucherState(StrEnum):
    """Where one voucher stands in the journal."""

    PENDING = "pending"
    SENDING = "sending"
    """Sent, answer unknown: look it up in the target before sending again."""
    CONFIRMED = "confirmed"
    FAILED = "failed"
    """The target refused it; nothing was written (a later push tries again)."""


class AttachmentState(StrEnum):
    """Where one attachment of a voucher stands."""

    PENDING = "pending"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    CONNECTING = "connecting"
    CONNECTED = "connected"


class AttachmentEntry(BaseModel):
    """Where one attachment of a journaled voucher stands."""

    model_config = ConfigDict(frozen=True)

    idx: int
    filename: str
    sha256: str
    state: AttachmentState
    file_id: str | None


class JournalEntry(BaseModel):
    """Where one voucher stands in the journal."""

    model_config = ConfigDict(frozen=True)

    key: str
    """The target's journal key, ``<backend>:<target id>``."""
    external_ref: str
    voucher: str
    """The voucher's label in its input (``A 12``)."""
    origin: str
    """The input it came from."""
    date: dt.date
    state: VoucherState
    series: str | None
    number: str | None
    year: int | None
    attempts: int
    error: str | None
    updated_at: str
    attachments: tuple[AttachmentEntry, ...] = ()
    sent_series: str | None = None
    """The series the voucher was last sent to (recorded with ``sending``): where a later
    run looks for it, whatever ``--series`` that run is given."""

    @property
    def backend(self) -> str:
        """The backend's name (the key up to the first ``:``)."""
        return self.key.partition(":")[0]

    @property
    def target_id(self) -> str:
        """What tells this target apart from the backend's others (the rest of the key)."""
        return self.key.partition(":")[2]

    @property
    def placement(self) -> VoucherRef | None:
        """Series, number and year in the target, once confirmed."""
        if self.state != VoucherState.CONFIRMED or self.series is None or self.number is None:
            return None
        return VoucherRef(series=self.series, number=self.number, year=self.year)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


class ExportJournal:
    """The journal database. Thread-safe: one connection behind a lock, every step its own
    committed transaction."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._pushlocks: dict[str, _Lock] = {}
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_size == 0:
                _log.warning(
                    "the export journal %s is an empty file: it knows no voucher exported "
                    "before (restore it from a backup if it did); every voucher it does not "
                    "know is looked up in the target before anything is sent",
                    path,
                )
        try:
            # The journal holds voucher texts, input paths and the company's numbers: its
            # folder (when made here) and the file are the user's alone.
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            make_private(path)
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise JournalError(
                f"{path}: the export journal cannot be created ({reason}); check the data "
                "directory (LEDGERLINK_DATA_DIR) and push again"
            ) from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA busy_timeout=10000")
            self._db.executescript(_SCHEMA)
            columns = {str(r[1]) for r in self._db.execute("PRAGMA table_info(vouchers)")}
            if "sent_series" not in columns:  # a journal written before the column existed
                self._db.execute("ALTER TABLE vouchers ADD COLUMN sent_series TEXT")
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise self._broken(exc) from None

    def _broken(self, exc: sqlite3.Error) -> JournalError:
        """The one-line error for a journal SQLite cannot use: corrupt, or its disk full."""
        text = str(exc)
        if "full" in text or "disk I/O" in text:
            return JournalError(
                f"{self.path}: the export journal cannot be written ({text}); free space on "
                "its disk (or set LEDGERLINK_DATA_DIR elsewhere) and push again"
            )
        return JournalError(
            f"{self.path}: the export journal is damaged ({text}); restore it from a backup, "
            "or move it aside: a new journal looks every voucher up in the target before "
            "sending it"
        )

    @classmethod
    def open(cls, data_dir: Path) -> ExportJournal:
        """The journal in ``data_dir`` (created on first use)."""
        return cls(data_dir / FILENAME)

    def close(self) -> None:
        """Release the push lock and close the database."""
        self.release()
        with self._lock:
            self._db.close()

    def __enter__(self) -> ExportJournal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the one-push-at-a-time lock --------------------------------------------------------

    def acquire(self, key: str) -> None:
        """Take the exclusive push lock of target ``key``, or raise :class:`ExportBusy` when
        another push to that target holds it (nothing has been attempted then)."""
        lock = self._pushlocks.get(key)
        if lock is None:
            digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]
            lock = self._pushlocks[key] = file_lock(self.path.parent / f"{LOCKSTEM}.{digest}.lock")
        if lock.held:
            return
        try:
            lock.acquire(timeout=0)
        except LockBusy:
            raise ExportBusy(
                f"another push to {key} is running (it holds {lock.path}); nothing was sent: "
                "push again when it has finished"
            ) from None

    def release(self) -> None:
        """Give every push lock this journal holds back."""
        for lock in self._pushlocks.values():
            lock.release()

    # -- plumbing ---------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.DatabaseError as exc:
                raise self._broken(exc) from None
            try:
                yield self._db
            except sqlite3.DatabaseError as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise self._broken(exc) from None
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.DatabaseError as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                raise self._broken(exc) from None

    def _query(self, sql: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
        with self._lock:
            try:
                return list(self._db.execute(sql, args).fetchall())
            except sqlite3.DatabaseError as exc:
                raise self._broken(exc) from None

    # -- vouchers ---------------------------------------------------------------------------

    def register(self, key: str, item: VoucherExport) -> JournalEntry:
        """Record ``item`` as pending unless the journal knows it; return its entry."""
        now = _now()
        with self._tx() as db:
            db.execute(
                "INSERT OR IGNORE INTO vouchers (target, ref, label, origin, date, state, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    key,
                    item.external_ref,
                    item.voucher.label,
                    item.origin,
                    item.voucher.date.isoformat(),
                    VoucherState.PENDING.value,
                    now,
                    now,
                ),
            )
            for idx, att in enumerate(item.attachments):
                db.execute(
                    "INSERT OR IGNORE INTO attachments (target, ref, idx, filename, sha256, "
                    "state, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        item.external_ref,
                        idx,
                        att.filename,
                        att.sha256,
                        AttachmentState.PENDING.value,
                        now,
                    ),
                )
        entry = self.entry(key, item.external_ref)
        assert entry is not None  # just inserted or already there
        return entry

    def entry(self, key: str, ref: str) -> JournalEntry | None:
        """The journal's entry for one voucher, or None."""
        rows = self._query(
            "SELECT target, ref, label, origin, date, state, series, number, year, attempts, "
            "error, updated_at, sent_series FROM vouchers WHERE target = ? AND ref = ?",
            (key, ref),
        )
        if not rows:
            return None
        return self._entry(rows[0], self.attachments(key, ref))

    def entries(self, key: str | None = None) -> list[JournalEntry]:
        """Every voucher entry (of one target), oldest first."""
        where, args = ("WHERE target = ?", (key,)) if key else ("", ())
        rows = self._query(
            "SELECT target, ref, label, origin, date, state, series, number, year, attempts, "
            f"error, updated_at, sent_series FROM vouchers {where} ORDER BY created_at, rowid",
            args,
        )
        atts: dict[tuple[str, str], list[AttachmentEntry]] = {}
        for a in self._query(
            "SELECT target, ref, idx, filename, sha256, state, file_id FROM attachments "
            f"{where} ORDER BY idx",
            args,
        ):
            atts.setdefault((str(a[0]), str(a[1])), []).append(self._attachment(a[2:]))
        return [self._entry(r, atts.get((str(r[0]), str(r[1])), [])) for r in rows]

    @staticmethod
    def _entry(row: tuple[object, ...], atts: list[AttachmentEntry]) -> JournalEntry:
        return JournalEntry(
            key=str(row[0]),
            external_ref=str(row[1]),
            voucher=str(row[2]),
            origin=str(row[3]),
            date=dt.date.fromisoformat(str(row[4])),
            state=VoucherState(str(row[5])),
            series=None if row[6] is None else str(row[6]),
            number=None if row[7] is None else str(row[7]),
            year=None if row[8] is None else int(str(row[8])),
            attempts=int(str(row[9])),
            error=None if row[10] is None else str(row[10]),
            updated_at=str(row[11]),
            attachments=tuple(atts),
            sent_series=None if row[12] is None else str(row[12]),
        )

    def _set(self, key: str, ref: str, **values: object) -> None:
        cols = ", ".join(f"{k} = ?" for k in values)
        with self._tx() as db:
            cur = db.execute(
                f"UPDATE vouchers SET {cols}, updated_at = ? WHERE target = ? AND ref = ?",
                (*values.values(), _now(), key, ref),
            )
            if cur.rowcount != 1:
                raise JournalError(f"the export journal {self.path} has no voucher {ref} for {key}")

    def mark_sending(self, key: str, ref: str, series: str | None = None) -> None:
        """About to send (into ``series``, recorded as where to look it up): from now on its
        fate is unknown until confirmed or refused."""
        with self._tx() as db:
            db.execute(
                "UPDATE vouchers SET state = ?, attempts = attempts + 1, error = NULL, "
                "sent_series = COALESCE(?, sent_series), updated_at = ? "
                "WHERE target = ? AND ref = ?",
                (VoucherState.SENDING.value, series, _now(), key, ref),
            )

    def mark_confirmed(self, key: str, ref: str, placement: VoucherRef) -> None:
        """The target has it, at ``placement``."""
        self._set(
            key,
            ref,
            state=VoucherState.CONFIRMED.value,
            series=placement.series,
            number=placement.number,
            year=placement.year,
            error=None,
        )

    def mark_failed(self, key: str, ref: str, error: str) -> None:
        """The target certainly refused it (nothing written)."""
        self._set(key, ref, state=VoucherState.FAILED.value, error=error)

    def mark_pending(self, key: str, ref: str, error: str | None = None) -> None:
        """Looked up and certainly absent: it may be sent again."""
        self._set(key, ref, state=VoucherState.PENDING.value, error=error)

    def note_error(self, key: str, ref: str, error: str) -> None:
        """Keep the last error without changing the state (fate still unknown)."""
        self._set(key, ref, error=error)

    # -- attachments ------------------------------------------------------------------------

    def attachments(self, key: str, ref: str) -> list[AttachmentEntry]:
        """The attachment steps of one voucher, in order."""
        return [
            self._attachment(r)
            for r in self._query(
                "SELECT idx, filename, sha256, state, file_id FROM attachments "
                "WHERE target = ? AND ref = ? ORDER BY idx",
                (key, ref),
            )
        ]

    @staticmethod
    def _attachment(row: tuple[object, ...]) -> AttachmentEntry:
        return AttachmentEntry(
            idx=int(str(row[0])),
            filename=str(row[1]),
            sha256=str(row[2]),
            state=AttachmentState(str(row[3])),
            file_id=None if row[4] is None else str(row[4]),
        )

    def mark_attachment(
        self,
        key: str,
        ref: str,
        idx: int,
        state: AttachmentState,
        file_id: str | None = None,
    ) -> None:
        """Record an attachment step; ``file_id`` once the target has named the upload."""
        with self._tx() as db:
            if file_id is None:
                db.execute(
                    "UPDATE attachments SET state = ?, updated_at = ? "
                    "WHERE target = ? AND ref = ? AND idx = ?",
                    (state.value, _now(), key, ref, idx),
                )
            else:
                db.execute(
                    "UPDATE attachments SET state = ?, file_id = ?, updated_at = ? "
                    "WHERE target = ? AND ref = ? AND idx = ?",
                    (state.value, file_id, _now(), key, ref, idx),
                )

    # -- reporting --------------------------------------------------------------------------

    def counts(self, key: str | None = None) -> dict[str, int]:
        """How many vouchers are in each state."""
        where, args = ("WHERE target = ?", (key,)) if key else ("", ())
        return {
            str(state): int(str(n))
            for state, n in self._query(
                f"SELECT state, COUNT(*) FROM vouchers {where} GROUP BY state", args
            )
        }
