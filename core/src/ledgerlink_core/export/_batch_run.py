"""Exactly once through a :class:`~ledgerlink_core.sinks.BatchSink`: a target written
whole, in one atomic step.

The target is the truth, the journal a record of what was done. The steps, under the sink's
lock on the target (:meth:`BatchSink.locked`, so that two pushes with different journals
cannot lose each other's vouchers): read what the target holds, match every voucher against
it, mark the ones it lacks ``sending``, write them all in one step, mark them ``confirmed``.

A voucher is "there" when the target holds one with the same series, number (none for an
unnumbered voucher), date, text and rows, each held voucher matching at most one of ours;
that is all a file can tell, so the outcome is the same whether or not an earlier run
crashed, and whatever the journal says: a confirmed voucher the target lost (a deleted or
replaced file) is written again. A new voucher whose series and number the target already
uses for another voucher is refused, never written as a second voucher of that number.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterator, Sequence

from ledgerlink_core.errors import ExportAmbiguous, ExportRefused
from ledgerlink_core.export.journal import ExportJournal
from ledgerlink_core.model import ExportStatus, Voucher, VoucherExport, VoucherOutcome, VoucherRef
from ledgerlink_core.sinks import BatchSink


def _fingerprint(v: Voucher) -> tuple[object, ...]:
    """What tells a voucher in the target apart: its number too, so an unnumbered voucher of
    ours never matches a numbered one someone else booked with the same rows."""
    return (
        v.series,
        v.number or None,
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
    """Write the ``placed`` vouchers of ``(item, placed)`` pairs the target lacks in one step;
    yield one outcome per pair, in input order."""
    with sink.locked():
        outcomes = _export(sink, pairs, journal, key)
    for item, _ in pairs:
        yield outcomes[item.external_ref]


def preview_batch(
    sink: BatchSink, pairs: Sequence[tuple[VoucherExport, VoucherExport]]
) -> list[VoucherOutcome]:
    """What :func:`export_batch` would do, by the same matching against what the target holds
    (read, never written; no journal): one outcome per pair, in input order."""
    held, numbers = _holdings(sink)
    outcomes: list[VoucherOutcome] = []
    for item, placed in pairs:
        found = held.get(_fingerprint(placed.voucher))
        if found:
            outcomes.append(VoucherOutcome.of(item, ExportStatus.ALREADY_THERE, found.popleft()))
            continue
        v = placed.voucher
        clash = bool(v.number) and (v.series, v.number) in numbers
        status = ExportStatus.FAILED if clash else ExportStatus.WOULD_CREATE
        error = _number_taken(v) if clash else None
        outcomes.append(VoucherOutcome.of(item, status, None, error=error))
    return outcomes


def _holdings(
    sink: BatchSink,
) -> tuple[defaultdict[tuple[object, ...], deque[VoucherRef]], set[tuple[str, str]]]:
    """The target's vouchers by fingerprint, and the series and numbers it uses."""
    held: defaultdict[tuple[object, ...], deque[VoucherRef]] = defaultdict(deque)
    numbers: set[tuple[str, str]] = set()
    for placement, voucher in sink.held():
        held[_fingerprint(voucher)].append(placement)
        if voucher.number:
            numbers.add((voucher.series, voucher.number))
    return held, numbers


def _number_taken(v: Voucher) -> str:
    return (
        f"the target already holds another voucher {v.series} {v.number}; "
        "renumber this one (or leave its number out) and push again"
    )


def _export(
    sink: BatchSink,
    pairs: Sequence[tuple[VoucherExport, VoucherExport]],
    journal: ExportJournal,
    key: str,
) -> dict[str, VoucherOutcome]:
    held, numbers = _holdings(sink)  # before anything is journaled
    entries = {item.external_ref: journal.register(key, item) for item, _ in pairs}

    outcomes: dict[str, VoucherOutcome] = {}
    new: list[tuple[VoucherExport, VoucherExport]] = []
    for item, placed in pairs:
        ref = item.external_ref
        found = held.get(_fingerprint(placed.voucher))
        if found:
            placement = found.popleft()
            if entries[ref].placement != placement:
                journal.mark_confirmed(key, ref, placement)
            outcomes[ref] = VoucherOutcome.of(item, ExportStatus.ALREADY_THERE, placement)
            continue
        v = placed.voucher
        if v.number and (v.series, v.number) in numbers:
            error = _number_taken(v)
            journal.mark_failed(key, ref, error)
            outcomes[ref] = VoucherOutcome.of(item, ExportStatus.FAILED, None, error=error)
            continue
        new.append((item, placed))

    if not new:
        return outcomes
    for item, placed in new:
        journal.mark_sending(key, item.external_ref, placed.voucher.series)
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
                f"{type(sink).__name__}.write_all placed {len(placements)} of {len(new)} vouchers"
            )
        for (item, _), placement in zip(new, placements, strict=True):
            journal.mark_confirmed(key, item.external_ref, placement)
            outcomes[item.external_ref] = VoucherOutcome.of(item, ExportStatus.CREATED, placement)
    return outcomes
