"""Fortnox error bodies -> one-line ledgerlink errors that say what to do.

Fortnox answers errors in three shapes (``ErrorInformation`` with either key casing, OAuth
``error``/``error_description``, plain ``message``); :func:`parse_error` reads them all and
:func:`to_ledgerlink_error` picks the error class and the advice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
from ledgerlink_core import (
    AuthenticationError,
    BackendError,
    BackendUnavailable,
    LedgerlinkError,
    PermissionDenied,
)

LOGIN_AGAIN = "run `ledgerlink fortnox login` again"

#: Which scope each API resource needs (the first path segment after ``/3/``), after
#: https://fortnox.se/developer/guides-and-good-to-know/scopes (PredefinedAccounts: settings).
SCOPE_FOR_RESOURCE: dict[str, str] = {
    "accounts": "bookkeeping",
    "accountcharts": "bookkeeping",
    "financialyears": "bookkeeping",
    "vouchers": "bookkeeping",
    "voucherseries": "bookkeeping",
    "sie": "bookkeeping",
    "predefinedaccounts": "settings",
    "predefinedvoucherseries": "bookkeeping",
    "settings": "settings",
    "costcenters": "costcenter",
    "projects": "project",
    "companyinformation": "companyinformation",
    "invoices": "invoice",
    "invoicepayments": "payment",
    "supplierinvoicepayments": "payment",
    "supplierinvoices": "supplierinvoice",
    "customers": "customer",
    "suppliers": "supplier",
    "archive": "archive",
    "inbox": "inbox",
    "voucherfileconnections": "connectfile",
    "supplierinvoicefileconnections": "connectfile",
}

_API_LICENCE_CODES = {2001103}
""""Api-licens saknas": the company has no licence to use the API at all."""
_LICENCE_CODES = {2001101}
""""Det finns ingen aktiv licens för önskat scope": no licence for the module behind a scope."""
_SCOPE_CODES = {2000663}
_LOGIN_CODES = {2000310, 2000311}
_YEAR_WORDS = ("räkenskapsår", "financial year", "fiscal year", "bokföringsår")
_LOCK_WORDS = ("låst", "låsning", "stängt", "stängd", "locked", "closed")
"""A refusal for a locked period or a closed year (Fortnox's texts are free Swedish text)."""


@dataclass(frozen=True)
class FortnoxErrorInfo:
    """What a Fortnox error body said, whatever its shape."""

    status: int
    code: int | None = None
    message: str = ""
    oauth_error: str | None = None


def _lower_keys(obj: dict[str, object]) -> dict[str, object]:
    return {str(k).lower(): v for k, v in obj.items()}


def parse_error(response: httpx.Response) -> FortnoxErrorInfo:
    """Read any of Fortnox's error shapes; never raises (an unreadable body gives no code)."""
    try:
        body = json.loads(response.content or b"null")
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        text = (
            response.text.strip() if "html" not in response.headers.get("content-type", "") else ""
        )
        return FortnoxErrorInfo(status=response.status_code, message=text[:200])
    top = _lower_keys(body)
    info = top.get("errorinformation")
    if isinstance(info, dict):
        inner = _lower_keys(info)
        code = inner.get("code")
        try:
            code_int = int(str(code)) if code is not None else None
        except ValueError:
            code_int = None
        return FortnoxErrorInfo(
            status=response.status_code,
            code=code_int,
            message=str(inner.get("message") or ""),
        )
    if "error" in top or "error_description" in top:
        return FortnoxErrorInfo(
            status=response.status_code,
            oauth_error=str(top.get("error") or "") or None,
            message=str(top.get("error_description") or top.get("error") or ""),
        )
    return FortnoxErrorInfo(status=response.status_code, message=str(top.get("message") or ""))


def resource_of(url: httpx.URL) -> str:
    """The API resource a URL addresses: ``/3/invoices/12`` -> ``invoices``."""
    parts = [p for p in url.path.split("/") if p]
    if "3" in parts:
        rest = parts[parts.index("3") + 1 :]
        if rest:
            return rest[0].lower()
    return parts[-1].lower() if parts else ""


def _said(info: FortnoxErrorInfo) -> str:
    bits = [info.message.strip().rstrip(".")] if info.message.strip() else []
    if info.code is not None:
        bits.append(f"code {info.code}")
    return f" (Fortnox: {', '.join(bits)})" if bits else ""


def is_invalid_refresh_token(info: FortnoxErrorInfo) -> bool:
    """True for Fortnox's answer to a used, expired or revoked refresh token."""
    text = info.message.lower()
    return info.oauth_error == "invalid_grant" or "invalid refresh token" in text


class NotFound(BackendError):
    """Fortnox answered 404: the addressed object does not exist (a voucher, a file
    connection). Lets a caller tell "absent" from every other refusal without reading text."""


def to_ledgerlink_error(response: httpx.Response, *, action: str = "") -> LedgerlinkError:
    """Turn an error response from the API into one actionable, one-line error."""
    info = parse_error(response)
    request = response.request
    resource = resource_of(request.url)
    what = action or f"{request.method} {request.url.path}"
    said = _said(info)
    status = info.status
    text = info.message.lower()

    if info.code in _API_LICENCE_CODES or "api-licens" in text:
        return PermissionDenied(
            f"{what}: the Fortnox company has no licence to use the API; order an integration "
            f"licence for the company in Fortnox (or use another company){said}"
        )
    if info.code in _LICENCE_CODES or "licens" in text:
        module = SCOPE_FOR_RESOURCE.get(resource, resource)
        return PermissionDenied(
            f"{what}: the Fortnox company has no active licence for {module!r}; "
            f"activate the module in Fortnox (or use another company){said}"
        )
    if status == 403 or info.code in _SCOPE_CODES:
        scope = SCOPE_FOR_RESOURCE.get(resource)
        need = f"the {scope!r} scope" if scope else "a scope this integration lacks"
        return PermissionDenied(
            f"{what}: access denied; either the authorization lacks {need} (add it to the "
            f"`scopes` setting and {LOGIN_AGAIN}) or the Fortnox user who approved it lacks the "
            f"permission (log in again as a user who has it){said}"
        )
    if status == 401 or info.code in _LOGIN_CODES:
        return AuthenticationError(f"{what}: Fortnox did not accept the credentials; {LOGIN_AGAIN}")
    if status == 429:
        return BackendUnavailable(
            f"{what}: Fortnox kept answering 429 (rate limit) after retries; wait a minute and "
            f"retry, or lower the `rate_limit_requests` setting"
        )
    if status >= 500:
        return BackendUnavailable(
            f"{what}: Fortnox failed with HTTP {status} after retries; try again later{said}"
        )
    if status == 404:
        return NotFound(f"{what}: not found in Fortnox{said}")
    if any(word in text for word in _LOCK_WORDS):
        return BackendError(
            f"{what}: the date is in a locked period or a closed fiscal year in Fortnox; date "
            f"the voucher after the lock, or lift the lock in Fortnox{said}"
        )
    if any(word in text for word in _YEAR_WORDS):
        return BackendError(
            f"{what}: no open fiscal year in Fortnox holds the date, or the year asked for "
            f"does not exist; pick a date in an existing year, or create the year in "
            f"Fortnox{said}"
        )
    return BackendError(f"{what}: Fortnox refused the request with HTTP {status}{said}")
