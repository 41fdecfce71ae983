"""The SIE reader's hot loop for the model modes: vouchers yielded one at a time
(``iter_sie``), or appended to a sink as canonical models (``read_sie``).

It runs once per line of files with millions of rows, which is why it looks the way it does:

- Everything it uses is bound to a local variable first: a local costs a fraction of an
  attribute or a global, and the loop is one function so that the state of the open block
  (``state``, ``ver``, ``total``...) stays in locals too.
- The usual lines are taken without tokenising. A ``#VER`` of the usual shape
  (``#VER "A" "12" 20250105 "text" 20250105``) is split on ``"`` as bytes and its dates come
  from a cache by the bytes around them; other usual shapes go to a regex
  (:meth:`~ledgerlink_core.sie._scan.Caches.match_ver`).
- Inside a block, plain ``#TRANS`` rows run in a loop of their own: a row is split at its
  ``} `` and its amount, head and tail are looked up in caches (``_scan``), only the amount is
  decoded, and rows are counted from line numbers rather than one by one.
- Any other line, and any line a cache marks unusual, goes to the general path
  (:meth:`~ledgerlink_core.sie._general.GeneralPath.line`) with the open block handed over in
  its attributes and taken back after; it reads, checks and reports the line as if no hot
  path existed, and the loop yields the record it returns.

The row scan and the ``#VER`` split stand in the summary loop too, on purpose: the two loops
differ in what they do with a row, and a function call per row to share the scan costs more
than it saves (measured: 6% more work per row in ``check``).

Sink mode reuses one :class:`SieVoucher` for every voucher and keeps only ``to_model()`` of
each good one; yield mode hands a new one out per ``#VER``.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from ledgerlink_core.sie._fastbuild import new_row
from ledgerlink_core.sie._general import GeneralPath
from ledgerlink_core.sie._scan import AMOUNT_CHARS, MISSING, ZERO
from ledgerlink_core.sie.records import SieRecord
from ledgerlink_core.sie.voucher import SieVoucher


def model_loop(
    g: GeneralPath, lines: Iterator[tuple[int, bytes]]
) -> Iterator[SieRecord | SieVoucher]:
    """Read the numbered ``lines`` of a file: yield its records and, in yield mode, its
    vouchers (in sink mode the good ones go to the sink)."""
    c = g.caches
    heads, rests, head_of, rest_of = c.heads, c.rests, c.head, c.rest
    ver_dates, ver_regs, ver_date, match_ver = c.ver_dates, c.ver_regs, c.ver_date, c.match_ver
    decode = c.decode
    general, close, out = g.line, g.close_block, g.out
    outside_year, twin_row = g.outside_year, g.twin_row
    reader = g.reader
    reuse = g.scratch if g.sink is not None else None
    series_cache: dict[str, str] = {}
    amount_chars, D, zero, missing, row_of = AMOUNT_CHARS, Decimal, ZERO, MISSING, new_row
    state, ver, total, twin = g.state, g.ver, g.total, g.twin
    sign: str | None
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
                        # ASCII (the usual case) decodes the same in every encoding
                        series = p[1].decode() if p[1].isascii() else decode(p[1])
                        number = p[3].decode() if p[3].isascii() else decode(p[3])
                        text = p[5].decode() if p[5].isascii() else decode(p[5])
                        sign = None
                    else:
                        series, number, date, reg, text, sign = match_ver(line)
                    if date is not missing and date is not None and reg is not missing:
                        g.nver += 1
                        series = series_cache.setdefault(series, series)
                        if number:
                            g.numbered(series, number, lineno)
                        if reuse is None:
                            ver = SieVoucher(lineno, series, number or None, date, text, reg, sign)
                        else:
                            ver = reuse.reset(lineno, series, number or None, date, text, reg, sign)
                        twin = False
                        year = g.year
                        if year is None and reader.year0 is not None:
                            year = g.year = (reader.year0.start, reader.year0.end)
                        if year is not None and not year[0] <= date <= year[1]:
                            outside_year(ver)
                        state = 1
                        break
                elif state == 2 and line == b"}":
                    assert ver is not None  # a block in state 2 has its #VER
                    done = close(ver, total)
                    ver, state, total = None, 0, zero
                    if done is not None:
                        yield done
                    break
                g.state, g.ver = state, ver
                g.total, g.twin = total, twin
                record = general(lineno, line)
                state, ver = g.state, g.ver
                total, twin = g.total, g.twin
                if out:
                    yield from out
                    out.clear()
                if record is not None:
                    yield record
                if state != 2:
                    break
            # Inside a block: the plain #TRANS rows after `line`, in a loop of their own.
            assert ver is not None
            append = ver.rows.append
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
                if twin:
                    twin = False
                    twin_row(ver, hv[0], hv[2], amount)
                append(row_of(hv[0], amount, hv[1], rv))
            else:
                g.ntrans += lineno - start
                break  # the file ends inside the block
            g.ntrans += lineno - start - 1  # the rows before `line`
    g.state, g.ver = state, ver
    g.total = total
    yield from g.end(lineno)
