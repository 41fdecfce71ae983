"""Fortnox JSON both ways: reading values (numbers that may be strings, dates, case-varying
keys) and writing bodies with exact amounts."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from ledgerlink_core import BackendError

CENT = Decimal("0.01")


def _json(value: Any) -> str:
    """One JSON value, with every ``Decimal`` written as its exact number: the document is
    built piece by piece, so no user string can ever be mistaken for a number."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise TypeError(f"cannot serialise the amount {value}")
        return format(value, "f")
    if isinstance(value, dict):
        items = (f"{json.dumps(str(k), ensure_ascii=False)}:{_json(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(v) for v in value) + "]"
    if value is None or isinstance(value, str | int | float | bool):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(body: Any) -> bytes:
    """A request body as JSON with every ``Decimal`` an exact JSON number (``json`` alone would
    need floats)."""
    return _json(body).encode("utf-8")


def field(obj: Mapping[str, Any], name: str, default: Any = None) -> Any:
    """``obj[name]``, falling back to a case-insensitive match (Fortnox casing varies)."""
    if name in obj:
        return obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if key.lower() == lowered:
            return value
    return default


def amount(value: Any, *, what: str = "amount") -> Decimal:
    """A money value from a JSON number *or* string (supplier invoices send strings).

    Floats from JSON are read through ``str`` so ``0.1`` stays ``0.1``; empty means zero.
    """
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool):
        raise BackendError(f"Fortnox sent a boolean where a {what} was expected")
    try:
        text = str(value).strip().replace(" ", "").replace(",", ".")
        return Decimal(text)
    except InvalidOperation as exc:
        raise BackendError(f"Fortnox sent {value!r} where a {what} was expected") from exc


def cents(value: Decimal) -> Decimal:
    """Round to öre, half up, as bookkeeping does."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def date(value: Any, *, what: str = "date") -> dt.date | None:
    """``YYYY-MM-DD`` (possibly with a time part) or None when empty."""
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise BackendError(f"Fortnox sent {value!r} where a {what} was expected") from exc


def flag(value: Any) -> bool:
    """Booleans that may come as ``"true"``/``"false"`` strings."""
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)
