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


def _info(message: str, code: int) -> dict[str, object]:
    """An ``ErrorInformation`` body, in the lower-case casing Fortnox also sends."""
    return {"ErrorInformation": {"error": 1, "message": message, "code": code}}


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
            _info("Saknar behörighet", 2000663),
            PermissionDenied,
            ["'supplierinvoice' scope", "scopes", "ledgerlink fortnox login", "user"],
        ),
        # a 403 may be the approving user's permissions, not only a scope: say both
        (
            403,
            "/3/vouchers",
            {"message": "Forbidden"},
            PermissionDenied,
            ["'bookkeeping' scope", "`scopes` setting", "log in again as a user who has it"],
        ),
        (403, "/3/predefinedaccounts/CUSTCLAIM", None, PermissionDenied, ["'settings' scope"]),
        (403, "/3/costcenters", None, PermissionDenied, ["'costcenter' scope"]),
        (403, "/3/projects", None, PermissionDenied, ["'project' scope"]),
        # 2001103 is a missing API licence for the whole company, not a module
        (
            403,
            "/3/vouchers",
            _info("Api-licens saknas", 2001103),
            PermissionDenied,
            ["no licence to use the API", "order an integration licence", "2001103"],
        ),
        # locked periods and closed years are not missing years
        (
            400,
            "/3/vouchers",
            _info("Perioden är låst.", 2000601),
            BackendError,
            ["locked period or a closed fiscal year", "after the lock", "2000601"],
        ),
        (
            400,
            "/3/vouchers",
            _info("Räkenskapsåret är låst för bokföring.", 2000601),
            BackendError,
            ["locked period or a closed fiscal year"],
        ),
        (
            403,
            "/3/invoices",
            _info("Det finns ingen aktiv licens för önskat scope", 2001101),
            PermissionDenied,
            ["no active licence", "'invoice'", "2001101"],
        ),
        (401, "/3/vouchers", {"message": "unauthorized"}, AuthenticationError, ["login"]),
        (429, "/3/vouchers", {"message": "Too many"}, BackendUnavailable, ["rate limit"]),
        (503, "/3/sie/4", None, BackendUnavailable, ["HTTP 503", "try again later"]),
        (
            400,
            "/3/vouchers",
            _info("Datumet ligger utanför öppet räkenskapsår.", 2000600),
            BackendError,
            ["no open fiscal year in Fortnox holds the date", "create the year", "2000600"],
        ),
        (
            404,
            "/3/invoices/9",
            _info("Kan inte hitta fakturan.", 1),
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


@pytest.mark.parametrize(
    "body",
    [
        {"ErrorInformation": {"error": 1, "message": "Perioden är låst.", "code": 2000601}},
        {"ErrorInformation": {"Error": 1, "Message": "Verifikationen ligger i en låst period"}},
    ],
)
def test_a_locked_period_is_not_called_a_missing_year(body: object) -> None:
    text = str(to_ledgerlink_error(_response(400, "https://api.fortnox.se/3/vouchers", body)))
    assert "locked" in text and "does not exist" not in text


def test_a_missing_year_is_not_called_locked() -> None:
    body = {"ErrorInformation": {"error": 1, "message": "Det finns inget räkenskapsår för datumet"}}
    text = str(to_ledgerlink_error(_response(400, "https://api.fortnox.se/3/vouchers", body)))
    assert "does not exist" in text and "locked" not in text


def test_a_module_licence_is_not_the_api_licence() -> None:
    body = {
        "ErrorInformation": {
            "Error": 1,
            "Message": "Det finns ingen aktiv licens för önskat scope",
            "Code": 2001101,
        }
    }
    text = str(to_ledgerlink_error(_response(403, "https://api.fortnox.se/3/invoices", body)))
    assert "activate the module" in text and "integration licence" not in text


def test_a_401_as_fortnox_sends_it_is_an_authentication_error_after_one_refresh() -> None:
    """``{"message":"unauthorized"}`` (recorded for an expired or revoked bearer token): the
    client refreshes once, and when the API still says 401 the user is told to log in."""
    from fake_fortnox import client_for

    refreshed: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/oauth-v1/token"):
            refreshed.append(request.content.decode())
            body = {"access_token": "a1", "refresh_token": "r1", "expires_in": 3600}
            return httpx.Response(200, json=body)
        return httpx.Response(401, json={"message": "unauthorized"})

    client = client_for(handler)
    with client, pytest.raises(AuthenticationError, match="ledgerlink fortnox login"):
        client.get_json("companyinformation")
    assert len(refreshed) == 1
