"""Export into a SIE file: a batch sink, since a file is written whole.

* :meth:`SieFileSink.locked` holds a lock on the target itself (a sibling lock file,
  ``.<name>.lock``, via ``filelock``), so two pushes into one file, from two data
  directories or users, cannot lose each other's vouchers: the second is refused while the
  first runs.
* :meth:`SieFileSink.held` checks the target first (its folder exists, it is writable) and
  reads it strictly: a file that cannot be read completely is never rewritten. Core matches
  the vouchers against what the file holds, not against its journal.
* :meth:`SieFileSink.write_all` writes it again with the new vouchers added, atomically (a
  temp file, then a rename), keeping everything it held and its mode. A new file is SIE 4I;
  an existing 4E bookkeeping stays 4E, with its chart and years, and its ``#UB``, ``#RES`` and
  ``#PSALDO`` of year 0 moved by the new vouchers the way ``ledgerlink check`` counts them,
  so the file stays valid. A file with a valid ``#KSUMMA`` keeps one.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import stat
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout
from ledgerlink_core import (
    Balance,
    BatchSink,
    Bookkeeping,
    CompanyInfo,
    ExportBusy,
    ExportRefused,
    HeldVoucher,
    InputError,
    PeriodBalance,
    SieKind,
    SourceInfo,
    Voucher,
    VoucherRef,
    read_sie,
    write_sie,
)

from ledgerlink_sie_file.settings import SieFileSettings

_ZERO = Decimal(0)


def _placement(voucher: Voucher, position: int) -> VoucherRef:
    """Series and number in the file: the voucher's own number, else its place in the file
    (1-based)."""
    return VoucherRef(series=voucher.series, number=voucher.number or f"#{position}")


def lock_path(path: Path) -> Path:
    """The lock file of the target ``path``: ``.<name>.lock`` beside it."""
    return path.with_name(f".{path.name}.lock")


def check_target(path: Path) -> None:
    """Refuse, before anything is journaled, a target that cannot be written: its folder is
    missing, or it is not a regular file, or it is read-only."""
    folder = path.parent
    if not folder.is_dir():
        raise InputError(
            f"the folder {folder} does not exist; create it or choose another --set path",
            path=path,
        )
    if not path.exists():
        if not os.access(folder, os.W_OK):
            raise InputError(f"the folder {folder} is not writable", path=path)
        return
    if not path.is_file():
        raise InputError("not a regular file; choose a SIE file to write", path=path)
    mode = path.stat().st_mode
    if not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) or not os.access(path, os.W_OK):
        raise InputError(
            "the file is read-only; make it writable (chmod u+w) to push into it", path=path
        )


def _moved(book: Bookkeeping, vouchers: Sequence[Voucher]) -> Bookkeeping:
    """``book`` with year 0's ``#UB``, ``#RES`` and ``#PSALDO`` moved by ``vouchers``, by the
    rule ``ledgerlink check`` applies: an account with a ``#RES``, or with neither ``#IB`` nor
    ``#UB`` and a number starting 3-8, is a result account; every other one is a balance
    account. Nothing changes in a file without closing balances or results."""
    if not (book.closing_balances or book.results):
        return book
    movements: dict[str, Decimal] = {}
    periods: dict[tuple[str, str], Decimal] = {}
    for v in vouchers:
        for r in v.rows:
            movements[r.account] = movements.get(r.account, _ZERO) + r.amount
            key = (f"{(r.date or v.date):%Y%m}", r.account)
            periods[key] = periods.get(key, _ZERO) + r.amount
    ib = {b.account for b in book.opening_balances if b.year_index == 0}
    ub = {b.account for b in book.closing_balances if b.year_index == 0}
    res = {b.account for b in book.results if b.year_index == 0}
    to_res = {
        a: m
        for a, m in movements.items()
        if a in res or (a not in ib and a not in ub and a[:1] in "345678")
    }
    to_ub = {a: m for a, m in movements.items() if a not in to_res}
    update: dict[str, Any] = {
        "closing_balances": _add(book.closing_balances, to_ub),
        "results": _add(book.results, to_res),
    }
    if book.period_balances:
        update["period_balances"] = _add_periods(book.period_balances, periods)
    return book.model_copy(update=update)


def _add(balances: tuple[Balance, ...], moves: dict[str, Decimal]) -> tuple[Balance, ...]:
    left = dict(moves)
    out = []
    for b in balances:
        if b.year_index == 0 and b.account in left:
            b = b.model_copy(update={"amount": b.amount + left.pop(b.account)})
        out.append(b)
    out += [Balance(year_index=0, account=a, amount=m) for a, m in sorted(left.items())]
    return tuple(out)


def _add_periods(
    balances: tuple[PeriodBalance, ...], moves: dict[tuple[str, str], Decimal]
) -> tuple[PeriodBalance, ...]:
    left = dict(moves)
    out = []
    for b in balances:
        key = (b.period, b.account)
        if b.year_index == 0 and not b.objects and key in left:
            b = b.model_copy(update={"amount": b.amount + left.pop(key)})
        out.append(b)
    out += [
        PeriodBalance(year_index=0, period=p, account=a, amount=m)
        for (p, a), m in sorted(left.items())
    ]
    return tuple(out)


class SieFileSink(BatchSink):
    """The file ``settings.path`` as an export target."""

    def __init__(self, settings: SieFileSettings) -> None:
        self.settings = settings
        self._book: Bookkeeping | None = None
        self._kind: SieKind = "4I"
        self._ksumma = settings.ksumma
        self._mode: int | None = None
        self._owner: tuple[int, int] | None = None

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold ``.<name>.lock`` beside the target for the run; refuse when another push
        holds it."""
        path = self.settings.path
        check_target(path)
        lock = FileLock(lock_path(path), timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise ExportBusy(
                f"another push is writing {path} (it holds {lock_path(path)}); wait for it to "
                "finish and push again"
            ) from None
        except OSError as exc:
            raise InputError(
                f"cannot lock the target: {exc.strerror or exc}", path=lock_path(path)
            ) from None
        try:
            yield
        finally:
            lock.release()

    def held(self) -> Sequence[HeldVoucher]:
        """The vouchers the file holds (none when it does not exist yet)."""
        s = self.settings
        today = dt.date.today()
        check_target(s.path)
        if not s.path.exists():
            company = CompanyInfo(name=s.company_name, org_nr=s.org_nr)
            self._book = Bookkeeping(
                company=company, source=SourceInfo(generated_on=today, sie_type="4I")
            )
            self._kind = "4I"
            return []
        st = s.path.stat()
        self._mode, self._owner = stat.S_IMODE(st.st_mode), (st.st_uid, st.st_gid)
        doc = read_sie(s.path, strict=True)
        self._kind = "4I" if doc.info.sie_type == "4I" else "4E"
        self._ksumma = s.ksumma or doc.info.ksumma == "valid"
        source = doc.bookkeeping.source.model_copy(
            update={"generated_on": today, "sie_type": self._kind}
        )
        self._book = doc.bookkeeping.model_copy(update={"source": source})
        return [
            HeldVoucher(_placement(v, n), v) for n, v in enumerate(self._book.vouchers, start=1)
        ]

    def write_all(self, vouchers: Sequence[Voucher]) -> Sequence[VoucherRef]:
        """Write the file with ``vouchers`` after those it held, in one atomic replace; an
        I/O error (a full disk) is a refusal naming the file: the old file is untouched."""
        if self._book is None:
            self.held()
        assert self._book is not None
        held = self._book.vouchers
        book = _moved(self._book, vouchers) if self._kind == "4E" else self._book
        book = book.model_copy(update={"vouchers": (*held, *vouchers)})
        path = self.settings.path
        try:
            write_sie(book, path, sie_type=self._kind, ksumma=self._ksumma)
        except OSError as exc:
            raise ExportRefused(
                f"cannot write {path}: {exc.strerror or exc}; nothing was written"
            ) from None
        if self._mode is not None:
            with contextlib.suppress(OSError):
                os.chmod(path, self._mode)
            if self._owner is not None and os.geteuid() == 0:
                with contextlib.suppress(OSError):
                    os.chown(path, *self._owner)
        self._book = book
        return [_placement(v, n) for n, v in enumerate(vouchers, start=len(held) + 1)]
