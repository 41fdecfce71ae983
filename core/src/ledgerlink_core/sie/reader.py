"""The streaming SIE reader: one pass, one record or voucher at a time, bounded memory.

:class:`SieReader` (what :func:`iter_sie` returns) yields a :class:`SieRecord` for every record
outside a voucher and a :class:`SieVoucher` for every ``#VER`` with its ``{ ... }`` block, rows
already typed. It handles the encoding, line numbers, the block structure and ``#KSUMMA``;
after the iteration its ``encoding``, ``ksumma``, ``lines`` and ``problems`` describe the file.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO, Literal, TypeVar

from pydantic import BaseModel

from ledgerlink_core.model import ObjectRef, RowChange, Voucher, VoucherRow
from ledgerlink_core.sie import lexer
from ledgerlink_core.sie.encoding import ERRORS, detect_encoding
from ledgerlink_core.sie.ksumma import record_bytes
from ledgerlink_core.sie.problems import Problems, SieError
from ledgerlink_core.sie.records import (
    _AMOUNT,
    KNOWN_LABELS,
    FieldError,
    SieRecord,
    parse_amount,
    parse_date,
    parse_int,
    parse_text,
)

Source = str | os.PathLike[str] | bytes
KsummaStatus = Literal["valid", "invalid", "absent"]

#: One voucher row: (kind "T"/"R"/"B" for #TRANS/#RTRANS/#BTRANS, account, flat object list,
#: amount, transdat, text, quantity, sign, line).
Row = tuple[
    str, str, tuple[str, ...], Decimal, dt.date | None, str | None, Decimal | None, str | None, int
]

_ROW_KINDS = {"#TRANS": "T", "#RTRANS": "R", "#BTRANS": "B"}
_ZERO = Decimal(0)
_amount_match = _AMOUNT.fullmatch


@dataclass(slots=True)
class SieVoucher:
    """A ``#VER`` and its rows, as read. ``ok`` is False when its header or a row was broken
    or it does not balance; such a voucher is reported and left out of a full load."""

    line: int
    series: str
    number: str | None
    date: dt.date | None
    text: str = ""
    reg_date: dt.date | None = None
    sign: str | None = None
    rows: list[Row] = field(default_factory=list)
    total: Decimal = _ZERO
    """Sum of the ``#TRANS`` amounts (``#RTRANS``/``#BTRANS`` are history)."""
    ok: bool = True

    @property
    def label(self) -> str:
        """``A 12``, or ``line N`` for a voucher with neither series nor number."""
        if self.series or self.number:
            return f"{self.series} {self.number or '(new)'}".strip()
        return f"on line {self.line}"

    def to_model(self) -> Voucher:
        """The canonical :class:`Voucher`. Rows are built without re-validation (the reader
        checked every field); the balance rule is checked here."""
        if self.date is None:
            raise ValueError(f"voucher {self.label} has no date")
        if self.total != 0:
            raise ValueError(f"voucher {self.label} does not balance: {self.total}")
        rows: list[VoucherRow] = []
        history: list[RowChange] = []
        for kind, acc, objs, amount, date, text, qty, sign, _line in self.rows:
            row = _fast_row(acc, amount, _objects(objs), date, text, qty, sign)
            if kind == "T":
                rows.append(row)
            else:
                history.append(
                    _fast(
                        RowChange,
                        {
                            "kind": "added" if kind == "R" else "removed",
                            "row": row,
                            "position": len(rows),
                        },
                    )
                )
        return _fast(
            Voucher,
            {
                "series": self.series,
                "number": self.number,
                "date": self.date,
                "text": self.text,
                "reg_date": self.reg_date,
                "sign": self.sign,
                "rows": tuple(rows),
                "history": tuple(history),
            },
        )


_ROW_FIELDS = set(VoucherRow.model_fields)
_M = TypeVar("_M", bound=BaseModel)
_OBJECTS: dict[tuple[str, ...], tuple[ObjectRef, ...]] = {(): ()}


