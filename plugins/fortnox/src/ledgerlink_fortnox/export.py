"""Export to Fortnox: vouchers, then their documents, each step exactly once.

Fortnox has no idempotency key for ``POST /3/vouchers``, so:

* each voucher carries its external reference in ``Comments`` (``ledgerlink-ref:ll…``);
* after an ambiguous failure (timeout, dropped connection, 5xx, endless 429) the voucher is
  looked up before anything is sent again: the series is listed for the voucher's date in
  its fiscal year, ``Comments`` matched against the reference, and the rows of a match
  compared with ours; "absent" only when that is certain (:mod:`ledgerlink_fortnox.lookup`);
* documents are uploaded to the inbox (``inbox_v``) under a name that carries the reference
  (``<name>--<ref>-<n>.<ext>``), so an upload whose answer was lost is found in the inbox,
  and connected with ``POST /3/voucherfileconnections?financialyeardate=<year start>``
  (without the date Fortnox connects to the voucher of the *default* year).

:class:`FortnoxSink` is the backend's :class:`~ledgerlink_core.VoucherSink`: core journals
every step around it and decides when to look up and when to send; this module only speaks
HTTP.
Requests go through :class:`~ledgerlink_fortnox.client.FortnoxClient`, whose sliding-window
limiter paces all worker threads together.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Mapping, Sequence
from decimal import Decimal
from pathlib import Path, PurePath
from typing import Any
from urllib.parse import unquote

from ledgerlink_core import (
    Account,
    AttachmentRef,
    AuthenticationError,
    BackendError,
    BackendUnavailable,
    ExportAmbiguous,
    ExportConstraints,
    ExportRefused,
    FiscalYear,
    PermissionDenied,
    VoucherExport,
    VoucherRef,
    VoucherSink,
)

from ledgerlink_fortnox.bookkeeping import FortnoxYear, fiscal_years
from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.convert import field
from ledgerlink_fortnox.errors import NotFound
from ledgerlink_fortnox.lookup import FullVouchers, find_listed, find_posted, read_json
from ledgerlink_fortnox.rules import (
    COST_CENTRE_DIM,
    PROJECT_DIM,
    chart_of_accounts,
    export_constraints,
)
from ledgerlink_fortnox.texts import comments, fallback_description

log = logging.getLogger("ledgerlink.fortnox")

INBOX_FOLDER = "inbox_v"
"""The inbox folder for vouchers, by the lower-case id Fortnox's answers carry. Its OpenAPI
table writes ``Inbox_v``; real responses, the old inbox documentation
(https://developer.fortnox.se/documentation/resources/inbox/) and the C# SDK's live tests use
``inbox_v``, and read the folder back as ``GET /3/inbox/inbox_v``."""
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
"""Largest document accepted: 5 MB, the only per-file limit Fortnox documents (for files
connected to invoices: https://developer.fortnox.se/documentation/resources/invoice-file-connections/;
none is published for the inbox). Core refuses bigger files, naming them, before anything is
sent."""


def upload_name(item: VoucherExport, idx: int, att: AttachmentRef) -> str:
    """The inbox file name of an attachment: it carries the reference, for look-ups."""
    path = PurePath(att.filename)
    return f"{path.stem}--{item.external_ref}-{idx + 1}{path.suffix.lower()}"


def _stored_as(stored: Any, name: str) -> bool:
    """Whether Fortnox's ``stored`` file name is ``name`` as uploaded: the multipart upload
    percent-encodes ``"``, CR and LF in a file name, and Fortnox keeps the encoded form."""
    if not isinstance(stored, str):
        return False
    return stored == name or unquote(stored) == name


def voucher_body(item: VoucherExport, series: str) -> dict[str, Any]:
    """The ``{"Voucher": ...}`` body: rows in debit/credit form, objects as cost centre and
    project, the external reference and the note in ``Comments``. Texts go as they are: core
    has checked them against :data:`~ledgerlink_fortnox.texts.RULES`."""
    v = item.voucher
    rows = []
    for row in v.rows:
        out: dict[str, Any] = {
            "Account": int(row.account),
            "Debit": row.amount if row.amount > 0 else Decimal(0),
            "Credit": -row.amount if row.amount < 0 else Decimal(0),
        }
        for obj in row.objects:
            if obj.dimension == COST_CENTRE_DIM:
                out["CostCenter"] = obj.number
            elif obj.dimension == PROJECT_DIM:
                out["Project"] = obj.number
        if row.text:
            out["TransactionInformation"] = row.text
        if row.quantity is not None:
            out["Quantity"] = row.quantity
        rows.append(out)
    return {
        "Voucher": {
            "VoucherSeries": series,
            "TransactionDate": v.date.isoformat(),
            "Description": v.text or fallback_description(v.label),
            "Comments": comments(item),
            "VoucherRows": rows,
        }
    }


class FortnoxSink(VoucherSink):
    """The :class:`~ledgerlink_core.VoucherSink` for Fortnox. Thread-safe: the client is, and
    the only shared state (years) is read before any export starts."""

    def __init__(self, client: FortnoxClient, *, workers: int = 1) -> None:
        self.client = client
        self.workers = workers
        self._years: list[FortnoxYear] | None = None
        self._full = FullVouchers()  # vouchers read in full by look-ups, kept for the run

    # -- reading the target's rules ---------------------------------------------------------

    @property
    def years(self) -> list[FortnoxYear]:
        """The company's fiscal years (read once)."""
        if self._years is None:
            self._years = fiscal_years(self.client)
        return self._years

    def year_of(self, day: dt.date) -> FortnoxYear:
        """The fiscal year holding ``day`` (validation made sure there is one)."""
        for year in self.years:
            if year.start <= day <= year.end:
                return year
        raise ExportRefused(f"no fiscal year in Fortnox holds {day}")

    def chart(self, year: FiscalYear | None = None) -> list[Account]:
        """The chart of accounts of ``year`` (default: the latest), with each account's
        active flag and object rules in that year: Fortnox keeps one chart per fiscal year."""
        chosen = self.year_of(year.start) if year is not None else None
        if chosen is None and self.years:
            chosen = self.years[-1]
        return chart_of_accounts(self.client, chosen)

    def constraints(self) -> ExportConstraints:
        """Fiscal years, locked period, series, objects and text rules (:mod:`.rules`)."""
        return export_constraints(self.client, lambda: self.years)

    # -- HTTP with exactly-once semantics ---------------------------------------------------

    def _write(
        self,
        path: str,
        params: Mapping[str, str | int] | None,
        *,
        json_body: Any = None,
        files: Any = None,
        what: str,
    ) -> Any:
        """POST through the client and classify its answer for core: Fortnox said no (a 4xx)
        is :class:`ExportRefused`; an unknown answer (no answer, 5xx, endless 429, an
        unreadable body) is :class:`ExportAmbiguous`; credentials problems propagate."""
        try:
            response = self.client.request(
                "POST", path, params=params, json_body=json_body, files=files, action=what
            )
        except (AuthenticationError, PermissionDenied):
            raise
        except BackendUnavailable as exc:
            raise ExportAmbiguous(str(exc)) from exc
        except BackendError as exc:
            raise ExportRefused(str(exc)) from exc
        try:
            return json.loads(response.content) if response.content else {}
        except ValueError as exc:
            raise ExportAmbiguous(f"{what}: unreadable answer from Fortnox") from exc

    def post_voucher(self, item: VoucherExport) -> VoucherRef:
        """``POST /3/vouchers?financialyear=<year of the date>``."""
        target_series = item.voucher.series
        year = self.year_of(item.voucher.date)
        body = self._write(
            "vouchers",
            {"financialyear": year.id},
            json_body=voucher_body(item, target_series),
            what=f"creating voucher {item.voucher.label} in Fortnox",
        )
        created = field(body, "Voucher", {}) or {}
        number = field(created, "VoucherNumber")
        if number in (None, ""):
            raise ExportAmbiguous("Fortnox created a voucher but sent no VoucherNumber")
        return VoucherRef(
            series=str(field(created, "VoucherSeries") or target_series),
            number=str(number),
            year=int(field(created, "Year") or year.id),
        )

    def find_voucher(self, item: VoucherExport) -> VoucherRef | None:
        """Where an earlier post of ``item`` was placed; None only when it is certainly
        absent (:mod:`ledgerlink_fortnox.lookup`)."""
        return find_posted(self.client, item, self.year_of(item.voucher.date), self._full)

    def find_vouchers(
        self, items: Sequence[VoucherExport]
    ) -> Mapping[str, VoucherRef | ExportAmbiguous]:
        """Which of ``items`` Fortnox holds already: one listing per series and fiscal year,
        indexed by the reference in ``Comments`` (:func:`.lookup.find_listed`)."""
        groups: dict[tuple[str, int], tuple[FortnoxYear, list[VoucherExport]]] = {}
        for item in items:
            year = self.year_of(item.voucher.date)
            groups.setdefault((item.voucher.series, year.id), (year, []))[1].append(item)
        found: dict[str, VoucherRef | ExportAmbiguous] = {}
        for (series, _), (year, group) in groups.items():
            found.update(find_listed(self.client, group, year, series, self._full))
        return found

    def upload_attachment(self, item: VoucherExport, idx: int, att: AttachmentRef) -> str:
        """Upload to the inbox folder for vouchers; return the file's ``Id``."""
        data = Path(att.path).read_bytes()
        name = upload_name(item, idx, att)
        body = self._write(
            "inbox",
            {"path": INBOX_FOLDER},
            files={"file": (name, data, att.media_type)},
            what=f"uploading {att.filename} for voucher {item.voucher.label}",
        )
        file_id = field(field(body, "File", {}) or {}, "Id")
        if not file_id:
            raise ExportAmbiguous("Fortnox stored the file but sent no Id")
        return str(file_id)

    def find_attachment(self, item: VoucherExport, idx: int, att: AttachmentRef) -> str | None:
        """An earlier upload of this document, still in the inbox folder, by its name
        (``GET /3/inbox/inbox_v`` answers the folder with its files)."""
        name = upload_name(item, idx, att)
        body = read_json(
            self.client,
            f"inbox/{INBOX_FOLDER}",
            None,
            f"looking up {att.filename} in the Fortnox inbox",
        )
        files = field(field(body, "Folder", {}) or {}, "Files", []) or []
        ids = sorted(str(field(f, "Id")) for f in files if _stored_as(field(f, "Name"), name))
        return ids[0] if ids else None

    def find_connected(
        self, placement: VoucherRef, item: VoucherExport, idx: int, att: AttachmentRef
    ) -> str | None:
        """The file of this document connected to ``placement`` already (a connected file
        leaves the inbox): ``GET /3/voucherfileconnections`` of the voucher's year, with the
        voucher's series and number as search parameters (the emulator honours them; the
        spec lists none, so the items are filtered here too), matched by the upload name
        that carries the reference."""
        if placement.year is None:
            return None
        name = upload_name(item, idx, att)
        try:
            listed = list(
                self.client.paginate(
                    "voucherfileconnections",
                    "VoucherFileConnections",
                    {
                        "financialyear": placement.year,
                        "voucheryear": placement.year,
                        "voucherseries": placement.series,
                        "vouchernumber": placement.number,
                    },
                    action=f"looking up the files of voucher {placement.series} "
                    f"{placement.number} in Fortnox",
                )
            )
        except (BackendError, BackendUnavailable) as exc:
            raise ExportAmbiguous(str(exc)) from exc
        ids = sorted(
            str(field(c, "FileId"))
            for c in listed
            if str(field(c, "VoucherSeries")) == placement.series
            and str(field(c, "VoucherNumber")) == str(placement.number)
            and _stored_as(field(c, "Name"), name)
        )
        return ids[0] if ids else None

    def _year_start(self, placement: VoucherRef) -> str:
        for year in self.years:
            if year.id == placement.year:
                return year.start.isoformat()
        raise ExportRefused(f"Fortnox has no fiscal year {placement.year}")

    def connect_attachment(self, placement: VoucherRef, file_id: str) -> None:
        """Connect the file to the voucher, naming its fiscal year explicitly."""
        try:
            self._write(
                "voucherfileconnections",
                {"financialyeardate": self._year_start(placement)},
                json_body={
                    "VoucherFileConnection": {
                        "FileId": file_id,
                        "VoucherSeries": placement.series,
                        "VoucherNumber": str(placement.number),
                    }
                },
                what=f"connecting file {file_id} to voucher {placement.series} {placement.number}",
            )
        except ExportRefused:
            # "already connected" after a lost answer is success when it is connected to us.
            if self.is_connected(placement, file_id):
                return
            raise

    def is_connected(self, placement: VoucherRef, file_id: str) -> bool:
        """``GET /3/voucherfileconnections/{FileId}``: connected to ``placement``?"""
        try:
            body = self.client.get_json(
                f"voucherfileconnections/{file_id}", action="looking up a file connection"
            )
        except NotFound:
            return False
        except (BackendError, BackendUnavailable) as exc:
            raise ExportAmbiguous(str(exc)) from exc
        conn = field(body, "VoucherFileConnection", {}) or {}
        return (
            str(field(conn, "VoucherSeries")) == placement.series
            and str(field(conn, "VoucherNumber")) == str(placement.number)
            and (placement.year is None or int(field(conn, "VoucherYear") or 0) == placement.year)
        )
