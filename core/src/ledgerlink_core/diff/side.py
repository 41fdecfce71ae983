"""One of the two files being compared: its reader, and what the diff keeps of it besides
the vouchers (balances, names, header facts), and the key each of its vouchers is matched by.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

from ledgerlink_core.diff.balances import BALANCE_KINDS, BalanceTable
from ledgerlink_core.diff.chart import Chart
from ledgerlink_core.diff.report import DuplicateVoucher, SieFileSide
from ledgerlink_core.diff.seen import SeenNumbers
from ledgerlink_core.model import Dimension, DimensionObject
from ledgerlink_core.sie import SieReader, SieRecord, SieVoucher
from ledgerlink_core.sie.document import sie_type_of
from ledgerlink_core.sie.reader import Source
from ledgerlink_core.sie.records import parse_record

__all__ = ["Side", "VoucherKey"]

#: How a voucher is matched: series, number (None for an unnumbered one), and the occurrence
#: of that series and number in its file (for an unnumbered one: its place among the series'
#: unnumbered vouchers).
VoucherKey = tuple[str, str | None, int]

_HEADER_LABELS = frozenset({"#FNAMN", "#PROGRAM", "#SIETYP"})


class Side:
    """One file, read strictly (its first error raises ``SieError`` with file and line)."""

    def __init__(
        self,
        which: Literal["old", "new"],
        source: Source,
        name: str | None,
        on_read: Callable[[int], None] | None,
    ) -> None:
        self.which = which
        self.reader = SieReader(source, strict=True, name=name, on_read=on_read)
        self.balances = BalanceTable()
        self.chart = Chart()
        self.header: dict[str, Any] = {}
        self.vouchers = 0
        self.duplicates: list[DuplicateVoucher] = []
        self._seen = SeenNumbers()
        self._unnumbered: dict[str, int] = {}
        self._repeats: dict[tuple[str, str], int] = {}

    def stream(self) -> Iterator[SieVoucher]:
        """The file's vouchers, one at a time; its other records are taken in on the way."""
        record = self.record
        for item in self.reader:
            if type(item) is SieVoucher:
                yield item
            else:
                record(item)  # type: ignore[arg-type]

    def record(self, rec: SieRecord) -> None:
        """Keep what one non-voucher record says. Every record is parsed, so that a broken
        one raises in this strict read even where the diff does not compare it."""
        value = parse_record(rec, self.reader.problems)
        if value is None:
            return  # unknown, or `#OIB 0 1930 {} 100`: the account total, which #IB carries
        label = rec.label
        if label in BALANCE_KINDS:
            self.balances.add(label, value)
        elif label == "#KONTO":
            self.chart.accounts[value[0]] = value[1]
        elif label == "#OBJEKT":
            obj: DimensionObject = value
            self.chart.objects[(obj.dimension, obj.number)] = obj.name
        elif label in ("#DIM", "#UNDERDIM"):
            dim: Dimension = value
            self.chart.dimensions[dim.number] = dim.name
        elif label in _HEADER_LABELS:
            self.header[label] = value

    def key(self, ver: SieVoucher) -> tuple[VoucherKey, int | None]:
        """The key ``ver`` is matched by, and its position when it has no number; a number
        the file used before is noted in ``duplicates``."""
        self.vouchers += 1
        series, number = ver.series, ver.number
        if number is None:
            position = self._unnumbered[series] = self._unnumbered.get(series, 0) + 1
            return (series, None, position), position
        if self._seen.add(series, number):
            return (series, number, 1), None
        occurrence = self._repeats[(series, number)] = self._repeats.get((series, number), 1) + 1
        self.duplicates.append(
            DuplicateVoucher(
                side=self.which, series=series, number=number, occurrence=occurrence, line=ver.line
            )
        )
        return (series, number, occurrence), None

    def info(self) -> SieFileSide:
        """What the file is (once it has been read to its end)."""
        reader = self.reader
        declared = self.header.get("#SIETYP")
        program = self.header.get("#PROGRAM")
        return SieFileSide(
            file=reader.name,
            sie_type=sie_type_of(declared, reader.has_balances),
            program=program[0] if isinstance(program, tuple) else None,
            company=self.header.get("#FNAMN"),
            encoding=reader.encoding or "cp437",
            lines=reader.lines,
            vouchers=self.vouchers,
        )
