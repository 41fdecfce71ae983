"""From tokenised fields to typed values: amounts, dates, and every non-voucher record.

Each ``parse_*`` function checks one value and raises :class:`FieldError` (a message saying
what was expected); :func:`parse_record` turns a whole record into a canonical-model value,
reporting problems (with the record's line) to a :class:`~ledgerlink_core.sie.problems.Problems`.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from ledgerlink_core.model import (
    AccountType,
    Address,
    Balance,
    Dimension,
    DimensionObject,
    FiscalYear,
    ObjectBalance,
    ObjectRef,
    PeriodBalance,
)
from ledgerlink_core.sie.lexer import Field
from ledgerlink_core.sie.problems import Problems

__all__ = [
    "BALANCE_LABELS",
    "KNOWN_LABELS",
    "FieldError",
    "SieRecord",
    "Skip",
    "check_objects",
    "parse_account",
    "parse_amount",
    "parse_date",
    "parse_int",
    "parse_objects",
    "parse_record",
    "parse_text",
]


class FieldError(ValueError):
    """One field is malformed; the message says what was expected."""


class Skip(FieldError):
    """A record is incomplete in a way real exporters produce (``#SRU 1234`` with no code,
    an empty ``#ORGNR``): it is ignored with a warning rather than an error."""


_soft = threading.local()


def _soft_error(message: str) -> None:
    """Note an error that does not stop the value being used (lenient mode keeps it)."""
    pending: list[str] | None = getattr(_soft, "pending", None)
    if pending is not None:
        pending.append(message)


@dataclass(slots=True)
class SieRecord:
    """One record outside a voucher: ``label`` (upper case, with ``#``) and its fields."""

    line: int
    label: str
    fields: list[Field]


_AMOUNT_CHARS = "0123456789.-"
_DATES: dict[str, dt.date] = {}


def parse_amount(text: Field, what: str = "amount") -> Decimal:
    """``-1250.00``, ``29266``, ``"12.5"`` -> Decimal. Digits, one ``.`` and a leading ``-``
    only: no plus sign, exponent, comma or spaces."""
    if isinstance(text, str) and text and not text.strip(_AMOUNT_CHARS):
        try:
            return Decimal(text)
        except ArithmeticError:
            pass
    if text == "":
        raise FieldError(f"the {what} is missing (expected a number such as -1250.00)")
    raise FieldError(f"{what} {_show(text)} is not a number (expected e.g. -1250.00)")


def parse_date(text: Field, what: str = "date") -> dt.date:
    """``YYYYMMDD`` -> date."""
    if isinstance(text, str):
        d = _DATES.get(text)
        if d is not None:
            return d
        if len(text) == 8 and text.isdigit() and text.isascii():
            try:
                d = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                raise FieldError(f"{what} {text} is not a real date (expected YYYYMMDD)") from None
            if len(_DATES) < 100_000:
                _DATES[text] = d
            return d
    if text == "":
        raise FieldError(f"the {what} is missing (expected YYYYMMDD)")
    raise FieldError(f"{what} {_show(text)} is not a date (expected YYYYMMDD)")


def parse_int(text: Field, what: str) -> int:
    """A whole number such as a year index ``-1`` or a dimension ``6``."""
    if isinstance(text, str) and text.isascii() and text.lstrip("-").isdigit():
        return int(text)
    if text == "":
        raise FieldError(f"the {what} is missing (expected a whole number)")
    raise FieldError(f"{what} {_show(text)} is not a whole number")


def parse_account(text: Field) -> str:
    """An account number: digits (SIE: "shall be numeric").

    A non-numeric one (SoftOne writes ``FEL`` and ``DIFF``) is an error that lenient mode
    still keeps, so the rest of the voucher survives.
    """
    if isinstance(text, str) and text.isdigit() and text.isascii():
        return text
    if text == "" or not isinstance(text, str) or not text.strip():
        raise FieldError("the account number is missing (expected digits such as 1930)")
    _soft_error(f"account number {_show(text)} is not numeric (expected digits such as 1930)")
    return text


def parse_text(text: Field, what: str = "text") -> str:
    """A plain (possibly empty) string field."""
    if isinstance(text, str):
        return text
    raise FieldError(f"the {what} is an object list {_show(text)} (expected a text)")


def parse_objects(value: Field) -> tuple[ObjectRef, ...]:
    """An object list ``{1 "100" 6 "P1"}`` -> ObjectRefs."""
    if not isinstance(value, tuple):
        raise FieldError(f"expected an object list {{dim obj ...}}, found {_show(value)}")
    if len(value) & 1:
        raise FieldError(
            f"object list {_show(value)} has an odd number of items (expected dim/object pairs)"
        )
    return tuple(
        ObjectRef(dimension=parse_int(value[i], "dimension number"), number=value[i + 1])
        for i in range(0, len(value), 2)
    )


def check_objects(flat: tuple[str, ...]) -> None:
    """A voucher row's object list, flattened (``("1", "100", "6", "P1")``): dim/object pairs
    with whole-number dimensions."""
    if len(flat) & 1:
        raise FieldError(
            f"object list {_show(flat)} has an odd number of items (expected dim/object pairs)"
        )
    for i in range(0, len(flat), 2):
        parse_int(flat[i], "dimension number")


def _show(value: Field) -> str:
    if isinstance(value, tuple):
        return "{" + " ".join(value) + "}"
    return repr(value)


# --- whole records ------------------------------------------------------------------------------

#: label -> (required fields, maximum fields): more are ignored with a warning (§7.3).
ARITY: dict[str, tuple[int, int]] = {
    "#FLAGGA": (1, 1),
    "#PROGRAM": (1, 2),
    "#FORMAT": (1, 1),
    "#GEN": (1, 2),
    "#SIETYP": (1, 1),
    "#PROSA": (0, 1),
    "#FTYP": (1, 1),
    "#FNR": (1, 1),
    "#ORGNR": (1, 3),
    "#BKOD": (1, 1),
    "#ADRESS": (0, 4),
    "#FNAMN": (1, 1),
    "#RAR": (3, 3),
    "#TAXAR": (1, 1),
    "#OMFATTN": (1, 1),
    "#KPTYP": (1, 1),
    "#VALUTA": (1, 1),
    "#KONTO": (1, 2),
    "#KTYP": (2, 2),
    "#ENHET": (2, 2),
    "#SRU": (2, 2),
    "#DIM": (2, 2),
    "#UNDERDIM": (3, 3),
    "#OBJEKT": (2, 3),
    "#IB": (3, 4),
    "#UB": (3, 4),
    "#RES": (3, 4),
    "#OIB": (4, 5),
    "#OUB": (4, 5),
    "#PSALDO": (4, 6),
    "#PBUDGET": (4, 6),
}

#: Labels whose missing fields real exporters produce (BL's 4I ``#RAR 0``, Visma's
#: ``#SRU 1234``, Fortnox's bare ``#ORGNR``): a warning, and the record is ignored.
SOFT_MISSING = frozenset(
    {"#SRU", "#ORGNR", "#RAR", "#ENHET", "#BKOD", "#FTYP", "#FNR", "#KPTYP", "#VALUTA", "#TAXAR"}
)

#: Records that only a SIE 4E (or 1/2/3) file carries; their presence means "not 4I".
BALANCE_LABELS = frozenset({"#IB", "#UB", "#RES", "#OIB", "#OUB", "#PSALDO", "#PBUDGET"})


def _opt(fields: list[Field], i: int) -> Field:
    return fields[i] if i < len(fields) else ""


def _balance(f: list[Field]) -> Balance:
    qty = _opt(f, 3)
    return Balance(
        year_index=parse_int(f[0], "year index"),
        account=parse_account(f[1]),
        amount=parse_amount(f[2], "balance"),
        quantity=parse_amount(qty, "quantity") if qty != "" else None,
    )


def _object_balance(f: list[Field]) -> ObjectBalance | None:
    objects = parse_objects(f[2])
    if not objects:
        return None  # `{}`: the account total, which #IB/#UB already carry
    if len(objects) > 1:
        raise FieldError(f"expected one dim/object pair, found {_show(f[2])}")
    qty = _opt(f, 4)
    return ObjectBalance(
        year_index=parse_int(f[0], "year index"),
        account=parse_account(f[1]),
        object=objects[0],
        amount=parse_amount(f[3], "balance"),
        quantity=parse_amount(qty, "quantity") if qty != "" else None,
    )


def _period(f: list[Field]) -> PeriodBalance:
    period = f[1]
    if not (isinstance(period, str) and len(period) == 6 and period.isdigit()):
        raise FieldError(f"period {_show(period)} is not YYYYMM")
    if not 1 <= int(period[4:]) <= 12:
        raise FieldError(f"period {period} has no month {period[4:]}")
    rest = f[2:]
    objects: tuple[ObjectRef, ...] = ()
    if len(rest) > 1 and isinstance(rest[1], tuple):
        objects = parse_objects(rest[1])
        rest = [rest[0], *rest[2:]]
    # else: BL 2018 writes #PBUDGET without the `{}`; the list is then absent, not empty.
    if len(rest) < 2:
        raise FieldError("the amount is missing (expected e.g. -1250.00)")
    qty = _opt(rest, 2)
    return PeriodBalance(
        year_index=parse_int(f[0], "year index"),
        period=period,
        account=parse_account(rest[0]),
        objects=objects,
        amount=parse_amount(rest[1], "amount"),
        quantity=parse_amount(qty, "quantity") if qty != "" else None,
    )


def _required_text(value: Field, what: str, *, skip: bool = False) -> str:
    text = parse_text(value, what)
    if not text.strip():
        raise (Skip if skip else FieldError)(f"the {what} is empty")
    return text


def _ktyp(f: list[Field]) -> tuple[str, AccountType]:
    code = parse_text(f[1], "account type").upper()
    try:
        return parse_account(f[0]), AccountType(code)
    except ValueError:
        raise FieldError(f"account type {code!r} is not one of T, S, K, I") from None


_HANDLERS: dict[str, Callable[[list[Field]], Any]] = {
    "#FLAGGA": lambda f: parse_int(f[0], "flag"),
    "#PROGRAM": lambda f: (parse_text(f[0], "program"), parse_text(_opt(f, 1), "version")),
    "#FORMAT": lambda f: parse_text(f[0], "format"),
    "#GEN": lambda f: (parse_date(f[0], "generation date"), parse_text(_opt(f, 1), "sign")),
    "#SIETYP": lambda f: parse_text(f[0], "SIE type"),
    "#PROSA": lambda f: parse_text(_opt(f, 0), "comment"),
    "#FTYP": lambda f: parse_text(f[0], "company type"),
    "#FNR": lambda f: parse_text(f[0], "company id"),
    "#ORGNR": lambda f: _required_text(f[0], "organisation number", skip=True),
    "#BKOD": lambda f: parse_text(f[0], "SNI code"),
    "#ADRESS": lambda f: Address(
        contact=parse_text(_opt(f, 0)),
        street=parse_text(_opt(f, 1)),
        postal=parse_text(_opt(f, 2)),
        phone=parse_text(_opt(f, 3)),
    ),
    "#FNAMN": lambda f: _required_text(f[0], "company name"),
    "#RAR": lambda f: FiscalYear(
        index=parse_int(f[0], "year index"),
        start=parse_date(f[1], "start date"),
        end=parse_date(f[2], "end date"),
    ),
    "#TAXAR": lambda f: parse_int(f[0], "taxation year"),
    "#OMFATTN": lambda f: parse_date(f[0], "date"),
    "#KPTYP": lambda f: parse_text(f[0], "chart type"),
    "#VALUTA": lambda f: parse_text(f[0], "currency"),
    "#KONTO": lambda f: (parse_account(f[0]), parse_text(_opt(f, 1), "account name")),
    "#KTYP": _ktyp,
    "#ENHET": lambda f: (parse_account(f[0]), parse_text(f[1], "unit")),
    "#SRU": lambda f: (parse_account(f[0]), _required_text(f[1], "SRU code", skip=True)),
    "#DIM": lambda f: Dimension(number=parse_int(f[0], "dimension"), name=parse_text(f[1])),
    "#UNDERDIM": lambda f: Dimension(
        number=parse_int(f[0], "dimension"),
        name=parse_text(f[1]),
        parent=parse_int(f[2], "parent dimension"),
    ),
    "#OBJEKT": lambda f: DimensionObject(
        dimension=parse_int(f[0], "dimension"),
        number=_required_text(f[1], "object number"),
        name=parse_text(_opt(f, 2), "object name"),
    ),
    "#IB": _balance,
    "#UB": _balance,
    "#RES": _balance,
    "#OIB": _object_balance,
    "#OUB": _object_balance,
    "#PSALDO": _period,
    "#PBUDGET": _period,
}

#: Every label this codec understands (vouchers and the checksum are handled by the reader).
KNOWN_LABELS = frozenset(_HANDLERS) | {"#VER", "#TRANS", "#RTRANS", "#BTRANS", "#KSUMMA"}


def parse_record(rec: SieRecord, problems: Problems) -> Any:
    """The typed value of a non-voucher record, or None when it is unknown or broken.

    Unknown labels and extra trailing fields are warnings (the spec says to ignore them);
    a missing or malformed field is an error naming the line.
    """
    handler = _HANDLERS.get(rec.label)
    if handler is None:
        problems.warn(rec.line, "unknown-label", f"unknown record {rec.label} ignored")
        return None
    need, most = ARITY[rec.label]
    fields = rec.fields
    if len(fields) < need:
        # A missing trailing field that the spec allows to be omitted is handled by _opt.
        if rec.label in SOFT_MISSING:
            problems.warn(
                rec.line,
                "incomplete",
                f"{rec.label} has {len(fields)} field(s), expected {need}: ignored",
            )
            return None
        problems.error(
            rec.line,
            "missing-field",
            f"{rec.label} has {len(fields)} field(s), expected at least {need}",
        )
        return None
    if rec.label == "#PROGRAM" and len(fields) < 2:
        problems.warn(rec.line, "missing-field", "#PROGRAM has no version field")
    if len(fields) > most:
        problems.warn(
            rec.line,
            "extra-fields",
            f"{rec.label}: {len(fields) - most} extra field(s) ignored",
        )
        fields = fields[:most]
    pending: list[str] = []
    _soft.pending = pending
    try:
        value = handler(fields)
    except Skip as err:
        problems.warn(rec.line, "incomplete", f"{rec.label}: {err}: ignored")
    except FieldError as err:
        problems.error(rec.line, "bad-field", f"{rec.label}: {err}")
    except ValidationError as err:
        msg = "; ".join(e["msg"] for e in err.errors())
        problems.error(rec.line, "bad-field", f"{rec.label}: {msg}")
    else:
        for message in pending:
            problems.error(rec.line, "bad-field", f"{rec.label}: {message}")
        return value
    finally:
        _soft.pending = None
    return None
