"""Exactly once through a :class:`~ledgerlink_core.sinks.VoucherSink`: journal first,
then the target.

* every step is journaled *before* it is tried, so a crash at any point leaves a state that
  says what must be checked;
* after an ambiguous answer, or when a previous run left a voucher ``sending``, the target is
  asked first (:meth:`VoucherSink.find_voucher`) and the voucher is posted again only when it
  is certainly absent; if even the look-up fails, nothing is re-sent and the voucher stays
  ``sending`` for the next run;
* attachments follow the same rule per step (``uploading``, ``connecting``);
* vouchers run concurrently on the sink's ``workers`` threads; outcomes come back in input
  order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

from ledgerlink_core.errors import ExportAmbiguous, ExportRefused
from ledgerlink_core.export.journal import (
    AttachmentEntry,
    AttachmentState,
    ExportJournal,
    VoucherState,
)
from ledgerlink_core.model import ExportStatus, VoucherExport, VoucherOutcome, VoucherRef
from ledgerlink_core.sinks import VoucherSink

MAX_ATTEMPTS = 4
"""Posts of one voucher (or one attachment step) per run, each after a look-up proved it
absent."""


T = TypeVar("T")


class _Unfinished(Exception):
    """One voucher cannot finish in this run (the journal says where it stands)."""


def _attempt(do: Callable[[], T], find: Callable[[], T | None], what: str) -> T:
    """Run ``do``; after an ambiguous answer run ``find`` and retry only when it says absent.

    Returns what ``do`` or ``find`` produced. Lets :class:`ExportRefused` through and raises
    :class:`_Unfinished` when the outcome stays unknown.
    """
    last = ""
    for _ in range(MAX_ATTEMPTS):
        try:
            return do()
        except ExportAmbiguous as exc:
            last = str(exc)
        try:
            found = find()
        except ExportAmbiguous as exc:
            raise _Unfinished(
                f"{what}: the answer was lost ({last}) and the look-up failed too ({exc}); "
                "the journal keeps it for the next push, which looks it up before sending again"
            ) from exc
        if found:
            return found
    raise _Unfinished(f"{what}: failed {MAX_ATTEMPTS} times, last: {last}")


class _Run:
    """One run's vouchers through one sink, recorded under one journal key."""

    def __init__(self, journal: ExportJournal, key: str, sink: VoucherSink) -> None:
        self.journal = journal
        self.key = key
        self.sink = sink

    def voucher(self, item: VoucherExport, placed: VoucherExport) -> VoucherOutcome:
        """Export ``placed`` (``item`` with its series chosen); report it as ``item``."""
        ref = item.external_ref
        entry = self.journal.register(self.key, item)
        placement = entry.placement
        already = placement is not None
        try:
            if entry.state == VoucherState.SENDING:
                # A previous run sent it and never heard back: ask the target first.
                try:
                    placement = self.sink.find_voucher(placed)
                except ExportAmbiguous as exc:
                    raise _Unfinished(
                        f"its fate is unknown and the look-up failed ({exc})"
                    ) from exc
                if placement is not None:
                    self.journal.mark_confirmed(self.key, ref, placement)
                    already = True
                else:
                    self.journal.mark_pending(self.key, ref)
            if placement is None:
                placement = self._post(item, placed)
            connected = self._attachments(placed, placement, entry.attachments)
        except (ExportRefused, _Unfinished) as exc:
            return VoucherOutcome.of(item, ExportStatus.FAILED, placement, error=str(exc))
        status = ExportStatus.ALREADY_THERE if already else ExportStatus.CREATED
        return VoucherOutcome.of(item, status, placement, attachments=connected)

    def _post(self, item: VoucherExport, placed: VoucherExport) -> VoucherRef:
        ref = item.external_ref

        def do() -> VoucherRef:
            self.journal.mark_sending(self.key, ref)
            return self.sink.post_voucher(placed)

        def find() -> VoucherRef | None:
            found = self.sink.find_voucher(placed)
            if found is None:
                self.journal.mark_pending(self.key, ref)
            return found

        try:
            placement = _attempt(do, find, f"voucher {item.voucher.label}")
        except ExportRefused as exc:
            self.journal.mark_failed(self.key, ref, str(exc))
            raise
        except _Unfinished as exc:
            self.journal.note_error(self.key, ref, str(exc))
            raise
        self.journal.mark_confirmed(self.key, ref, placement)
        return placement

    def _attachments(
        self, item: VoucherExport, placement: VoucherRef, steps: Sequence[AttachmentEntry]
    ) -> int:
        if not item.attachments:
            return 0
        connected = 0
        for step in steps:
            if step.state != AttachmentState.CONNECTED:
                self._attachment(item, placement, step)
            connected += 1
        return connected

    def _attachment(
        self, item: VoucherExport, placement: VoucherRef, step: AttachmentEntry
    ) -> None:
        ref, idx = item.external_ref, step.idx
        att = item.attachments[idx]
        label = f"voucher {item.voucher.label}, attachment {att.filename}"

        def mark(state: AttachmentState, file_id: str | None = None) -> None:
            self.journal.mark_attachment(self.key, ref, idx, state, file_id)

        file_id, state = step.file_id, step.state
        if state == AttachmentState.UPLOADING:
            try:
                file_id = self.sink.find_attachment(item, idx, att)
            except ExportAmbiguous as exc:
                raise _Unfinished(
                    f"{label}: upload unconfirmed and the look-up failed ({exc})"
                ) from exc
            if file_id is not None:
                mark(AttachmentState.UPLOADED, file_id)
                state = AttachmentState.UPLOADED
        if file_id is None:

            def upload() -> str:
                mark(AttachmentState.UPLOADING)
                return self.sink.upload_attachment(item, idx, att)

            file_id = _attempt(upload, lambda: self.sink.find_attachment(item, idx, att), label)
            mark(AttachmentState.UPLOADED, file_id)
            state = AttachmentState.UPLOADED
        uploaded: str = file_id
        if state == AttachmentState.CONNECTING:
            try:
                if self.sink.is_connected(placement, uploaded):
                    mark(AttachmentState.CONNECTED)
                    return
            except ExportAmbiguous as exc:
                raise _Unfinished(
                    f"{label}: connection unconfirmed, look-up failed ({exc})"
                ) from exc

        def connect() -> bool:
            mark(AttachmentState.CONNECTING)
            self.sink.connect_attachment(placement, uploaded)
            return True

        _attempt(connect, lambda: self.sink.is_connected(placement, uploaded), label)
        mark(AttachmentState.CONNECTED)


def export_each(
    sink: VoucherSink,
    pairs: Sequence[tuple[VoucherExport, VoucherExport]],
    journal: ExportJournal,
    key: str,
) -> Iterator[VoucherOutcome]:
    """Export each ``(item, placed)`` pair through ``sink``; yield outcomes in input order.

    Errors other than the sink's two answers (lost credentials, a bug) stop the run; the
    journal then holds every voucher's true state for the next run.
    """
    run = _Run(journal, key, sink)
    workers = max(1, int(sink.workers))
    if workers == 1:
        for item, placed in pairs:
            yield run.voucher(item, placed)
        return
    window = workers * 2
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="export") as pool:
        pending: deque[Future[VoucherOutcome]] = deque()
        try:
            for item, placed in pairs:
                pending.append(pool.submit(run.voucher, item, placed))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