def _fast(cls: type[_M], values: dict[str, object]) -> _M:
    """Build a frozen model from already-validated values (what ``model_construct`` does,
    minus its per-field default handling: ``values`` holds every field)."""
    obj = cls.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def _fast_row(
    account: str,
    amount: Decimal,
    objects: tuple[ObjectRef, ...],
    date: dt.date | None,
    text: str | None,
    quantity: Decimal | None,
    sign: str | None,
) -> VoucherRow:
    obj = VoucherRow.__new__(VoucherRow)
    object.__setattr__(
        obj,
        "__dict__",
        {
            "account": account,
            "amount": amount,
            "objects": objects,
            "date": date,
            "text": text,
            "quantity": quantity,
            "sign": sign,
        },
    )
    # Frozen models never change this set, so every row can share one.
    object.__setattr__(obj, "__pydantic_fields_set__", _ROW_FIELDS)
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj


def _objects(flat: tuple[str, ...]) -> tuple[ObjectRef, ...]:
    """Flat ``("1", "100")`` -> ObjectRefs, shared between rows with the same list."""
    refs = _OBJECTS.get(flat)
    if refs is None:
        refs = tuple(
            ObjectRef(dimension=int(flat[i]), number=flat[i + 1]) for i in range(0, len(flat), 2)
        )
        if len(_OBJECTS) < 50_000:
            _OBJECTS[flat] = refs
    return refs


def _check_objects(objs: tuple[str, ...]) -> None:
    if len(objs) & 1:
        raise FieldError(
            "object list {" + " ".join(objs) + "} has an odd number of items "
            "(expected dim/object pairs)"
        )
    for i in range(0, len(objs), 2):
        parse_int(objs[i], "dimension number")


