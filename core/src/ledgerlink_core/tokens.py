"""Where rotating OAuth tokens are kept between runs.

Tokens are state, not configuration: a backend like Fortnox hands out a new single-use refresh
token with every access token, so the pair must be saved atomically *before* it is used, and
two processes must never refresh at the same time. :class:`FileTokenStore` does both with a
private JSON file (0600 on POSIX; on Windows the user's profile folder protects it),
``os.replace`` and a cross-process lock on a sibling ``.lock`` file (``filelock``: ``flock`` on
POSIX, ``msvcrt.locking`` on Windows).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ledgerlink_core._files import LockBusy, file_lock, write_private
from ledgerlink_core.errors import ConfigError

#: How long :meth:`FileTokenStore.lock` waits for another process's refresh, in seconds.
LOCK_TIMEOUT = 120.0

__all__ = [
    "FileTokenStore",
    "MemoryTokenStore",
    "TokenStore",
]


@runtime_checkable
class TokenStore(Protocol):
    """Persistent storage for one backend's tokens (a JSON-able dict)."""

    def load(self) -> dict[str, Any] | None:
        """The stored tokens, or None when there are none."""
        ...

    def save(self, data: dict[str, Any]) -> None:
        """Replace the stored tokens atomically."""
        ...

    def delete(self) -> None:
        """Forget the stored tokens (no error when there are none)."""
        ...

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """Hold an exclusive lock across processes while reading, refreshing and saving."""
        ...


class FileTokenStore:
    """Tokens in a private JSON file, replaced atomically, locked across processes.

    The lock lives in a sibling ``<name>.lock`` file so that replacing the token file does not
    drop it. It is re-entrant within a thread, so a caller holding it may call ``save``.
    Another process holding it is waited for up to ``lock_timeout`` seconds (a refresh takes
    a few), then :meth:`lock` raises a ConfigError naming the lock file.
    """

    def __init__(self, path: str | Path, *, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = Path(path)
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._lock_timeout = lock_timeout
        self._thread_lock = threading.RLock()
        self._depth = 0
        self._file_lock = file_lock(self._lock_path)

    def __repr__(self) -> str:
        # Never the contents: they are secrets.
        return f"FileTokenStore({str(self.path)!r})"

    def load(self) -> dict[str, Any] | None:
        """Read the tokens; None when the file does not exist."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read the token file: {exc.strerror}") from exc
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{self.path}: the token file is corrupt ({exc.msg}); delete it and log in again"
            ) from exc
        if not isinstance(data, dict):
            raise ConfigError(f"{self.path}: the token file is corrupt; delete it and log in again")
        return data

    def save(self, data: dict[str, Any]) -> None:
        """Write the tokens to a private temp file, fsync it and move it into place."""
        self._ensure_dir()
        write_private(self.path, json.dumps(data, indent=2, sort_keys=True))
        self._fsync_dir()

    def delete(self) -> None:
        """Remove the token file if there is one."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Exclusive lock across processes and threads; re-entrant per thread."""
        with self._thread_lock:
            if self._depth == 0:
                self._ensure_dir()
                try:
                    self._file_lock.acquire(timeout=self._lock_timeout)
                except LockBusy:
                    raise ConfigError(
                        f"{self._lock_path}: another ledgerlink process has held the token "
                        f"lock for {self._lock_timeout:g} s; wait for it to finish and try again"
                    ) from None
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0:
                    self._file_lock.release()

    def _ensure_dir(self) -> None:
        # 0700 on POSIX; on Windows mode is ignored and the profile folder protects it.
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _fsync_dir(self) -> None:
        # Make the rename itself durable; a crash must not bring back the burnt token.
        with contextlib.suppress(OSError):
            dfd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dfd)
            finally:
                os.close(dfd)


class MemoryTokenStore:
    """A token store that lives only in this process (tests, one-shot service accounts)."""

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        self._data = dict(data) if data is not None else None
        self._lock = threading.RLock()

    def __repr__(self) -> str:
        return "MemoryTokenStore()"

    def load(self) -> dict[str, Any] | None:
        """A copy of the stored tokens."""
        return dict(self._data) if self._data is not None else None

    def save(self, data: dict[str, Any]) -> None:
        """Keep a copy of ``data``."""
        self._data = dict(data)

    def delete(self) -> None:
        """Forget the tokens."""
        self._data = None

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """An in-process lock."""
        with self._lock:
            yield
