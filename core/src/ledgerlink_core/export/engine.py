"""Core's export engine: one run of vouchers into one target, exactly once, for every backend.

The backend supplies a sink (:mod:`ledgerlink_core.sinks`) and core does the rest: it
places each voucher (a ``--series`` override), records it in the journal before anything is
sent, picks the loop for the sink's shape and yields one outcome per voucher in input order.
:func:`dry_run` says what a run would do from the journal alone, touching nothing.

``ledgerlink_core.jobs.push`` (what ``ledgerlink push`` runs) reads and validates the input,
opens the journal and calls :func:`run_export`; nothing else calls a sink.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from ledgerlink_core.export._batch_run import export_batch
from ledgerlink_core.export._voucher_run import export_each
from ledgerlink_core.export.journal import ExportJournal
from ledgerlink_core.model import ExportStatus, VoucherExport, VoucherOutcome
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
    items: Sequence[VoucherExport], *, journal_path: Path, key: str
) -> list[VoucherOutcome]:
    """What a run would do: vouchers the journal has confirmed are already there, the rest
    would be created. Reads the journal when there is one; writes nothing anywhere."""
    known = {}
    if journal_path.exists():
        with ExportJournal(journal_path) as journal:
            known = {e.external_ref: e for e in journal.entries(key)}
    outcomes = []
    for item in items:
        entry = known.get(item.external_ref)
        placement = entry.placement if entry is not None else None
        status = ExportStatus.ALREADY_THERE if placement is not None else ExportStatus.WOULD_CREATE
        outcomes.append(
            VoucherOutcome.of(item, status, placement, attachments=len(item.attachments))
        )
    return outcomes
