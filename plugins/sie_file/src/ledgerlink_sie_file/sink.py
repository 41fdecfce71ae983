"""Export into a SIE file: a batch sink, since a file is written whole.

:meth:`SieFileSink.held` reads the target file (strictly: a file that cannot be read
completely is never rewritten) and :meth:`SieFileSink.write_all` writes it again with the new
vouchers added, atomically (a temp file, then a rename), keeping everything it held. A new
file is SIE 4I; an existing 4E bookkeeping stays 4E, with its chart, years and balances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from ledgerlink_core import (
    BatchSink,
    Bookkeeping,
    CompanyInfo,
    HeldVoucher,
    SieKind,
    SourceInfo,
    Voucher,
    VoucherRef,
    read_sie,
    write_sie,
)

from ledgerlink_sie_file.settings import SieFileSettings


def _placement(voucher: Voucher, position: int) -> VoucherRef:
    """Series and number in the file: the voucher's own number, else its position."""
    return VoucherRef(series=voucher.series, number=voucher.number or f"#{position}")


class SieFileSink(BatchSink):
    """The file ``settings.path`` as an export target."""

    def __init__(self, settings: SieFileSettings) -> None:
        self.settings = settings
        self._book: Bookkeeping | None = None
        self._kind: SieKind = "4I"

    def held(self) -> Sequence[HeldVoucher]:
        """The vouchers the file holds (none when it does not exist yet)."""
        s = self.settings
        today = dt.date.today()
        if not s.path.exists():
            company = CompanyInfo(name=s.company_name, org_nr=s.org_nr)
            self._book = Bookkeeping(
                company=company, source=SourceInfo(generated_on=today, sie_type="4I")
            )
            self._kind = "4I"
            return []
        doc = read_sie(s.path, strict=True)
        self._kind = "4I" if doc.info.sie_type == "4I" else "4E"
        source = doc.bookkeeping.source.model_copy(
            update={"generated_on": today, "sie_type": self._kind}
        )
        self._book = doc.bookkeeping.model_copy(update={"source": source})
        return [
            HeldVoucher(_placement(v, n), v) for n, v in enumerate(self._book.vouchers, start=1)
        ]

    def write_all(self, vouchers: Sequence[Voucher]) -> Sequence[VoucherRef]:
        """Write the file with ``vouchers`` after those it held, in one atomic replace."""
        if self._book is None:
            self.held()
        assert self._book is not None
        held = self._book.vouchers
        book = self._book.model_copy(update={"vouchers": (*held, *vouchers)})
        write_sie(book, self.settings.path, sie_type=self._kind, ksumma=self.settings.ksumma)
        self._book = book
        return [_placement(v, n) for n, v in enumerate(vouchers, start=len(held) + 1)]
