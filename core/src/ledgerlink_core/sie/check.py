"""``ledgerlink check``: a streaming validation report of one SIE file.

Memory does not grow with the file: vouchers are looked at one at a time and only
per-account sums (bounded by the chart) and at most ``Problems.limit`` problems are kept.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Literal, cast

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.model import Balance
from ledgerlink_core.sie.document import (
    MISSING_NAME,
    balance_use,
    file_info,
    sie_type_of,
    undeclared,
    unknown_accounts,
)
from ledgerlink_core.sie.problems import Problem
from ledgerlink_core.sie.reader import SieReader, Source
from ledgerlink_core.sie.records import BALANCE_LABELS, SieRecord, parse_record

__all__ = ["CheckReport", "check_sie"]

_ZERO = Decimal(0)
_DESCRIPTIONS = frozenset({"#KTYP", "#ENHET", "#SRU"})


class CheckReport(BaseModel):
    """What ``ledgerlink check FILE --json`` prints (``model_dump(mode="json")``).

    ``vouchers`` counts ``#VER`` records and ``transactions`` ``#TRANS`` rows (not
    ``#RTRANS``/``#BTRANS``, counted apart). ``clean`` is True when no problem is an error.
    """

    model_config = ConfigDict(frozen=True)

    file: str
    sie_type: str
    program: str | None = None
    program_version: str | None = None
    encoding: str
    ksumma: Literal["valid", "invalid", "absent"]
    lines: int
    company: str | None = None
    fiscal_years: int
    accounts: int
    """``#KONTO`` records."""
    vouchers: int
    transactions: int
    added_rows: int
    """``#RTRANS`` rows (row history)."""
    removed_rows: int
    """``#BTRANS`` rows (row history)."""
    unbalanced_vouchers: int
    errors: int
    warnings: int
    clean: bool
    problems: list[Problem]
    problems_omitted: int = 0
    """Problems found beyond the report's limit (counted, not listed)."""


class _Checker:
    """Looks at the records the reader yields; the reader (summary mode) does the vouchers."""

    def __init__(self, reader: SieReader) -> None:
        self.reader = reader
        self.problems = reader.problems
        self.chart: set[str] = set()
        self.years = 0
        self.late_years = False
        self.first_use: dict[str, tuple[int, str]] = {}
        self.balances: dict[str, dict[str, Decimal]] = {"#IB": {}, "#UB": {}, "#RES": {}}
        self.values: dict[str, object] = {}
        self.saw_name = False
        #: Accounts described (``#KTYP``, ``#ENHET``, ``#SRU``) before any ``#KONTO``.
        self.described: set[str] = set()

    def record(self, rec: SieRecord) -> None:
        if rec.label == "#FNAMN":
            self.saw_name = True
        value = parse_record(rec, self.problems)
        if value is None:
            return
        label = rec.label
        if label == "#KONTO":
            self.chart.add(value[0])
        elif label in _DESCRIPTIONS:
            number = value[0]
            if number not in self.chart and number not in self.described:
                self.described.add(number)
                self.problems.warn(rec.line, "undeclared-account", undeclared(label, number))
        elif label == "#RAR":
            self.years += 1
            if value.index == 0:
                if self.reader.counts["#VER"]:
                    self.late_years = True
                self.reader.year0 = value
        elif label in BALANCE_LABELS:
            self.first_use.setdefault(
                value.account, (rec.line, balance_use(label, value.year_index))
            )
        if label in self.balances:
            bal: Balance = value
            if bal.year_index == 0:
                table = self.balances[label]
                table[bal.account] = table.get(bal.account, _ZERO) + bal.amount
        elif label in ("#SIETYP", "#PROGRAM", "#FNAMN"):
            self.values[label] = value

    def finish(self, sie_type: str) -> None:
        problems = self.problems
        if not self.saw_name:
            problems.error(None, "missing-record", MISSING_NAME)
        unknown_accounts(self.first_use, self.reader.first_use, self.chart, sie_type, problems)
        if self.late_years:
            problems.warn(
                None,
                "late-year",
                "#RAR 0 comes after some vouchers; their dates were not checked",
            )
        ib, ub, res = self.balances["#IB"], self.balances["#UB"], self.balances["#RES"]
        movements = self.reader.movements
        if not self.reader.counts["#VER"] or not (ub or res):
            return  # nothing to compare: no vouchers, or no closing balances
        for acc in sorted({*ib, *ub, *res, *movements}):
            moved = movements.get(acc, _ZERO)
            if acc in res or (acc not in ib and acc not in ub and acc[:1] in "345678"):
                stated = res.get(acc, _ZERO)
                if stated != moved:
                    problems.warn(
                        None,
                        "result-mismatch",
                        f"account {acc}: #RES 0 is {stated} but the vouchers move {moved}",
                    )
            else:
                opening = ib.get(acc, _ZERO)
                closing = ub.get(acc, _ZERO)
                if opening + moved != closing:
                    problems.warn(
                        None,
                        "balance-mismatch",
                        f"account {acc}: #IB 0 {opening} + vouchers {moved} = "
                        f"{opening + moved}, but #UB 0 is {closing}",
                    )


def _line_key(p: Problem) -> tuple[int, int]:
    return (0, p.line) if p.line is not None else (1, 0)


def check_sie(
    source: Source, *, name: str | None = None, on_read: Callable[[int], None] | None = None
) -> CheckReport:
    """Validate a SIE file in one streaming pass and report what is wrong with it.

    Covers every reader problem (syntax, unknown labels, extra fields, bad dates and amounts,
    ``#KSUMMA``), a missing ``#FNAMN``, unbalanced vouchers, vouchers dated outside
    ``#RAR 0`` (errors); accounts used but not in the chart, and ``#IB + movements != #UB`` /
    ``#RES != movements`` per account (warnings: real exports carry both, see
    :func:`~ledgerlink_core.sie.document.unknown_accounts`).
    Unreadable input (not SIE, binary, truncated ``#KSUMMA`` file) raises ``SieError``.
    ``on_read`` is told the size of each block read (progress).
    """
    reader = SieReader(source, strict=False, name=name, summary=True, on_read=on_read)
    checker = _Checker(reader)
    record = checker.record
    for item in reader:  # summary mode yields records only
        record(cast(SieRecord, item))
    declared = checker.values.get("#SIETYP")
    sie_type = sie_type_of(declared if isinstance(declared, str) else None, reader.has_balances)
    checker.finish(sie_type)
    problems = reader.problems
    items = sorted(problems.items, key=_line_key)
    info = file_info(reader, sie_type, checker.values.get("#PROGRAM"))
    company = checker.values.get("#FNAMN")
    return CheckReport(
        file=reader.name,
        **info.model_dump(),
        company=company if isinstance(company, str) else None,
        fiscal_years=checker.years,
        accounts=len(checker.chart),
        vouchers=reader.counts["#VER"],
        transactions=reader.counts["#TRANS"],
        added_rows=reader.counts["#RTRANS"],
        removed_rows=reader.counts["#BTRANS"],
        unbalanced_vouchers=reader.unbalanced,
        errors=problems.errors,
        warnings=problems.warnings,
        clean=problems.errors == 0,
        problems=items,
        problems_omitted=problems.dropped,
    )
