"""The streaming SIE reader: one pass, one record or voucher at a time, bounded memory.

:class:`SieReader` (what :func:`iter_sie` returns) yields a :class:`SieRecord` for every record
outside a voucher and a :class:`SieVoucher` for every ``#VER`` with its ``{ ... }`` block, rows
already typed. It handles the encoding, line numbers, the block structure and ``#KSUMMA``;
after the iteration its ``encoding``, ``ksumma``, ``lines`` and ``problems`` describe the file.

Lines are read as bytes; hot paths for the usual ``#VER``, ``{``, ``#TRANS`` and ``}`` lines
cache what they checked and fall back to the general path (tokenise, check, report) for
anything else. ``bench/README.md`` says what each shortcut saves.
"""

from __future__ import annotations

import codecs
import datetime as dt
import encodings.cp437
import io
import os
import re
import zlib
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import chain
from typing import BinaryIO, Literal

from ledgerlink_core.model import FiscalYear, ObjectRef, RowChange, Voucher
from ledgerlink_core.sie import lexer
from ledgerlink_core.sie._fastbuild import new_row
from ledgerlink_core.sie.encoding import ERRORS, detect_encoding
from ledgerlink_core.sie.ksumma import record_bytes
from ledgerlink_core.sie.problems import Problems, SieError
from ledgerlink_core.sie.records import (
    BALANCE_LABELS,
    KNOWN_LABELS,
    FieldError,
    SieRecord,
    parse_amount,
    parse_date,
    parse_int,
    parse_text,
)
from ledgerlink_core.sie.voucher import _ZERO, Row, SieVoucher, _check_objects, _objects

Source = str | os.PathLike[str] | bytes
_ROW_KINDS = {"#TRANS": "T", "#RTRANS": "R", "#BTRANS": "B"}
KsummaStatus = Literal["valid", "invalid", "absent"]


def _line_blocks(
    raw: BinaryIO, size: int = 1 << 20, on_read: Callable[[int], None] | None = None
) -> Iterator[list[bytes]]:
    """The lines of ``raw`` from where it stands, a block at a time, as bytes without their
    line ends. ``bytes.splitlines`` ends a line where text mode does (LF, CRLF or a lone CR),
    so line numbers are those of a text-mode reader, at a fraction of the cost of decoding
    every line. ``on_read`` is told the size of each block read (progress)."""
    carry = b""
    while block := raw.read(size):
        if on_read is not None:
            on_read(len(block))
        if carry:
            block = carry + block
        # The last sure line end: an LF, or a CR whose next byte is known (not an LF, as no
        # LF follows the last one); a CR at the very end may be the first half of a CRLF.
        cut = max(block.rfind(b"\n"), block.rfind(b"\r", 0, len(block) - 1))
        if cut < 0:
            carry = block
            continue
        carry = block[cut + 1 :]
        yield block[: cut + 1].splitlines()
    if carry:
        yield carry.splitlines()


