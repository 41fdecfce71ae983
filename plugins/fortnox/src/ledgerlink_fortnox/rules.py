"""The company's rules for export, read from Fortnox before validation.

Core checks every voucher against them before anything is written, so what Fortnox would
refuse is reported at once, for every voucher, instead of one POST at a time:

* per fiscal year, the chart (``/3/accounts?financialyear=<id>``): Fortnox keeps one chart
  per year, and each account's ``Active``, ``CostCenterSettings`` and ``ProjectSettings``
  (``ALLOWED``, ``MANDATORY``, ``NOTALLOWED``) hold for that year only (Fortnox's OpenAPI,
  ``fortnox_Account``; https://github.com/softwerkab/fortnox-csharp-api-sdk/issues/123);
* once: the fiscal years, the locked period, the voucher series and which of them take
  manual vouchers (``Manual``), the active cost centres (``/3/costcenters``), the projects
  not completed (``/3/projects``), and the text rules (:mod:`ledgerlink_fortnox.texts`).

The look-ups of :func:`export_constraints` run at the same time, each on its own thread: a
list endpoint pages on the client's pool, so running them *on* that pool could leave every
worker waiting for a page queued behind it. The limiter paces them all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ledgerlink_core import Account, ExportConstraints, FiscalYear, ObjectRule

from ledgerlink_fortnox.bookkeeping import FortnoxYear
from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.convert import date, field, flag
from ledgerlink_fortnox.texts import RULES

log = logging.getLogger("ledgerlink.fortnox")


COST_CENTRE_DIM = 1
PROJECT_DIM = 6
OBJECT_RULES: dict[str, ObjectRule] = {
    "ALLOWED": "allowed",
    "MANDATORY": "mandatory",
    "NOTALLOWED": "not_allowed",
}
FINISHED_PROJECT = "COMPLETED"
"""``Status`` of a finished project (the others are ``NOTSTARTED`` and ``ONGOING``)."""


def object_rule(value: Any, account: str, what: str) -> ObjectRule:
    """An account's ``CostCenterSettings``/``ProjectSettings`` as core's rule. Absent means
    allowed; a value Fortnox has not documented is taken as allowed (Fortnox still checks
    the row when the voucher is posted) and logged."""
    if value in (None, ""):
        return "allowed"
    rule = OBJECT_RULES.get(str(value).upper())
    if rule is None:
        log.warning("account %s: unknown %s %r in Fortnox; not checked", account, what, value)
        return "allowed"
    return rule


def to_account(item: dict[str, Any]) -> Account:
    """One item of ``/3/accounts`` as core's :class:`Account`, with its rules that year."""
    number = str(field(item, "Number"))
    return Account(
        number=number,
        name=str(field(item, "Description") or ""),
        active=flag(field(item, "Active", True)),
        cost_centre_rule=object_rule(field(item, "CostCenterSettings"), number, "cost centre rule"),
        project_rule=object_rule(field(item, "ProjectSettings"), number, "project rule"),
    )


def chart_of_accounts(client: FortnoxClient, year: FortnoxYear | None) -> list[Account]:
    """The chart of ``year`` (Fortnox's default year when None)."""
    params = {"financialyear": year.id} if year is not None else None
    what = f"listing the Fortnox chart of accounts{f' of {year.label()}' if year else ''}"
    listed = client.paginate("accounts", "Accounts", params, action=what)
    return [to_account(item) for item in listed]


def _series(client: FortnoxClient) -> tuple[frozenset[str], frozenset[str] | None]:
    """Every voucher series, and those open for manual vouchers (None: Fortnox did not say)."""
    listed = list(
        client.paginate(
            "voucherseries", "VoucherSeriesCollection", action="listing the Fortnox voucher series"
        )
    )
    codes = frozenset(str(field(s, "Code")) for s in listed)
    if not any(field(s, "Manual") is not None for s in listed):
        return codes, None
    manual = frozenset(str(field(s, "Code")) for s in listed if flag(field(s, "Manual", True)))
    return codes, manual


def _cost_centres(client: FortnoxClient) -> frozenset[str]:
    """The codes of the active cost centres."""
    listed = client.paginate("costcenters", "CostCenters", action="listing Fortnox cost centres")
    return frozenset(str(field(c, "Code")) for c in listed if flag(field(c, "Active", True)))


def _projects(client: FortnoxClient) -> frozenset[str]:
    """The numbers of the projects that are not finished."""
    listed = client.paginate("projects", "Projects", action="listing Fortnox projects")
    return frozenset(
        str(field(p, "ProjectNumber"))
        for p in listed
        if str(field(p, "Status") or "").upper() != FINISHED_PROJECT
    )


def _locked_until(client: FortnoxClient) -> Any:
    body = client.get_json("settings/lockedperiod", action="reading the locked period")
    info = field(body, "LockedPeriod", {}) or {}
    return date(field(info, "EndDate"), what="locked period end")


def as_fiscal_years(years: Sequence[FortnoxYear]) -> tuple[FiscalYear, ...]:
    """Fortnox's years as core's, indexed like SIE's ``#RAR``: 0 the latest, -1 the one
    before, and so on."""
    return tuple(
        FiscalYear(index=i - len(years) + 1, start=y.start, end=y.end) for i, y in enumerate(years)
    )


def export_constraints(
    client: FortnoxClient, years: Callable[[], Sequence[FortnoxYear]]
) -> ExportConstraints:
    """Everything but the charts, in one round of concurrent look-ups."""
    jobs: dict[str, Callable[[], Any]] = {
        "years": years,
        "locked": lambda: _locked_until(client),
        "series": lambda: _series(client),
        "cost_centres": lambda: _cost_centres(client),
        "projects": lambda: _projects(client),
    }
    with ThreadPoolExecutor(max_workers=len(jobs), thread_name_prefix="fortnox-rules") as pool:
        futures = {name: pool.submit(job) for name, job in jobs.items()}
        got = {name: future.result() for name, future in futures.items()}
    series, manual = got["series"]
    return ExportConstraints(
        fiscal_years=as_fiscal_years(got["years"]),
        locked_until=got["locked"],
        series=series,
        manual_series=manual,
        objects={COST_CENTRE_DIM: got["cost_centres"], PROJECT_DIM: got["projects"]},
        text=RULES,
        decimals=2,  # Fortnox keeps öre: it would round 10.005 to 10.01
    )
