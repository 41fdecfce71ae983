"""Write SIE 4E (a whole bookkeeping) and SIE 4I (vouchers for import) files.

Output is CP437 with CRLF, every text quoted with ``"`` escaped as ``\\"``, control characters
replaced by spaces, amounts with two decimals, object codes quoted, and nothing that depends
on the clock or the machine: the same model always gives the same bytes. Characters CP437
lacks (``€``, emoji...) become ``?``, with a warning naming the first and the line it is in. SIE
cannot express a text ending in ``\\`` (it would read as an escaped quote), so such a text
gets a trailing space.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import logging
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator
from decimal import Decimal
from importlib import metadata
from pathlib import Path
from typing import Literal

from ledgerlink_core.errors import ValidationFailed
from ledgerlink_core.model import Bookkeeping, ObjectRef, Voucher, VoucherRow, exact_sum
from ledgerlink_core.sie import lexer
from ledgerlink_core.sie.ksumma import record_bytes

__all__ = ["SieKind", "amount", "date", "dumps_sie", "iter_lines", "q", "write_sie"]

SieKind = Literal["4E", "4I"]

_CTRL = {c: " " for c in (*range(32), 127)}
_DATES: dict[dt.date, str] = {}
_TEXTS: dict[str, str] = {}
_BARE: dict[str, str] = {}
_OBJECT_LISTS: dict[int, tuple[tuple[ObjectRef, ...], str]] = {}
_CP437 = codecs.charmap_build(bytes(range(256)).decode("cp437"))
_CP437_CHARS = frozenset(bytes(range(256)).decode("cp437"))
log = logging.getLogger("ledgerlink.sie")
EMPTY = '""'

_CHUNK = 16384  # lines per write


def _program_version() -> str:
    try:
        return metadata.version("ledgerlink-core")
    except metadata.PackageNotFoundError:  # pragma: no cover - running from a bare checkout
        return "0"


def q(text: str) -> str:
    """Quote a text field: escape ``"``, drop control characters, never end in ``\\``."""
    done = _TEXTS.get(text)
    if done is not None:
        return done
    t = text.translate(_CTRL)
    if '"' in t:
        t = t.replace('"', '\\"')
    if t.endswith("\\"):
        t += " "
    done = f'"{t}"'
    if len(_TEXTS) < 20_000:
        _TEXTS[text] = done
    return done


def amount(value: Decimal) -> str:
    """``-1250.00``: two decimals (more only when the value has them), never ``-0.00``."""
    s = str(value)
    if "E" in s:
        s = f"{value:f}"
    dot = s.find(".")
    if dot < 0:
        s += ".00"
    elif len(s) - dot == 2:
        s += "0"
    if s[0] == "-" and not value:
        s = s[1:]
    return s


def date(value: dt.date) -> str:
    """``YYYYMMDD``."""
    s = _DATES.get(value)
    if s is None:
        s = _DATES[value] = f"{value.year:04d}{value.month:02d}{value.day:02d}"
    return s


def _bare(token: str) -> str:
    """An account or code written bare when that is unambiguous, quoted otherwise."""
    done = _BARE.get(token)
    if done is None:
        done = token if token and token.isalnum() and token.isascii() else q(token)
        if len(_BARE) < 20_000:
            _BARE[token] = done
    return done


def _objects(objects: tuple[ObjectRef, ...]) -> str:
    if not objects:
        return "{}"
    # Keyed by identity (the reader shares equal lists); the tuple is kept alive with it.
    hit = _OBJECT_LISTS.get(id(objects))
    if hit is not None and hit[0] is objects:
        return hit[1]
    done = "{" + " ".join(f"{o.dimension} {q(o.number)}" for o in objects) + "}"
    if len(_OBJECT_LISTS) < 20_000:
        _OBJECT_LISTS[id(objects)] = (objects, done)
    return done


def _row(label: str, row: VoucherRow) -> str:
    """One ``#TRANS``/``#RTRANS``/``#BTRANS`` line; trailing absent fields are left out and
    absent ones before a present one written ``""``."""
    head = f"{label} {_bare(row.account)} {_objects(row.objects)} {amount(row.amount)}"
    day, text, qty, sign = row.date, row.text, row.quantity, row.sign
    if sign is None and qty is None:
        if text is None:
            return head if day is None else f"{head} {date(day)}"
        return f"{head} {date(day) if day else EMPTY} {q(text)}"
    tail = f"{date(day) if day else EMPTY} {q(text) if text else EMPTY}"
    tail += f" {amount(qty) if qty is not None else EMPTY}"
    if sign is not None:
        tail += f" {q(sign)}"
    return f"{head} {tail}"


