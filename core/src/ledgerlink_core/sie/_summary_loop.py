"""The SIE reader's hot loop for summary mode (``check_sie``): count, check and sum, keep no
rows, yield records only.

It takes the same lines as the model loop (``_model_loop``, whose docstring says why both
look the way they do) and falls back to the same general path, but builds nothing it can do
without:

- A voucher of the usual shape is never made into an object: while nothing needs one it is
  ``lazy``, a tuple of its line, series, number and date (series and number still bytes).
  It is put into the one reused :class:`SieVoucher` (``_reopen``) only when something needs
  it: a problem to report (unbalanced, outside ``#RAR 0``), or a line for the general path.
- A row's amount is appended to its account's list (the head cache holds the list) instead
  of being added into a dict of ``Decimal``; the lists are summed into the movements every
  ``FLUSH_ROWS`` rows, so that they stay in the CPU cache and memory stays flat.
- Only vouchers inside ``#RAR 0`` count towards the movements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal, Inexact, getcontext

from ledgerlink_core.sie._general import FLUSH_ROWS, GeneralPath
from ledgerlink_core.sie._scan import AMOUNT_CHARS, MISSING, ZERO, Decode
from ledgerlink_core.sie.records import SieRecord
from ledgerlink_core.sie.voucher import SieVoucher

#: A voucher not made into an object (yet): line, series, number, date.
_Lazy = tuple[int, str | bytes, str | bytes | None, dt.date]


def _reopen(scratch: SieVoucher, lazy: _Lazy, decode: Decode) -> SieVoucher:
    """Put a lazy voucher into the reused voucher object (its rows are summed apart),
    decoding its series and number."""
    line, series, number, date = lazy
    return scratch.reset(
        line,
        series if isinstance(series, str) else decode(series),
        number if not isinstance(number, bytes) else decode(number),
        date,
    )


def summary_loop(
    g: GeneralPath, lines: Iterator[tuple[int, bytes]]
) -> Iterator[SieRecord | SieVoucher]:
    """Read the numbered ``lines`` of a file: yield its records (only: summary mode closes
    vouchers into nothing); sum the vouchers inside ``#RAR 0`` into the reader's
    ``movements`` and report what is wrong."""
    c = g.caches
    heads, rests, head_of, rest_of = c.heads, c.rests, c.head, c.rest
    ver_dates, ver_regs, ver_date, match_ver = c.ver_dates, c.ver_regs, c.ver_date, c.match_ver
    decode, flush = c.decode, c.flush
    general, close = g.line, g.close_block
    outside_year, twin_row = g.outside_year, g.twin_row
    reader, scratch = g.reader, g.scratch
    movements = reader.movements
    amount_chars, D, zero, missing = AMOUNT_CHARS, Decimal, ZERO, MISSING
    state, ver, total, twin, in_year = g.state, g.ver, g.total, g.twin, g.in_year
    lazy: _Lazy | None = None
    flags, inexact = getcontext().flags, Inexact  # a sum rounded to 28 digits is redone
    flags[inexact] = False  # (set by whatever ran before: not this file's sums)
    series: str | bytes
    number: str | bytes
    lineno = 0
    for lineno, line in lines:
        while True:  # `line` again when the rows below stop at it
            if state == 1 and line == b"{" and g.crc is None:
                state = 2
            else:
                if state == 0 and line[:5] == b"#VER " and g.crc is None:
                    p = line.split(b'"')
                    if len(p) == 7 and p[2] == b" " and p[0] == b"#VER " and b"\\" not in line:
                        date = ver_dates.get(p[4], missing)
                        reg = ver_regs.get(p[6], missing)
                        if date is missing or reg is missing:
                            date, reg = ver_date(p[4], p[6])
                        series, number = p[1], p[3]  # decoded only to report the voucher
                    else:
                        series, number, date, reg, _, _ = match_ver(line)
                    if date is not missing and date is not None and reg is not missing:
                        g.nver += 1
                        if number:
                            g.numbered(
                                series if isinstance(series, str) else decode(series),
                                number if isinstance(number, str) else decode(number),
                                lineno,
                            )
                        if g.ntrans > g.flush_at:
                            flush(movements)
                            g.flush_at = g.ntrans + FLUSH_ROWS
                        ver, lazy = None, (lineno, series, number or None, date)
                        twin, in_year = False, True
                        year = g.year
                        if year is None and reader.year0 is not None:
                            year = g.year = (reader.year0.start, reader.year0.end)
                        if year is not None and not year[0] <= date <= year[1]:
                            ver, lazy = _reopen(scratch, lazy, decode), None
                            outside_year(ver)
                            in_year = False
                        state = 1
                        break
                elif state == 2 and line == b"}":
                    if lazy is not None:
                        if not total and not flags[inexact]:  # balanced (and summed exactly):
                            # the voucher was only ever a tuple
                            # (a zero such as 0.00 would carry its exponent into the next sum)
                            lazy, state, total = None, 0, zero
                            break
                        ver, lazy = _reopen(scratch, lazy, decode), None
                    if ver is not None:
                        close(ver, total)
                    ver, state, total = None, 0, zero
                    break
                if lazy is not None:
                    ver, lazy = _reopen(scratch, lazy, decode), None
                g.state, g.ver = state, ver
                g.total, g.twin = total, twin
                g.in_year = in_year
                record = general(lineno, line)
                state, ver = g.state, g.ver
                total, twin = g.total, g.twin
                in_year = g.in_year
                if record is not None:
                    yield record
                if state != 2:
                    break
            # Inside a block: the plain #TRANS rows after `line`, in a loop of their own.
            start = lineno
            for lineno, line in lines:
                head, sep, tail = line.partition(b"} ")
                try:
                    hv = heads[head]  # false for anything but the head of a plain #TRANS
                except KeyError:
                    hv = head_of(head, sep, lineno)
                if not hv:
                    break
                amt, _, rest = tail.partition(b" ")
                try:
                    rv = rests[rest]
                except KeyError:
                    rv = rest_of(rest)
                if not rv or amt.strip(amount_chars):
                    break
                try:
                    amount = D(amt.decode())
                except ArithmeticError:
                    break
                total += amount
                if twin and ver is not None:
                    twin = False
                    twin_row(ver, hv[0], hv[2], amount)
                if in_year:
                    hv[3].append(amount)
            else:
                g.ntrans += lineno - start
                break  # the file ends inside the block
            g.ntrans += lineno - start - 1  # the rows before `line`
    if lazy is not None:
        ver = _reopen(scratch, lazy, decode)
    g.state, g.ver = state, ver
    g.total = total
    yield from g.end(lineno)
