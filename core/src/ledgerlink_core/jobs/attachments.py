"""Importing the supporting documents (underlag) of a fiscal year's vouchers into a folder.

Core owns the loop so that every backend gets the same guarantees: the backend lists what it
holds and downloads one file when asked (:meth:`AccountingBackend.list_attachments`,
:meth:`AccountingBackend.download_attachment`); core

* names each copy ``<series>-<number>_<filename>``, the rule ``push --attach`` reads, with the
  backend's name made safe (no folders, no ``..``, no control characters);
* skips a file already in the folder when it matches everything the backend says about it
  (size, SHA-256), so a second run downloads nothing;
* writes to a temporary file beside the target and renames it only when complete and
  checked, so an interrupted run leaves no half file and simply finishes on the next run
  (which also removes the temporary file of a run that was killed outright);
* downloads up to the backend's ``download_workers`` files at once;
* names a file it could not have and goes on with the rest (only a lost login stops it).
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import tempfile
import unicodedata
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from ledgerlink_core.backend import AccountingBackend, BookkeepingRequest
from ledgerlink_core.errors import (
    AuthenticationError,
    BackendError,
    InputError,
    LedgerlinkError,
    PermissionDenied,
)
from ledgerlink_core.model import VoucherAttachment
from ledgerlink_core.runtime import Runtime

__all__ = [
    "AttachmentFailure",
    "AttachmentsReport",
    "attachment_filename",
    "import_attachments",
]


class AttachmentFailure(BaseModel):
    """One attachment that could not be imported, and why."""

    model_config = ConfigDict(frozen=True)

    voucher: str
    """The voucher it belongs to: ``A 12``."""
    filename: str
    """Its name in the backend."""
    message: str


class AttachmentsReport(BaseModel):
    """What an attachments import did, file by file (names are local file names)."""

    model_config = ConfigDict(frozen=True)

    directory: Path
    downloaded: list[str] = Field(default_factory=list)
    """Files written by this run."""
    kept: list[str] = Field(default_factory=list)
    """Files already there, matching what the backend says of them: not downloaded again."""
    failed: list[AttachmentFailure] = Field(default_factory=list)
    bytes_downloaded: int = 0

    @property
    def ok(self) -> bool:
        """True when every listed attachment is in the folder."""
        return not self.failed


def attachment_filename(attachment: VoucherAttachment) -> str:
    """The local name of ``attachment``: ``A-12_receipt.pdf``.

    The backend's name loses any folder part and control characters; raises ``ValueError``
    when nothing usable is left (``..``, an empty name).
    """
    name = attachment.filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip()
    if name in ("", ".", "..") or name.startswith("."):
        raise ValueError(f"the backend's file name {attachment.filename!r} cannot be used")
    return f"{attachment.series}-{attachment.number}_{name}"


def import_attachments(
    runtime: Runtime,
    backend: AccountingBackend,
    selector: BookkeepingRequest,
    directory: Path,
) -> AttachmentsReport:
    """Import the attachments of the year ``selector`` picks from an opened ``backend`` into
    ``directory`` (created if missing) and fire ``ledgerlink_import_finished``
    (``kind="attachments"``).

    Files are named in listing order first, then downloaded, up to the backend's
    :attr:`~ledgerlink_core.backend.AccountingBackend.download_workers` at once; the report
    keeps the listing order whatever order downloads finish in.

    Raises :class:`~ledgerlink_core.errors.InputError` when ``directory`` cannot be created
    or is not a folder, and lets a lost login or permission through (every later file would
    fail the same way); any other failure of one file is reported in the result.
    """
    _prepare(directory)
    listed = list(backend.list_attachments(selector))
    outcomes: list[_Outcome] = []
    wanted: list[tuple[_Outcome, VoucherAttachment, Path]] = []
    taken: set[str] = set()
    with runtime.progress.task("attachments", total=len(listed)) as task:
        for attachment in listed:
            outcome = _Outcome(voucher=f"{attachment.series} {attachment.number}")
            outcomes.append(outcome)
            try:
                outcome.name = _unique(attachment_filename(attachment), taken)
            except ValueError as exc:
                outcome.failure = AttachmentFailure(
                    voucher=outcome.voucher, filename=attachment.filename, message=str(exc)
                )
                task.advance()
                continue
            target = directory / outcome.name
            if _matches(target, attachment):
                outcome.kept = True
                task.advance()
            else:
                wanted.append((outcome, attachment, target))
        for _ in _download_all(backend, wanted):
            task.advance()
    report = AttachmentsReport(
        directory=directory,
        downloaded=[o.name for o in outcomes if o.name and o.size is not None],
        kept=[o.name for o in outcomes if o.name and o.kept],
        failed=[o.failure for o in outcomes if o.failure is not None],
        bytes_downloaded=sum(o.size or 0 for o in outcomes),
    )
    runtime.notify(
        "ledgerlink_import_finished",
        source=backend.name,
        kind="attachments",
        summary={
            "attachments": len(listed),
            "downloaded": len(report.downloaded),
            "failed": len(report.failed),
        },
    )
    return report


_PART = ".part"
"""The suffix of a download in progress (``.<name>.<random>.part``, beside its target)."""


@dataclass
class _Outcome:
    """What became of one listed attachment."""

    voucher: str
    name: str | None = None
    kept: bool = False
    size: int | None = None
    """Bytes written, once downloaded."""
    failure: AttachmentFailure | None = None


def _prepare(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder: {exc.strerror}", path=directory) from exc
    if not directory.is_dir():
        raise InputError("not a folder", path=directory)
    # A run killed mid-download (SIGKILL, power loss) leaves its temporary file behind.
    for leftover in directory.glob(f".*{_PART}"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def _download_all(
    backend: AccountingBackend, wanted: list[tuple[_Outcome, VoucherAttachment, Path]]
) -> Iterator[None]:
    """Download every wanted file, yielding once per file done (in listing order).

    With ``download_workers`` above 1 the downloads run on that many threads, at most twice
    as many submitted ahead, so memory stays flat however many files there are."""
    workers = max(1, int(backend.download_workers))
    if workers == 1 or len(wanted) < 2:
        for job in wanted:
            _import_one(backend, *job)
            yield None
        return
    source = iter(wanted)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="attachments") as pool:
        pending: deque[Future[None]] = deque(
            pool.submit(_import_one, backend, *job) for job in itertools.islice(source, workers * 2)
        )
        try:
            while pending:
                pending.popleft().result()  # a lost login or permission propagates
                for job in itertools.islice(source, 1):
                    pending.append(pool.submit(_import_one, backend, *job))
                yield None
        finally:
            for future in pending:
                future.cancel()


def _import_one(
    backend: AccountingBackend, outcome: _Outcome, attachment: VoucherAttachment, target: Path
) -> None:
    def fail(message: str) -> None:
        outcome.failure = AttachmentFailure(
            voucher=outcome.voucher, filename=attachment.filename, message=message
        )

    try:
        outcome.size = _download(backend, attachment, target)
    except (AuthenticationError, PermissionDenied):
        raise
    except LedgerlinkError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror}")


def _unique(name: str, taken: set[str]) -> str:
    """``name``, or ``stem (2).suffix`` when another attachment of this run already has it
    (two files of one voucher with the same name). Listing order is stable, so a re-run
    gives each file the same name again."""
    candidate, n = name, 1
    while candidate.casefold() in taken:
        n += 1
        stem, dot, suffix = name.rpartition(".")
        candidate = f"{stem} ({n}).{suffix}" if dot and stem else f"{name} ({n})"
    taken.add(candidate.casefold())
    return candidate


def _matches(path: Path, attachment: VoucherAttachment) -> bool:
    """Whether ``path`` already holds ``attachment``: it exists (a rename made it, so it is
    whole) and agrees with the size and hash the backend gives."""
    try:
        size = path.stat().st_size
    except OSError:
        return False
    if attachment.size is not None and size != attachment.size:
        return False
    return attachment.sha256 is None or _sha256(path) == attachment.sha256.lower()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download(backend: AccountingBackend, attachment: VoucherAttachment, target: Path) -> int:
    """Download into a temporary file beside ``target``, check it, rename it into place."""
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=_PART)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            backend.download_attachment(attachment, out)
            out.flush()
            os.fsync(out.fileno())
        size = tmp.stat().st_size
        if attachment.size is not None and size != attachment.size:
            raise BackendError(f"got {size} bytes, the backend says {attachment.size}")
        if attachment.sha256 is not None and _sha256(tmp) != attachment.sha256.lower():
            raise BackendError("its SHA-256 is not the one the backend gives")
        os.replace(tmp, target)
        return size
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
