"""The SIE reader's general path: any line, tokenised, checked and reported.

The hot loops (``_model_loop``, ``_summary_loop``) take the usual ``#VER``, ``{``, ``#TRANS``
and ``}`` lines themselves and hand every other line to :meth:`GeneralPath.line`: records
outside vouchers, ``#VER`` and rows of any other shape, braces out of place, ``#KSUMMA``, and
anything wrong. With the line they hand over the open voucher block (``state``, ``ver``,
``total``, ``twin`` and ``in_year``, which they keep in local variables in between, being
touched on every line) and take it back afterwards; what changes once a voucher at most
(the counts, ``#RAR 0``'s bounds) they update here in place. :meth:`GeneralPath.close_block`
is the one place a voucher block is closed, by the loops and here alike.
"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator
from decimal import Decimal, Inexact, getcontext
from typing import TYPE_CHECKING

from ledgerlink_core.model import RowChange, exact_sum
from ledgerlink_core.sie import lexer
from ledgerlink_core.sie._fastbuild import new_row
from ledgerlink_core.sie._scan import ZERO, Caches, object_refs
from ledgerlink_core.sie.ksumma import record_bytes
from ledgerlink_core.sie.records import (
    BALANCE_LABELS,
    KNOWN_LABELS,
    FieldError,
    SieRecord,
    check_objects,
    parse_amount,
    parse_date,
    parse_int,
    parse_text,
)
from ledgerlink_core.sie.voucher import SieVoucher

if TYPE_CHECKING:
    from ledgerlink_core.sie.reader import SieReader

#: One checked voucher row: account, flat object list, amount, transdat, text, quantity, sign.
Row = tuple[str, tuple[str, ...], Decimal, dt.date | None, str | None, Decimal | None, str | None]

#: Summary mode: bucketed amounts go to the movements at the first #VER after this many more
#: hot-path rows (small, so that the buckets stay in the CPU cache and memory stays flat).
FLUSH_ROWS = 4_096
_ROW_KINDS = {"#TRANS": "T", "#RTRANS": "R", "#BTRANS": "B"}


class GeneralPath:
    """One pass over a file: the general path, and the state it shares with the hot loops.

    ``state`` is 0 at the top level, 1 after a ``#VER`` (expecting ``{``), 2 inside a block
    with the hot loops on, 3 inside a block that only the general path reads (a ``{``
    without ``#VER``, or a ``#KSUMMA`` checksum running).
    """

    def __init__(self, reader: SieReader, caches: Caches) -> None:
        self.reader = reader
        self.caches = caches
        self.decode = caches.decode
        self.problems = reader.problems
        self.summary = reader.summary
        self.sink = reader.sink
        #: Vouchers the general path closed in yield mode, for the loop to pass on.
        self.out: list[SieVoucher] = []
        #: The voucher object reused where none is handed out (sink and summary mode).
        self.scratch = SieVoucher(0, "", None, None)
        # --- the open block: the hot loops keep it in locals and hand it over ---
        self.state = 0
        self.ver: SieVoucher | None = None
        #: The hot loops' part of the open voucher's ``#TRANS`` sum (not yet in ``ver``).
        self.total = ZERO
        #: An ``#RTRANS`` waits for its twin ``#TRANS``.
        self.twin = False
        #: The open voucher is inside ``#RAR 0`` (or no ``#RAR 0`` is known).
        self.in_year = True
        # --- what the hot loops update here in place, once a voucher at most ---
        #: ``#RAR 0``'s bounds, once the reader's ``year0`` is known.
        self.year: tuple[dt.date, dt.date] | None = None
        #: ``#VER`` records read, and ``#TRANS`` rows the hot loops took (the general path
        #: counts its own rows in the reader's ``counts`` as it reads them).
        self.nver = 0
        self.ntrans = 0
        getcontext().flags[Inexact] = False  # set by whatever ran before: not our sums
        #: ``(series, number)`` of every numbered voucher read, and the line of each.
        self.numbers: dict[tuple[str, str], int] = {}
        #: Summary mode: ``ntrans`` at which the bucketed amounts go to the movements next.
        self.flush_at = FLUSH_ROWS
        #: The running ``#KSUMMA`` checksum while one runs, and the line that opened it.
        self.crc: int | None = None
        self.ksumma_line = 0
        #: The general path read a record (the loops count theirs in ``nver``).
        self.seen_record = False

    # --- one line ---------------------------------------------------------------------------

    def line(self, lineno: int, line: bytes) -> SieRecord | None:
        """Read one line the hot loops did not take, and report what is wrong with it: the
        record to yield, if it is one outside a voucher (a voucher it closes in yield mode
        goes to ``out``, to be yielded first)."""
        s = (line.decode() if line.isascii() else self.decode(line)).strip()
        if not s:
            return None
        if s[0] != "#":
            self._brace(s, lineno)
            return None
        try:
            t = lexer.tokenize(s)
        except lexer.UnclosedQuote as err:
            self.problems.warn(lineno, "unclosed-quote", str(err))
            t = err.tokens
        except lexer.LexError as err:
            self.problems.error(lineno, "syntax", str(err))
            return None
        first = t[0]
        if type(first) is str and first in KNOWN_LABELS:
            label = first
        else:
            label = t[0] = str(first).upper()  # labels are upper case, but be tolerant
        self.seen_record = True
        if self.crc is not None:
            if label == "#KSUMMA":
                self._close_ksumma(t, self.crc, lineno)
                self.crc = None
                return None
            self.crc = zlib.crc32(record_bytes(t), self.crc)
        kind = _ROW_KINDS.get(label)
        if kind is not None:
            self._row_record(label, kind, t, lineno)
            return None
        if self.state:
            what = (
                "'}' to close the voucher block"
                if self.state >= 2
                else "'{' on the line after #VER"
            )
            self._not_closed(lineno, f"expected {what} before line {lineno}")
            self.state = 0
        if label == "#VER":
            self._open_voucher(t, lineno)
        elif label == "#KSUMMA":
            self._open_ksumma(t, lineno)
        else:
            if label in BALANCE_LABELS:
                self.reader.has_balances = True
            return SieRecord(lineno, label, t[1:])
        return None

    def _brace(self, s: str, lineno: int) -> None:
        """A line that is not a record: ``{``, ``}`` or a mistake."""
        if s == "{":
            if self.state == 1:
                self.state = 2 if self.crc is None else 3
            else:
                self.problems.error(lineno, "syntax", "'{' without a #VER before it")
                if self.state == 0:
                    self.ver, self.state = None, 3
        elif s == "}":
            if self.state >= 2:
                if self.ver is not None:
                    self._emit(self.close_block(self.ver, self.total))
                self.ver, self.state, self.total = None, 0, ZERO
            else:
                self.problems.error(lineno, "syntax", "'}' closes no voucher block")
        elif not (self.seen_record or self.nver):
            raise self.problems.fatal(
                lineno, "this is not a SIE file (expected a record starting with '#')"
            )
        else:
            self.problems.error(
                lineno, "syntax", "expected a record starting with '#', or '{' or '}'"
            )

    def _row_record(self, label: str, kind: str, t: list[lexer.Field], lineno: int) -> None:
        """A ``#TRANS``, ``#RTRANS`` or ``#BTRANS`` record."""
        self.reader.counts[label] += 1
        if self.state == 1:
            self.problems.error(lineno, "syntax", "expected '{' on the line after #VER")
            self.state = 2 if self.crc is None else 3
        if self.state < 2:
            self.problems.error(
                lineno, "syntax", f"{label} outside a voucher (expected #VER {{ first)"
            )
        elif self.ver is not None:
            self._add(self.ver, kind, self._row(t, lineno), lineno)
            self.twin = self.ver.twin is not None
        else:
            self._row(t, lineno)  # still report what is wrong with it

    def _open_voucher(self, t: list[lexer.Field], lineno: int) -> None:
        self.nver += 1
        if self.ntrans > self.flush_at:
            self.caches.flush(self.reader.movements)
            self.flush_at = self.ntrans + FLUSH_ROWS
        ver = self.ver = self._voucher(t, lineno)
        self.twin = False
        if ver.number:
            self.numbered(ver.series, ver.number, lineno)
        year = self.reader.year0
        if year is not None:
            self.year = (year.start, year.end)
            if ver.date is not None and not year.start <= ver.date <= year.end:
                self.outside_year(ver)
        self.in_year = ver.in_year
        self.state = 1

    def _open_ksumma(self, t: list[lexer.Field], lineno: int) -> None:
        reader = self.reader
        if len(t) == 1 and reader.ksumma == "absent" and self.crc is None:
            self.crc = 0
            if self.state == 2:
                self.state = 3
            self.ksumma_line = lineno
            reader.ksumma = "invalid"  # until the closing record proves otherwise
        else:
            reader.ksumma = "invalid"
            self.problems.error(lineno, "ksumma", "#KSUMMA with a checksum but no opening #KSUMMA")

    def _close_ksumma(self, t: list[lexer.Field], crc: int, lineno: int) -> None:
        stated = t[1] if len(t) > 1 else ""
        try:
            value = parse_int(stated, "checksum")
        except FieldError as err:
            self.problems.error(lineno, "ksumma", f"#KSUMMA: {err}")
            return
        if value == crc:
            self.reader.ksumma = "valid"
        else:
            self.problems.error(
                lineno,
                "ksumma",
                f"#KSUMMA says {value} but the records checksum to {crc}: "
                "the file was changed or damaged",
            )

    # --- vouchers and rows ------------------------------------------------------------------

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

    def _row(self, t: list[lexer.Field], lineno: int) -> Row | None:
        """Check one #TRANS/#RTRANS/#BTRANS: (account, flat objects, amount, transdat, text,
        quantity, sign), or None after reporting what is wrong."""
        n = len(t)
        try:
            if n < 4:
                raise FieldError("expected account, object list and amount")
            acc = t[1]
            objs = t[2]
            if type(acc) is not str or not acc.strip():
                raise FieldError("the account number is missing (expected digits such as 1930)")
            if not (acc.isdigit() and acc.isascii()):
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
                check_objects(objs)
            amount = parse_amount(t[3])
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
        return (acc, objs, amount, date, text, qty, sign)

    def _add(self, ver: SieVoucher, kind: str, row: Row | None, lineno: int) -> None:
        """Put a row read by the general path into its voucher."""
        if row is None:
            ver.ok = False
            ver.unreadable_row = True
            return
        acc, flat, amount = row[0], row[1], row[2]
        first_use = self.reader.first_use
        if acc not in first_use:
            first_use[acc] = lineno
        if kind == "T":
            ver.total += amount
            if ver.twin is not None:
                self.twin_row(ver, acc, flat, amount)
            if not self.summary:
                ver.rows.append(new_row(acc, amount, object_refs(flat), row[3:]))
            elif ver.in_year:
                self.reader.movements[acc] += amount
            return
        if ver.twin is not None:
            self._twin_missing(ver, ver.twin[3])
            ver.twin = None
        if kind == "R":
            ver.twin = (acc, flat, amount, lineno)
        if not self.summary:
            ver.history.append(
                RowChange.model_construct(
                    kind="added" if kind == "R" else "removed",
                    row=new_row(acc, amount, object_refs(flat), row[3:]),
                    position=len(ver.rows),
                )
            )

    def twin_row(
        self, ver: SieVoucher, account: str, flat: tuple[str, ...], amount: Decimal
    ) -> None:
        """The row after an #RTRANS must be its twin #TRANS (same account, objects, amount)."""
        twin = ver.twin
        ver.twin = None
        if twin is not None and (twin[0], twin[1], twin[2]) != (account, flat, amount):
            self._twin_missing(ver, twin[3])

    def _twin_missing(self, ver: SieVoucher, line: int) -> None:
        self.problems.warn(
            line,
            "rtrans-twin",
            f"#RTRANS in voucher {ver.label} is not followed by its twin #TRANS "
            "(same account, objects and amount)",
        )

    def numbered(self, series: str, number: str, lineno: int) -> None:
        """Report a voucher number used twice in its series: a warning, as some programs
        write one number for a whole series of generated vouchers (``#VER # 1``)."""
        first = self.numbers.setdefault((series, number), lineno)
        if first != lineno:
            self.problems.warn(
                lineno,
                "duplicate-number",
                f"voucher {series} {number} is numbered like the voucher on line {first}",
            )

    def outside_year(self, ver: SieVoucher) -> None:
        """Report a voucher dated outside ``#RAR 0``."""
        year = self.reader.year0
        assert year is not None and ver.date is not None
        ver.in_year = False
        self.problems.error(
            ver.line,
            "date-outside-year",
            f"voucher {ver.label} is dated {ver.date.isoformat()}, outside the financial "
            f"year {year.start.isoformat()}..{year.end.isoformat()} (#RAR 0)",
        )

    # --- closing a block, and the file ------------------------------------------------------

    def close_block(
        self, ver: SieVoucher, total: Decimal, *, broken: bool = False
    ) -> SieVoucher | None:
        """Close a voucher's block: add the hot loops' part of its ``#TRANS`` sum (``total``),
        check what needs the whole voucher, and hand it on: returned (yield mode), appended to
        the sink as a canonical voucher if it is good (sink mode), or dropped (summary mode).
        A ``broken`` block never ended (already reported): the voucher is yielded for the
        record but never kept."""
        ver.total += total
        flags = getcontext().flags
        if flags[Inexact]:  # a sum was rounded to the context's 28 digits: redo it exactly
            flags[Inexact] = False
            self._exact_total(ver)
        if broken:
            ver.ok = False
        if ver.total or ver.twin is not None:
            self._finish(ver)
        if self.summary:
            return None
        if self.sink is not None:
            if ver.ok:
                self.sink.append(ver.to_model())
            return None
        return ver

    def _exact_total(self, ver: SieVoucher) -> None:
        """The voucher's sum without rounding: from its rows where the reader kept them; in
        summary mode (no rows kept) the voucher is reported, since its balance cannot be
        told from a rounded sum."""
        if ver.rows:
            try:
                ver.total = exact_sum(r.amount for r in ver.rows)
                return
            except ValueError:
                pass
        ver.ok = False
        ver.total = Decimal(0)  # not reported as unbalanced by a rounded sum as well
        self.problems.error(
            ver.line,
            "amount-precision",
            f"voucher {ver.label}: its amounts need more than 28 significant digits to be "
            "summed exactly; its balance cannot be checked in a streaming check (`ledgerlink "
            "pull` sums it exactly)",
        )

    def _finish(self, ver: SieVoucher) -> None:
        """Checks that need the whole voucher: balance and a last #RTRANS without its twin."""
        if ver.twin is not None:
            self._twin_missing(ver, ver.twin[3])
            ver.twin = None
        if ver.total != 0 and not ver.unreadable_row:  # else the bad row is the one problem
            ver.ok = False
            self.reader.unbalanced += 1
            self.problems.error(
                ver.line,
                "unbalanced",
                f"voucher {ver.label} does not balance: its #TRANS rows sum to {ver.total}",
            )

    def _emit(self, ver: SieVoucher | None) -> None:
        if ver is not None:
            self.out.append(ver)

    def _not_closed(self, lineno: int, expected: str) -> None:
        """Report the open block as not closed, and close it as broken."""
        ver = self.ver
        self.problems.error(
            ver.line if ver is not None else lineno,
            "syntax",
            f"voucher {ver.label if ver is not None else ''} is not closed: {expected}",
        )
        if ver is not None:
            self._emit(self.close_block(ver, self.total, broken=True))
        self.ver, self.total = None, ZERO

    def end(self, lineno: int) -> Iterator[SieVoucher]:
        """After the last line (``lineno``): the counts, a block the file leaves open (yielded
        in yield mode), and what makes the file unreadable."""
        reader = self.reader
        self.caches.flush(reader.movements)
        reader.lines = lineno
        reader.counts["#TRANS"] += self.ntrans
        reader.counts["#VER"] += self.nver
        if self.state:
            self._not_closed(lineno, "the file ends before its '}'")
            yield from self.out
            self.out.clear()
        if not (self.seen_record or self.nver):
            raise self.problems.fatal(None, "the file is empty (expected SIE records)")
        if self.crc is not None:
            raise self.problems.fatal(
                self.ksumma_line,
                "the file is truncated: #KSUMMA opens a checksum here but the file ends "
                "without the closing '#KSUMMA <checksum>'",
                code="truncated",
            )