def open_source(source: Source, name: str | None) -> tuple[BinaryIO, str]:
    """A binary stream for a path or bytes, and the name to use in messages."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source)), name or "<bytes>"
    path = os.fspath(source)
    try:
        return open(path, "rb"), name or path
    except OSError as err:
        raise SieError(f"cannot read the file: {err.strerror or err}", path=name or path) from None


# The hot paths: a #VER line of the usual shape, and #TRANS split at its "}".
_F = r'(?:"([^"\\\n]*)"|([^\s"{}]+))'
_VER_FAST = re.compile(
    r"#VER[ \t]+" + _F + r"[ \t]+" + _F + r'[ \t]+(\d{8})(?:[ \t]+"([^"\\\n]*)"'
    r'(?:[ \t]+(\d{8}|"")(?:[ \t]+"([^"\\\n]*)")?)?)?[ \t\r\n]*'
).fullmatch
_AMOUNT_CHARS = "0123456789.-"
_AMOUNT_STRIP = b"0123456789.-"
_MISSING: object = object()
#: A checked row head: account, ObjectRefs, flat objects, and the account's bucket of
#: amounts not yet added to ``movements`` (summary mode).
_Head = tuple[str, tuple[ObjectRef, ...], tuple[str, ...], list[Decimal]]
_Rest = tuple[dt.date | None, str | None, Decimal | None, str | None]
_NO_REST: _Rest = (None, None, None, None)
_CACHE_LIMIT = 100_000
_FLUSH_ROWS = 4_096  # summary mode: bucketed amounts go to ``movements`` this often (small: the
# buckets stay in the CPU cache)
_Lazy = tuple[int, str | bytes, str | bytes | None, dt.date]


def _decoder(encoding: str) -> Callable[[bytes], str]:
    """A ``bytes -> str`` for the file's encoding. CP437 goes through its charmap directly:
    ``bytes.decode("cp437")`` calls into the Python codec module every time."""
    if codecs.lookup(encoding).name == "cp437":
        charmap, table = codecs.charmap_decode, encodings.cp437.decoding_table

        def decode_cp437(data: bytes) -> str:
            return charmap(data, ERRORS, table)[0]

        return decode_cp437

    def decode(data: bytes) -> str:
        return data.decode(encoding, ERRORS)

    return decode


class SieReader:
    """Iterate over a SIE file's records and vouchers (see the module docstring).

    ``summary=True`` (what :func:`~ledgerlink_core.sie.check.check_sie` uses) keeps no rows
    and yields no vouchers: it only counts, checks and sums (``unbalanced``, ``movements``
    per account of the vouchers inside ``year0``), so memory stays flat.
    """

    def __init__(
        self,
        source: Source,
        *,
        strict: bool = True,
        name: str | None = None,
        summary: bool = False,
        sink: list[Voucher] | None = None,
        on_read: Callable[[int], None] | None = None,
    ) -> None:
        self._source = source
        #: Told the number of bytes of each block read, for progress reporting.
        self.on_read = on_read
        self._name = name
        self.name = name or (
            "<bytes>" if isinstance(source, bytes | bytearray) else os.fspath(source)
        )
        self.problems = Problems(self.name, strict=strict)
        self.summary = summary
        #: Full mode with a sink: good vouchers are appended to it as canonical models
        #: instead of being yielded (what ``read_sie`` uses; cheaper per voucher).
        self.sink = sink
        self.encoding: str | None = None
        self.ksumma: KsummaStatus = "absent"
        self.lines = 0
        self.has_balances = False
        #: Records seen per voucher label (``#VER``, ``#TRANS``...), broken ones included.
        self.counts = dict.fromkeys(("#VER", "#TRANS", "#RTRANS", "#BTRANS"), 0)
        #: The line where each account is first used by a voucher row.
        self.first_use: dict[str, int] = {}
        #: Summary mode: set ``year0`` to check voucher dates against it and sum movements.
        self.year0: FiscalYear | None = None
        self.movements: defaultdict[str, Decimal] = defaultdict(Decimal)
        self.unbalanced = 0
        # Per account, amounts of hot-path rows not yet in ``movements`` (appending is cheaper
        # than a Decimal add into a dict; flushed every _FLUSH_ROWS rows, so memory stays flat).
        self._buckets: dict[str, list[Decimal]] = {}
        self._heads: dict[bytes, _Head | Literal[False]] = {}
        self._rests: dict[bytes, _Rest | Literal[False]] = {b"": _NO_REST}
        self._dates: dict[str, dt.date | None] = {'""': None}
        self._vdates: dict[bytes, object] = {}  # split #VER: the date, between number and text
        self._vregs: dict[bytes, object] = {}  # split #VER: the registration date, after the text
        self._iter: Iterator[SieRecord | SieVoucher] | None = None
        self._scratch = SieVoucher(0, "", None, None)
        self._decode: Callable[[bytes], str] = bytes.decode

    def __iter__(self) -> Iterator[SieRecord | SieVoucher]:
        # The generator itself, so that a for loop does not pay for __next__ on every item.
        if self._iter is None:
            self._iter = self._run()
        return self._iter

    def __next__(self) -> SieRecord | SieVoucher:
        if self._iter is None:
            self._iter = self._run()
        return next(self._iter)

    def _abandon(
        self, ver: SieVoucher | None, total: Decimal, keep: bool, sink: list[Voucher] | None
    ) -> Iterator[SieVoucher]:
        """Close a voucher whose block never ended (already reported): it counts as broken,
        so it is yielded for the record but never kept as a canonical voucher."""
        if ver is None:
            return
        ver.total += total
        ver.ok = False
        self._finish(ver)
        if keep:
            if sink is None:
                yield ver
            elif ver.ok:
                sink.append(ver.to_model())

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
                yield from self._records(
                    chain.from_iterable(_line_blocks(raw, on_read=self.on_read))
                )
            except OSError as err:
                raise SieError(f"cannot read the file: {err}", path=self.name) from None

    def _records(self, source_lines: Iterator[bytes]) -> Iterator[SieRecord | SieVoucher]:
        # Lines stay bytes (without their line end): the hot paths cache what they decoded and
        # checked (row heads and tails) by their bytes and decode only an amount (ASCII once
        # checked) or a #VER line; the general path decodes its line.
        self._decode = decode = _decoder(self.encoding or "cp437")
        problems = self.problems
        error = problems.error
        tokenize = lexer.tokenize
        kinds = _ROW_KINDS
        known = KNOWN_LABELS
        counts = self.counts
        keep = not self.summary
        sink = self.sink
        heads = self._heads
        rests = self._rests
        dates = self._dates
        vdates = self._vdates
        vregs = self._vregs
        ver_fast = _VER_FAST
        amount_chars = _AMOUNT_STRIP
        row_of = new_row
        series_cache: dict[str, str] = {}
        scratch = self._scratch  # the open voucher in summary and sink mode
        D = Decimal
        zero = _ZERO
        ver: SieVoucher | None = None
        # Summary mode: the open voucher's line, series, number and date, before (if ever) it
        # is put into ``scratch`` for the general path or a problem report.
        lazy: _Lazy | None = None
        # 0: top level; 1: after #VER (expecting "{"); 2: inside a block, hot path on;
        # 3: inside a block, general path only (a "{" without #VER, or a #KSUMMA running).
        state = 0
        total = zero  # the hot path's part of the open voucher's #TRANS sum
        amount: Decimal | None = None
        in_year = True  # the open voucher is inside #RAR 0 (or no #RAR 0 is known)
        twin = False  # an #RTRANS waits for its twin #TRANS
        y0 = y1 = None  # #RAR 0, once known (summary mode)
        crc: int | None = None
        ksumma_line = 0
        seen_record = False
        ntrans = nver = 0
        flush_at = _FLUSH_ROWS
        lineno = 0
        lines = enumerate(source_lines, 1)
        for lineno, line in lines:
            # --- hot path: the "{" after a #VER read below, and the rows of the block -----------
            if state == 1 and line == b"{":
                if crc is not None:
                    state = 3
                    continue
                state = 2
                if not keep and (lazy is None or not in_year):
                    continue
                # A voucher's plain #TRANS rows in a loop of their own (what the #TRANS hot path
                # below does, minus what cannot happen at the start of a block of the usual shape):
                # rows as models (full mode), or sums (summary mode, vouchers inside the year).
                start = lineno
                for lineno, line in lines:
                    if line[:7] != b"#TRANS ":
                        break
                    head, sep, tail = line.partition(b"} ")
                    try:
                        hv = heads[head]
                    except KeyError:
                        hv = self._head(head, lineno) if sep else False
                    if not hv:
                        break
                    amt, _, rest = tail.partition(b" ")
                    try:
                        rv = rests[rest]
                    except KeyError:
                        rv = self._rest(rest)
                    if not rv or amt.strip(amount_chars):
                        break
                    try:
                        amount = D(amt.decode())
                    except ArithmeticError:
                        break
                    total += amount
                    if keep:
                        ver.rows.append(  # type: ignore[union-attr]
                            row_of(hv[0], amount, hv[1], rv[0], rv[1], rv[2], rv[3])
                        )
                    else:
                        hv[3].append(amount)
                else:
                    ntrans += lineno - start
                    break  # the file ends inside the block: reported after the loop
                ntrans += lineno - start - 1  # the rows before this line
                if line == b"}":
                    if lazy is not None and total:  # summary mode: unbalanced, report it
                        ver, lazy = self._reopen(lazy), None
                    if ver is not None:
                        ver.total += total
                        if ver.total:
                            self._finish(ver)
                        if keep:
                            if sink is None:
                                yield ver
                            elif ver.ok:
                                sink.append(ver.to_model())
                    total = zero
                    ver, lazy, state = None, None, 0
                    continue
                # anything else: the paths below read it, inside the block
            # --- hot path: a #VER of the usual shape -------------------------------------------
            elif state == 0 and line[:5] == b"#VER " and crc is None:
                # The usual shape, every field but the dates quoted, splits on '"'; the regex
                # takes the other usual shapes, the general path the rest.
                date = reg = _MISSING
                p = line.split(b'"')
                if len(p) == 7 and p[2] == b" " and p[0] == b"#VER " and b"\\" not in line:
                    date = vdates.get(p[4], _MISSING)
                    reg = vregs.get(p[6], _MISSING)
                    if date is _MISSING or reg is _MISSING:
                        date, reg = self._ver_dates(p[4], p[6])
                    if keep:  # ASCII (the usual case) decodes the same in every encoding
                        series = p[1].decode() if p[1].isascii() else decode(p[1])
                        number = p[3].decode() if p[3].isascii() else decode(p[3])
                        vtext = p[5].decode() if p[5].isascii() else decode(p[5])
                    else:  # summary mode decodes series and number only to report the voucher
                        series, number, vtext = p[1], p[3], ""  # type: ignore[assignment]
                    sign = None
                else:
                    m = ver_fast(decode(line))
                    if m is not None:
                        g = m.groups()
                        date = dates.get(g[4], _MISSING)
                        if date is _MISSING:
                            date = self._date(g[4])
                        reg = None if g[6] is None else dates.get(g[6], _MISSING)
                        if reg is _MISSING:
                            reg = self._date(g[6])
                        number = g[2] if g[2] is not None else g[3]
                        series = g[0] if g[0] is not None else g[1]
                        vtext, sign = g[5] or "", g[7] or None
                if date is not _MISSING and date is not None and reg is not _MISSING:
                    seen_record = True
                    nver += 1
                    if ntrans > flush_at:
                        self._flush()
                        flush_at = ntrans + _FLUSH_ROWS
                    if not keep:  # summary mode: a voucher object only when one is needed
                        ver, lazy = None, (lineno, series, number or None, date)  # type: ignore[assignment]
                    elif sink is None:
                        ver = SieVoucher(
                            lineno,
                            series_cache.setdefault(series, series),
                            number or None,
                            date,  # type: ignore[arg-type]
                            vtext,
                            reg,  # type: ignore[arg-type]
                            sign,
                        )
                    else:  # sink mode: the model is built from one reused object
                        ver = scratch
                        ver.line, ver.number = lineno, number or None
                        ver.series = series_cache.setdefault(series, series)
                        ver.date = date  # type: ignore[assignment]
                        ver.total, ver.ok, ver.in_year, ver.twin = zero, True, True, None
                        ver.text, ver.reg_date = vtext, reg  # type: ignore[assignment]
                        ver.sign = sign
                        ver.rows.clear()
                        ver.history.clear()
                    if y0 is None and self.year0 is not None:
                        y0, y1 = self.year0.start, self.year0.end
                    in_year = True
                    twin = False
                    if y0 is not None and not y0 <= date <= y1:  # type: ignore[operator]
                        if lazy is not None:
                            ver, lazy = self._reopen(lazy), None
                        self._outside_year(ver)  # type: ignore[arg-type]
                        in_year = False
                    state = 1
                    continue
            # --- hot path: a plain #TRANS row ----------------------------------------------------
            elif state == 2 and line[:7] == b"#TRANS ":
                head, sep, tail = line.partition(b"} ")
                try:
                    hv = heads[head]
                except KeyError:
                    hv = self._head(head, lineno) if sep else False
                if hv:
                    amt, _, rest = tail.partition(b" ")
                    try:
                        rv = rests[rest]
                    except KeyError:
                        rv = self._rest(rest)
                    try:
                        amount = None if amt.strip(amount_chars) else D(amt.decode())
                    except ArithmeticError:
                        amount = None
                    if rv and amount is not None:
                        ntrans += 1
                        total += amount
                        if twin:
                            twin = False
                            self._twin(ver, hv[0], hv[2], amount)  # type: ignore[arg-type]
                        if keep:
                            ver.rows.append(  # type: ignore[union-attr]
                                row_of(hv[0], amount, hv[1], rv[0], rv[1], rv[2], rv[3])
                            )
                        elif in_year:
                            hv[3].append(amount)
                        continue
                # anything unusual: the general path below reads (and reports) it
            # --- hot path: the end of a block ---------------------------------------------------
            elif state == 2 and line == b"}":
                if lazy is not None:  # summary mode: the voucher was only ever read here
                    if not total:
                        lazy, state = None, 0
                        continue
                    ver, lazy = self._reopen(lazy), None
                ver.total += total  # type: ignore[union-attr]
                total = zero
                if ver.twin is not None or ver.total:  # type: ignore[union-attr]
                    self._finish(ver)  # type: ignore[arg-type]
                if keep:
                    if sink is None:
                        yield ver  # type: ignore[misc]
                    elif ver.ok:  # type: ignore[union-attr]
                        sink.append(ver.to_model())  # type: ignore[union-attr]
                ver, state = None, 0
                continue
            # --- general path -------------------------------------------------------------------
            if lazy is not None:
                ver, lazy = self._reopen(lazy), None
            s = (line.decode() if line.isascii() else decode(line)).strip()
            if not s:
                continue
            if s[0] != "#":
                if s == "{":
                    if state == 1:
                        state = 2 if crc is None else 3
                    else:
                        error(lineno, "syntax", "'{' without a #VER before it")
                        if state == 0:
                            ver, state = None, 3
                    continue
                if s == "}":
                    if state >= 2:
                        if ver is not None:
                            ver.total += total
                            self._finish(ver)
                            if keep:
                                if sink is None:
                                    yield ver
                                elif ver.ok:
                                    sink.append(ver.to_model())
                        ver, state, total = None, 0, zero
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
                    state = 2 if crc is None else 3
                if state >= 2:
                    if ver is not None:
                        self._add(ver, kind, self._row(t, lineno), lineno)
                        twin = ver.twin is not None
                    else:
                        self._row(t, lineno)  # still report what is wrong with it
                else:
                    error(lineno, "syntax", f"{label} outside a voucher (expected #VER {{ first)")
                continue
            if state:
                if state >= 2:
                    what = "'}' to close the voucher block"
                else:
                    what = "'{' on the line after #VER"
                error(
                    ver.line if ver is not None else lineno,
                    "syntax",
                    f"voucher {ver.label if ver else ''} is not closed: expected {what} "
                    f"before line {lineno}",
                )
                yield from self._abandon(ver, total, keep, sink)
                ver, state, total = None, 0, zero
            if label == "#VER":
                nver += 1
                if ntrans > flush_at:
                    self._flush()
                    flush_at = ntrans + _FLUSH_ROWS
                ver = self._voucher(t, lineno)
                twin = False
                if self.year0 is not None:
                    y0, y1 = self.year0.start, self.year0.end
                    if ver.date is not None and not y0 <= ver.date <= y1:
                        self._outside_year(ver)
                in_year = ver.in_year
                state = 1
                continue
            if label == "#KSUMMA":
                if len(t) == 1 and self.ksumma == "absent" and crc is None:
                    crc = 0
                    if state == 2:
                        state = 3
                    ksumma_line = lineno
                    self.ksumma = "invalid"  # until the closing record proves otherwise
                else:
                    self.ksumma = "invalid"
                    error(lineno, "ksumma", "#KSUMMA with a checksum but no opening #KSUMMA")
                continue
            if label in _BALANCE:
                self.has_balances = True
            yield SieRecord(lineno, label, t[1:])
        if lazy is not None:
            ver = self._reopen(lazy)
        self._flush()
        self.lines = lineno
        counts["#TRANS"] += ntrans
        counts["#VER"] += nver
        if state:
            error(
                ver.line if ver else lineno,
                "syntax",
                f"voucher {ver.label if ver else ''} is not closed: the file ends before its '}}'",
            )
            yield from self._abandon(ver, total, keep, sink)
        if not seen_record:
            raise problems.fatal(None, "the file is empty (expected SIE records)")
        if crc is not None:
            raise problems.fatal(
                ksumma_line,
                "the file is truncated: #KSUMMA opens a checksum here but the file ends "
                "without the closing '#KSUMMA <checksum>'",
                code="truncated",
            )

    # --- helpers of the hot paths (each caches what it validated) ---------------------------------

    def _head(self, key: bytes, lineno: int) -> _Head | Literal[False]:
        """``b'#TRANS 1930 {1 "100"'`` -> (account, ObjectRefs, flat objects, the account's
        bucket), or False when the general path must read the line; cached by its bytes. Notes
        the account's first use (the first time a head is seen is the first time its account
        is)."""
        value: _Head | Literal[False] = False
        head = self._decode(key)
        try:
            t = lexer.tokenize(head + "}")
        except lexer.LexError:
            t = []
        if len(t) == 3 and type(t[1]) is str and type(t[2]) is tuple:
            acc, flat = t[1], t[2]
            if acc.isdigit() and acc.isascii():
                try:
                    if flat:
                        _check_objects(flat)
                    bucket = self._buckets.setdefault(acc, [])
                    value = (acc, _objects(flat), flat, bucket)
                except FieldError:
                    value = False
        if value and value[0] not in self.first_use:
            self.first_use[value[0]] = lineno
        if len(self._heads) < _CACHE_LIMIT:
            self._heads[key] = value
        return value

    def _flush(self) -> None:
        """Add the bucketed amounts to ``movements``."""
        movements = self.movements
        for acc, bucket in self._buckets.items():
            if bucket:
                movements[acc] += sum(bucket, _ZERO)
                bucket.clear()

    def _rest(self, key: bytes) -> _Rest | Literal[False]:
        """What follows a row's amount (``b'20250105 "Hyra" 1.5 "sign"'``) -> (date, text,
        quantity, sign), or False when the general path must read the line; cached by its
        bytes."""
        value: _Rest | Literal[False] = False
        rest = self._decode(key)
        try:
            t = lexer.tokenize(rest.strip())
        except lexer.LexError:
            t = []
        if 1 <= len(t) <= 4 and all(type(x) is str for x in t):
            try:
                date = parse_date(t[0]) if t[0] else None
                text = (t[1] or None) if len(t) > 1 else None
                qty = parse_amount(t[2]) if len(t) > 2 and t[2] else None
                sign = (t[3] or None) if len(t) > 3 else None
                value = (date, text, qty, sign)  # type: ignore[assignment]
            except FieldError:
                value = False
        if len(self._rests) < _CACHE_LIMIT:
            self._rests[key] = value
        return value

    def _reopen(self, lazy: _Lazy) -> SieVoucher:
        """Put a voucher read in summary mode into the reused voucher object (its rows are
        summed apart), decoding its series and number."""
        ver = self._scratch
        line, series, number, date = lazy
        ver.line, ver.date = line, date
        ver.series = series if isinstance(series, str) else self._decode(series)
        ver.number = number if not isinstance(number, bytes) else self._decode(number)
        ver.total, ver.ok, ver.in_year, ver.twin = _ZERO, True, True, None
        return ver

    def _ver_dates(self, between: bytes, after: bytes) -> tuple[object, object]:
        """A split ``#VER``'s date (`` 20250105 `` between number and text) and registration
        date (`` 20250105`` or nothing after the text), each cached; ``_MISSING`` when the
        general path must read the line."""
        date: object = _MISSING
        s = between.strip(b" \t")
        if len(between) > len(s) + 1 and between[0] in b" \t" and between[-1] in b" \t":
            value = self._date(s.decode("latin-1")) if len(s) == 8 else _MISSING
            date = value if value is not None else _MISSING
        reg: object = _MISSING
        s = after.strip(b" \t")
        if not s:
            reg = None
        elif after[0] in b" \t" and len(s) == 8:
            reg = self._date(s.decode("latin-1"))
            if reg is None:
                reg = _MISSING
        if len(self._vdates) < _CACHE_LIMIT:
            self._vdates[between] = date
        if len(self._vregs) < _CACHE_LIMIT:
            self._vregs[after] = reg
        return date, reg

    def _date(self, text: str) -> dt.date | object | None:
        """A cached ``YYYYMMDD``/``""`` -> date/None, or ``_MISSING`` when it is not a date."""
        try:
            value: dt.date | None = parse_date(text) if text != '""' else None
        except FieldError:
            return _MISSING
        if len(self._dates) < _CACHE_LIMIT:
            self._dates[text] = value
        return value

    def _outside_year(self, ver: SieVoucher) -> None:
        year = self.year0
        assert year is not None and ver.date is not None
        ver.in_year = False
        self.problems.error(
            ver.line,
            "date-outside-year",
            f"voucher {ver.label} is dated {ver.date.isoformat()}, outside the financial "
            f"year {year.start.isoformat()}..{year.end.isoformat()} (#RAR 0)",
        )

    def _twin(self, ver: SieVoucher, account: str, flat: tuple[str, ...], amount: Decimal) -> None:
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

    # --- the general path -------------------------------------------------------------------------

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

    def _row(self, t: list[lexer.Field], lineno: int) -> Row | None:
        """Check one #TRANS/#RTRANS/#BTRANS: (account, flat objects, amount, transdat, text,
        quantity, sign), or None after reporting what is wrong."""
        n = len(t)
        try:
            if n < 4:
                raise FieldError("expected account, object list and amount")
            acc = t[1]
            objs = t[2]
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
            return
        acc, flat, amount = row[0], row[1], row[2]
        if acc not in self.first_use:
            self.first_use[acc] = lineno
        if kind == "T":
            ver.total += amount
            if ver.twin is not None:
                self._twin(ver, acc, flat, amount)
            if not self.summary:
                ver.rows.append(new_row(acc, amount, _objects(flat), *row[3:]))
            elif ver.in_year:
                self.movements[acc] += amount
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
                    row=new_row(acc, amount, _objects(flat), *row[3:]),
                    position=len(ver.rows),
                )
            )

    def _finish(self, ver: SieVoucher) -> None:
        """Checks that need the whole voucher: balance and a last #RTRANS without its twin."""
        if ver.twin is not None:
            self._twin_missing(ver, ver.twin[3])
            ver.twin = None
        if ver.total != 0:
            ver.ok = False
            self.unbalanced += 1
            self.problems.error(
                ver.line,
                "unbalanced",
                f"voucher {ver.label} does not balance: its #TRANS rows sum to {ver.total}",
            )


_BALANCE = BALANCE_LABELS  # the short name the record loop uses


def iter_sie(source: Source, *, strict: bool = True, name: str | None = None) -> SieReader:
    """Stream a SIE file: yields :class:`SieRecord` and :class:`SieVoucher` one at a time.

    Memory stays bounded (one voucher at a time). In strict mode the first error raises
    :class:`SieError`; otherwise problems collect in ``reader.problems``. Unreadable input
    (not SIE, binary, a truncated ``#KSUMMA`` file) raises in both modes.
    """
    return SieReader(source, strict=strict, name=name)
