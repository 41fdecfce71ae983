"""Core's export engine: one run of vouchers into one target, exactly once, for every backend.

The backend supplies a sink (:mod:`ledgerlink_core.sinks`) and core does the rest: it
places each voucher (a ``--series`` override), records it in the journal before anything is
sent, picks the loop for the sink's shape and yields one outcome per voucher in input order.
:func:`dry_run` says what a run would do, asking the target as a run would and writing
nothing anywhere.

``ledgerlink_core.jobs.push`` (what ``ledgerlink push`` runs) reads and validates the input,
opens the journal and calls :func:`run_export`; nothing else calls a sink.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ledgerlink_core.export._batch_run import export_batch, preview_batch
from ledgerlink_core.export._voucher_run import export_each, preview_each
from ledgerlink_core.export.journal import ExportJournal
from ledgerlink_core.model import VoucherExport, VoucherOutcome
from ledgerlink_core.sinks import BatchSink, ExportSink, VoucherSink

__all__ = ["dry_run", "run_export"]


def _placed(item: VoucherExport, series: str | None) -> VoucherExport:
    """``item`` as the sink must write it: in ``series`` when one is forced."""
    if series is None or item.voucher.series == series:
        return item
    return item.model_copy(update={"voucher": item.voucher.model_copy(update={"series": series})})


def run_export(
    sink: ExportSink,
    items: Sequence[VoucherExport],
    *,
    journal: ExportJournal,
    key: str,
    series: str | None = None,
) -> Iterator[VoucherOutcome]:
    """Export ``items`` through ``sink``, journaled under ``key``; yield one outcome per item,
    in input order. ``journal`` must hold the push lock (:meth:`ExportJournal.acquire`)."""
    pairs = [(item, _placed(item, series)) for item in items]
    if isinstance(sink, BatchSink):
        yield from export_batch(sink, pairs, journal, key)
    elif isinstance(sink, VoucherSink):
        yield from export_each(sink, pairs, journal, key, series)
    else:
        raise TypeError(f"export_sink() returned {sink!r}, not a VoucherSink or a BatchSink")


def dry_run(
    sink: ExportSink,
    items: Sequence[VoucherExport],
    *,
    journal_path: Path,
    key: str,
    series: str | None = None,
) -> list[VoucherOutcome]:
    """What :func:`run_export` would do, writing nothing anywhere (not even the journal).

    The target is the truth here too: a voucher the journal has not confirmed is looked up
    in the target (read-only, the same one look-up a run makes), so a lost or foreign
    journal does not make vouchers the target holds look new. A batch target is matched
    against what it holds, as a run would match it."""
    pairs = [(item, _placed(item, series)) for item in items]
    entries = {}
    if journal_path.exists():  # read even for a batch target: a damaged one stops a run too
        with ExportJournal(journal_path) as journal:
            entries = {e.external_ref: e for e in journal.entries(key)}
    if isinstance(sink, BatchSink):
        return preview_batch(sink, pairs)
    if not isinstance(sink, VoucherSink):
        raise TypeError(f"export_sink() returned {sink!r}, not a VoucherSink or a BatchSink")
    return preview_each(sink, pairs, entries)