def open_source(source: Source, name: str | None) -> tuple[BinaryIO, str]:
    """A binary stream for a path or bytes, and the name to use in messages."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source)), name or "<bytes>"
    path = os.fspath(source)
    try:
        return open(path, "rb"), name or path
    except OSError as err:
        raise SieError(f"cannot read the file: {err.strerror or err}", path=name or path) from None


class SieReader:
    """Iterate over a SIE file's records and vouchers (see the module docstring)."""

    def __init__(self, source: Source, *, strict: bool = True, name: str | None = None) -> None:
        self._source = source
        self._name = name
        self.name = name or (
            "<bytes>" if isinstance(source, bytes | bytearray) else os.fspath(source)
        )
        self.problems = Problems(self.name, strict=strict)
        self.encoding: str | None = None
        self.ksumma: KsummaStatus = "absent"
        self.lines = 0
        self.has_balances = False
        #: Records seen per voucher label (``#VER``, ``#TRANS``...), broken ones included.
        self.counts = dict.fromkeys(("#VER", "#TRANS", "#RTRANS", "#BTRANS"), 0)
        self._iter: Iterator[SieRecord | SieVoucher] | None = None

    def __iter__(self) -> Iterator[SieRecord | SieVoucher]:
        return self

    def __next__(self) -> SieRecord | SieVoucher:
        if self._iter is None:
            self._iter = self._run()
        return next(self._iter)

    # --- the one pass ---------------------------------------------------------------------------

    def _run(self) -> Iterator[SieRecord | SieVoucher]:
        raw, self.name = open_source(self._source, self._name)
        self.problems.name = self.name
        with raw:
            try:
                head = raw.read(4096)
                raw.seek(0)
                if b"\x00" in head:
                    raise self.problems.fatal(
                        None, "this is binary data, not a SIE file (expected text records)"
                    )
                self.encoding = detect_encoding(raw)
                text = io.TextIOWrapper(raw, encoding=self.encoding, errors=ERRORS)
                yield from self._records(text)
            except OSError as err:
                raise SieError(f"cannot read the file: {err}", path=self.name) from None

    def _records(self, text: io.TextIOWrapper) -> Iterator[SieRecord | SieVoucher]:
        problems = self.problems
        error = problems.error
        tokenize = lexer.tokenize
        kinds = _ROW_KINDS
        known = KNOWN_LABELS
        counts = self.counts
        ver: SieVoucher | None = None
        state = 0  # 0: top level, 1: after #VER (expecting "{"), 2: inside a block
        crc: int | None = None
        ksumma_line = 0
        seen_record = False
        lineno = 0
        for lineno, raw_line in enumerate(text, 1):
            s = raw_line.strip()
            if not s:
                continue
            if s[0] != "#":
                if s == "{":
                    if state == 1:
                        state = 2
                    else:
                        error(lineno, "syntax", "'{' without a #VER before it")
                        if state == 0:
                            ver, state = None, 2
                    continue
                if s == "}":
                    if state == 2:
                        if ver is not None:
                            self._finish(ver)
                            yield ver
                        ver, state = None, 0
                    else:
                        error(lineno, "syntax", "'}' closes no voucher block")
                    continue
                if not seen_record:
                    raise problems.fatal(
                        lineno, "this is not a SIE file (expected a record starting with '#')"
                    )
                error(lineno, "syntax", "expected a record starting with '#', or '{' or '}'")
                continue
            try:
                t = tokenize(s)
            except lexer.UnclosedQuote as err:
                problems.warn(lineno, "unclosed-quote", str(err))
                t = err.tokens
            except lexer.LexError as err:
                error(lineno, "syntax", str(err))
                continue
            label = t[0]
            if label not in known:
                label = str(label).upper()  # labels are upper case, but be tolerant
                t[0] = label
            seen_record = True
            if crc is not None:
                if label == "#KSUMMA":
                    self._close_ksumma(t, crc, lineno)
                    crc = None
                    continue
                crc = zlib.crc32(record_bytes(t), crc)
            kind = kinds.get(label)
            if kind is not None:
                counts[label] += 1
                if state == 1:
                    error(lineno, "syntax", "expected '{' on the line after #VER")
                    state = 2
                if state == 2:
                    row = self._row(t, kind, lineno)
                    if ver is not None:
                        if row is None:
                            ver.ok = False
                        else:
                            ver.rows.append(row)
                            if kind == "T":
                                ver.total += row[3]
                else:
                    error(
                        lineno, "syntax", f"{label} outside a voucher (expected it after #VER {{)"
                    )
                continue
            if state:
                if state == 2:
                    what = "'}' to close the voucher block"
                else:
                    what = "'{' on the line after #VER"
                assert ver is None or ver.line > 0
                error(
                    ver.line if ver is not None else lineno,
                    "syntax",
                    f"voucher {ver.label if ver else ''} is not closed: expected {what} "
                    f"before line {lineno}",
                )
                if ver is not None:
                    ver.ok = False
                    self._finish(ver)
                    yield ver
                ver, state = None, 0
            if label == "#VER":
                counts[label] += 1
                ver = self._voucher(t, lineno)
                state = 1
                continue
            if label == "#KSUMMA":
                if len(t) == 1 and self.ksumma == "absent" and crc is None:
                    crc = 0
                    ksumma_line = lineno
                    self.ksumma = "invalid"  # until the closing record proves otherwise
                else:
                    self.ksumma = "invalid"
                    error(lineno, "ksumma", "#KSUMMA with a checksum but no opening #KSUMMA")
                continue
            if label in _BALANCE:
                self.has_balances = True
            yield SieRecord(lineno, label, t[1:])
        self.lines = lineno
        if state:
            assert ver is None or ver.line > 0
            error(
                ver.line if ver else lineno,
                "syntax",
                f"voucher {ver.label if ver else ''} is not closed: the file ends before its '}}'",
            )
            if ver is not None:
                ver.ok = False
                self._finish(ver)
                yield ver
        if not seen_record:
            raise problems.fatal(None, "the file is empty (expected SIE records)")
        if crc is not None:
            raise problems.fatal(
                ksumma_line,
                "the file is truncated: #KSUMMA opens a checksum here but the file ends "
                "without the closing '#KSUMMA <checksum>'",
                code="truncated",
            )

    def _close_ksumma(self, t: list[lexer.Field], crc: int, lineno: int) -> None:
        stated = t[1] if len(t) > 1 else ""
        try:
            value = parse_int(stated, "checksum")
        except FieldError as err:
            self.problems.error(lineno, "ksumma", f"#KSUMMA: {err}")
            return
        if value == crc:
            self.ksumma = "valid"
        else:
            self.problems.error(
                lineno,
                "ksumma",
                f"#KSUMMA says {value} but the records checksum to {crc}: "
                "the file was changed or damaged",
            )

    def _voucher(self, t: list[lexer.Field], lineno: int) -> SieVoucher:
        f = t[1:]
        n = len(f)
        series = f[0] if n > 0 else ""
        number = f[1] if n > 1 else ""
        ver = SieVoucher(
            line=lineno,
            series=series if isinstance(series, str) else "",
            number=(number or None) if isinstance(number, str) else None,
            date=None,
        )
        try:
            if n < 3:
                raise FieldError("the voucher date is missing (expected #VER serie vernr YYYYMMDD)")
            ver.date = parse_date(f[2], "voucher date")
            parse_text(f[0], "series")
            parse_text(f[1], "voucher number")
            if n > 3:
                ver.text = parse_text(f[3], "voucher text")
            if n > 4 and f[4] != "":
                ver.reg_date = parse_date(f[4], "registration date")
            if n > 5:
                ver.sign = parse_text(f[5], "sign") or None
            if n > 6:
                self.problems.warn(lineno, "extra-fields", f"#VER: {n - 6} extra field(s) ignored")
        except FieldError as err:
            ver.ok = False
            self.problems.error(lineno, "bad-field", f"#VER {ver.label}: {err}")
        return ver

    def _row(self, t: list[lexer.Field], kind: str, lineno: int) -> Row | None:
        n = len(t)
        try:
            if n < 4:
                raise FieldError("expected account, object list and amount")
            acc = t[1]
            objs = t[2]
            amt = t[3]
            if not (type(acc) is str and acc.isdigit() and acc.isascii()):
                if acc == "" or type(acc) is not str or not acc.strip():
                    raise FieldError("the account number is missing (expected digits such as 1930)")
                # Kept in lenient mode (SoftOne writes FEL/DIFF), so the voucher survives.
                self.problems.error(
                    lineno,
                    "bad-account",
                    f"{t[0]}: account number {acc!r} is not numeric (expected digits such as 1930)",
                )
            if type(objs) is not tuple:
                raise FieldError(
                    f"expected an object list {{...}} after the account, found {objs!r}"
                )
            if objs:
                _check_objects(objs)
            amount = Decimal(amt) if type(amt) is str and _amount_match(amt) else parse_amount(amt)
            date = text = qty = sign = None
            if n > 4:
                d = t[4]
                if d:
                    date = parse_date(d, "transaction date")
                if n > 5:
                    text = parse_text(t[5], "text") or None
                    if n > 6:
                        q = t[6]
                        if q:
                            qty = parse_amount(q, "quantity")
                        if n > 7:
                            sign = parse_text(t[7], "sign") or None
                            if n > 8:
                                self.problems.warn(
                                    lineno,
                                    "extra-fields",
                                    f"{t[0]}: {n - 8} extra field(s) ignored",
                                )
        except FieldError as err:
            self.problems.error(lineno, "bad-field", f"{t[0]}: {err}")
            return None
        return (kind, acc, objs, amount, date, text, qty, sign, lineno)

    def _finish(self, ver: SieVoucher) -> None:
        """Checks that need the whole voucher: balance and the #RTRANS twins."""
        rows = ver.rows
        for i, row in enumerate(rows):
            if row[0] == "R":
                twin = rows[i + 1] if i + 1 < len(rows) else None
                if twin is None or twin[0] != "T" or twin[1:4] != row[1:4]:
                    self.problems.warn(
                        row[8],
                        "rtrans-twin",
                        f"#RTRANS in voucher {ver.label} is not followed by its twin #TRANS "
                        "(same account, objects and amount)",
                    )
        if ver.total != 0:
            ver.ok = False
            self.problems.error(
                ver.line,
                "unbalanced",
                f"voucher {ver.label} does not balance: its #TRANS rows sum to {ver.total}",
            )


_BALANCE = frozenset({"#IB", "#UB", "#RES", "#OIB", "#OUB", "#PSALDO", "#PBUDGET"})


def iter_sie(source: Source, *, strict: bool = True, name: str | None = None) -> SieReader:
    """Stream a SIE file: yields :class:`SieRecord` and :class:`SieVoucher` one at a time.

    Memory stays bounded (one voucher at a time). In strict mode the first error raises
    :class:`SieError`; otherwise problems collect in ``reader.problems``. Unreadable input
    (not SIE, binary, a truncated ``#KSUMMA`` file) raises in both modes.
    """
    return SieReader(source, strict=strict, name=name)