def _voucher(v: Voucher, out: list[str]) -> None:
    """Append a voucher's lines: ``#VER``, ``{``, rows with their history in place, ``}``."""
    d = v.__dict__
    line = f"#VER {q(d['series'])} {q(d['number'] or '')} {date(d['date'])} {q(d['text'])}"
    reg, sign = d["reg_date"], d["sign"]
    if sign is not None:
        line += f" {date(reg) if reg else EMPTY} {q(sign)}"
    elif reg is not None:
        line += f" {date(reg)}"
    out.append(line)
    out.append("{")
    history = d["history"]
    if not history:
        out.extend([_row("#TRANS", row) for row in d["rows"]])
    else:
        h = 0
        for i, row in enumerate(d["rows"]):
            while h < len(history) and history[h].position <= i:
                change = history[h]
                out.append(_row("#RTRANS" if change.kind == "added" else "#BTRANS", change.row))
                h += 1
            out.append(_row("#TRANS", row))
        for change in history[h:]:
            out.append(_row("#RTRANS" if change.kind == "added" else "#BTRANS", change.row))
    out.append("}")


def _records(book: Bookkeeping, sie_type: SieKind) -> Iterator[str]:
    """Every line after ``#FLAGGA`` (and the opening ``#KSUMMA``), in the spec's order."""
    full = sie_type == "4E"
    c, s = book.company, book.source
    yield f'#PROGRAM "ledgerlink" {q(_program_version())}'
    yield "#FORMAT PC8"
    gen = s.generated_on or dt.date.today()
    yield f"#GEN {date(gen)}" + (f" {q(s.generated_by)}" if s.generated_by else "")
    yield "#SIETYP 4"
    if s.comment:
        yield f"#PROSA {q(s.comment)}"
    if c.company_type:
        yield f"#FTYP {q(c.company_type)}"
    if c.company_id:
        yield f"#FNR {q(c.company_id)}"
    if c.org_nr:
        yield f"#ORGNR {q(c.org_nr)}"
    if c.sni_code and full:
        yield f"#BKOD {q(c.sni_code)}"
    if c.address is not None:
        a = c.address
        yield f"#ADRESS {q(a.contact)} {q(a.street)} {q(a.postal)} {q(a.phone)}"
    yield f"#FNAMN {q(c.name)}"
    for y in book.fiscal_years:
        yield f"#RAR {y.index} {date(y.start)} {date(y.end)}"
    if c.taxation_year is not None:
        yield f"#TAXAR {c.taxation_year}"
    if s.balances_until is not None and full:
        yield f"#OMFATTN {date(s.balances_until)}"
    if c.chart_type:
        yield f"#KPTYP {q(c.chart_type)}"
    if c.currency and c.currency != "SEK":
        yield f"#VALUTA {q(c.currency)}"
    for acc in book.accounts:
        yield f"#KONTO {_bare(acc.number)} {q(acc.name)}"
        if acc.type is not None:
            yield f"#KTYP {_bare(acc.number)} {acc.type.value}"
        if acc.unit is not None:
            yield f"#ENHET {_bare(acc.number)} {q(acc.unit)}"
        for code in acc.sru:
            yield f"#SRU {_bare(acc.number)} {_bare(code)}"
    for d in book.dimensions:
        if d.parent is None:
            yield f"#DIM {d.number} {q(d.name)}"
        else:
            yield f"#UNDERDIM {d.number} {q(d.name)} {d.parent}"
    for o in book.objects:
        yield f"#OBJEKT {o.dimension} {q(o.number)} {q(o.name)}"
    if full:
        for label, balances in (
            ("IB", book.opening_balances),
            ("UB", book.closing_balances),
        ):
            for b in balances:
                line = f"#{label} {b.year_index} {_bare(b.account)} {amount(b.amount)}"
                yield line if b.quantity is None else f"{line} {amount(b.quantity)}"
        for label, obalances in (
            ("OIB", book.object_opening_balances),
            ("OUB", book.object_closing_balances),
        ):
            for ob in obalances:
                line = (
                    f"#{label} {ob.year_index} {_bare(ob.account)} {_objects((ob.object,))} "
                    f"{amount(ob.amount)}"
                )
                yield line if ob.quantity is None else f"{line} {amount(ob.quantity)}"
        for b in book.results:
            line = f"#RES {b.year_index} {_bare(b.account)} {amount(b.amount)}"
            yield line if b.quantity is None else f"{line} {amount(b.quantity)}"
        for label, periods in (("PSALDO", book.period_balances), ("PBUDGET", book.period_budgets)):
            for p in periods:
                line = (
                    f"#{label} {p.year_index} {p.period} {_bare(p.account)} "
                    f"{_objects(p.objects)} {amount(p.amount)}"
                )
                yield line if p.quantity is None else f"{line} {amount(p.quantity)}"
    out: list[str] = []
    for v in book.vouchers:
        _voucher(v, out)
        yield from out
        out.clear()


