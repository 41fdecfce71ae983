"""Snapshots: what each ``pull`` imported, kept in the data directory for ``diff`` later.

Layout under ``<data dir>/snapshots`` (folders 0700, files 0600: they hold a company's books)::

    blobs/<sha256>.se                                    the SIE 4E bytes, stored once
    index/<company>/<start>_<end>/<backend>-<sha16>.json  one entry per distinct content
                                                         (``no-year`` for books without #RAR)

``<company>`` is the organisation number's digits, or ``name-<hash>`` when the books carry
none. A pull whose content equals an earlier snapshot's (same company, fiscal year, backend)
stores nothing new: it updates that entry's ``last_pulled`` and ``pulls``. The content hash
is the SHA-256 of the SIE bytes without the ``#GEN`` and ``#PROGRAM`` lines (when and by
which version they were written), so unchanged books pulled on another day are recognised.

**Pruning** (after every snapshot): per company, fiscal year and backend the
:data:`KEEP` most recently pulled contents are kept and older entries deleted; a blob that
no entry names is deleted once it is older than :data:`GRACE` (so that a pull running
meanwhile in another process, which writes its blob before its entry, never loses it).

Every file is written to a temporary name and renamed, so a crash leaves no half snapshot.
The store is plain files rather than a database so that a user can see and copy them.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError

from ledgerlink_core.errors import InputError
from ledgerlink_core.model import Bookkeeping, FiscalYear

__all__ = [
    "GRACE",
    "KEEP",
    "Snapshot",
    "SnapshotStore",
    "company_key",
]

KEEP = 10
"""Contents kept per company, fiscal year and backend."""
GRACE = dt.timedelta(minutes=10)
"""How old an unreferenced blob must be before pruning deletes it."""


class Snapshot(BaseModel):
    """One distinct content a pull imported: which company, year and backend, and when."""

    model_config = ConfigDict(frozen=True)

    company: str
    """The company's name (``#FNAMN``)."""
    org_nr: str | None
    backend: str
    fiscal_year: FiscalYear | None
    """The imported year (``#RAR 0``); None for books that name no year (SIE 1-3 may not)."""
    content_hash: str
    """SHA-256 of the SIE bytes without the ``#GEN`` and ``#PROGRAM`` lines."""
    size: int
    vouchers: int
    first_pulled: dt.datetime
    last_pulled: dt.datetime
    pulls: int = 1
    path: Path
    """The SIE 4E file holding the content."""

    @property
    def company_key(self) -> str:
        """The folder the company's snapshots are under (see :func:`company_key`)."""
        return company_key(self.org_nr, self.company)


def company_key(org_nr: str | None, name: str) -> str:
    """``5566778899`` for an organisation number, ``name-<8 hex>`` for a company without one."""
    digits = re.sub(r"\D", "", org_nr or "")
    if digits:
        return digits
    return "name-" + hashlib.sha256(name.strip().casefold().encode()).hexdigest()[:8]


def content_hash(data: bytes) -> str:
    """SHA-256 of SIE bytes, leaving out the header lines that describe the writing rather
    than the books (``#GEN``: when, ``#PROGRAM``: by which version), found near the top."""
    head_end = data.find(b"\n", min(len(data), _HEAD))
    head_end = len(data) if head_end == -1 else head_end + 1
    digest = hashlib.sha256()
    for line in data[:head_end].splitlines(keepends=True):
        if not line.startswith(_WRITING):
            digest.update(line)
    digest.update(data[head_end:])
    return digest.hexdigest()


_HEAD = 8192
_WRITING = (b"#GEN ", b"#PROGRAM ")


