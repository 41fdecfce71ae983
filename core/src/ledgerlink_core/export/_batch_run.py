"""Exactly once through a :class:`~ledgerlink_core.sinks.BatchSink`: a target written
whole, in one atomic step.

The steps: read what the target holds, mark every new voucher ``sending``, write them all in
one step, mark them ``confirmed``. A crash before the write leaves the target as it was and
``sending`` entries that the next run's read proves absent; a crash after it leaves entries
that the next read finds (by content: series, date, text and rows) and confirms. A second
export of the same vouchers writes nothing.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator, Sequence

from ledgerlink_core.errors import ExportAmbiguous, ExportRefused
from ledgerlink_core.export.journal import ExportJournal, VoucherState
from ledgerlink_core.model import ExportStatus, Voucher, VoucherExport, VoucherOutcome, VoucherRef
from ledgerlink_core.sinks import BatchSink


def _fingerprint(v: Voucher) -> tuple[object, ...]:
    """What tells a voucher in the target apart, whatever number the target gave it."""
    return (
        v.series,
        v.date,
        v.text,
        tuple((r.account, r.amount.normalize(), r.objects) for r in v.rows),
    )


def export_batch(
    sink: BatchSink,
    pairs: Sequence[tuple[VoucherExport, VoucherExport]],
    journal: ExportJournal,
    key: str,
) -> Iterator[VoucherOutcome]:
    """Write the ``placed`` vouchers of ``(item, placed)`` pairs the journal has not confirmed
    in one step; yield one outcome per pair, in input order."""
    # Where the target holds each fingerprint, minus those this journal already accounts for.
    held: defaultdict[tuple[object, ...], deque[VoucherRef]] = defaultdict(deque)
    for placement, voucher in sink.held():
        held[_fingerprint(voucher)].append(placement)
    entries = {item.external_ref: journal.register(key, item) for item, _ in pairs}
    for item, placed in pairs:
        if entries[item.external_ref].state == VoucherState.CONFIRMED:
            found = held.get(_fingerprint(placed.voucher))
            if found:
                found.popleft()

    outcomes: dict[str, VoucherOutcome] = {}
    new: list[tuple[VoucherExport, VoucherExport]] = []
    for item, placed in pairs:
        ref = item.external_ref
        entry = entries[ref]
        if entry.state == VoucherState.CONFIRMED:
            outcomes[ref] = VoucherOutcome.of(item, ExportStatus.ALREADY_THERE, entry.placement)
            continue
        found = held.get(_fingerprint(placed.voucher))
        if entry.state == VoucherState.SENDING and found:
            # Written by a run that died before it could say so.
            placement = found.popleft()
            journal.mark_confirmed(key, ref, placement)
            outcomes[ref] = VoucherOutcome.of(item, ExportStatus.ALREADY_THERE, placement)
            continue
        new.append((item, placed))

    if new:
        for item, _ in new:
            journal.mark_sending(key, item.external_ref)
        try:
            placements = sink.write_all([placed.voucher for _, placed in new])
        except ExportRefused as exc:
            for item, _ in new:
                journal.mark_failed(key, item.external_ref, str(exc))
                outcomes[item.external_ref] = VoucherOutcome.of(
                    item, ExportStatus.FAILED, None, error=str(exc)
                )
        except ExportAmbiguous as exc:
            # Left ``sending``: the next run reads the target before it writes again.
            for item, _ in new:
                journal.note_error(key, item.external_ref, str(exc))
                outcomes[item.external_ref] = VoucherOutcome.of(
                    item, ExportStatus.FAILED, None, error=str(exc)
                )
        else:
            if len(placements) != len(new):
                raise RuntimeError(
                    f"{type(sink).__name__}.write_all placed {len(placements)} of "
                    f"{len(new)} vouchers"
                )
            for (item, _), placement in zip(new, placements, strict=True):
                journal.mark_confirmed(key, item.external_ref, placement)
                outcomes[item.external_ref] = VoucherOutcome.of(
                    item, ExportStatus.CREATED, placement
                )
    for item, _ in pairs:
        yield outcomes[item.external_ref]
