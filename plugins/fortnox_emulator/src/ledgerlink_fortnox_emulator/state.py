"""The emulated tenant's data, in memory, behind one lock, with an inspection API for tests."""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from ledgerlink_core import Seconds

Kind = Literal["customer", "supplier"]
DimensionSetting = Literal["ALLOWED", "MANDATORY", "NOTALLOWED"]
"""An account's ``CostCenterSettings``/``ProjectSettings`` (Fortnox's ``fortnox_Account``)."""
DIMENSION_SETTINGS: frozenset[str] = frozenset({"ALLOWED", "MANDATORY", "NOTALLOWED"})
PROJECT_STATUSES: frozenset[str] = frozenset({"NOTSTARTED", "ONGOING", "COMPLETED"})
ZERO = Decimal(0)


def _now() -> dt.datetime:
    """A record's ``modified`` stamp, to the whole second."""
    return dt.datetime.now().replace(microsecond=0)


@dataclass(slots=True)
class FiscalYearRec:
    """One fiscal year; ``id`` is Fortnox's id (1 for the oldest)."""

    id: int
    start: dt.date
    end: dt.date
    chart_type: str = "BAS 2024"
    method: str = "ACCRUAL"

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` lies inside the year."""
        return self.start <= day <= self.end


@dataclass(slots=True)
class AccountRec:
    """An account of one fiscal year's chart (Fortnox keeps a chart per year)."""

    number: int
    description: str
    active: bool = True
    sru: int | None = None
    type: str | None = None
    """SIE ``#KTYP``: T, S, K or I."""
    vat_code: str = ""
    costcenter_settings: DimensionSetting = "ALLOWED"
    project_settings: DimensionSetting = "ALLOWED"


@dataclass(slots=True)
class RowRec:
    """A voucher row as Fortnox stores it: debit and credit, not a signed amount."""

    account: int
    debit: Decimal
    credit: Decimal
    description: str = ""
    transaction_information: str = ""
    costcenter: str = ""
    project: str = ""
    quantity: Decimal | None = None
    removed: bool = False

    @property
    def amount(self) -> Decimal:
        """Signed amount, debit positive."""
        return self.debit - self.credit


@dataclass(slots=True)
class VoucherRec:
    """A voucher, unique by (series, number, year)."""

    series: str
    number: int
    year: int
    date: dt.date
    description: str
    rows: list[RowRec]
    comments: str = ""
    costcenter: str = ""
    project: str = ""
    reference_type: str = "MANUAL"
    reference_number: str = ""
    approval_state: int = 0
    origin: str = "api"
    """``seed`` (from the SIE), ``synthetic`` (generated) or ``api`` (created by a client)."""
    modified: dt.datetime = field(default_factory=_now)


@dataclass(slots=True)
class InvoiceRec:
    """A customer or supplier invoice. Amounts are in the invoice currency."""

    kind: Kind
    number: str
    """DocumentNumber (customer) or GivenNumber (supplier)."""
    counterparty: str
    counterparty_name: str
    invoice_date: dt.date
    due_date: dt.date
    total: Decimal
    currency: str = "SEK"
    currency_rate: Decimal = Decimal(1)
    booked: bool = True
    cancelled: bool = False
    credit: bool = False
    ocr: str = ""
    supplier_invoice_number: str = ""
    """The supplier's own number (``InvoiceNumber``); supplier invoices only."""
    voucher: tuple[str, int, int] | None = None
    """(series, number, year id) of the voucher the invoice was booked on."""
    invoice_type: str = "INVOICE"
    """Fortnox's ``InvoiceType`` (customer invoices): ``INVOICE``, ``CASHINVOICE`` (paid when
    issued, no payment registered, booked straight to the bank)..."""
    credit_reference: str = ""
    """For a credit note: the invoice it credits. Information only, as in Fortnox: nothing
    settles by itself; payments on both documents do (see :meth:`EmulatorState.offset`)."""
    modified: dt.datetime = field(default_factory=_now)


@dataclass(slots=True)
class WriteOffRec:
    """Part of a payment written off (rounding, a bank fee, a bad debt), in the invoice
    currency; it lowers the invoice's balance like the payment does."""

    amount: Decimal
    account: int = 6570
    description: str = ""


@dataclass(slots=True)
class PaymentRec:
    """A payment against an invoice, in the invoice currency (negative on a credit note)."""

    kind: Kind
    number: int
    invoice_number: str
    date: dt.date
    amount: Decimal
    currency: str = "SEK"
    currency_rate: Decimal = Decimal(1)
    booked: bool = True
    source: str = "manual"
    voucher: tuple[str, int, int] | None = None
    modified: dt.datetime = field(default_factory=_now)
    write_offs: list[WriteOffRec] = field(default_factory=list)

    @property
    def settled(self) -> Decimal:
        """What the payment took off the invoice: its amount plus its write-offs."""
        return self.amount + sum((w.amount for w in self.write_offs), ZERO)


#: Fortnox's predefined accounts (``/3/predefinedaccounts``) as a BAS company has them.
DEFAULT_PREDEFINED_ACCOUNTS: dict[str, int] = {
    "CUSTCLAIM": 1510,
    "SUPDEBT": 2440,
    "ROUNDOFF": 3740,
    "CURRENCYWIN": 3960,
    "CURRENCYLOSS": 7960,
    "BANK": 1930,
}


@dataclass(slots=True)
class InboxFile:
    """An uploaded file (inbox or archive)."""

    id: str
    name: str
    folder: str
    data: bytes
    content_type: str
    archive_file_id: str
    comments: str = ""

    @property
    def size(self) -> int:
        """Size in bytes."""
        return len(self.data)


@dataclass(slots=True)
class FileConnection:
    """A file connected to a voucher."""

    file_id: str
    series: str
    number: int
    year: int


@dataclass(slots=True)
class RequestRecord:
    """One request as the emulator saw it: what was asked, what was answered, which fault."""

    method: str
    path: str
    status: int | None
    """None when the connection was dropped without an answer."""
    fault: str | None
    at: Seconds  # time.monotonic()


@dataclass
class Company:
    """Company information."""

    name: str
    org_nr: str = ""
    address: str = ""
    zip_code: str = ""
    city: str = ""
    country_code: str = "SE"


class EmulatorState:
    """The tenant's data. Every access from request threads holds :attr:`lock`.

    Tests read it through the inspection methods (``vouchers``, ``inbox_files``,
    ``connections``, ``request_counts``, ``snapshot``...).
    """

    def __init__(self, company: Company, tenant_id: int) -> None:
        self.lock = threading.RLock()
        self.company = company
        self.tenant_id = tenant_id
        self.years: list[FiscalYearRec] = []
        self.charts: dict[int, dict[int, AccountRec]] = {}
        """Year id -> that year's chart of accounts (number -> account)."""
        self.opening_balances: dict[tuple[int, int], Decimal] = {}
        """(year id, account) -> balance brought forward."""
        self.object_opening_balances: dict[tuple[int, int, int, str], Decimal] = {}
        """(year id, account, dimension, object) -> ``#OIB``."""
        self.series: dict[str, str] = {}
        """Voucher series code -> description."""
        self.non_manual_series: set[str] = set()
        """Series kept for Fortnox's own modules (``Manual: false``): no manual vouchers."""
        self.costcenters: dict[str, str] = {}
        """Cost centre code -> description (dimension 1 of the seed)."""
        self.inactive_costcenters: set[str] = set()
        self.projects: dict[str, str] = {}
        """Project number -> description (dimension 6 of the seed)."""
        self.project_status: dict[str, str] = {}
        """Project number -> ``NOTSTARTED``/``ONGOING``/``COMPLETED`` (absent: ONGOING)."""
        self.dimension_names: dict[int, str] = {1: "Kostnadsställe", 6: "Projekt"}
        self._vouchers: dict[tuple[int, str], dict[int, VoucherRec]] = {}
        self._next_number: dict[tuple[int, str], int] = {}
        self.invoices: dict[Kind, dict[str, InvoiceRec]] = {"customer": {}, "supplier": {}}
        self.payments: dict[Kind, list[PaymentRec]] = {"customer": [], "supplier": []}
        self._paid: dict[Kind, dict[str, list[PaymentRec]]] = {"customer": {}, "supplier": {}}
        self._credits: dict[Kind, dict[str, list[InvoiceRec]]] = {"customer": {}, "supplier": {}}
        self.customers: dict[str, str] = {}
        self.suppliers: dict[str, str] = {}
        self.files: dict[str, InboxFile] = {}
        self.file_connections: dict[str, FileConnection] = {}
        self.predefined_accounts: dict[str, int] = dict(DEFAULT_PREDEFINED_ACCOUNTS)
        """Name (``CUSTCLAIM``...) -> account, served by ``/3/predefinedaccounts``."""
        self.locked_until: dt.date | None = None
        self.preselected_year: int | None = None
        self.request_log: list[RequestRecord] = []
        self.version = 0
        """Bumped on every voucher stored, so exports can be cached."""
        self.export_cache: dict[tuple[int, int, int, str], bytes] = {}

    # --- years ----------------------------------------------------------------------------------

    def year(self, year_id: int) -> FiscalYearRec | None:
        """The year with that id."""
        return next((y for y in self.years if y.id == year_id), None)

    def year_of(self, day: dt.date) -> FiscalYearRec | None:
        """The year that contains ``day``."""
        return next((y for y in self.years if y.contains(day)), None)

    def default_year(self) -> FiscalYearRec:
        """The preselected year: used when a request names none."""
        if self.preselected_year is not None:
            found = self.year(self.preselected_year)
            if found is not None:
                return found
        return max(self.years, key=lambda y: y.start)

    # --- charts of accounts ---------------------------------------------------------------------

    @property
    def accounts(self) -> dict[int, AccountRec]:
        """The preselected year's chart (the year a request without ``financialyear`` means)."""
        return self.chart(self.default_year().id) if self.years else {}

    def chart(self, year_id: int) -> dict[int, AccountRec]:
        """One year's chart, number -> account (live: changes show in the API)."""
        with self.lock:
            return self.charts.setdefault(year_id, {})

    def account(self, year_id: int, number: int) -> AccountRec | None:
        """An account of one year's chart, or None when that year has no such account."""
        return self.chart(year_id).get(number)

    def add_account(self, account: AccountRec) -> None:
        """Put ``account`` into every year's chart (a copy each, so years can differ)."""
        with self.lock:
            for year in self.years:
                self.chart(year.id)[account.number] = dataclasses.replace(account)

    def set_account(
        self,
        year_id: int,
        number: int,
        *,
        active: bool | None = None,
        cost_center: DimensionSetting | None = None,
        project: DimensionSetting | None = None,
        description: str | None = None,
    ) -> AccountRec:
        """Change an account in one year's chart, adding it to that year when missing (tests).

        ``cost_center``/``project`` are ``ALLOWED``, ``MANDATORY`` or ``NOTALLOWED``."""
        for setting in (cost_center, project):
            if setting is not None and setting not in DIMENSION_SETTINGS:
                raise ValueError(f"not one of {sorted(DIMENSION_SETTINGS)}: {setting!r}")
        with self.lock:
            if self.year(year_id) is None:
                raise ValueError(f"no fiscal year {year_id}")
            chart = self.chart(year_id)
            found = chart.get(number)
            if found is None:
                elsewhere = next((c[number] for c in self.charts.values() if number in c), None)
                found = (
                    dataclasses.replace(elsewhere)
                    if elsewhere is not None
                    else AccountRec(number, description or f"Konto {number}")
                )
                chart[number] = found
            for name, value in (
                ("active", active),
                ("costcenter_settings", cost_center),
                ("project_settings", project),
                ("description", description),
            ):
                if value is not None:
                    setattr(found, name, value)
            return found

    # --- voucher series, cost centres and projects -----------------------------------------------

    def _register(
        self, entries: dict[str, str], code: str, description: str | None, default: str
    ) -> None:
        """Add ``code`` to a code -> description register, or change its description."""
        if description is not None or code not in entries:
            entries[code] = description or entries.get(code) or default

    @staticmethod
    def _mark(marked: set[str], code: str, flag: bool | None) -> None:
        """Put ``code`` in ``marked`` (flag True) or take it out (False); None leaves it."""
        if flag is True:
            marked.add(code)
        elif flag is False:
            marked.discard(code)

    def set_series(
        self, code: str, description: str | None = None, *, manual: bool | None = None
    ) -> None:
        """Add or change a voucher series (tests); a new one is manual unless told otherwise."""
        with self.lock:
            self._register(self.series, code, description, f"Serie {code}")
            self._mark(self.non_manual_series, code, None if manual is None else not manual)

    def set_costcenter(
        self, code: str, description: str | None = None, *, active: bool | None = None
    ) -> None:
        """Add or change a cost centre (tests); a new one without a description gets its code."""
        with self.lock:
            self._register(self.costcenters, code, description, code)
            self._mark(self.inactive_costcenters, code, None if active is None else not active)

    def set_project(
        self, number: str, description: str | None = None, *, status: str | None = None
    ) -> None:
        """Add or change a project (tests); ``status`` is NOTSTARTED, ONGOING or COMPLETED."""
        if status is not None and status not in PROJECT_STATUSES:
            raise ValueError(f"not one of {sorted(PROJECT_STATUSES)}: {status!r}")
        with self.lock:
            self._register(self.projects, number, description, number)
            if status is not None:
                self.project_status[number] = status

    # --- vouchers -------------------------------------------------------------------------------

    def add_voucher(self, voucher: VoucherRec) -> VoucherRec:
        """Store a voucher under its own number (seeding); the number must be free."""
        with self.lock:
            key = (voucher.year, voucher.series)
            bucket = self._vouchers.setdefault(key, {})
            if voucher.number in bucket:
                raise ValueError(f"voucher {voucher.series} {voucher.number} exists")
            bucket[voucher.number] = voucher
            self._next_number[key] = max(self._next_number.get(key, 1), voucher.number + 1)
            self.version += 1
            return voucher

    def next_voucher_number(self, year: int, series: str) -> int:
        """The number the next voucher of the series gets in that year."""
        return self._next_number.get((year, series), 1)

    def create_voucher(self, voucher: VoucherRec) -> VoucherRec:
        """Number a new voucher sequentially in its series and year, and store it."""
        with self.lock:
            voucher.number = self.next_voucher_number(voucher.year, voucher.series)
            return self.add_voucher(voucher)

    def get_voucher(self, year: int, series: str, number: int) -> VoucherRec | None:
        """One voucher, or None."""
        with self.lock:
            return self._vouchers.get((year, series), {}).get(number)

    def vouchers(
        self, *, year: int | None = None, series: str | None = None, origin: str | None = None
    ) -> list[VoucherRec]:
        """Vouchers in (year, series, number) order, optionally narrowed (inspection API)."""
        with self.lock:
            keys = sorted(
                k
                for k in self._vouchers
                if (year is None or k[0] == year) and (series is None or k[1] == series)
            )
            out = [v for k in keys for _, v in sorted(self._vouchers[k].items())]
        if origin is not None:
            out = [v for v in out if v.origin == origin]
        return out

    # --- subledgers -----------------------------------------------------------------------------

    def add_invoice(self, invoice: InvoiceRec) -> InvoiceRec:
        """Store an invoice (or a credit note) under its number."""
        with self.lock:
            self.invoices[invoice.kind][invoice.number] = invoice
            if invoice.credit_reference:
                self._credits[invoice.kind].setdefault(invoice.credit_reference, []).append(invoice)
            return invoice

    def add_payment(self, payment: PaymentRec) -> PaymentRec:
        """Store a payment."""
        with self.lock:
            self.payments[payment.kind].append(payment)
            self._paid[payment.kind].setdefault(payment.invoice_number, []).append(payment)
            return payment

    def clear_subledger(self, kind: Kind) -> None:
        """Forget every invoice and payment of ``kind`` (tests that build their own)."""
        with self.lock:
            self.invoices[kind].clear()
            self.payments[kind].clear()
            self._paid[kind].clear()
            self._credits[kind].clear()

    def payments_of(self, kind: Kind, number: str) -> list[PaymentRec]:
        """The payments made on one invoice."""
        return self._paid[kind].get(number, [])

    def paid(self, kind: Kind, number: str, *, until: dt.date | None = None) -> Decimal:
        """What payments and their write-offs took off an invoice (up to and including
        ``until`` when given)."""
        return sum(
            (p.settled for p in self.payments_of(kind, number) if until is None or p.date <= until),
            ZERO,
        )

    def credits_of(self, kind: Kind, number: str) -> list[InvoiceRec]:
        """The credit notes that credit an invoice (not cancelled)."""
        return [c for c in self._credits[kind].get(number, []) if not c.cancelled]

    def invoice_balance(self, invoice: InvoiceRec, *, at: dt.date | None = None) -> Decimal:
        """Remaining balance today (Fortnox's ``Balance``), or as it stood at a date: the
        total less payments and write-offs. A credit note is a document of its own (negative
        total); it settles nothing by itself."""
        if invoice.cancelled or invoice.invoice_type == "CASHINVOICE":
            return ZERO
        return invoice.total - self.paid(invoice.kind, invoice.number, until=at)

    def offset(
        self, invoice: InvoiceRec, note: InvoiceRec, day: dt.date, amount: Decimal, first: int
    ) -> tuple[PaymentRec, PaymentRec]:
        """Settle ``amount`` of ``invoice`` against credit note ``note`` the way Fortnox users
        must (it has no offset function): a payment of ``amount`` on the invoice and one of
        ``-amount`` on the note, both dated ``day``, numbered ``first`` and ``first + 1``."""
        with self.lock:
            pair = (
                PaymentRec(
                    invoice.kind,
                    first,
                    invoice.number,
                    day,
                    amount,
                    currency=invoice.currency,
                    currency_rate=invoice.currency_rate,
                ),
                PaymentRec(
                    note.kind,
                    first + 1,
                    note.number,
                    day,
                    -amount,
                    currency=note.currency,
                    currency_rate=note.currency_rate,
                ),
            )
            for p in pair:
                self.add_payment(p)
            return pair

    # --- files ----------------------------------------------------------------------------------

    def inbox_files(self) -> list[InboxFile]:
        """Every uploaded file (inspection API)."""
        with self.lock:
            return list(self.files.values())

    def connections(self) -> list[FileConnection]:
        """Every file connection (inspection API)."""
        with self.lock:
            return list(self.file_connections.values())

    # --- request log ----------------------------------------------------------------------------

    def log_request(self, record: RequestRecord) -> None:
        """Append to the request log."""
        with self.lock:
            self.request_log.append(record)

    def request_counts(self) -> Counter[str]:
        """Answers by status (``"429"``...) and faults by kind (``"fault:drop-after"``)."""
        with self.lock:
            counts: Counter[str] = Counter()
            for r in self.request_log:
                counts["total"] += 1
                counts[str(r.status) if r.status is not None else "no-answer"] += 1
                if r.fault:
                    counts[f"fault:{r.fault}"] += 1
            return counts

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able summary for ``GET /_emulator/state``."""
        with self.lock:
            per_series: Counter[str] = Counter()
            for (year, series), bucket in self._vouchers.items():
                per_series[f"{year}:{series}"] += len(bucket)
            return {
                "tenant_id": self.tenant_id,
                "company": self.company.name,
                "fiscal_years": [
                    {"id": y.id, "from": y.start.isoformat(), "to": y.end.isoformat()}
                    for y in self.years
                ],
                "preselected_year": self.default_year().id,
                "vouchers_per_year_and_series": dict(sorted(per_series.items())),
                "api_vouchers": [
                    {
                        "series": v.series,
                        "number": v.number,
                        "year": v.year,
                        "date": v.date.isoformat(),
                        "description": v.description,
                        "comments": v.comments,
                        "rows": [
                            {
                                "account": r.account,
                                "debit": str(r.debit),
                                "credit": str(r.credit),
                                "costcenter": r.costcenter,
                                "project": r.project,
                            }
                            for r in v.rows
                        ],
                    }
                    for v in self.vouchers(origin="api")
                ],
                "files": [
                    {"id": f.id, "name": f.name, "folder": f.folder, "size": f.size}
                    for f in self.files.values()
                ],
                "file_connections": [
                    {"file_id": c.file_id, "series": c.series, "number": c.number, "year": c.year}
                    for c in self.file_connections.values()
                ],
                "invoices": {k: len(v) for k, v in self.invoices.items()},
                "payments": {k: len(v) for k, v in self.payments.items()},
                "locked_until": self.locked_until.isoformat() if self.locked_until else None,
                "requests": dict(self.request_counts()),
            }