class SnapshotStore:
    """The snapshots under one folder (``<data dir>/snapshots``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __repr__(self) -> str:
        return f"SnapshotStore({str(self.root)!r})"

    # --- writing ------------------------------------------------------------------------

    def keep(
        self,
        book: Bookkeeping,
        *,
        backend: str,
        now: dt.datetime | None = None,
    ) -> Snapshot:
        """Keep ``book`` (written as SIE 4E) as a snapshot of what ``backend`` gave, then
        prune. Returns the entry, new or updated. Raises :class:`InputError` naming the
        folder when it cannot be written (a full disk, no permission)."""
        from ledgerlink_core.sie import dumps_sie

        year = book.fiscal_year(0)
        now = now or dt.datetime.now(dt.UTC)
        data = dumps_sie(book, sie_type="4E")
        digest = content_hash(data)
        entry_path = self._entry_path(
            company_key(book.company.org_nr, book.company.name), year, backend, digest
        )
        try:
            blob = self.root / "blobs" / f"{digest}.se"
            self._write(blob, data)
            earlier = self._read(entry_path)
            snapshot = Snapshot(
                company=book.company.name,
                org_nr=book.company.org_nr,
                backend=backend,
                fiscal_year=year,
                content_hash=digest,
                size=len(data),
                vouchers=len(book.vouchers),
                first_pulled=earlier.first_pulled if earlier else now,
                last_pulled=now,
                pulls=earlier.pulls + 1 if earlier else 1,
                path=blob,
            )
            self._write(entry_path, snapshot.model_dump_json(indent=1).encode())
            self.prune(now=now)
        except OSError as exc:
            raise InputError(
                f"cannot keep the snapshot: {exc.strerror}", path=Path(exc.filename or self.root)
            ) from exc
        return snapshot

    def prune(self, *, keep: int = KEEP, now: dt.datetime | None = None) -> list[Snapshot]:
        """Apply the pruning rule (module docstring); returns the entries deleted."""
        now = now or dt.datetime.now(dt.UTC)
        groups: dict[tuple[str, str, str], list[tuple[Path, Snapshot]]] = {}
        for path, snap in self._entries():
            group = (snap.company_key, path.parent.name, snap.backend)
            groups.setdefault(group, []).append((path, snap))
        deleted: list[Snapshot] = []
        referenced: set[str] = set()
        for members in groups.values():
            members.sort(key=lambda m: m[1].last_pulled, reverse=True)
            for path, snap in members[keep:]:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                deleted.append(snap)
            referenced.update(snap.content_hash for _, snap in members[:keep])
        cutoff = (now - GRACE).timestamp()
        for blob in (self.root / "blobs").glob("*.se"):
            with contextlib.suppress(FileNotFoundError):
                if blob.stem not in referenced and blob.stat().st_mtime < cutoff:
                    blob.unlink()
        return deleted

    # --- reading ------------------------------------------------------------------------

    def list(self, company: str | None = None) -> list[Snapshot]:
        """Every snapshot, newest pull first; with ``company`` (an organisation number, with
        or without its dash, or a name) only that company's."""
        snaps = [snap for _, snap in self._entries()]
        if company is not None:
            wanted = company.strip().casefold()
            digits = re.sub(r"\D", "", company)
            snaps = [
                s
                for s in snaps
                if s.company.strip().casefold() == wanted
                or (digits and re.sub(r"\D", "", s.org_nr or "") == digits)
            ]
        return sorted(snaps, key=lambda s: s.last_pulled, reverse=True)

    def latest(
        self, *, backend: str, org_nr: str | None, company: str, year: FiscalYear | None
    ) -> Snapshot | None:
        """The snapshot most recently pulled from ``backend`` of this company and year."""
        folder = self.root / "index" / company_key(org_nr, company) / _year_folder(year)
        found = [
            snap
            for path in folder.glob(f"{backend}-*.json")
            if (snap := self._read(path)) is not None and snap.backend == backend
        ]
        return max(found, key=lambda s: s.last_pulled, default=None)

    # --- files --------------------------------------------------------------------------

    def _entry_path(self, company: str, year: FiscalYear | None, backend: str, digest: str) -> Path:
        return self.root / "index" / company / _year_folder(year) / f"{backend}-{digest[:16]}.json"

    def _entries(self) -> Iterator[tuple[Path, Snapshot]]:
        for path in sorted((self.root / "index").glob("*/*/*.json")):
            snap = self._read(path)
            if snap is not None:
                yield path, snap

    @staticmethod
    def _read(path: Path) -> Snapshot | None:
        """The entry at ``path``; None when missing or unreadable (a foreign or damaged file
        is left alone rather than failing every pull)."""
        try:
            return Snapshot.model_validate(json.loads(path.read_bytes()))
        except (OSError, ValueError, ValidationError):
            return None

    def _write(self, path: Path, data: bytes) -> None:
        """Write ``data`` to ``path`` through a temporary file (0600) and a rename; the
        folders on the way are created 0700."""
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        for folder in reversed([path.parent, *path.parent.parents]):
            if self.root in folder.parents and not folder.is_dir():
                folder.mkdir(mode=0o700, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def _year_folder(year: FiscalYear | None) -> str:
    if year is None:
        return "no-year"
    return f"{year.start.isoformat()}_{year.end.isoformat()}"
