"""Import one fiscal year's bookkeeping: pick the year, fetch SIE 4, read it, cross-check."""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from typing import Any

from ledgerlink_core import BackendError, Bookkeeping, BookkeepingRequest, InputError

from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.convert import date, field

log = logging.getLogger("ledgerlink.fortnox")


@dataclass(frozen=True)
class FortnoxYear:
    """A Fortnox fiscal year (``/3/financialyears``)."""

    id: int
    start: dt.date
    end: dt.date
    method: str = "ACCRUAL"
    """``AccountingMethod``: ``ACCRUAL`` or ``CASH`` (kontantmetoden)."""

    def label(self) -> str:
        """``2025 (2025-01-01..2025-12-31, id 3)``."""
        return f"{self.end.year} ({self.start}..{self.end}, id {self.id})"


def fiscal_years(client: FortnoxClient) -> list[FortnoxYear]:
    """Every fiscal year of the company, oldest first."""
    years = []
    for item in client.paginate(
        "financialyears", "FinancialYears", action="listing Fortnox fiscal years"
    ):
        start = date(field(item, "FromDate"), what="fiscal year start")
        end = date(field(item, "ToDate"), what="fiscal year end")
        if start is None or end is None:
            raise BackendError("Fortnox sent a fiscal year without dates")
        method = str(field(item, "AccountingMethod") or "ACCRUAL").upper()
        years.append(FortnoxYear(id=int(field(item, "Id")), start=start, end=end, method=method))
    return sorted(years, key=lambda y: y.start)


def choose_year(years: list[FortnoxYear], request: BookkeepingRequest) -> FortnoxYear:
    """The year ``request`` names; an :class:`InputError` listing the years when none fits.

    ``year`` is the calendar year the fiscal year ends in; ``on_date`` the year holding
    that date; ``year_index`` 0, -1, ... counts back from the latest year (as SIE ``#RAR``)
    and a positive index is Fortnox's own year id. Nothing given: the latest year.
    """
    if not years:
        raise BackendError("the Fortnox company has no fiscal years")
    found: FortnoxYear | None
    if request.year is not None:
        matches = [y for y in years if y.end.year == request.year]
        found = matches[-1] if matches else None
        asked = f"no fiscal year ending in {request.year}"
    elif request.on_date is not None:
        day = request.on_date
        found = next((y for y in years if y.start <= day <= y.end), None)
        asked = f"no fiscal year containing {day}"
    elif request.year_index is not None:
        index = request.year_index
        if index > 0:
            found = next((y for y in years if y.id == index), None)
            asked = f"no fiscal year with id {index}"
        else:
            found = years[index - 1] if -index < len(years) else None
            asked = f"no fiscal year with index {index}"
    else:
        return years[-1]
    if found is None:
        available = ", ".join(y.label() for y in years)
        raise InputError(f"Fortnox has {asked}; available: {available}")
    return found


def _digits(value: str | None) -> str:
    return re.sub(r"\D", "", value or "")


def import_bookkeeping(client: FortnoxClient, request: BookkeepingRequest) -> Bookkeeping:
    """Fetch ``GET /3/sie/4?financialyear=ID`` and read it with core's SIE codec.

    The result is cross-checked: the SIE's current year must be the chosen Fortnox year and
    its organisation number the company's (``/3/companyinformation``).
    """
    from ledgerlink_core import load_checked

    year = choose_year(fiscal_years(client), request)
    # Company information travels alongside the (large) SIE download.
    company = client.pool.submit(
        client.get_json, "companyinformation", action="reading Fortnox company information"
    )
    raw = client.get_bytes(
        "sie/4",
        {"financialyear": year.id},
        action=f"fetching SIE 4 for fiscal year {year.label()}",
    )
    info: dict[str, Any] = field(company.result(), "CompanyInformation", {}) or {}
    name = f"Fortnox SIE 4, fiscal year {year.start}..{year.end}"
    # ``ledgerlink check``'s rules: real exports carry earlier years' balances on accounts
    # that have left the chart, a warning; what check calls an error refuses the download.
    document = load_checked(raw, name=name, hint="correct it in Fortnox and pull again")
    book = document.bookkeeping
    current = book.fiscal_year(0)
    if current is None or (current.start, current.end) != (year.start, year.end):
        got = f"{current.start}..{current.end}" if current else "no #RAR 0"
        raise BackendError(
            f"{name}: Fortnox sent the wrong fiscal year ({got}); try again, and report it "
            f"if it persists"
        )
    org_api = _digits(field(info, "OrganizationNumber"))
    org_sie = _digits(book.company.org_nr)
    if org_api and org_sie and org_api != org_sie:
        raise BackendError(
            f"{name}: the SIE file belongs to organisation {book.company.org_nr}, but the "
            f"connected company is {field(info, 'OrganizationNumber')}; check the login"
        )
    for problem in document.problems:
        log.warning("%s", problem)
    return book
