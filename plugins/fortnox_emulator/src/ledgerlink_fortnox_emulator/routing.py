"""Requests, responses, the route table and the helpers every resource shares."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from ledgerlink_fortnox_emulator.config import EmulatorConfig
from ledgerlink_fortnox_emulator.errors import ApiError, bad_request, invalid_parameter, not_found
from ledgerlink_fortnox_emulator.oauth import Grant
from ledgerlink_fortnox_emulator.state import EmulatorState, FiscalYearRec


@dataclass
class Request:
    """One API request, parsed. Query parameter names are lower-cased (Fortnox ignores case)."""

    method: str
    path: str
    query: dict[str, str]
    headers: Mapping[str, str]
    body: bytes
    base_url: str
    grant: Grant | None = None
    params: dict[str, str] = field(default_factory=dict)
    """Path parameters matched by the route."""

    def json(self) -> dict[str, Any]:
        """The JSON body; numbers with a fraction become Decimal (money stays exact)."""
        ctype = self.headers.get("content-type", "application/json").split(";")[0].strip()
        if ctype not in ("application/json", "*/*", ""):
            raise ApiError(415, 1000031, "Invalid content type")
        try:
            data = json.loads(self.body.decode("utf-8") or "null", parse_float=Decimal)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise bad_request(2002115, "Error deserializing JSON: JSON_ERROR_SYNTAX") from None
        if not isinstance(data, dict):
            raise bad_request(2001392, "Ingen eller felaktig typ av data")
        return data


@dataclass
class Response:
    """An answer: a JSON body or raw bytes."""

    status: int
    body: Any = None
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    cut: bool = False
    """Send half the body and close the connection (``cut_downloads``)."""


Handler = Callable[["Context", Request], Response]


@dataclass
class Context:
    """What a handler needs: the state and the configuration."""

    state: EmulatorState
    config: EmulatorConfig


@dataclass
class Route:
    """``method`` + ``pattern`` served by ``handler``, needing ``scope``."""

    method: str
    pattern: re.Pattern[str]
    scope: str | None
    handler: Handler


class Router:
    """The route table."""

    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, path: str, scope: str | None) -> Callable[[Handler], Handler]:
        """Decorator: ``{Name}`` in ``path`` matches one path segment."""
        regex = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "/?$")

        def register(handler: Handler) -> Handler:
            self.routes.append(Route(method, regex, scope, handler))
            return handler

        return register

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route for a request, or a 404/405 :class:`ApiError`."""
        allowed = False
        for route in self.routes:
            found = route.pattern.match(path)
            if found is None:
                continue
            if route.method == method:
                return route, found.groupdict()
            allowed = True
        if allowed:
            raise ApiError(
                405, 2000729, f"Metoden {method} stöds inte för resursen", casing="upper"
            )
        raise not_found(2000729, "Kan inte hitta resursen")


# --- wire formats -------------------------------------------------------------------------------


def num(value: Decimal) -> float:
    """Money as a JSON number, as Fortnox sends it. Exact at the wire: a float's shortest repr
    of a two-decimal amount reads back to the same decimal."""
    return float(value)  # the wire representation only


def text_amount(value: Decimal) -> str:
    """Money as the strings supplier invoices use (``"1250.00"``)."""
    return f"{value.quantize(Decimal('0.01')):f}"


def day(value: dt.date | None) -> str | None:
    """A date as Fortnox writes it."""
    return value.isoformat() if value else None


def parse_date(req: Request, name: str) -> dt.date | None:
    """A ``YYYY-MM-DD`` query parameter (400 when malformed)."""
    raw = req.query.get(name)
    if raw in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise invalid_parameter(name) from None


def parse_modified(req: Request) -> dt.datetime | None:
    """``lastmodified`` as ``YYYY-MM-DD HH:MM`` or a date."""
    raw = req.query.get("lastmodified")
    if not raw:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, fmt)
        except ValueError:
            continue
    raise invalid_parameter("lastmodified")


def parse_int(raw: object, name: str) -> int:
    """An integer from a query or body value."""
    try:
        if isinstance(raw, bool):
            raise ValueError
        if isinstance(raw, Decimal):
            if raw != raw.to_integral_value():
                raise ValueError
            return int(raw)
        return int(str(raw))
    except (ValueError, InvalidOperation):
        raise invalid_parameter(name) from None


def select_year(ctx: Context, req: Request) -> FiscalYearRec:
    """The fiscal year a request means: ``financialyear`` id, ``financialyeardate``, or the
    preselected year."""
    state = ctx.state
    if req.query.get("financialyear"):
        year_id = parse_int(req.query["financialyear"], "financialyear")
        found = state.year(year_id)
        if found is None:
            raise not_found(2000617, f"Kan inte hitta räkenskapsåret {year_id}")
        return found
    when = parse_date(req, "financialyeardate")
    if when is not None:
        found = state.year_of(when)
        if found is None:
            raise not_found(2000617, f"Det finns inget räkenskapsår för datumet {when}")
        return found
    return state.default_year()


def paged(
    ctx: Context,
    req: Request,
    key: str,
    items: Sequence[Any] | Iterable[Any],
    render: Callable[[Any], dict[str, Any]],
) -> Response:
    """A list answer: one page of ``items`` under ``key`` with ``MetaInformation``."""
    seq = items if isinstance(items, Sequence) else list(items)
    limit = ctx.config.default_page_size
    if req.query.get("limit"):
        limit = parse_int(req.query["limit"], "limit")
        if not 1 <= limit <= ctx.config.max_page_size:
            raise bad_request(
                2000588, f"Ogiltig parameter i anropet: limit (max {ctx.config.max_page_size})"
            )
    page = parse_int(req.query.get("page") or 1, "page")
    if page < 1:
        raise invalid_parameter("page")
    start = (page - 1) * limit
    if req.query.get("offset"):
        start += parse_int(req.query["offset"], "offset")
    total = len(seq)
    pages = -(-total // limit)  # 0 for an empty list, as recorded from Fortnox
    return Response(
        200,
        {
            "MetaInformation": {
                "@TotalResources": total,
                "@TotalPages": pages,
                "@CurrentPage": page,
            },
            key: [render(item) for item in seq[start : start + limit]],
        },
    )


def register_page(
    ctx: Context,
    req: Request,
    key: str,
    register: Mapping[str, Any],
    render: Callable[[str], dict[str, Any]],
) -> Response:
    """A list answer of a register (voucher series, cost centres, projects) in code order."""
    with ctx.state.lock:
        codes = sorted(register)
    return paged(ctx, req, key, codes, render)


def check_fields(body: Mapping[str, Any], allowed: Iterable[str]) -> None:
    """2001399 for a field Fortnox does not know (case-sensitive, as Fortnox is)."""
    known = set(allowed)
    for name in body:
        if name not in known:
            raise bad_request(2001399, f"Felaktigt fältnamn: {name}")
