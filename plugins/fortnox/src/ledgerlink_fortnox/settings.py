"""Settings of the Fortnox backend: the same code runs against Fortnox and the emulator."""

from __future__ import annotations

from ledgerlink_core import BackendSettings, Seconds
from pydantic import Field, SecretStr, field_validator

#: What import and export need: bookkeeping (SIE, vouchers, years, accounts), company
#: information, both subledgers and their payments, locked periods, attachments, and the
#: cost centres and projects export checks rows against.
DEFAULT_SCOPES = (
    "bookkeeping companyinformation invoice supplierinvoice payment settings "
    "archive inbox connectfile costcenter project"
)
DEFAULT_REDIRECT_URI = "http://127.0.0.1:47865/callback"


class FortnoxSettings(BackendSettings):
    """How to reach Fortnox (or the emulator) and as which integration.

    ``client_id``/``client_secret`` come from the Fortnox Developer Portal. ``redirect_uri``
    must be registered there, exactly (Fortnox matches it whole, port included); it is a
    loopback URL that ``ledgerlink fortnox login`` listens on. ``tenant_id`` switches to a
    service account (client-credentials grant).
    """

    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    redirect_uri: str = DEFAULT_REDIRECT_URI
    scopes: str = DEFAULT_SCOPES
    """Space-separated Fortnox scopes to ask for at login."""
    base_url: str = "https://api.fortnox.se"
    """The API host; requests go to ``<base_url>/3/...``."""
    oauth_url: str = "https://apps.fortnox.se/oauth-v1"
    """The OAuth2 base; ``/auth`` and ``/token`` live under it."""
    tenant_id: str | None = None
    """Set for a service account: tokens come from the client-credentials grant."""
    timeout: Seconds = Field(default=30.0, gt=0)
    connect_timeout: Seconds = Field(default=5.0, gt=0)
    request_deadline: Seconds = Field(default=120.0, gt=0)
    """The longest one request may take, its whole answer included (``timeout`` bounds each
    read only, so a server sending a byte at a time would never time out). Generous: a large
    year's SIE file takes Fortnox a while to make and to send."""
    rate_limit_requests: int = Field(default=25, ge=1)
    rate_limit_window: Seconds = Field(default=5.0, gt=0)
    shared_rate_limit: bool = True
    """Share each company's rate budget with other ledgerlink processes on this machine (a
    SQLite file per integration and company in the data directory); False: this process
    alone paces its requests."""
    max_workers: int = Field(default=4, ge=1, le=16)
    """Concurrent requests (pages, look-ups); the rate limiter is the real throttle."""
    refresh_margin: Seconds = Field(default=60.0, ge=0)
    """Refresh the access token this long before it expires."""

    @field_validator("base_url", "oauth_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("scopes")
    @classmethod
    def _normalise_scopes(cls, value: str) -> str:
        return " ".join(value.replace(",", " ").split())

    @property
    def api_base(self) -> str:
        """``<base_url>/3``."""
        return f"{self.base_url}/3"

    @property
    def token_url(self) -> str:
        """The OAuth2 token endpoint."""
        return f"{self.oauth_url}/token"

    @property
    def authorize_url(self) -> str:
        """The OAuth2 authorization endpoint."""
        return f"{self.oauth_url}/auth"
