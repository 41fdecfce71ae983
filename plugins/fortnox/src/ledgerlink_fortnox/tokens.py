"""The stored Fortnox login, checked field by field as it is read (review C6).

Core's token store refuses a file that is not a JSON object; this plugin reads the fields
(``expires_at`` as a number, ``access_token`` as a string, ...). A file edited by hand or
written by something else may hold a field of the wrong type, which would otherwise surface
deep in the auth flow as a ``ValueError``/``TypeError`` (exit 70). :class:`CheckedTokenStore`
turns every such file into the same one-line :class:`~ledgerlink_core.ConfigError` the store
gives a file that is not JSON at all: name the file, delete it and log in again.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

from ledgerlink_core import ConfigError, TokenStore

#: Keys holding epoch seconds (the auth flow compares them with the clock, status prints them).
TIME_FIELDS = ("expires_at", "refresh_expires_at", "obtained_at", "refused_at", "refresh_sent_at")
#: Keys holding text (tokens are sent as they are; the others are shown or compared).
TEXT_FIELDS = (
    "access_token",
    "refresh_token",
    "grant",
    "token_type",
    "scope",
    "requested_scopes",
    "client_id",
    "token_url",
    "base_url",
    "tenant_id",
    "org_nr",
    "company",
)
#: The latest time a clock reading may be: the end of year 9999 (``time.gmtime`` takes it on
#: every platform; an absurd number would overflow it when ``status`` prints the date).
LATEST = 253402300799.0


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return "text"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def field_problem(data: dict[str, Any]) -> str | None:
    """What is wrong with the types of the stored login ``data`` (one field), or None.

    Absent keys are fine (each reader has its default); a present key must have its type:
    the times a number of epoch seconds from 0 to the year 9999, the rest text. Values are
    never quoted, since they may be tokens.
    """
    for key in TIME_FIELDS:
        if key not in data:
            continue
        value = data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"`{key}` is {_kind(value)}, not a number of seconds"
        if not (math.isfinite(value) and 0 <= value <= LATEST):
            return f"`{key}` is not a time between 1970 and 9999"
    for key in TEXT_FIELDS:
        if key in data and not isinstance(data[key], str):
            return f"`{key}` is {_kind(data[key])}, not text"
    return None


class CheckedTokenStore:
    """A :class:`~ledgerlink_core.TokenStore` whose :meth:`load` checks the field types.

    Everything in this plugin that reads a login reads it through one of these (the client
    wraps the store it is given, ``status`` too), so a wrong type is reported in one way.
    """

    def __init__(self, inner: TokenStore) -> None:
        self.inner = inner

    def __repr__(self) -> str:
        return f"CheckedTokenStore({self.inner!r})"

    def where(self) -> str:
        """The token file's path (a store without a file: its ``repr``, never secret)."""
        return str(getattr(self.inner, "path", None) or repr(self.inner))

    def load(self) -> dict[str, Any] | None:
        """The stored tokens, or None; a field of the wrong type is a ConfigError."""
        data = self.inner.load()
        if data is None:
            return None
        problem = field_problem(data)
        if problem is not None:
            raise ConfigError(
                f"{self.where()}: the token file is corrupt ({problem}); delete it and log in again"
            )
        return data

    def save(self, data: dict[str, Any]) -> None:
        """Replace the stored tokens (as the wrapped store does)."""
        self.inner.save(data)

    def delete(self) -> None:
        """Forget the stored tokens."""
        self.inner.delete()

    def lock(self) -> contextlib.AbstractContextManager[None]:
        """The wrapped store's cross-process lock."""
        return self.inner.lock()


def checked(store: TokenStore) -> CheckedTokenStore:
    """``store`` with its field types checked on every load (wrapped once)."""
    return store if isinstance(store, CheckedTokenStore) else CheckedTokenStore(store)
