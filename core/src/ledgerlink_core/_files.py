"""Files only their owner may read, and locks that span processes: one code path for POSIX
and Windows.

* :func:`make_private`: on POSIX the mode bits say it, 0600 for a file and 0700 for a folder.
  On Windows the mode bits cannot say "only this user" (``os.chmod`` there only sets the
  read-only flag), so a file is protected by where it lives: ledgerlink keeps its tokens,
  export journal and snapshots under the user's own profile (``%LOCALAPPDATA%`` and
  ``%APPDATA%``, as platformdirs names them), whose access list grants only that user, SYSTEM
  and the administrators, and everything created there inherits that list. There the
  function changes nothing and says so. (A ``LEDGERLINK_CONFIG_DIR`` or
  ``LEDGERLINK_DATA_DIR`` outside the profile has the protection of the folder it names.)
* :func:`file_lock`: an exclusive lock on a file, through the ``filelock`` library: ``flock``
  on POSIX, ``msvcrt.locking`` on Windows. The operating system releases it when the holding
  process ends, even after ``kill -9``.

Neither imports anything POSIX-only, and ``filelock`` is imported only when a lock is taken.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from filelock import BaseFileLock

__all__ = ["WINDOWS_PROTECTION", "LockBusy", "file_lock", "make_private"]

#: What protects a private file on Windows (the README and ``make_private`` say the same).
WINDOWS_PROTECTION = (
    "on Windows the file is private because it lives in the user's own profile folder "
    "(%LOCALAPPDATA% or %APPDATA%), whose access list admits only that user, SYSTEM and the "
    "administrators"
)


def make_private(path: str | os.PathLike[str], *, os_name: str | None = None) -> bool:
    """Make ``path`` (a file or a folder) readable and writable by its owner only.

    On POSIX: ``chmod`` 0600 for a file, 0700 for a folder; True. On Windows (``os.name ==
    "nt"``): nothing is changed and the answer is False, because there the folder's access
    list protects it (see :data:`WINDOWS_PROTECTION`). ``os_name`` overrides ``os.name``
    (tests take both paths on one machine).
    """
    if (_os_name() if os_name is None else os_name) == "nt":
        return False
    os.chmod(path, 0o700 if Path(path).is_dir() else 0o600)
    return True


def _os_name() -> str:
    """``os.name``, asked here so that a test can take the other platform's path."""
    return os.name


class LockBusy(Exception):
    """Another process (or another holder in this one) has the lock."""


class _Lock:
    """One exclusive lock on ``path``, held by this object (not by a thread) until released."""

    def __init__(self, path: Path) -> None:
        from filelock import FileLock

        self.path = path
        # The lock file is the user's alone on POSIX (the umask would make it 0644); on
        # Windows the profile folder protects it and the mode bits say nothing.
        self._lock: BaseFileLock = (
            FileLock(path, thread_local=False)
            if _os_name() == "nt"
            else FileLock(path, mode=0o600, thread_local=False)
        )

    @property
    def held(self) -> bool:
        """Whether this object holds the lock."""
        return bool(self._lock.is_locked)

    def acquire(self, timeout: float | None = None) -> None:
        """Take the lock: at once (``timeout=0``), waiting up to ``timeout`` seconds, or for as
        long as it takes (None). Raises :class:`LockBusy` when the time runs out."""
        from filelock import Timeout

        try:
            if timeout == 0:
                self._lock.acquire(blocking=False)
            else:
                self._lock.acquire(timeout=-1 if timeout is None else timeout)
        except Timeout:
            raise LockBusy(str(self.path)) from None

    def release(self) -> None:
        """Give the lock back (no error when it is not held)."""
        if self._lock.is_locked:
            self._lock.release(force=True)


def file_lock(path: str | os.PathLike[str]) -> _Lock:
    """An exclusive cross-process lock on the file ``path`` (created when needed)."""
    return _Lock(Path(path))


def write_private(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically: a private temp file beside it, fsynced, then
    moved into place (a reader sees the old file or the new, never half of one)."""
    import contextlib
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        make_private(tmp)  # mkstemp makes it 0600 already; this says so on every platform
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
