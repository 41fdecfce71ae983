"""Importing the supporting documents (underlag) of a fiscal year's vouchers into a folder.

Core owns the loop so that every backend gets the same guarantees: the backend lists what it
holds and downloads one file when asked (:meth:`AccountingBackend.list_attachments`,
:meth:`AccountingBackend.download_attachment`); core

* names each copy ``<series>-<number>_<filename>``, the rule ``push --attach`` reads, with the
  backend's name made safe (no folders, no ``..``, no control characters);
* skips a file already in the folder when it matches everything the backend says about it
  (size, SHA-256), so a second run downloads nothing;
* writes to a temporary file beside the target and renames it only when complete and
  checked, so an interrupted run leaves no half file and simply finishes on the next run;
* names a file it could not have and goes on with the rest (only a lost login stops it).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import unicodedata
from dataclasses import dataclass, field
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

    Raises :class:`~ledgerlink_core.errors.InputError` when ``directory`` cannot be created
    or is not a folder, and lets a lost login or permission through (every later file would
    fail the same way); any other failure of one file is reported in the result.
    """
    _prepare(directory)
    listed = list(backend.list_attachments(selector))
    tally = _Tally()
    taken: set[str] = set()
    with runtime.progress.task("attachments", total=len(listed)) as task:
        for attachment in listed:
            _import_one(backend, attachment, directory, taken, tally)
            task.advance()
    report = AttachmentsReport(
        directory=directory,
        downloaded=tally.downloaded,
        kept=tally.kept,
        failed=tally.failed,
        bytes_downloaded=tally.size,
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


@dataclass
class _Tally:
    downloaded: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)
    failed: list[AttachmentFailure] = field(default_factory=list)
    size: int = 0


def _prepare(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder: {exc.strerror}", path=directory) from exc
    if not directory.is_dir():
        raise InputError("not a folder", path=directory)


def _import_one(
    backend: AccountingBackend,
    attachment: VoucherAttachment,
    directory: Path,
    taken: set[str],
    report: _Tally,
) -> None:
    voucher = f"{attachment.series} {attachment.number}"

    def fail(message: str) -> None:
        report.failed.append(
            AttachmentFailure(voucher=voucher, filename=attachment.filename, message=message)
        )

    try:
        name = _unique(attachment_filename(attachment), taken)
    except ValueError as exc:
        fail(str(exc))
        return
    target = directory / name
    if _matches(target, attachment):
        report.kept.append(name)
        return
    try:
        size = _download(backend, attachment, target)
    except (AuthenticationError, PermissionDenied):
        raise
    except LedgerlinkError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot write {target}: {exc.strerror}")
    else:
        report.downloaded.append(name)
        report.size += size


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
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
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
