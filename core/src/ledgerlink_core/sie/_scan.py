"""Reading a SIE file's lines as bytes, and the caches the reader's hot loops look them up in.

Lines are read a megabyte at a time and split with ``bytes.splitlines``, which ends a line
where text mode does (LF, CRLF or a lone CR), so line numbers are a text-mode reader's. They
stay bytes: a file repeats the same row heads (``#TRANS 1930 {1 "100"``), row tails
(``20250105 "Hyra"``) and dates over and over, so each is decoded and checked once, cached by
its bytes (:class:`Caches`), and only an amount (ASCII once checked) or a ``#VER``'s fields are
decoded per line. A cached value is what the general path would make of it, or False (or
``MISSING``) when the general path must read the line and report it.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import encodings.cp437
import enum
import errno
import io
import os
import re
import stat
from collections.abc import Callable, Iterator, MutableMapping
from decimal import Decimal
from typing import BinaryIO, Final, Literal

from ledgerlink_core.model import ObjectRef
from ledgerlink_core.sie import lexer
from ledgerlink_core.sie.encoding import ERRORS
from ledgerlink_core.sie.problems import SieError
from ledgerlink_core.sie.records import FieldError, check_objects, parse_amount, parse_date

Source = str | os.PathLike[str] | bytes
Decode = Callable[[bytes], str]

ZERO: Final = Decimal(0)
#: Bytes an amount the hot loops take may hold (``Decimal`` then says whether it is one).
AMOUNT_CHARS: Final = b"0123456789.-"
#: How many distinct keys each cache holds at most (memory stays bounded on any file).
CACHE_LIMIT: Final = 100_000


class _Missing(enum.Enum):
    MISSING = 0


#: Not a value the hot loops can use: the general path must read the line.
MISSING: Final = _Missing.MISSING
Date = dt.date | None | _Missing

#: A checked row head: account, ObjectRefs, flat objects, and the account's bucket of
#: amounts not yet added to the movements (summary mode).
Head = tuple[str, tuple[ObjectRef, ...], tuple[str, ...], list[Decimal]]
#: A checked row tail, what follows the amount: date, text, quantity, sign.
Rest = tuple[dt.date | None, str | None, Decimal | None, str | None]
#: A ``#VER`` read by :meth:`Caches.match_ver`: series, number, date, registration date, text,
#: sign.
VerFields = tuple[str, str, Date, Date, str, str | None]

_NO_REST: Final[Rest] = (None, None, None, None)
_NO_VER: Final[VerFields] = ("", "", MISSING, MISSING, "", None)
_F = r'(?:"([^"\\\n]*)"|([^\s"{}]+))'
# The usual shapes of a #VER line that does not split on '"' (unquoted series or number...).
_VER_SHAPE = re.compile(
    r"#VER[ \t]+" + _F + r"[ \t]+" + _F + r'[ \t]+(\d{8})(?:[ \t]+"([^"\\\n]*)"'
    r'(?:[ \t]+(\d{8}|"")(?:[ \t]+"([^"\\\n]*)")?)?)?[ \t\r\n]*'
).fullmatch
_OBJECTS: dict[tuple[str, ...], tuple[ObjectRef, ...]] = {(): ()}


def open_source(source: Source, name: str | None) -> tuple[BinaryIO, str]:
    """A binary stream for a path or bytes, and the name to use in messages."""
    if isinstance(source, bytes | bytearray | memoryview):
        return io.BytesIO(bytes(source)), name or "<bytes>"
    path = os.fspath(source)
    try:
        # Before opening: opening a FIFO with no writer blocks for ever, and a directory or a
        # device is never a SIE file.
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise SieError("is a directory, not a SIE file", path=name or path)
        if not stat.S_ISREG(mode):
            raise SieError("not a regular file (a pipe, socket or device)", path=name or path)
        return open(path, "rb"), name or path
    except OSError as err:
        reason = _OS_REASONS.get(err.errno or 0) or f"cannot read the file: {err.strerror or err}"
        raise SieError(reason, path=name or path) from None


#: What an ``OSError`` on opening a SIE file says, in the words ``ls`` would use.
_OS_REASONS = {
    errno.ENOENT: "no such file",
    errno.ELOOP: "too many symbolic links (a loop?)",
    errno.EACCES: "not readable (permission denied)",
    errno.ENOTDIR: "no such file (a part of the path is not a directory)",
}


def line_blocks(
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


def decoder(encoding: str) -> Decode:
    """A ``bytes -> str`` for the file's encoding. CP437 goes through its charmap directly:
    ``bytes.decode("cp437")`` calls into the Python codec module every time (~0.5 µs)."""
    if codecs.lookup(encoding).name == "cp437":
        charmap, table = codecs.charmap_decode, encodings.cp437.decoding_table

        def decode_cp437(data: bytes) -> str:
            return charmap(data, ERRORS, table)[0]

        return decode_cp437

    def decode(data: bytes) -> str:
        return data.decode(encoding, ERRORS)

    return decode


def object_refs(flat: tuple[str, ...]) -> tuple[ObjectRef, ...]:
    """Flat ``("1", "100")`` (checked) -> ObjectRefs, shared between rows with the same list."""
    refs = _OBJECTS.get(flat)
    if refs is None:
        refs = tuple(
            ObjectRef(dimension=int(flat[i]), number=flat[i + 1]) for i in range(0, len(flat), 2)
        )
        if len(_OBJECTS) < 50_000:
            _OBJECTS[flat] = refs
    return refs


class Caches:
    """What the hot loops checked once, by its bytes (see the module docstring).

    The loops look in ``heads``, ``rests``, ``ver_dates`` and ``ver_regs`` themselves (a dict
    lookup is cheaper than a call); on a miss they call :meth:`head`, :meth:`rest` or
    :meth:`ver_date`, which check, cache and return the value.
    """

    def __init__(self, decode: Decode, first_use: dict[str, int]) -> None:
        self.decode = decode
        #: The line where each account is first used by a voucher row (the reader's).
        self.first_use = first_use
        # ("}" and "} " end a block: seeded, so that the row loops see them without a miss.)
        self.heads: dict[bytes, Head | Literal[False]] = {b"}": False, b"": False}
        self.rests: dict[bytes, Rest | Literal[False]] = {b"": _NO_REST}
        self.dates: dict[str, dt.date | None] = {'""': None}
        #: A split #VER: its date, the bytes between number and text.
        self.ver_dates: dict[bytes, Date] = {}
        #: A split #VER: its registration date, the bytes after the text.
        self.ver_regs: dict[bytes, Date] = {}
        #: Per account, amounts of hot-path rows not yet in the movements (summary mode:
        #: appending is cheaper than a Decimal add into a dict).
        self.buckets: dict[str, list[Decimal]] = {}

    def head(self, key: bytes, sep: bytes, lineno: int) -> Head | Literal[False]:
        """What comes before the ``} `` (``sep``) of a line inside a block, such as
        ``b'#TRANS 1930 {1 "100"'`` -> (account, ObjectRefs, flat objects, the account's
        bucket), or False for anything but a plain ``#TRANS`` row (so the loops need not
        look at the label). Notes the account's first use (the first time a head is seen is
        the first time its account is)."""
        value: Head | Literal[False] = False
        t: list[lexer.Field] = []
        if sep and key.startswith(b"#TRANS "):
            with contextlib.suppress(lexer.LexError):
                t = lexer.tokenize(self.decode(key) + "}")
        if len(t) == 3 and type(t[1]) is str and type(t[2]) is tuple:
            acc, flat = t[1], t[2]
            if acc.isdigit() and acc.isascii():
                try:
                    if flat:
                        check_objects(flat)
                    bucket = self.buckets.setdefault(acc, [])
                    value = (acc, object_refs(flat), flat, bucket)
                except FieldError:
                    value = False
        if value and value[0] not in self.first_use:
            self.first_use[value[0]] = lineno
        if len(self.heads) < CACHE_LIMIT:
            self.heads[key] = value
        return value

    def rest(self, key: bytes) -> Rest | Literal[False]:
        """What follows a row's amount (``b'20250105 "Hyra" 1.5 "sign"'``) -> (date, text,
        quantity, sign), or False."""
        value: Rest | Literal[False] = False
        try:
            t = lexer.tokenize(self.decode(key).strip())
        except lexer.LexError:
            t = []
        if 1 <= len(t) <= 4:
            fields = [x for x in t if type(x) is str]
            if len(fields) == len(t):
                try:
                    date = parse_date(fields[0]) if fields[0] else None
                    text = (fields[1] or None) if len(fields) > 1 else None
                    qty = parse_amount(fields[2]) if len(fields) > 2 and fields[2] else None
                    sign = (fields[3] or None) if len(fields) > 3 else None
                    value = (date, text, qty, sign)
                except FieldError:
                    value = False
        if len(self.rests) < CACHE_LIMIT:
            self.rests[key] = value
        return value

    def ver_date(self, between: bytes, after: bytes) -> tuple[Date, Date]:
        """A split ``#VER``'s date (`` 20250105 `` between number and text) and registration
        date (`` 20250105`` or nothing after the text), each cached."""
        date: Date = MISSING
        s = between.strip(b" \t")
        if len(between) > len(s) + 1 and between[0] in b" \t" and between[-1] in b" \t":
            value = self.date(s.decode("latin-1")) if len(s) == 8 else MISSING
            date = value if value is not None else MISSING
        reg: Date = MISSING
        s = after.strip(b" \t")
        if not s:
            reg = None
        elif after[0] in b" \t" and len(s) == 8:
            reg = self.date(s.decode("latin-1"))
            if reg is None:
                reg = MISSING
        if len(self.ver_dates) < CACHE_LIMIT:
            self.ver_dates[between] = date
        if len(self.ver_regs) < CACHE_LIMIT:
            self.ver_regs[after] = reg
        return date, reg

    def date(self, text: str) -> Date:
        """A cached ``YYYYMMDD``/``""`` -> date/None."""
        try:
            value = parse_date(text) if text != '""' else None
        except FieldError:
            return MISSING
        if len(self.dates) < CACHE_LIMIT:
            self.dates[text] = value
        return value

    def match_ver(self, line: bytes) -> VerFields:
        """A ``#VER`` line of a usual shape that does not split on ``"`` (such as
        ``#VER A 12 20250105 "Hyra"``): its fields, with the date ``MISSING`` when it has
        none of those shapes."""
        m = _VER_SHAPE(self.decode(line))
        if m is None:
            return _NO_VER
        g = m.groups()
        date = self.dates.get(g[4], MISSING)
        if date is MISSING:
            date = self.date(g[4])
        reg = None if g[6] is None else self.dates.get(g[6], MISSING)
        if reg is MISSING:
            reg = self.date(g[6])
        series = g[0] if g[0] is not None else g[1]
        number = g[2] if g[2] is not None else g[3]
        return series, number, date, reg, g[5] or "", g[7] or None

    def flush(self, movements: MutableMapping[str, Decimal]) -> None:
        """Add the bucketed amounts to ``movements``."""
        for acc, bucket in self.buckets.items():
            if bucket:
                movements[acc] += sum(bucket, ZERO)
                bucket.clear()
