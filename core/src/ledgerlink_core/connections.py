"""Connections: one login per company and backend, chosen with ``--company ORGNR|ALIAS``.

An accounting firm works on dozens of companies, each its own tenant at the backend (a
Fortnox company). A :class:`Connection` is one of them: the backend, the company's
organisation number (the key), its name and an optional alias. The index lives in
``<config_dir>/connections.json`` (0600, replaced atomically under a lock file); each
connection's tokens live in their own token store, ``<config_dir>/tokens/<backend>/<org
nr digits>.json`` by default (the ``ledgerlink_token_store`` hook's ``connection``).

Choosing: with ``--company`` the connection whose organisation number (with or without the
dash) or alias it names; without it, the only connection of the backend; several and no
``--company`` is a :class:`~ledgerlink_core.errors.ConfigError` (exit 3) listing them.

Before connections there was one store per backend, ``tokens/<backend>.json``. While a
backend has no connection that file is still used (the one login there is), and
``ledgerlink connections`` lists it as ``legacy``; logging in again turns it into a
connection (the Fortnox plugin asks it which company it reaches).

What a listing says about a login comes from the conventional keys of the stored tokens
(:func:`login_status`): ``grant`` (``client_credentials``: a service account, renewed
without a refresh token), ``expires_at`` (the access token), ``refresh_expires_at`` (how
long the login lasts) and ``refused_at`` (the backend refused to renew it).
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ledgerlink_core._files import file_lock, write_private
from ledgerlink_core.errors import ConfigError
from ledgerlink_core.model import Seconds

__all__ = [
    "Connection",
    "Connections",
    "LoginStatus",
    "login_status",
    "org_key",
]

INDEX = "connections.json"


def org_key(org_nr: str) -> str:
    """An organisation number as its digits (``556677-8899`` -> ``5566778899``): the key."""
    return re.sub(r"\D", "", org_nr)


@dataclass(frozen=True)
class Connection:
    """One company at one backend."""

    backend: str
    org_nr: str
    company: str = ""
    alias: str | None = None

    @property
    def key(self) -> str:
        """The organisation number's digits: the token store's name."""
        return org_key(self.org_nr)

    def matches(self, selector: str) -> bool:
        """Whether ``--company selector`` names this connection (org nr or alias)."""
        if self.alias is not None and selector == self.alias:
            return True
        digits = org_key(selector)
        return bool(digits) and digits == self.key and not re.search(r"[^\d\s-]", selector)

    def label(self) -> str:
        """``556677-8899 (Bolaget AB, alias bolaget)``: for messages."""
        extra = ", ".join(
            p for p in (self.company, f"alias {self.alias}" if self.alias else "") if p
        )
        return f"{self.org_nr} ({extra})" if extra else self.org_nr


@dataclass(frozen=True)
class LoginStatus:
    """What the stored tokens say of a login, never the tokens."""

    status: str
    """``valid``, ``expired``, ``refused``, ``missing`` (no tokens) or ``corrupt`` (a file
    that cannot be read, or a key of the wrong type: log in again)."""
    until: Seconds | None
    """When the login lasts to (epoch seconds); None: indefinitely or unknown."""


def login_status(data: dict[str, Any] | None, now: Seconds | None = None) -> LoginStatus:
    """Classify stored tokens by their conventional keys (see the module docstring)."""
    if not data:
        return LoginStatus("missing", None)
    clock = time.time() if now is None else now
    if data.get("refused_at"):
        return LoginStatus("refused", None)
    if data.get("grant") == "client_credentials":
        return LoginStatus("valid", None)
    refresh_until = data.get("refresh_expires_at")
    if data.get("refresh_token"):
        if refresh_until is None:
            return LoginStatus("valid", None)
        until = _epoch(refresh_until)
        if until is None:
            return LoginStatus("corrupt", None)
        return LoginStatus("valid" if until > clock else "expired", until)
    expires = _epoch(data.get("expires_at", 0))
    if expires is None:
        return LoginStatus("corrupt", None)
    return LoginStatus("valid" if expires > clock else "expired", expires)


def _epoch(value: object) -> Seconds | None:
    """A stored time (epoch seconds), or None when it is not one (text, true, null, 1e300):
    a listing says "corrupt" of such a file instead of failing on it."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Seconds(value) if 0 <= value < 253402300800 else None  # up to the year 9999


