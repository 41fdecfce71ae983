"""Export into a SIE 4I file, journaled like any other target.

A file is written in one atomic step (temp file + ``os.replace``), so the steps are: mark
every new voucher ``sending``, write the file with the vouchers it already held plus the new
ones, mark them ``confirmed``. A crash before the replace leaves the old file and ``sending``
entries that a look-up in the file proves absent; a crash after it leaves entries that the
look-up finds (by content) and confirms. A second push of the same input writes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ledgerlink_core.export.journal import ExportJournal, VoucherState
from ledgerlink_core.model import (
    Bookkeeping,
    ExportStatus,
    Voucher,
    VoucherExport,
    VoucherOutcome,
    VoucherRef,
)


def _fingerprint(v: Voucher) -> tuple[object, ...]:
    return (
        v.series,
        v.date,
        v.text,
        tuple((r.account, r.amount.normalize(), r.objects) for r in v.rows),
    )


def _existing(path: Path) -> list[Voucher]:
    if not path.exists():
        return []
    from ledgerlink_core.sie import read_sie

    return list(read_sie(path, strict=True).bookkeeping.vouchers)


def export_to_sie_file(
    items: Sequence[VoucherExport],
    *,
    path: Path,
    journal: ExportJournal,
    target: str,
    series: str | None,
    header: Bookkeeping,
    write: Callable[[Bookkeeping, Path], None],
) -> Iterator[VoucherOutcome]:
    """Append the vouchers the journal has not confirmed to the 4I file ``path``.

    ``header`` gives the company and source records of the file (its vouchers are ignored);
    ``write(book, path)`` writes it atomically (``write_sie`` with the backend's options).
    """
    prepared = [
        (item, item.voucher.model_copy(update={"series": series}) if series else item.voucher)
        for item in items
    ]
    on_file = _existing(path)
    present = Counter(_fingerprint(v) for v in on_file)
    entries = {item.external_ref: journal.register(target, item) for item, _ in prepared}
    for entry in entries.values():
        if entry.state == VoucherState.CONFIRMED:
            for item, v in prepared:
                if item.external_ref == entry.ref:
                    present[_fingerprint(v)] -= 1

    outcomes: dict[str, VoucherOutcome] = {}
    new: list[tuple[VoucherExport, Voucher]] = []
    for item, v in prepared:
        entry = entries[item.external_ref]
        if entry.state == VoucherState.CONFIRMED:
            outcomes[item.external_ref] = _outcome(
                item, ExportStatus.ALREADY_THERE, entry.voucher_ref
            )
            continue
        if entry.state == VoucherState.SENDING and present[_fingerprint(v)] > 0:
            # Written by a run that died before it could say so.
            present[_fingerprint(v)] -= 1
            where = _ref(v, on_file.index(v) + 1 if v in on_file else 0)
            journal.mark_confirmed(target, item.external_ref, where)
            outcomes[item.external_ref] = _outcome(item, ExportStatus.ALREADY_THERE, where)
            continue
        new.append((item, v))

    if new:
        for item, _ in new:
            journal.mark_sending(target, item.external_ref)
        vouchers = [*on_file, *(v for _, v in new)]
        write(header.model_copy(update={"vouchers": tuple(vouchers)}), path)
        for position, (item, v) in enumerate(new, start=len(on_file) + 1):
            where = _ref(v, position)
            journal.mark_confirmed(target, item.external_ref, where)
            outcomes[item.external_ref] = _outcome(item, ExportStatus.CREATED, where)
    for item, _ in prepared:
        yield outcomes[item.external_ref]


def _ref(v: Voucher, position: int) -> VoucherRef:
    """Series and number in the file: the voucher's own number, else its position."""
    return VoucherRef(series=v.series, number=v.number or f"#{position}")


def _outcome(item: VoucherExport, status: ExportStatus, where: VoucherRef | None) -> VoucherOutcome:
    return VoucherOutcome(
        external_ref=item.external_ref, voucher=item.voucher.label, status=status, target=where
    )
