"""A Fortnox in memory behind ``httpx.MockTransport``, for unit tests of the client's logic.

Only what the export reads and writes: fiscal years, the locked period, voucher series,
cost centres, projects, the chart per fiscal year, company information, vouchers (listed per
series, read in full, created) and the voucher inbox folder. Shapes follow Fortnox's OpenAPI;
switches reproduce what older or other Fortnox answers do (list items without ``Comments``,
a date filter that is not honoured), and ``fail`` makes chosen requests fail. Every request is
recorded, so a test can count them.

The emulator (``ledgerlink-fortnox-emulator``) is the real-server stand-in over TCP; this is
for branches that are awkward to reach through it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import httpx
from ledgerlink_core import (
    AttachmentRef,
    ExportReport,
    MemoryTokenStore,
    Runtime,
    Voucher,
    VoucherExport,
    VoucherRow,
    export_items,
)
from ledgerlink_core.jobs import PushRequest, push
from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.settings import FortnoxSettings

BASE = "https://api.fortnox.test"
API = BASE + "/3/"


@dataclass
class FakeVoucher:
    """A voucher as the fake holds it."""

    year: int
    series: str
    number: int
    date: dt.date
    comments: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    description: str = ""


Handler = Callable[[httpx.Request], httpx.Response | None]


@dataclass
class FakeFortnox:
    """The fake's data and switches; call it with a request (``httpx.MockTransport``)."""

    years: list[tuple[int, dt.date, dt.date]] = field(
        default_factory=lambda: [
            (1, dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
            (2, dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
        ]
    )
    accounts: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    """Account list items per year id (default: 1930, 6570 and 7010 in every year)."""
    series: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"Code": "A", "Description": "Redovisning", "Manual": True},
            {"Code": "B", "Description": "Kundfakturor", "Manual": False},
        ]
    )
    costcenters: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"Code": "100", "Description": "Ledning", "Active": True},
            {"Code": "200", "Description": "Gammal", "Active": False},
        ]
    )
    projects: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"ProjectNumber": "P1", "Description": "Pågår", "Status": "ONGOING"},
            {"ProjectNumber": "P2", "Description": "Ej startat", "Status": "NOTSTARTED"},
            {"ProjectNumber": "P3", "Description": "Klart", "Status": "COMPLETED"},
        ]
    )
    locked_until: str = ""
    vouchers: list[FakeVoucher] = field(default_factory=list)
    inbox: list[dict[str, Any]] = field(default_factory=list)
    comments_in_list: bool = True
    """False: voucher list items lack the ``Comments`` key (the older list shape)."""
    honour_dates: bool = True
    """False: the voucher list ignores ``fromdate``/``todate``."""
    dates_in_list: bool = True
    """False: voucher list items lack ``TransactionDate``."""
    comments_in_full: bool = True
    """False: even a full voucher lacks ``Comments``."""
    page_size_cap: int = 500
    fail: list[tuple[str, str, int]] = field(default_factory=list)
    """``(method, path regex, status)``: answer matching requests with that status."""
    handlers: list[Handler] = field(default_factory=list)
    """Tried first; a handler that returns None passes the request on."""
    requests: list[httpx.Request] = field(default_factory=list)
    latency: float = 0.0
    peak: int = 0
    """The most requests in flight at once."""
    _in_flight: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        for year_id, _, _ in self.years:
            self.accounts.setdefault(
                year_id,
                [
                    {"Number": n, "Description": d, "Active": True, "Year": year_id}
                    for n, d in ((1930, "Bank"), (6570, "Bankkostnader"), (7010, "Löner"))
                ],
            )

    # -- inspection ----------------------------------------------------------------------

    def count(self, method: str = "GET") -> Counter[str]:
        """Requests made, by path (``/3/`` stripped), for one method."""
        return Counter(r.url.path.removeprefix("/3/") for r in self.requests if r.method == method)

    def year_of(self, day: dt.date) -> int:
        return next(y for y, start, end in self.years if start <= day <= end)

    # -- the API -------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        with self._lock:
            self.requests.append(request)
            self._in_flight += 1
            self.peak = max(self.peak, self._in_flight)
        try:
            if self.latency:
                time.sleep(self.latency)
            return self._answer(request)
        finally:
            with self._lock:
                self._in_flight -= 1

    def _answer(self, request: httpx.Request) -> httpx.Response:
        for handler in self.handlers:
            answer = handler(request)
            if answer is not None:
                return answer
        path = request.url.path.removeprefix("/3/")
        for method, pattern, status in self.fail:
            if request.method == method and re.fullmatch(pattern, path):
                return httpx.Response(status, json={"message": "failure"})
        q = request.url.params
        route = getattr(self, f"_{request.method.lower()}", None)
        answer = route(path, q, request) if route else None
        return answer or httpx.Response(404, json={"message": "Not found"})

    def _paged(self, key: str, items: list[Any], q: httpx.QueryParams) -> httpx.Response:
        limit = min(int(q.get("limit", 100)), self.page_size_cap)
        page = int(q.get("page", 1))
        pages = max(1, -(-len(items) // limit))
        body = {
            "MetaInformation": {
                "@TotalResources": len(items),
                "@TotalPages": pages,
                "@CurrentPage": page,
            },
            key: items[(page - 1) * limit : page * limit],
        }
        return httpx.Response(200, json=body)

    def _get(self, path: str, q: httpx.QueryParams, request: httpx.Request) -> Any:
        simple = {
            "financialyears": lambda: self._paged(
                "FinancialYears",
                [
                    {"Id": i, "FromDate": s.isoformat(), "ToDate": e.isoformat()}
                    for i, s, e in self.years
                ],
                q,
            ),
            "settings/lockedperiod": lambda: httpx.Response(
                200, json={"LockedPeriod": {"EndDate": self.locked_until}}
            ),
            "voucherseries": lambda: self._paged("VoucherSeriesCollection", self.series, q),
            "costcenters": lambda: self._paged("CostCenters", self.costcenters, q),
            "projects": lambda: self._paged("Projects", self.projects, q),
            "accounts": lambda: self._paged(
                "Accounts", self.accounts[int(q.get("financialyear", self.years[-1][0]))], q
            ),
            "companyinformation": lambda: httpx.Response(
                200,
                json={
                    "CompanyInformation": {
                        "CompanyName": "Fake AB",
                        "OrganizationNumber": "556000-0000",
                        "DatabaseNumber": 42,
                    }
                },
            ),
            "inbox/inbox_v": lambda: httpx.Response(
                200,
                json={"Folder": {"Id": "inbox_v", "Name": "Verifikationer", "Files": self.inbox}},
            ),
        }
        if path in simple:
            return simple[path]()
        sublist = re.fullmatch(r"vouchers/sublist/(\w+)", path)
        if sublist:
            return self._paged("Vouchers", self._listed(sublist.group(1), q), q)
        single = re.fullmatch(r"vouchers/(\w+)/(\d+)", path)
        if single:
            return self._voucher(single.group(1), int(single.group(2)), q)
        return None

    def _listed(self, series: str, q: httpx.QueryParams) -> list[dict[str, Any]]:
        year = int(q["financialyear"])
        start, end = q.get("fromdate"), q.get("todate")
        found = []
        for v in sorted(self.vouchers, key=lambda v: v.number):
            if (v.year, v.series) != (year, series):
                continue
            if self.honour_dates and start and v.date.isoformat() < start:
                continue
            if self.honour_dates and end and v.date.isoformat() > end:
                continue
            item: dict[str, Any] = {
                "VoucherNumber": v.number,
                "VoucherSeries": v.series,
                "Year": v.year,
                "Description": v.description,
            }
            if self.dates_in_list:
                item["TransactionDate"] = v.date.isoformat()
            if self.comments_in_list:
                item["Comments"] = v.comments
            found.append(item)
        return found

    def _voucher(self, series: str, number: int, q: httpx.QueryParams) -> httpx.Response:
        year = int(q["financialyear"])
        for v in self.vouchers:
            if (v.year, v.series, v.number) == (year, series, number):
                body: dict[str, Any] = {
                    "VoucherNumber": v.number,
                    "VoucherSeries": v.series,
                    "Year": v.year,
                    "TransactionDate": v.date.isoformat(),
                    "Description": v.description,
                    "VoucherRows": v.rows,
                }
                if self.comments_in_full:
                    body["Comments"] = v.comments
                return httpx.Response(200, json={"Voucher": body})
        missing = {"Error": 1, "Message": "Kan inte hitta verifikationen.", "Code": 2000610}
        return httpx.Response(404, json={"ErrorInformation": missing})

    def _post(self, path: str, q: httpx.QueryParams, request: httpx.Request) -> Any:
        if path == "vouchers":
            body = json.loads(request.content)["Voucher"]
            year = int(q["financialyear"])
            series = body["VoucherSeries"]
            number = 1 + max(
                (v.number for v in self.vouchers if (v.year, v.series) == (year, series)),
                default=0,
            )
            self.vouchers.append(
                FakeVoucher(
                    year,
                    series,
                    number,
                    dt.date.fromisoformat(body["TransactionDate"]),
                    body.get("Comments", ""),
                    body["VoucherRows"],
                    body["Description"],
                )
            )
            created = {"VoucherNumber": number, "VoucherSeries": series, "Year": year}
            return httpx.Response(201, json={"Voucher": created})
        if path == "inbox":
            name = re.search(rb'filename="([^"]+)"', request.content)
            stored = {
                "Id": f"file-{len(self.inbox) + 1}",
                "Name": name.group(1).decode() if name else "",
                "Path": q.get("path", ""),
            }
            self.inbox.append(stored)
            return httpx.Response(201, json={"File": stored})
        return None


def rows(*pairs: tuple[int, str]) -> list[dict[str, Any]]:
    """Voucher rows as Fortnox answers them: ``(account, signed amount)`` pairs."""
    out = []
    for account, value in pairs:
        debit = value if not value.startswith("-") else "0"
        credit = value.removeprefix("-") if value.startswith("-") else "0"
        out.append(
            {
                "Account": account,
                "Debit": float(debit),
                "Credit": float(credit),
                "CostCenter": "",
                "Project": "",
                "Removed": False,
            }
        )
    return out


def settings(**overrides: Any) -> FortnoxSettings:
    """Settings for the fake: no real pacing (the limiter would only slow tests down)."""
    values: dict[str, Any] = {
        "client_id": "cid",
        "client_secret": "secret",
        "base_url": BASE,
        "oauth_url": BASE + "/oauth-v1",
        "rate_limit_requests": 10_000,
        **overrides,
    }
    return FortnoxSettings.model_validate(values)


def logged_in() -> dict[str, Any]:
    """A stored login whose access token is valid for an hour."""
    now = time.time()
    return {
        "grant": "authorization_code",
        "access_token": "a0",
        "refresh_token": "r0",
        "expires_at": now + 3600,
        "refresh_expires_at": now + 45 * 86400,
    }


def bank_fee(
    text: str = "Bankavgift",
    *,
    row_text: str | None = None,
    day: dt.date = dt.date(2025, 12, 31),
    attachments: tuple[AttachmentRef, ...] = (),
) -> VoucherExport:
    """Voucher A 1 as an export item: a bank fee, 10.00 on 6570 against 1930 (``rows``
    ``(6570, "10"), (1930, "-10")`` in Fortnox's shape)."""
    voucher = Voucher(
        series="A",
        number="1",
        date=day,
        text=text,
        rows=(
            VoucherRow(account="6570", amount=Decimal("10.00"), text=row_text),
            VoucherRow(account="1930", amount=Decimal("-10.00")),
        ),
    )
    (item,) = export_items([voucher], attachments=[attachments])
    return item


def push_to(fake: FakeFortnox, items: list[VoucherExport], **request: Any) -> ExportReport:
    """Core's push job (validation, journal, engine) into ``fake``, logged in."""
    runtime = Runtime()
    runtime.token_store("fortnox").save(logged_in())
    overrides = {
        "client_id": "cid",
        "client_secret": "secret",
        "base_url": BASE,
        "oauth_url": BASE + "/oauth-v1",
        "rate_limit_requests": "10000",
    }
    job = PushRequest(backend="fortnox", items=tuple(items), overrides=overrides, **request)
    return push(runtime, job, transport=httpx.MockTransport(fake))


def client_for(fake: Callable[[httpx.Request], httpx.Response], **overrides: Any) -> FortnoxClient:
    """A FortnoxClient talking to ``fake`` (or any handler), logged in."""
    return FortnoxClient(
        settings(**overrides),
        MemoryTokenStore(logged_in()),
        transport=httpx.MockTransport(fake),
    )
