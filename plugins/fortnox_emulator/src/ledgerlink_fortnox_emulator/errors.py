"""Errors the emulated API answers with, shaped as Fortnox shapes them.

Fortnox's ``ErrorInformation`` key casing varies by endpoint and error (https://www.fortnox.se/developer/guides-and-good-to-know/errors):
not-found answers use ``Error``/``Message``/``Code``, validation and parameter errors the
lower-case ``error``/``message``/``code``. Each :class:`ApiError` carries its casing. A few
answers come from in front of the API and have no ``ErrorInformation`` at all, just
``{"message": ...}`` (recorded: 401 ``{"message":"unauthorized"}`` for an expired token).
"""

from __future__ import annotations

from typing import Any, Literal

Casing = Literal["upper", "lower", "plain"]
"""``ErrorInformation`` keys capitalised or lower-case, or ``plain``: a bare ``message``."""


class ApiError(Exception):
    """An error answer: HTTP status plus an ``ErrorInformation`` body."""

    def __init__(
        self,
        status: int,
        code: int,
        message: str,
        *,
        casing: Casing = "lower",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {code} {message}")
        self.status = status
        self.code = code
        self.message = message
        self.casing = casing
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """The JSON body, with this error's key casing."""
        if self.casing == "plain":
            return {"message": self.message}
        if self.casing == "upper":
            return {"ErrorInformation": {"Error": 1, "Message": self.message, "Code": self.code}}
        return {"ErrorInformation": {"error": 1, "message": self.message, "code": self.code}}


class OAuthError(Exception):
    """An OAuth2 error from the token endpoint: ``{"error": ..., "error_description": ...}``."""

    def __init__(self, status: int, error: str, description: str) -> None:
        super().__init__(f"{status} {error}: {description}")
        self.status = status
        self.error = error
        self.description = description

    def body(self) -> dict[str, Any]:
        """The JSON body."""
        return {"error": self.error, "error_description": self.description}


def not_found(code: int, message: str) -> ApiError:
    """404 with the capitalised keys real not-found answers use."""
    return ApiError(404, code, message, casing="upper")


def bad_request(code: int, message: str) -> ApiError:
    """400 with lower-case keys, as validation and parameter errors come."""
    return ApiError(400, code, message, casing="lower")


def invalid_parameter(name: str) -> ApiError:
    """A malformed query parameter."""
    return bad_request(2000588, f"Ogiltig parameter i anropet: {name}")


def invalid_filter() -> ApiError:
    """An unknown ``filter=`` value (recorded: lower-case keys, 400)."""
    return bad_request(2000587, "Ett ogiltigt filter har använts.")


def unauthorized(missing: bool) -> ApiError:
    """401: no bearer token (``ErrorInformation`` 2000311, as Fortnox answers requests in the
    legacy scheme), or an invalid or expired one (``{"message": "unauthorized"}``, as recorded
    in accodeing/fortnox-api's ``authentication/expired_token.yml``)."""
    if missing:
        return ApiError(401, 2000311, "Kan inte logga in, access-token eller client-secret saknas")
    return ApiError(401, 0, "unauthorized", casing="plain")


def missing_scope(scope: str) -> ApiError:
    """403: the token lacks the scope the endpoint needs."""
    return ApiError(403, 2000663, f"Har inte behörighet för scope {scope}")


def missing_licence(scope: str) -> ApiError:
    """403: the company has no licence for the module behind the scope."""
    return ApiError(403, 2001101, "Det finns ingen aktiv licens för önskat scope")


def server_error() -> ApiError:
    """500, as Fortnox reports an internal failure."""
    return ApiError(500, 1000003, "System exception", casing="upper")
