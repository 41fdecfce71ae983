"""Proving "before any I/O": an audit-hook recorder and an HTTP transport that records requests.

:func:`watch_io` records, while it is active, every network connection, every file opened for
writing or created, every file removed/renamed/created as a directory, every SQLite database
opened, and every file read inside the ``roots`` it is given (the test's sample data). Reading
Python modules (lazy imports) elsewhere is not I/O a backend does on purpose and is ignored.

It uses :func:`sys.addaudithook` (PEP 578). An audit hook cannot be removed, so exactly one is
installed per process, the first time a guard is used, and it does nothing unless a guard is
active. It records events from every thread, because backends use worker pools.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "IORecord",
    "RequestLog",
    "httpx_available",
    "recording_transport",
    "watch_io",
]

_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
#: Audit events that change the file system.
_MUTATING = frozenset(
    {
        "os.remove",
        "os.rename",
        "os.mkdir",
        "os.rmdir",
        "os.truncate",
        "os.link",
        "os.symlink",
        "os.chmod",
        "os.chown",
        "os.utime",
        "shutil.copyfile",
        "shutil.move",
        "shutil.rmtree",
    }
)


@dataclass
class IORecord:
    """What one guarded block did: a list of ``"event: detail"`` strings (empty is good)."""

    roots: tuple[Path, ...] = ()
    network: bool = True
    """Whether network connections count (False when only writes matter)."""
    events: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.events)

    def summary(self) -> str:
        """The first events, one per line, for an assertion message."""
        shown = self.events[:10]
        more = len(self.events) - len(shown)
        return "\n".join(shown + ([f"... and {more} more"] if more else []))


_lock = threading.Lock()
_active: list[IORecord] = []
_installed = False


def _inside(path: str, roots: Sequence[Path]) -> bool:
    try:
        resolved = Path(os.path.abspath(path))
    except (TypeError, ValueError):
        return False
    return any(resolved == root or root in resolved.parents for root in roots)


def _bytecode(args: tuple[Any, ...]) -> bool:
    # Python caching a lazily imported module's bytecode is not the backend's I/O.
    return bool(args) and isinstance(args[0], str | bytes) and "__pycache__" in os.fsdecode(args[0])


def _describe(event: str, args: tuple[Any, ...], record: IORecord) -> str | None:
    if _bytecode(args):
        return None
    if event == "socket.connect":
        return f"network: connect to {args[1]!r}" if record.network else None
    if event == "sqlite3.connect":
        target = str(args[0]) if args else ""
        return None if target == ":memory:" else f"sqlite: open {target}"
    if event in _MUTATING:
        return f"{event}: {args[0]!r}" if args else event
    if event == "open" and args:
        path, mode, flags = [*args, None, None][:3]
        if not isinstance(path, str | bytes | os.PathLike):
            return None  # an already open file descriptor
        path_text = os.fsdecode(path)
        writes = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
            isinstance(flags, int) and bool(flags & _WRITE_FLAGS)
        )
        if writes:
            return f"write: {path_text}"
        if _inside(path_text, record.roots):
            return f"read: {path_text}"
    return None


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if not _active:
        return
    if event not in _MUTATING and event not in ("open", "socket.connect", "sqlite3.connect"):
        return
    for record in list(_active):
        try:
            text = _describe(event, args, record)
        except Exception:  # an audit hook must never break the code it watches
            continue
        if text is not None:
            record.events.append(text)


def _install() -> None:
    global _installed
    with _lock:
        if not _installed:
            sys.addaudithook(_hook)
            _installed = True


@contextlib.contextmanager
def watch_io(roots: Sequence[Path | str] = (), *, network: bool = True) -> Iterator[IORecord]:
    """Record the I/O done inside the block (see the module doc); assert on the result after.

    ``with watch_io([tmp_path]) as io: backend.capabilities()`` then ``assert not io``.
    ``watch_io((), network=False)`` records only writes: reading is allowed.
    """
    _install()
    record = IORecord(roots=tuple(Path(os.path.abspath(r)) for r in roots), network=network)
    with _lock:
        _active.append(record)
    try:
        yield record
    finally:
        with _lock:
            _active.remove(record)


@dataclass
class RequestLog:
    """Every HTTP request a :class:`recording_transport` saw, as ``(method, url)``."""

    requests: list[tuple[str, str]] = field(default_factory=list)

    def clear(self) -> None:
        """Forget the requests seen so far."""
        self.requests.clear()


def recording_transport(inner: Any | None, log: RequestLog, *, forbid: bool = False) -> Any:
    """An ``httpx.BaseTransport`` that logs every request, then passes it to ``inner`` (a real
    ``httpx.HTTPTransport`` when None). With ``forbid`` it answers nothing: any request fails,
    which proves the code under test did not need the network.

    httpx is imported here, not at module level: the kit works for backends without it.
    """
    import httpx

    class _Recording(httpx.BaseTransport):
        def __init__(self) -> None:
            self.inner: httpx.BaseTransport | None = (
                None if forbid else (inner if inner is not None else httpx.HTTPTransport())
            )

        def handle_request(self, request: httpx.Request) -> httpx.Response:
            log.requests.append((request.method, str(request.url)))
            if self.inner is None:
                raise httpx.ConnectError(
                    f"the conformance kit forbids network I/O here ({request.method} "
                    f"{request.url})",
                    request=request,
                )
            return self.inner.handle_request(request)

        def close(self) -> None:
            if self.inner is not None:
                self.inner.close()

    return _Recording()


def httpx_available() -> bool:
    """True when httpx can be imported (HTTP backends depend on it; file backends need not)."""
    try:
        import httpx  # noqa: F401
    except ImportError:
        return False
    return True
