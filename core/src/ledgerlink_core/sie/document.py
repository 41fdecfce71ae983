"""What a full load returns (:class:`SieDocument`), and how a file's records become the
canonical :class:`~ledgerlink_core.model.Bookkeeping` (:class:`BookkeepingBuilder`, which
``read_sie`` feeds); also the facts of a file the full load and the check both report.

The reader (``reader.py``) does the vouchers; this module only stores what each other
record means.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.model import (
    Account,
    AccountType,
    Address,
    Bookkeeping,
    CompanyInfo,
    Dimension,
    DimensionObject,
    FiscalYear,
    SourceInfo,
    Voucher,
)
from ledgerlink_core.sie.problems import Problem, Problems
from ledgerlink_core.sie.records import SieRecord, parse_record

if TYPE_CHECKING:
    from ledgerlink_core.sie.reader import SieReader

__all__ = ["SieDocument", "SieFileInfo", "sie_type_of"]


class SieFileInfo(BaseModel):
    """What a SIE file is, besides its content."""

    model_config = ConfigDict(frozen=True)

    sie_type: str
    """``1``, ``2``, ``3``, ``4E`` or ``4I`` (4E/4I told apart by the balance records)."""
    program: str | None = None
    program_version: str | None = None
    encoding: str
    """The encoding detected from the bytes (``cp437``, ``utf-8``, ``latin-1``...)."""
    ksumma: Literal["valid", "invalid", "absent"]
    lines: int


class SieDocument(BaseModel):
    """A fully loaded SIE file: its bookkeeping, what the file is, and what was wrong with it."""

    model_config = ConfigDict(frozen=True)

    bookkeeping: Bookkeeping
    info: SieFileInfo
    problems: list[Problem] = []

    @property
    def clean(self) -> bool:
        """True when no problem is an error."""
        return not any(p.severity == "error" for p in self.problems)


def file_info(reader: SieReader, sie_type: str, program: object) -> SieFileInfo:
    """What the reader learnt of a file read to its end; ``program`` is the ``#PROGRAM``
    value (a (name, version) tuple) or None."""
    name, version = program if isinstance(program, tuple) else (None, None)
    return SieFileInfo(
        sie_type=sie_type,
        program=name,
        program_version=version or None,
        encoding=reader.encoding or "cp437",
        ksumma=reader.ksumma,
        lines=reader.lines,
    )


def sie_type_of(declared: str | None, has_balances: bool) -> str:
    """The file's type: ``#SIETYP`` (1 when absent); a 4 is 4E with balances, else 4I."""
    declared = (declared or "1").strip().upper()
    if declared in ("4", "4E", "4I"):
        return "4E" if has_balances else "4I"
    return declared


def unknown_accounts(
    record_use: Mapping[str, tuple[int, str]],
    voucher_use: Mapping[str, int],
    chart: Collection[str],
    sie_type: str,
    problems: Problems,
) -> None:
    """Report accounts used (in balance records or vouchers) that have no ``#KONTO``.

    ``record_use`` maps an account to the line and record (``#RES -1``) it is first used in
    by a balance record, ``voucher_use`` to the line of its first voucher row; the earlier
    is reported. Only when the file has a chart at all.

    A warning, and an error only in strict mode (``read_sie(strict=True)``) for SIE 1-3 and
    4E ("every account used must be present"; in 4I ``#KONTO`` is optional and the receiving
    program creates unknown accounts, so never more than a warning there). Real exports
    carry earlier years' balances (``#RES -1``, ``#PSALDO -1``) on accounts that have left
    the chart since, and those books must still be readable. The message names the record
    and year so that the accountant can tell an old year's leftover from a current gap.
    """
    if not chart:
        return
    first_use = dict(record_use)
    for account, line in voucher_use.items():
        if line < first_use.get(account, (line + 1, ""))[0]:
            first_use[account] = (line, "a voucher row")
    report = problems.error if problems.strict and sie_type != "4I" else problems.warn
    for account, (line, where) in first_use.items():
        if account in chart:
            continue
        report(
            line,
            "account-not-in-chart",
            f"account {account} is used in {where} but has no #KONTO in the file",
        )


#: The error for a file without ``#FNAMN``, the one record SIE requires of every file.
MISSING_NAME = "the file has no #FNAMN (company name)"


def undeclared(label: str, account: str) -> str:
    """The warning for ``#KTYP``/``#ENHET``/``#SRU`` on an account before its ``#KONTO``."""
    return f"{label} for account {account} before its #KONTO"


def balance_use(label: str, year_index: int) -> str:
    """How :func:`unknown_accounts` names a balance record: ``#RES`` of year -1."""
    return f"{label} (year {year_index})"


