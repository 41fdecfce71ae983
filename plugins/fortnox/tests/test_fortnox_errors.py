"""Every Fortnox error shape becomes a one-line ledgerlink error that says what to do."""

from __future__ import annotations

import httpx
import pytest
from ledgerlink_core.errors import (
    AuthenticationError,
    BackendError,
    BackendUnavailable,
    PermissionDenied,
)
from ledgerlink_fortnox.errors import NotFound, parse_error, to_ledgerlink_error


def _response(status: int, url: str, body: object | None = None, **kw: object) -> httpx.Response:
    request = httpx.Request("GET", url)
    if body is None:
        return httpx.Response(status, request=request, **kw)  # type: ignore[arg-type]
    return httpx.Response(status, json=body, request=request)


def test_both_casings_are_read() -> None:
    upper = _response(
        404,
        "https://api.fortnox.se/3/customers/1",
        {"ErrorInformation": {"Error": 1, "Message": "Kan inte hitta kunden.", "Code": 2000433}},
    )
    lower = _response(
        400,
        "https://api.fortnox.se/3/invoices",
        {"ErrorInformation": {"error": 1, "message": "Ett ogiltigt filter.", "code": 2000587}},
    )
    assert parse_error(upper).code == 2000433
    assert parse_error(upper).message == "Kan inte hitta kunden."
    assert parse_error(lower).code == 2000587


@pytest.mark.parametrize(
    ("status", "path", "body", "cls", "needles"),
    [
        (
            403,
            "/3/supplierinvoices",
            {"ErrorInformation": {"error": 1, "message": "Saknar behörighet", "code": 2000663}},
            PermissionDenied,
            ["'supplierinvoice' scope", "scopes", "ledgerlink fortnox login"],
        ),
        (
            403,
            "/3/invoices",
            {
                "ErrorInformation": {
                    "Error": 1,
                    "Message": "Det finns ingen aktiv licens för önskat scope",
                    "Code": 2001101,
                }
            },
            PermissionDenied,
            ["no active licence", "'invoice'", "2001101"],
        ),
        (401, "/3/vouchers", {"message": "unauthorized"}, AuthenticationError, ["login"]),
        (429, "/3/vouchers", {"message": "Too many"}, BackendUnavailable, ["rate limit"]),
        (503, "/3/sie/4", None, BackendUnavailable, ["HTTP 503", "try again later"]),
        (
            400,
            "/3/vouchers",
            {
                "ErrorInformation": {
                    "error": 1,
                    "message": "Datumet ligger utanför öppet räkenskapsår.",
                    "code": 2000600,
                }
            },
            BackendError,
            ["fiscal year", "2000600"],
        ),
        (
            404,
            "/3/invoices/9",
            {"ErrorInformation": {"Error": 1, "Message": "Kan inte hitta fakturan.", "Code": 1}},
            NotFound,
            ["not found", "Kan inte hitta fakturan"],
        ),
    ],
)
def test_mapping(
    status: int, path: str, body: object, cls: type[Exception], needles: list[str]
) -> None:
    err = to_ledgerlink_error(_response(status, "https://api.fortnox.se" + path, body))
    assert type(err) is cls
    text = str(err)
    assert "\n" not in text
    for needle in needles:
        assert needle in text, text


def test_html_body_is_not_echoed() -> None:
    response = _response(
        502,
        "https://api.fortnox.se/3/sie/4",
        None,
        content=b"<html><body>Bad gateway</body></html>",
        headers={"content-type": "text/html"},
    )
    text = str(to_ledgerlink_error(response))
    assert "<html>" not in text and "HTTP 502" in text
