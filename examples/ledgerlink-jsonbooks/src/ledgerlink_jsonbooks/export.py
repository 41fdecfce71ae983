"""Export into the folder, exactly once: a ``VoucherSink`` that core's export engine drives.

The engine journals every step; this sink only has to write and to find what it wrote.
``exports.json`` is written *before* the bookkeeping, so after a crash a reference whose
voucher is not in the bookkeeping is known to be absent and is posted again.
"""

from __future__ import annotations

import hashlib
import shutil
from decimal import Decimal

from ledgerlink_core import (
    AccountType,
    AttachmentRef,
    Balance,
    Bookkeeping,
    Voucher,
    VoucherExport,
    VoucherRef,
    VoucherSink,
)

from ledgerlink_jsonbooks.store import Folder

EXPORTS = "exports.json"
CONNECTED = "attachments.json"


def _key(placement: VoucherRef) -> str:
    return f"{placement.series} {placement.number} {placement.year}"


class FolderSink(VoucherSink):
    """Writes vouchers and attachments into a :class:`Folder` (one thread at a time)."""

    def __init__(self, folder: Folder) -> None:
        self.folder = folder

    # --- vouchers -------------------------------------------------------------------------------

    def post_voucher(self, item: VoucherExport) -> VoucherRef:
        """Append the voucher with the next number of its series; update the balances."""
        book = self.folder.read_book()
        year = book.fiscal_year(0)
        assert year is not None  # validation refused dates outside the year
        chosen = item.voucher.series or "A"
        numbers = [int(v.number) for v in book.vouchers if v.series == chosen and v.number]
        placement = VoucherRef(
            series=chosen, number=str(max(numbers, default=0) + 1), year=year.end.year
        )
        exports = self.folder.read_json(EXPORTS, {})
        exports[item.external_ref] = placement.model_dump()
        self.folder.write_json(EXPORTS, exports)
        voucher = item.voucher.model_copy(
            update={"series": placement.series, "number": placement.number}
        )
        self.folder.write_book(_with_voucher(book, voucher))
        return placement

    def find_voucher(self, item: VoucherExport) -> VoucherRef | None:
        """Where the voucher went, if it is really in the bookkeeping."""
        raw = self.folder.read_json(EXPORTS, {}).get(item.external_ref)
        if raw is None:
            return None
        placement = VoucherRef.model_validate(raw)
        book = self.folder.read_book()
        present = any(
            v.series == placement.series and v.number == placement.number for v in book.vouchers
        )
        return placement if present else None

    # --- attachments ----------------------------------------------------------------------------

    def _stored_name(self, att: AttachmentRef) -> str:
        return f"{att.sha256[:16]}-{att.filename}"

    def upload_attachment(self, item: VoucherExport, idx: int, att: AttachmentRef) -> str:
        """Copy the document into ``attachments/``; its id is its content hash and name."""
        name = self._stored_name(att)
        target = self.folder.directory / "attachments" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{name}.tmp")
        shutil.copyfile(att.path, tmp)
        if hashlib.sha256(tmp.read_bytes()).hexdigest() != att.sha256:
            tmp.unlink()
            raise ValueError(f"{att.path} changed while it was being exported")
        tmp.replace(target)
        return name

    def find_attachment(self, item: VoucherExport, idx: int, att: AttachmentRef) -> str | None:
        """The id of an earlier copy of the same document."""
        name = self._stored_name(att)
        return name if (self.folder.directory / "attachments" / name).is_file() else None

    def connect_attachment(self, placement: VoucherRef, file_id: str) -> None:
        """Record that ``file_id`` belongs to the voucher."""
        connected = self.folder.read_json(CONNECTED, {})
        files = connected.setdefault(_key(placement), [])
        if file_id not in files:
            files.append(file_id)
        self.folder.write_json(CONNECTED, connected)

    def is_connected(self, placement: VoucherRef, file_id: str) -> bool:
        """Whether ``file_id`` is recorded for the voucher."""
        return file_id in self.folder.read_json(CONNECTED, {}).get(_key(placement), [])


def _is_balance_account(book: Bookkeeping, number: str) -> bool:
    account = book.account_map().get(number)
    if account is not None and account.type is not None:
        return account.type in (AccountType.ASSET, AccountType.LIABILITY)
    return number < "3"


def _with_voucher(book: Bookkeeping, voucher: Voucher) -> Bookkeeping:
    """The bookkeeping with ``voucher`` added and its closing balances and results moved, so
    opening balance + movements = closing balance keeps holding."""
    closing = {b.account: b for b in book.closing_balances if b.year_index == 0}
    results = {b.account: b for b in book.results if b.year_index == 0}
    for row in voucher.rows:
        table = closing if _is_balance_account(book, row.account) else results
        old = table.get(row.account)
        amount = (old.amount if old else Decimal(0)) + row.amount
        table[row.account] = Balance(year_index=0, account=row.account, amount=amount)
    others_ub = tuple(b for b in book.closing_balances if b.year_index != 0)
    others_res = tuple(b for b in book.results if b.year_index != 0)
    return book.model_copy(
        update={
            "vouchers": (*book.vouchers, voucher),
            "closing_balances": others_ub + tuple(closing.values()),
            "results": others_res + tuple(results.values()),
        }
    )