class BookkeepingBuilder:
    """Collects the typed records of one file in file order (``record``), then builds the
    bookkeeping (``build``) with the vouchers the reader appended to ``vouchers``."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems
        self.values: dict[str, Any] = {}
        self.accounts: dict[str, dict[str, Any]] = {}
        self.years: dict[int, FiscalYear] = {}
        self.dimensions: dict[int, Dimension] = {}
        self.objects: dict[tuple[int, str], DimensionObject] = {}
        self.lists: dict[str, list[Any]] = {
            k: [] for k in ("#IB", "#UB", "#RES", "#OIB", "#OUB", "#PSALDO", "#PBUDGET")
        }
        self.vouchers: list[Voucher] = []
        self.saw_name = False
        self.first_use: dict[str, tuple[int, str]] = {}
        self.declared: set[str] = set()

    def record(self, rec: SieRecord) -> None:
        if rec.label == "#FNAMN":
            self.saw_name = True
        value = parse_record(rec, self.problems)
        if value is None:
            return
        label = rec.label
        if label in self.lists:
            self.lists[label].append(value)
            self.first_use.setdefault(
                value.account, (rec.line, balance_use(label, value.year_index))
            )
        elif label == "#KONTO":
            number, name = value
            self.declared.add(number)
            if number in self.accounts and "name" in self.accounts[number]:
                self.problems.warn(rec.line, "duplicate", f"#KONTO {number} declared again")
            self.accounts.setdefault(number, {"number": number})["name"] = name
        elif label in ("#KTYP", "#ENHET", "#SRU"):
            number, item = value
            acc = self.accounts.get(number)
            if acc is None:
                self.problems.warn(rec.line, "undeclared-account", undeclared(label, number))
                acc = self.accounts[number] = {"number": number}
            if label == "#KTYP":
                acc["type"] = AccountType(item)
            elif label == "#ENHET":
                acc["unit"] = item
            else:
                acc["sru"] = (*acc.get("sru", ()), item)
        elif label == "#RAR":
            if value.index in self.years:
                self.problems.warn(rec.line, "duplicate", f"#RAR {value.index} given again")
            self.years[value.index] = value
        elif label in ("#DIM", "#UNDERDIM"):
            self.dimensions[value.number] = value
        elif label == "#OBJEKT":
            self.objects[(value.dimension, value.number)] = value
        else:
            self.values[label] = value

    def build(self, reader: SieReader) -> tuple[Bookkeeping, SieFileInfo]:
        v = self.values
        name = v.get("#FNAMN")
        if name is None and not self.saw_name:
            self.problems.error(None, "missing-record", MISSING_NAME)
        gen_date, gen_sign = v.get("#GEN", (None, ""))
        sie_type = sie_type_of(v.get("#SIETYP"), reader.has_balances)
        info = file_info(reader, sie_type, v.get("#PROGRAM"))
        unknown_accounts(self.first_use, reader.first_use, self.declared, sie_type, self.problems)
        taxar = v.get("#TAXAR")
        address: Address | None = v.get("#ADRESS")
        company = CompanyInfo(
            name=name or "",
            org_nr=v.get("#ORGNR"),
            company_id=v.get("#FNR"),
            company_type=v.get("#FTYP"),
            sni_code=v.get("#BKOD"),
            address=address,
            currency=v.get("#VALUTA") or "SEK",
            chart_type=v.get("#KPTYP"),
            taxation_year=taxar,
        )
        omfattn: dt.date | None = v.get("#OMFATTN")
        source = SourceInfo(
            program=info.program,
            program_version=info.program_version,
            generated_on=gen_date,
            generated_by=gen_sign or None,
            sie_type=sie_type,
            flag=v.get("#FLAGGA"),
            comment=v.get("#PROSA"),
            balances_until=omfattn,
        )
        lists = self.lists
        book = Bookkeeping(
            company=company,
            source=source,
            fiscal_years=tuple(self.years.values()),
            accounts=tuple(Account(**a) for a in self.accounts.values()),
            dimensions=tuple(self.dimensions.values()),
            objects=tuple(self.objects.values()),
            opening_balances=tuple(lists["#IB"]),
            closing_balances=tuple(lists["#UB"]),
            results=tuple(lists["#RES"]),
            object_opening_balances=tuple(x for x in lists["#OIB"] if x is not None),
            object_closing_balances=tuple(x for x in lists["#OUB"] if x is not None),
            period_balances=tuple(lists["#PSALDO"]),
            period_budgets=tuple(lists["#PBUDGET"]),
        )
        # The reader checked every voucher (balance included): skip validating them again.
        book = book.model_copy(update={"vouchers": tuple(self.vouchers)})
        return book, info