def _check_balanced(book: Bookkeeping) -> None:
    """Refuse, before writing anything, vouchers whose rows do not sum to zero (a model built
    without validation could hold one)."""
    bad = []
    for v in book.vouchers:
        try:
            total = exact_sum(r.amount for r in v.rows)
        except ValueError as exc:
            bad.append(f"voucher {v.label}: {exc}")
            continue
        if total != 0:
            bad.append(f"voucher {v.label} does not balance (rows sum to {total})")
    if bad:
        raise ValidationFailed(f"{len(bad)} unbalanced voucher(s); nothing written", bad)


def iter_lines(
    book: Bookkeeping, *, sie_type: SieKind = "4E", ksumma: bool = False
) -> Iterator[str]:
    """The lines of the file (without line ends), ``#FLAGGA 0`` first."""
    if sie_type not in ("4E", "4I"):
        raise ValueError(f"sie_type must be '4E' or '4I', not {sie_type!r}")
    _check_balanced(book)
    yield "#FLAGGA 0"
    if not ksumma:
        yield from _records(book, sie_type)
        return
    yield "#KSUMMA"
    crc = 0
    for line in _records(book, sie_type):
        if line not in ("{", "}"):
            # The checksum is over the fields as a reader sees them, so read them back.
            crc = zlib.crc32(record_bytes(lexer.tokenize(line)), crc)
        yield line
    yield f"#KSUMMA {crc}"


def _encode(lines: list[str]) -> bytes:
    """CRLF-terminated CP437 bytes (``?`` for what CP437 lacks, with a warning that names the
    first such character and its line). ``codecs.charmap_encode`` with a built map is
    several times faster than ``str.encode("cp437")``; the strict attempt costs nothing
    when every character fits, which is the usual case."""
    lines.append("")
    text = "\r\n".join(lines)
    try:
        return codecs.charmap_encode(text, "strict", _CP437)[0]
    except UnicodeEncodeError as err:
        lost = sum(1 for c in text if ord(c) > 127 and c not in _CP437_CHARS)
        start = text.rfind("\n", 0, err.start) + 1
        end = text.find("\r", err.start)
        log.warning(
            "%d character(s) SIE's CP437 lacks are written as '?'; the first, %r, in: %s",
            lost,
            text[err.start],
            text[start : end if end >= 0 else None],
        )
        return codecs.charmap_encode(text, "replace", _CP437)[0]


def _chunks(
    book: Bookkeeping,
    sie_type: SieKind,
    ksumma: bool,
    on_vouchers: Callable[[int], None] | None = None,
) -> Iterator[bytes]:
    if ksumma:
        buf: list[str] = []
        for line in iter_lines(book, sie_type=sie_type, ksumma=True):
            buf.append(line)
            if len(buf) >= _CHUNK:
                yield _encode(buf)
                buf = []
        if buf:
            yield _encode(buf)
        return
    _check_balanced(book)
    out = ["#FLAGGA 0", *_records(book.model_copy(update={"vouchers": ()}), sie_type)]
    done = 0
    for v in book.vouchers:
        _voucher(v, out)
        done += 1
        if len(out) >= _CHUNK:
            yield _encode(out)
            out = []
            if on_vouchers is not None:
                on_vouchers(done)
                done = 0
    if out:
        yield _encode(out)
    if on_vouchers is not None and done:
        on_vouchers(done)


def dumps_sie(book: Bookkeeping, *, sie_type: SieKind = "4E", ksumma: bool = False) -> bytes:
    """The SIE 4E or 4I file for ``book``, as bytes (CP437, CRLF)."""
    return b"".join(_chunks(book, sie_type, ksumma))


def write_sie(
    book: Bookkeeping,
    path: str | os.PathLike[str],
    *,
    sie_type: SieKind = "4E",
    ksumma: bool = False,
    on_vouchers: Callable[[int], None] | None = None,
) -> None:
    """Write ``book`` to ``path`` atomically: a temp file in the same directory, then a rename.

    Unbalanced vouchers are refused (``ValidationFailed``) before anything is written.
    ``on_vouchers(n)`` is told, as the file is written, that ``n`` more vouchers are in it
    (for a progress bar; not called with ``ksumma``).
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    chunks = _chunks(book, sie_type, ksumma, on_vouchers)
    first = next(chunks)  # validates before a file is created
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(first)
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
