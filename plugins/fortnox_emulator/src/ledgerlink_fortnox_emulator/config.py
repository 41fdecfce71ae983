"""How an emulated Fortnox behaves: credentials, limits, seed data and injected faults."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

from ledgerlink_core import Seconds

from ledgerlink_fortnox_emulator.state import DimensionSetting

#: Every scope the emulator knows, granted to the test app by default.
ALL_SCOPES: frozenset[str] = frozenset(
    {
        "bookkeeping",
        "companyinformation",
        "settings",
        "invoice",
        "supplierinvoice",
        "payment",
        "customer",
        "supplier",
        "archive",
        "inbox",
        "connectfile",
        "costcenter",
        "project",
    }
)


@dataclass(frozen=True)
class AccountSetting:
    """How the seed changes one account in the charts it builds (Fortnox keeps one per year).

    ``year`` counts as SIE's ``#RAR`` does: 0 is the latest fiscal year, -1 the one before;
    None means every year. Fields left None keep the seeded value. An account the seed does not
    have is skipped, so one list fits every seed file."""

    account: str
    year: int | None = None
    active: bool | None = None
    cost_center: DimensionSetting | None = None
    project: DimensionSetting | None = None


#: Per-year differences a real company's charts have, applied to whatever accounts the seed has:
#: premises rent (5010) needs a cost centre from the latest year on; share capital (2081) takes
#: neither a cost centre nor a project; the mobile phone account (6212) was opened only in the
#: latest year, so it is inactive in the year before.
DEFAULT_ACCOUNT_SETTINGS: tuple[AccountSetting, ...] = (
    AccountSetting("5010", year=0, cost_center="MANDATORY"),
    AccountSetting("2081", cost_center="NOTALLOWED", project="NOTALLOWED"),
    AccountSetting("6212", year=-1, active=False),
)

#: Voucher validation errors. Fortnox publishes no table of these codes (2001304 is the one
#: seen documented), so they are configurable: key -> (code, message).
DEFAULT_VOUCHER_ERRORS: dict[str, tuple[int, str]] = {
    "unbalanced": (2000595, "Verifikationen är inte i balans."),
    "too_few_rows": (2000596, "En verifikation måste innehålla minst två rader."),
    "account_missing": (2001304, "Kunde inte hitta konto"),
    "account_inactive": (2000598, "Kontot är inaktivt"),
    "series_missing": (2000599, "Verifikationsserien finns inte."),
    "no_fiscal_year": (2000600, "Datumet ligger utanför öppet räkenskapsår."),
    "locked_period": (2000601, "Perioden är låst."),
    "costcenter_missing": (2000602, "Kan inte hitta kostnadsstället."),
    "project_missing": (2001161, "Kan inte hitta projektet."),
    "required_field": (2000603, "Obligatoriskt fält saknas"),
    "series_not_manual": (2000604, "Verifikationsserien är inte manuell"),
    "costcenter_not_allowed": (2000605, "Kostnadsställe får inte anges på kontot"),
    "costcenter_mandatory": (2000946, "Kostnadsställe är obligatoriskt på kontot"),
    "costcenter_inactive": (2000947, "Kostnadsstället är inaktivt"),
    "project_not_allowed": (2000607, "Projekt får inte anges på kontot"),
    "project_mandatory": (2000608, "Projekt är obligatoriskt på kontot"),
}


class Bound(NamedTuple):
    """The range of a numeric setting: ``low`` (excluded when ``above``) up to ``high``."""

    low: float
    high: float | None = None
    whole: bool = False
    """Only whole numbers (a count)."""
    above: bool = False
    """``low`` itself is out of range."""
    optional: bool = False
    """None is a value too (no limit, nothing to pad)."""

    def describe(self) -> str:
        """The range in words: ``between 0 and 1``, ``a whole number of at least 1``."""
        low = f"{self.low:g}"
        if self.high is not None:
            span = f"between {low} and {self.high:g}"
        else:
            span = f"above {low}" if self.above else f"at least {low}"
        return f"a whole number {span}" if self.whole else f"a number {span}"


_RATE = Bound(0.0, 1.0)
_SECONDS = Bound(0.0)
_COUNT = Bound(0, whole=True)

#: The range of every numeric setting of :class:`EmulatorConfig` (what ``__post_init__``,
#: the runtime knobs and the command's options check).
SETTING_BOUNDS: dict[str, Bound] = {
    "tenant_id": Bound(1, whole=True),
    "tenants": Bound(1, whole=True),
    "access_token_lifetime": _SECONDS,
    "refresh_token_lifetime": _SECONDS,
    "auth_code_lifetime": _SECONDS,
    "rate_limit_requests": Bound(1, whole=True),
    "rate_limit_window": _SECONDS,
    "retry_after_unit": Bound(0.0, above=True),
    "default_page_size": Bound(1, whole=True),
    "max_page_size": Bound(1, whole=True),
    "max_upload_bytes": Bound(0, whole=True, optional=True),
    "latency": _SECONDS,
    "latency_jitter": _SECONDS,
    "error_5xx_rate": _RATE,
    "error_429_rate": _RATE,
    "burst_429_length": Bound(1, whole=True),
    "timeout_rate": _RATE,
    "timeout_hold": _SECONDS,
    "drop_before_commit_rate": _RATE,
    "drop_after_commit_rate": _RATE,
    "drop_refresh_answer_rate": _RATE,
    "customer_invoices": Bound(0, whole=True, optional=True),
    "supplier_invoices": Bound(0, whole=True, optional=True),
    "payments_after_close": _COUNT,
    "invoices_after_close": _COUNT,
    "credits_after_close": _COUNT,
    "write_off_share": _RATE,
    "foreign_currency_share": _RATE,
    "synthetic_vouchers": _COUNT,
    "attached_files": _COUNT,
    "attached_file_max_bytes": Bound(0, whole=True, optional=True),
}

#: The on/off settings (a runtime knob posted as JSON must be ``true`` or ``false``).
FLAG_SETTINGS: frozenset[str] = frozenset(
    {
        "allow_service_account",
        "send_retry_after",
        "invoice_list_rate_as_text",
        "voucher_list_comments",
        "honour_date_filter",
        "honour_connection_year",
        "truncate_long_texts",
        "faults_on_reads",
        "cash_method",
    }
)


def check_setting(name: str, value: Any) -> None:
    """Raise ValueError, naming the setting and its range, when ``value`` does not fit it:
    a number out of :data:`SETTING_BOUNDS` (or not finite), a non-number, a fraction for a
    count, or a non-boolean for a flag. Other settings are not checked here."""
    if name in FLAG_SETTINGS:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false, not {value!r}")
        return
    bound = SETTING_BOUNDS.get(name)
    if bound is None or (value is None and bound.optional):
        return
    number = isinstance(value, int | float) and not isinstance(value, bool)
    fits = number and math.isfinite(value) and (isinstance(value, int) or not bound.whole)
    if fits:
        low_ok = value > bound.low if bound.above else value >= bound.low
        fits = low_ok and (bound.high is None or value <= bound.high)
    if not fits:
        none = " or null" if bound.optional else ""
        raise ValueError(f"{name} must be {bound.describe()}{none}, not {value!r}")


@dataclass
class EmulatorConfig:
    """Everything that can be tuned about an emulated Fortnox tenant.

    Times are :data:`~ledgerlink_core.Seconds`. Rates are probabilities per request in [0, 1],
    drawn from a generator seeded with ``seed``, so a run is repeatable. The fault rates are
    exclusive shares (one fault per request at most, each kind hitting its own rate of the
    requests it applies to), so together they should not exceed 1.
    """

    # --- the registered app and the approving user ---------------------------------------------
    client_id: str = "ledgerlink-emulator-client"
    client_secret: str = "ledgerlink-emulator-secret"
    redirect_uris: tuple[str, ...] = ("http://127.0.0.1:47865/callback",)
    """Registered redirect URIs (default: ledgerlink's own default ``redirect_uri``). The
    authorize request's ``redirect_uri`` must equal one of them exactly, as with Fortnox: no
    port wildcard for loopback, so a test that logs in on a free port registers that URI."""
    user_email: str = "test.user@example.com"
    user_name: str = "Test User"
    tenant_id: int = 1234567
    """The company's ``DatabaseNumber``, also the JWT ``tenantId`` claim. With ``tenants``
    above 1 it is the first company's; the others are ``tenant_id + 1``, ``+ 2``..."""
    tenants: int = 1
    """How many companies (Fortnox tenants) the emulator serves, each with its own data,
    tokens and rate window. The first is the seed company as it is; every other one is a
    copy of it under its own name and organisation number (:func:`tenant_company`)."""
    login_tenant: int | str | None = None
    """Which company the test user picks when approving an authorization (a tenant id or an
    organisation number; None: the first). Fortnox lets the user choose the company in the
    browser; this knob is that choice."""
    service_consents: frozenset[int] = frozenset()
    """Tenants that already have a service-account consent. Others get one only when an
    administrator approves an authorization with ``account_type=service``; before that
    ``client_credentials`` is refused (400 ``invalid_grant``), as Fortnox does."""
    tenant_outages: frozenset[int] = frozenset()
    """Tenants whose API answers every request with 503 (a 5xx storm on one company)."""
    granted_scopes: frozenset[str] = ALL_SCOPES
    """Scopes the app may ask for; asking for others fails with ``invalid_scope``."""
    licences: frozenset[str] | None = None
    """Scopes the company holds a licence for (None: all). Others answer 403 / 2001101."""
    allow_service_account: bool = True
    """Whether ``client_credentials`` works (the app has service accounts enabled)."""
    access_token_lifetime: Seconds = 3600.0
    refresh_token_lifetime: Seconds = 45 * 86400.0
    auth_code_lifetime: Seconds = 600.0

    # --- limits ---------------------------------------------------------------------------------
    rate_limit_requests: int = 25
    rate_limit_window: Seconds = 5.0
    send_retry_after: bool = True
    """Send ``Retry-After`` on 429 (Fortnox does not document it; the client must cope either
    way)."""
    retry_after_unit: Seconds = 1.0
    """``Retry-After`` counts in whole multiples of this, at least one: 1.0 gives whole seconds,
    as HTTP and Fortnox do. A test on a scaled-down clock sets e.g. 0.05 and gets fractional
    values (``0.05``), which the client reads as seconds too; otherwise every 429 would hold
    it back a whole second however short the scaled window."""
    default_page_size: int = 100
    max_page_size: int = 500
    max_upload_bytes: int | None = 5 * 1024 * 1024
    """Largest file ``POST /3/inbox`` and ``/3/archive`` take (400 naming the file above it;
    None: no limit). 5 MB is the only per-file limit Fortnox documents (invoice file
    connections); it publishes none for the inbox or archive."""
    invoice_list_rate_as_text: bool = False
    """True: customer invoice list items carry ``CurrencyRate`` as a string (``"1"``), as
    recorded from Fortnox in 2022; the default sends the JSON number the OpenAPI spec declares
    (the client's own spec test validates the list against it)."""
    voucher_list_comments: bool = True
    """List items of ``/3/vouchers`` and ``/3/vouchers/sublist/{series}`` carry ``Comments``
    (today's schema); False leaves the key out, as the older documented list shape did."""
    honour_date_filter: bool = True
    """``fromdate``/``todate`` narrow ``/3/vouchers/sublist/{series}``; False ignores them there
    (Fortnox documents only ``financialyear`` on the sublist; ``/3/vouchers`` always honours
    them)."""
    honour_connection_year: bool = True
    """``financialyear`` and ``voucheryear`` narrow ``GET /3/voucherfileconnections`` to one
    year; False ignores both and lists every year's connections (a client must not trust
    the filter blindly)."""
    cut_downloads: frozenset[str] = frozenset()
    """Archive files (by id or name) whose download breaks off: ``GET /3/archive/{id}``
    sends the headers and half the body, then closes the connection (a lost connection
    in the middle of a download)."""
    truncate_long_texts: bool = False
    """Over-long voucher texts (``Description`` > 200, ``Comments`` > 1000,
    ``TransactionInformation`` > 100 characters) are refused with 2000359; True cuts them to
    the limit instead (Fortnox documents neither)."""

    # --- injected faults -----------------------------------------------------------------------
    latency: Seconds = 0.0  # seconds added to every /3/ request
    latency_jitter: Seconds = 0.0  # seconds, uniform 0..jitter on top
    error_5xx_rate: float = 0.0
    error_429_rate: float = 0.0
    """Chance that a request starts a burst of 429s (besides the real rate limit)."""
    burst_429_length: int = 3
    """How many consecutive requests a 429 burst rejects."""
    timeout_rate: float = 0.0
    """Chance to hold a request ``timeout_hold`` s before answering. Writes are committed
    first, as a slow server would."""
    timeout_hold: Seconds = 5.0
    """How long a "timed-out" request is held; set it just above the client's timeout."""
    drop_before_commit_rate: float = 0.0
    """Chance to close the socket without an answer and without doing the request."""
    drop_after_commit_rate: float = 0.0
    """Chance to do a write (POST) and then close the socket without an answer."""
    drop_refresh_answer_rate: float = 0.0
    """Chance that a successful ``refresh_token`` grant rotates the tokens and then closes the
    connection without an answer: the client is left with the used refresh token, and its
    next refresh meets 400 ``invalid_grant``, as after a lost answer from real Fortnox."""
    faults_on_reads: bool = True
    """Whether 429 bursts, 5xx, timeouts and dropped connections also hit reads (GET).
    Drop-after-commit only ever hits writes: a read has nothing to commit."""
    seed: int = 0

    # --- data ----------------------------------------------------------------------------------
    seed_sie: Path | None = None
    """SIE file to seed from; None: the bundled example company."""
    customer_invoices: int | None = None
    """Customer invoices wanted in all: the SIE's own invoices padded with generated ones."""
    supplier_invoices: int | None = None
    payments_after_close: int = 6
    """Payments dated after the closing date, per side (customer, supplier)."""
    invoices_after_close: int = 2
    """Invoices dated after the closing date, per side (unbooked in the closed year)."""
    credits_after_close: int = 1
    """Credit notes dated after the closing date, per side, each crediting in full an
    invoice that was open and unpaid at the closing date, and settled against it as Fortnox
    users must: a payment on the invoice and a negative one on the credit note, both dated
    when the credit was made (Fortnox has no offset function)."""
    write_off_share: float = 0.05
    """Share of generated payments registered with a write-off (a rounding or bank fee of up
    to 50 SEK on account 6570): the payment is that much short, the write-off settles the
    rest. Only full payment objects show it; list items say ``WriteOffExist``."""
    cash_method: bool = False
    """The latest fiscal year uses the cash method (``AccountingMethod: CASH``,
    kontantmetoden): generated invoices of that year stay unbooked until they are paid and
    are then booked on the payment (bank against revenue or cost, no control account)."""
    predefined_accounts: dict[str, int] | None = None
    """``/3/predefinedaccounts`` (name -> account); None: BAS (CUSTCLAIM 1510, SUPDEBT 2440,
    ROUNDOFF 3740, CURRENCYWIN 3960, CURRENCYLOSS 7960, BANK 1930)."""
    foreign_currency_share: float = 0.1
    """Share of generated invoices in EUR."""
    synthetic_vouchers: int = 0
    """Extra balanced vouchers generated into the current year (for benchmarks)."""
    attached_files: int = 0
    """Documents (PDF, JPEG, PNG of varied sizes and names) stored in the archive and
    connected to the preselected year's vouchers, every fourth voucher getting two
    (:func:`~ledgerlink_fortnox_emulator.documents.attach_documents`)."""
    attached_file_max_bytes: int | None = None
    """Cap on those documents' sizes (None: up to about 600 kB)."""
    subledger_skew: dict[str, Decimal] = field(default_factory=dict)
    """A known difference between subledger and ledger at the year-end: ``{"customer":
    Decimal("100")}`` leaves that much more open in the customer subledger than 1510 says."""
    locked_until: dt.date | None = None
    """Bookkeeping locked up to and including this date (``settings/lockedperiod``)."""
    system_series: frozenset[str] = frozenset({"B", "C", "D", "E"})
    """Voucher series that are not manual (``Manual: false`` in ``/3/voucherseries``): Fortnox
    keeps B-E for its invoice and payment modules, and ``POST /3/vouchers`` into them is
    refused. Series A and every series only the seed SIE names are manual."""
    inactive_accounts: frozenset[str] = frozenset()
    """Accounts inactive in every year's chart."""
    account_settings: tuple[AccountSetting, ...] = DEFAULT_ACCOUNT_SETTINGS
    """Per-year account changes on top of the seed (``()``: every year's chart the same)."""
    preselected_year: int | None = None
    """Fiscal year id used when a request names none; None: the latest year."""
    sie_encoding: str = "cp437"
    today: dt.date | None = None
    """The emulator's idea of today (``unpaidoverdue``); None: the real date."""
    voucher_errors: dict[str, tuple[int, str]] = field(
        default_factory=lambda: dict(DEFAULT_VOUCHER_ERRORS)
    )

    def __post_init__(self) -> None:
        for f in fields(self):
            check_setting(f.name, getattr(self, f.name))


def luhn_digit(digits: str) -> int:
    """The Luhn check digit of ``digits`` (Swedish organisation numbers end in one)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return (10 - total % 10) % 10


def tenant_company(index: int, name: str, org_nr: str) -> tuple[str, str]:
    """The name and organisation number of the emulator's ``index``-th company (0: the seed
    company's own ``name`` and ``org_nr``; others a valid number ``55xxxxxxx-c`` and
    ``"<name> (klient N)"``)."""
    if index == 0:
        return name, org_nr
    body = f"55{index:07d}"
    digits = body + str(luhn_digit(body))
    return f"{name} (klient {index + 1})", f"{digits[:6]}-{digits[6:]}"