class Connections:
    """The index of connections under ``config_dir``."""

    def __init__(self, config_dir: Path) -> None:
        self.config_dir = Path(config_dir)
        self.path = self.config_dir / INDEX

    def __repr__(self) -> str:
        return f"Connections({str(self.path)!r})"

    # --- reading --------------------------------------------------------------------------------

    def listed(self, backend: str | None = None) -> list[Connection]:
        """Every connection (of ``backend``), by backend and organisation number."""
        rows = self._load()
        found = [c for c in rows if backend is None or c.backend == backend]
        return sorted(found, key=lambda c: (c.backend, c.key))

    def find(self, backend: str, selector: str) -> Connection:
        """The connection ``selector`` names; ConfigError (exit 3) when none does."""
        for conn in self.listed(backend):
            if conn.matches(selector):
                return conn
        known = self.listed(backend)
        listing = "; ".join(c.label() for c in known) or "none"
        raise ConfigError(
            f"no {backend} connection {selector!r} (connections: {listing}); log in with "
            f"`ledgerlink {backend} login` or see `ledgerlink connections`"
        )

    def choose(self, backend: str, selector: str | None) -> Connection | None:
        """The connection to use: the one ``selector`` names, else the only one; None when
        the backend has none (its legacy single store, if any, is then used). Several and no
        ``selector``: ConfigError (exit 3) listing them."""
        if selector:
            return self.find(backend, selector)
        known = self.listed(backend)
        if not known:
            return None
        if len(known) == 1:
            return known[0]
        listing = "; ".join(c.label() for c in known)
        raise ConfigError(
            f"{len(known)} {backend} connections, choose one with --company ORGNR|ALIAS: {listing}"
        )

    def legacy_path(self, backend: str) -> Path:
        """The single token file a backend used before connections."""
        return self.config_dir / "tokens" / f"{backend}.json"

    def legacy_backends(self) -> list[str]:
        """Backends that still have a pre-connections token file."""
        folder = self.config_dir / "tokens"
        if not folder.is_dir():
            return []
        return sorted(p.stem for p in folder.glob("*.json") if p.is_file())

    # --- changing -------------------------------------------------------------------------------

    def add(self, conn: Connection) -> Connection:
        """Add ``conn``, replacing the backend's connection to the same company only. An
        alias another company of the backend has is refused (ConfigError)."""
        if conn.alias is not None and (not conn.alias or org_key(conn.alias) == conn.alias):
            raise ConfigError(
                f"alias {conn.alias!r} must not be empty or all digits (it would read as an "
                f"organisation number)"
            )
        with self._locked():
            rows = self._load()
            for other in rows:
                if (
                    other.backend == conn.backend
                    and other.key != conn.key
                    and conn.alias is not None
                    and other.alias == conn.alias
                ):
                    raise ConfigError(
                        f"alias {conn.alias!r} is already {other.label()}; choose another with --as"
                    )
            kept = [c for c in rows if not (c.backend == conn.backend and c.key == conn.key)]
            self._save([*kept, conn])
        return conn

    def remove(self, backend: str, selector: str) -> Connection:
        """Remove the connection ``selector`` names (ConfigError when none does)."""
        with self._locked():
            conn = self.find(backend, selector)
            rows = [c for c in self._load() if not (c.backend == backend and c.key == conn.key)]
            self._save(rows)
        return conn

    # --- the file -------------------------------------------------------------------------------

    def _load(self) -> list[Connection]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read the connections: {exc.strerror}") from exc
        try:
            raw = json.loads(text)
            return [
                Connection(
                    backend=str(r["backend"]),
                    org_nr=str(r["org_nr"]),
                    company=str(r.get("company") or ""),
                    alias=r.get("alias"),
                )
                for r in raw["connections"]
            ]
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(
                f"{self.path}: the connections file is corrupt; repair or delete it and log in "
                f"again"
            ) from exc

    def _save(self, rows: list[Connection]) -> None:
        self.config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        body = {"connections": [asdict(c) for c in sorted(rows, key=lambda c: (c.backend, c.key))]}
        write_private(self.path, json.dumps(body, indent=2, ensure_ascii=False))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        self.config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock = file_lock(self.config_dir / f"{INDEX}.lock")  # filelock: POSIX and Windows
        lock.acquire()
        try:
            yield
        finally:
            lock.release()
