"""Exactly once through a :class:`~ledgerlink_core.sinks.VoucherSink`: journal first,
then the target.

* every step is journaled *before* it is tried, so a crash at any point leaves a state that
  says what must be checked;
* after an ambiguous answer, or when a previous run left a voucher ``sending``, the target is
  asked first (:meth:`VoucherSink.find_voucher`) and the voucher is posted again only when it
  is certainly absent; if even the look-up fails, nothing is re-sent and the voucher stays
  ``sending`` for the next run;
* attachments follow the same rule per step (``uploading``, ``connecting``);
* vouchers run concurrently on the sink's ``workers`` threads, but the vouchers of one series
  are *posted* strictly in input order: a target such as Fortnox numbers a series in the
  order vouchers arrive, and an accountant expects A 54 before A 55 as in the input.
  Look-ups and attachments stay concurrent. Outcomes come back in input order.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
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


@dataclass
class _Turn:
    """A voucher's place in its series' queue of posts: wait for the one before, then let the
    next one go. ``stop`` releases every waiter without a post when the run ends early."""

    before: threading.Event | None
    stop: threading.Event
    after: threading.Event = field(default_factory=threading.Event)

    def wait(self) -> None:
        if self.before is not None:
            self.before.wait()
        if self.stop.is_set():
            raise _Unfinished("the run stopped before it was this voucher's turn to be posted")


class _Run:
    """One run's vouchers through one sink, recorded under one journal key."""

    def __init__(self, journal: ExportJournal, key: str, sink: VoucherSink) -> None:
        self.journal = journal
        self.key = key
        self.sink = sink

    def voucher(
        self, item: VoucherExport, placed: VoucherExport, turn: _Turn | None = None
    ) -> VoucherOutcome:
        """Export ``placed`` (``item`` with its series chosen); report it as ``item``. With a
        ``turn``, the post waits for the series' previous voucher."""
        placement = None
        try:
            entry = self.journal.register(self.key, item)
            placement, already = self._placement(item, placed, entry.state, entry.placement, turn)
            if turn is not None:
                turn.after.set()  # posted (or there already): the series' next may go
            connected = self._attachments(placed, placement, entry.attachments)
        except (ExportRefused, _Unfinished) as exc:
            if turn is not None:
                turn.after.set()  # this one failed; the series' next may still go
            return VoucherOutcome.of(item, ExportStatus.FAILED, placement, error=str(exc))
        except BaseException:
            if turn is not None:
                turn.stop.set()  # a crash or a bug: no later voucher of the run is posted
                turn.after.set()
            raise
        status = ExportStatus.ALREADY_THERE if already else ExportStatus.CREATED
        return VoucherOutcome.of(item, status, placement, attachments=connected)

    def _placement(
        self,
        item: VoucherExport,
        placed: VoucherExport,
        state: VoucherState,
        placement: VoucherRef | None,
        turn: _Turn | None,
    ) -> tuple[VoucherRef, bool]:
        """Where the voucher is, and whether it was there before this run: looked up when a
        previous run left it ``sending``, posted (in its turn) when it is not there."""
        if placement is not None:
            return placement, True
        ref = item.external_ref
        if state == VoucherState.SENDING:
            # A previous run sent it and never heard back: ask the target first.
            try:
                found = self.sink.find_voucher(placed)
            except ExportAmbiguous as exc:
                raise _Unfinished(f"its fate is unknown and the look-up failed ({exc})") from exc
            if found is not None:
                self.journal.mark_confirmed(self.key, ref, found)
                return found, True
            self.journal.mark_pending(self.key, ref)
        if turn is not None:
            turn.wait()
        return self._post(item, placed), False

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
    stop = threading.Event()
    last: dict[str, _Turn] = {}  # the latest turn of each series
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="export") as pool:
        pending: deque[Future[VoucherOutcome]] = deque()
        try:
            for item, placed in pairs:
                series = placed.voucher.series
                before = last.get(series)
                turn = last[series] = _Turn(before.after if before else None, stop)
                pending.append(pool.submit(run.voucher, item, placed, turn))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            # Stopped early (an error, or the caller stopped reading): release the waiters,
            # which then post nothing, and drop what has not started.
            stop.set()
            for turn in last.values():
                turn.after.set()
            for future in pending:
                future.cancel()
