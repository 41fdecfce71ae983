"""Finding an earlier post of a voucher in Fortnox, by the reference in its ``Comments``.

Core asks after an ambiguous answer and posts again when told the voucher is absent, so
:func:`find_posted` answers None only when it is *certain*: every voucher of the series on
that day was read, with its ``Comments``, and none carries the reference. Fortnox's answers
need not be what was asked for, and each way they differ is covered:

* the date filter: Fortnox documents only ``financialyear`` on ``/3/vouchers/sublist/{series}``
  (``fromdate``/``todate`` are documented for ``/3/vouchers``; Fortnox's OpenAPI), so the list
  may hold the whole year: it is paged to the end and filtered by ``TransactionDate`` here;
* ``Comments`` in list items: the current list schema has it, the older documented list shape
  (https://developer.fortnox.se/documentation/resources/vouchers/) has not. A list item
  without it is read in full (``GET /3/vouchers/{series}/{number}?financialyear=<id>``);
* anything still unknown (a full read that fails, a voucher without ``Comments`` even in
  full, a list item without a number) raises :class:`~ledgerlink_core.ExportAmbiguous`:
  core then sends nothing and keeps the voucher for the next run.

A match's rows and date are compared with ours before it counts as the voucher. Vouchers
read in full are kept for the rest of the run (:class:`FullVouchers`): Fortnox never changes
a voucher once it is booked (a correction is a new voucher), and without ``Comments`` in list
items every look-up on a busy day would otherwise read the same vouchers again.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections import Counter
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ledgerlink_core import (
    BackendError,
    BackendUnavailable,
    ExportAmbiguous,
    VoucherExport,
    VoucherRef,
    find_marker,
)

from ledgerlink_fortnox.bookkeeping import FortnoxYear
from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.convert import amount, date, field, flag
from ledgerlink_fortnox.rules import COST_CENTRE_DIM, PROJECT_DIM

log = logging.getLogger("ledgerlink.fortnox")

_ABSENT = object()


class FullVouchers:
    """Vouchers read in full during one run, by (fiscal year id, series, number). Thread-safe."""

    def __init__(self) -> None:
        self._held: dict[tuple[int, str, str], Mapping[str, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[int, str, str]) -> Mapping[str, Any] | None:
        with self._lock:
            return self._held.get(key)

    def put(self, key: tuple[int, str, str], voucher: Mapping[str, Any]) -> None:
        with self._lock:
            self._held[key] = voucher


def read_json(
    client: FortnoxClient, path: str, params: Mapping[str, str | int] | None, what: str
) -> Any:
    """GET JSON (the transport retries); any failure to read is :class:`ExportAmbiguous`."""
    try:
        return client.get_json(path, params, action=what)
    except (BackendUnavailable, BackendError) as exc:
        raise ExportAmbiguous(str(exc)) from exc


def _row_key(
    account: Any, debit: Decimal, credit: Decimal, cc: str, project: str
) -> tuple[Any, ...]:
    return (int(account), debit - credit, cc or "", project or "")


def _our_rows(item: VoucherExport) -> Counter[tuple[Any, ...]]:
    rows: Counter[tuple[Any, ...]] = Counter()
    for row in item.voucher.rows:
        objs = {o.dimension: o.number for o in row.objects}
        key = _row_key(
            row.account,
            row.amount,
            Decimal(0),
            objs.get(COST_CENTRE_DIM, ""),
            objs.get(PROJECT_DIM, ""),
        )
        rows[key] += 1
    return rows


def _their_rows(voucher: Mapping[str, Any]) -> Counter[tuple[Any, ...]]:
    return Counter(
        _row_key(
            field(r, "Account"),
            amount(field(r, "Debit")),
            amount(field(r, "Credit")),
            str(field(r, "CostCenter") or ""),
            str(field(r, "Project") or ""),
        )
        for r in field(voucher, "VoucherRows", []) or []
        if not flag(field(r, "Removed", False))
    )


def _day_of(listed: Mapping[str, Any]) -> dt.date | None:
    """A list item's ``TransactionDate``; None when it has none that can be read (then it
    cannot be ruled out)."""
    try:
        return date(field(listed, "TransactionDate"), what="voucher date")
    except BackendError:
        return None


class _Lookup:
    """One look-up of ``item`` in its series and fiscal year."""

    def __init__(
        self, client: FortnoxClient, item: VoucherExport, year: FortnoxYear, full: FullVouchers
    ) -> None:
        self.client = client
        self.item = item
        self.year = year
        self.series = item.voucher.series
        self.what = f"looking up voucher {item.voucher.label} in Fortnox"
        self.full = full

    def listed(self) -> list[dict[str, Any]]:
        """The series' list items on the voucher's day, filtered here as well: a list that
        ignores the date filter holds the whole year, and every page of it is read."""
        day = self.item.voucher.date
        params: dict[str, str | int] = {
            "financialyear": self.year.id,
            "fromdate": day.isoformat(),
            "todate": day.isoformat(),
        }
        try:
            items = list(
                self.client.paginate(
                    f"vouchers/sublist/{self.series}", "Vouchers", params, action=self.what
                )
            )
        except (BackendUnavailable, BackendError) as exc:
            raise ExportAmbiguous(str(exc)) from exc
        on_day = [v for v in items if _day_of(v) in (day, None)]
        if len(on_day) < len(items):
            log.debug(
                "%s: %d listed vouchers are of other days", self.what, len(items) - len(on_day)
            )
        return on_day

    def number(self, listed: Mapping[str, Any]) -> str:
        number = field(listed, "VoucherNumber")
        if number in (None, ""):
            raise ExportAmbiguous(f"{self.what}: Fortnox listed a voucher without a number")
        return str(number)

    def read(self, number: str) -> Mapping[str, Any]:
        """``GET /3/vouchers/{series}/{number}``: the voucher in full (read once per run)."""
        key = (self.year.id, self.series, number)
        held = self.full.get(key)
        if held is None:
            body = read_json(
                self.client,
                f"vouchers/{self.series}/{number}",
                {"financialyear": self.year.id},
                self.what,
            )
            voucher = field(body, "Voucher", None) if isinstance(body, dict) else None
            if not isinstance(voucher, dict):
                raise ExportAmbiguous(
                    f"{self.what}: Fortnox sent no voucher {self.series} {number}"
                )
            self.full.put(key, voucher)
            held = voucher
        return held

    def comments_in_full(self, number: str) -> str:
        comments = field(self.read(number), "Comments", _ABSENT)
        if comments is _ABSENT:
            raise ExportAmbiguous(
                f"{self.what}: Fortnox sent voucher {self.series} {number} without its "
                f"Comments, so it cannot tell whether it is this one; nothing is sent"
            )
        return str(comments or "")

    def matches(self) -> list[str]:
        """The numbers of the vouchers of the day carrying our reference, read in full
        where the list left ``Comments`` out."""
        ref = self.item.external_ref
        found, unread = [], []
        for listed in self.listed():
            comments = field(listed, "Comments", None)
            if comments is None:
                unread.append(self.number(listed))
            elif find_marker(str(comments)) == ref:
                found.append(self.number(listed))
        texts = self.client.map_ordered(self.comments_in_full, unread)
        found += [n for n, text in zip(unread, texts, strict=True) if find_marker(text) == ref]
        return sorted(found, key=int)

    def run(self) -> VoucherRef | None:
        numbers = self.matches()
        if not numbers:
            return None
        return self.verified(numbers)

    def verified(self, numbers: list[str]) -> VoucherRef:
        """The first of the vouchers ``numbers`` carrying our reference, once its rows and
        date are ours."""
        if len(numbers) > 1:
            log.warning(
                "voucher %s is in Fortnox %d times (%s); keeping the first",
                self.item.voucher.label,
                len(numbers),
                ", ".join(numbers),
            )
        number = numbers[0]
        theirs = self.read(number)
        if _their_rows(theirs) != _our_rows(self.item):
            differs = "rows"
        elif _day_of(theirs) not in (self.item.voucher.date, None):
            differs = "date"
        else:
            return VoucherRef(series=self.series, number=number, year=self.year.id)
        raise ExportAmbiguous(
            f"Fortnox voucher {self.series} {number} carries the reference of "
            f"{self.item.voucher.label} but a different {differs}; check it by hand"
        )


def find_posted(
    client: FortnoxClient, item: VoucherExport, year: FortnoxYear, full: FullVouchers | None = None
) -> VoucherRef | None:
    """Where ``item`` was posted in fiscal ``year``; None only when it is certainly absent.
    ``full`` keeps the vouchers read in full for later look-ups of the same run."""
    return _Lookup(client, item, year, full if full is not None else FullVouchers()).run()


def find_listed(
    client: FortnoxClient,
    items: list[VoucherExport],
    year: FortnoxYear,
    series: str,
    full: FullVouchers,
) -> dict[str, VoucherRef | ExportAmbiguous]:
    """Which of ``items`` (all of ``series`` in fiscal ``year``) Fortnox holds: ONE listing of
    the series in that year (``/3/vouchers/sublist/{series}?financialyear=<id>``, paged),
    indexed by the reference marker in ``Comments``. Each match is read in full and its rows
    and date compared with ours, as :func:`find_posted` does; a match that differs, or one
    that cannot be read, is an :class:`~ledgerlink_core.ExportAmbiguous` for that voucher.
    List items without ``Comments`` (the older list shape) are read in full, only those
    dated on one of our vouchers' days (kept for the run). A listing that fails raises
    ``ExportAmbiguous``."""
    what = f"listing voucher series {series} of fiscal year {year.label()} in Fortnox"
    try:
        listed = list(
            client.paginate(
                f"vouchers/sublist/{series}", "Vouchers", {"financialyear": year.id}, action=what
            )
        )
    except (BackendUnavailable, BackendError) as exc:
        raise ExportAmbiguous(str(exc)) from exc
    found: dict[str, VoucherRef | ExportAmbiguous] = {}
    by_ref: dict[str, list[str]] = {}
    unread: dict[str, dt.date | None] = {}  # list items without Comments: number -> day
    for v in listed:
        number = field(v, "VoucherNumber")
        comments = field(v, "Comments", _ABSENT)
        if number in (None, ""):
            if comments is _ABSENT or find_marker(str(comments or "")) is not None:
                raise ExportAmbiguous(f"{what}: Fortnox listed a voucher without a number")
            continue
        if comments is _ABSENT:
            unread[str(number)] = _day_of(v)
            continue
        ref = find_marker(str(comments or ""))
        if ref is not None:
            by_ref.setdefault(ref, []).append(str(number))
    if unread:
        # The older list shape: read in full only the vouchers on our vouchers' days.
        days = {item.voucher.date for item in items}
        wanted = [n for n, day in unread.items() if day is None or day in days]
        reader = _Lookup(client, items[0], year, full)
        try:
            texts = list(client.map_ordered(reader.comments_in_full, wanted))
        except ExportAmbiguous as exc:
            return {item.external_ref: exc for item in items}
        for number, text in zip(wanted, texts, strict=True):
            ref = find_marker(text)
            if ref is not None:
                by_ref.setdefault(ref, []).append(number)
    for item in items:
        numbers = by_ref.get(item.external_ref)
        if not numbers:
            continue
        try:
            found[item.external_ref] = _Lookup(client, item, year, full).verified(
                sorted(numbers, key=int)
            )
        except ExportAmbiguous as exc:
            found[item.external_ref] = exc
    return found
