"""The SIE reader: :func:`iter_sie` streams a file, :func:`read_sie` loads it whole.

:class:`SieReader` (what :func:`iter_sie` returns) reads in one pass, one record or voucher at
a time, in bounded memory. It yields a :class:`SieRecord` for every record outside a voucher
and a :class:`SieVoucher` for every ``#VER`` with its ``{ ... }`` block, rows already typed.
It handles the encoding, line numbers, the block structure and ``#KSUMMA``; after the
iteration its ``encoding``, ``ksumma``, ``lines`` and ``problems`` describe the file.

:func:`read_sie` runs it with a sink for the vouchers and hands every other record to the
``BookkeepingBuilder`` of ``document.py``. This module is the front; the pass itself is in
private modules, one job each:

- ``_scan``: lines as bytes, the decoder, and the caches of what the hot loops checked;
- ``_model_loop`` and ``_summary_loop``: the hot loops, one for the model modes (vouchers
  yielded, or appended to a sink as canonical models) and one for summary mode (``check``);
- ``_general``: the general path both loops fall back to for anything but the usual lines
  (tokenise, check, report), and the one place a voucher block is closed;
- ``_fastbuild``: canonical models built without pydantic's validation.

``bench/README.md`` says what each shortcut saves.
"""

from __future__ import annotations

import gc
import os
from collections import defaultdict
from collections.abc import Callable, Iterator
from decimal import Decimal
from itertools import chain
from typing import Literal

from ledgerlink_core.model import FiscalYear, Voucher
from ledgerlink_core.sie._general import GeneralPath
from ledgerlink_core.sie._model_loop import model_loop
from ledgerlink_core.sie._scan import Caches, Source, decoder, line_blocks, open_source
from ledgerlink_core.sie._summary_loop import summary_loop
from ledgerlink_core.sie.document import BookkeepingBuilder, SieDocument
from ledgerlink_core.sie.encoding import detect_encoding
from ledgerlink_core.sie.problems import Problems, SieError
from ledgerlink_core.sie.records import SieRecord
from ledgerlink_core.sie.voucher import SieVoucher

__all__ = ["KsummaStatus", "SieReader", "Source", "iter_sie", "read_sie"]

KsummaStatus = Literal["valid", "invalid", "absent"]


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
        self._iter: Iterator[SieRecord | SieVoucher] | None = None

    def __iter__(self) -> Iterator[SieRecord | SieVoucher]:
        # The generator itself, so that a for loop does not pay for __next__ on every item.
        if self._iter is None:
            self._iter = self._run()
        return self._iter

    def __next__(self) -> SieRecord | SieVoucher:
        if self._iter is None:
            self._iter = self._run()
        return next(self._iter)

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
                caches = Caches(decoder(self.encoding or "cp437"), self.first_use)
                lines = enumerate(chain.from_iterable(line_blocks(raw, on_read=self.on_read)), 1)
                loop = summary_loop if self.summary else model_loop
                yield from loop(GeneralPath(self, caches), lines)
            except OSError as err:
                raise SieError(f"cannot read the file: {err}", path=self.name) from None


def iter_sie(source: Source, *, strict: bool = True, name: str | None = None) -> SieReader:
    """Stream a SIE file: yields :class:`SieRecord` and :class:`SieVoucher` one at a time.

    Memory stays bounded (one voucher at a time). In strict mode the first error raises
    :class:`SieError`; otherwise problems collect in ``reader.problems``. Unreadable input
    (not SIE, binary, a truncated ``#KSUMMA`` file) raises in both modes.
    """
    return SieReader(source, strict=strict, name=name)


def read_sie(
    source: Source,
    *,
    strict: bool = True,
    name: str | None = None,
    on_read: Callable[[int], None] | None = None,
) -> SieDocument:
    """Read a whole SIE file (types 1, 2, 3, 4E, 4I) into the canonical model.

    ``source`` is a path or the file's bytes; ``name`` names it in messages. Strict mode raises
    :class:`~ledgerlink_core.sie.problems.SieError` (file, line, what was expected) on the first
    error; lenient mode collects problems and leaves broken or unbalanced vouchers out.
    Warnings (unknown records, extra fields...) never raise. ``on_read`` is told the size of
    each block read (progress).
    """
    vouchers: list[Voucher] = []
    reader = SieReader(source, strict=strict, name=name, sink=vouchers, on_read=on_read)
    builder = BookkeepingBuilder(reader.problems)
    builder.vouchers = vouchers
    record = builder.record
    # Millions of new, acyclic objects: the cyclic GC would rescan them again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for item in reader:  # records only: the vouchers go to the sink
            assert isinstance(item, SieRecord)
            record(item)
        book, info = builder.build(reader)
    finally:
        if collecting:
            gc.enable()
    problems = sorted(reader.problems.items, key=lambda p: (p.line is None, p.line or 0))
    return SieDocument(bookkeeping=book, info=info, problems=problems)
