"""Exactly once through a :class:`~ledgerlink_core.sinks.VoucherSink`: journal first,
then the target.

* every step is journaled *before* it is tried, so a crash at any point leaves a state that
  says what must be checked;
* the target is the truth and the journal a cache: before the first post, every voucher the
  journal has not confirmed (new to it, refused before, or recorded by a journal that was
  lost) is looked up in the target in one call (:meth:`VoucherSink.find_vouchers`), so a
  fresh or emptied journal, or another name for the same server, costs look-ups, never
  duplicates;
* ``sending`` records the series the voucher went to, and a later run looks there, whatever
  its own ``--series``; an override that cannot apply to a voucher already exported into
  another series is said in the outcome's note;
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
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TypeVar

from ledgerlink_core.errors import ExportAmbiguous, ExportRefused
from ledgerlink_core.export.journal import (
    AttachmentEntry,
    AttachmentState,
    ExportJournal,
    JournalEntry,
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
        self.found: dict[str, VoucherRef | ExportAmbiguous] = {}
        """What the look-up before the first post said of vouchers the journal did not
        know as confirmed."""
        self.override: str | None = None

    def look_up_unknown(
        self, pairs: Sequence[tuple[VoucherExport, VoucherExport]], override: str | None
    ) -> None:
        """Register every voucher, then ask the target once for those the journal has not
        confirmed and has not left ``sending`` (those are looked up one by one where they
        were sent)."""
        self.override = override
        unknown = []
        for item, placed in pairs:
            entry = self.journal.register(self.key, item)
            if entry.state in (VoucherState.PENDING, VoucherState.FAILED):
                unknown.append(placed)
        self.found = _ask_target(self.sink, unknown)

    def voucher(
        self, item: VoucherExport, placed: VoucherExport, turn: _Turn | None = None
    ) -> VoucherOutcome:
        """Export ``placed`` (``item`` with its series chosen); report it as ``item``. With a
        ``turn``, the post waits for the series' previous voucher."""
        placement = None
        try:
            entry = self.journal.register(self.key, item)
            placement, already = self._placement(item, placed, entry, turn)
            if turn is not None:
                turn.after.set()  # posted (or there already): the series' next may go
            connected = self._attachments(placed, placement, entry.attachments, already)
            note = None
            if already and self.override is not None and placement.series != self.override:
                note = (
                    f"--series {self.override} does not apply: it was exported before, to "
                    f"{placement.series} {placement.number}"
                )
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
        return VoucherOutcome.of(item, status, placement, attachments=connected, note=note)

    def _placement(
        self,
        item: VoucherExport,
        placed: VoucherExport,
        entry: JournalEntry,
        turn: _Turn | None,
    ) -> tuple[VoucherRef, bool]:
        """Where the voucher is, and whether it was there before this run: looked up when a
        previous run left it ``sending`` (in the series it was sent to) or when the journal
        does not know it as confirmed, posted (in its turn) when it is not there."""
        if entry.placement is not None:
            return entry.placement, True
        ref = item.external_ref
        if entry.state == VoucherState.SENDING:
            # A previous run sent it and never heard back: ask the target first, where it went.
            sent = entry.sent_series
            there = placed if sent is None else _in_series(placed, sent)
            try:
                found = self.sink.find_voucher(there)
            except ExportAmbiguous as exc:
                raise _Unfinished(f"its fate is unknown and the look-up failed ({exc})") from exc
            if found is not None:
                self.journal.mark_confirmed(self.key, ref, found)
                return found, True
            self.journal.mark_pending(self.key, ref)
        else:
            known = self.found.get(ref)
            if isinstance(known, ExportAmbiguous):
                raise _Unfinished(
                    "the journal does not know it as exported and the look-up in the target "
                    f"failed ({known}); nothing was sent"
                )
            if known is not None:
                self.journal.mark_confirmed(self.key, ref, known)
                return known, True
        if turn is not None:
            turn.wait()
        return self._post(item, placed), False

    def _post(self, item: VoucherExport, placed: VoucherExport) -> VoucherRef:
        ref = item.external_ref

        def do() -> VoucherRef:
            self.journal.mark_sending(self.key, ref, placed.voucher.series)
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
        self,
        item: VoucherExport,
        placement: VoucherRef,
        steps: Sequence[AttachmentEntry],
        already: bool,
    ) -> int:
        if not item.attachments:
            return 0
        connected = 0
        for step in steps:
            if step.state == AttachmentState.PENDING and already:
                # The voucher was there before this run; the journal may not know what an
                # earlier run (another journal) did with its documents: look before uploading.
                step = self._found_attachment(item, placement, step)
            if step.state != AttachmentState.CONNECTED:
                self._attachment(item, placement, step)
            connected += 1
        return connected

    def _found_attachment(
        self, item: VoucherExport, placement: VoucherRef, step: AttachmentEntry
    ) -> AttachmentEntry:
        """``step`` as the target has it: connected to ``placement`` already, uploaded and not
        connected, or still to do."""
        ref, idx = item.external_ref, step.idx
        att = item.attachments[idx]
        try:
            file_id = self.sink.find_connected(placement, item, idx, att)
            state = AttachmentState.CONNECTED
            if file_id is None:
                file_id = self.sink.find_attachment(item, idx, att)
                state = AttachmentState.UPLOADED
        except ExportAmbiguous as exc:
            raise _Unfinished(
                f"voucher {item.voucher.label}, attachment {att.filename}: the look-up of an "
                f"earlier upload failed ({exc}); nothing was sent"
            ) from exc
        if file_id is None:
            return step
        self.journal.mark_attachment(self.key, ref, idx, state, file_id)
        return step.model_copy(update={"state": state, "file_id": file_id})

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


def _ask_target(
    sink: VoucherSink, items: Sequence[VoucherExport]
) -> dict[str, VoucherRef | ExportAmbiguous]:
    """The one look-up before the first post: which of ``items`` the target holds; when it
    cannot be asked at all, every one of them is unknown (and nothing is sent for it)."""
    if not items:
        return {}
    try:
        return dict(sink.find_vouchers(items))
    except ExportAmbiguous as exc:
        return {placed.external_ref: exc for placed in items}


def preview_each(
    sink: VoucherSink,
    pairs: Sequence[tuple[VoucherExport, VoucherExport]],
    entries: Mapping[str, JournalEntry],
) -> list[VoucherOutcome]:
    """What :func:`export_each` would do, read-only: vouchers the journal confirmed are there;
    every other one is looked up in the target in one call (where it was sent, for one a
    run left ``sending``), as a run does before its first post."""
    unknown = []
    for item, placed in pairs:
        entry = entries.get(item.external_ref)
        if entry is not None and entry.placement is not None:
            continue
        if entry is not None and entry.sent_series and entry.sent_series != placed.voucher.series:
            placed = _in_series(placed, entry.sent_series)
        unknown.append(placed)
    found = _ask_target(sink, unknown)
    outcomes = []
    for item, _ in pairs:
        entry = entries.get(item.external_ref)
        placement = entry.placement if entry is not None else None
        answer = found.get(item.external_ref)
        note = None
        if isinstance(answer, VoucherRef):
            placement = answer
        elif isinstance(answer, ExportAmbiguous):
            note = f"the target could not be asked whether it holds it ({answer})"
        status = ExportStatus.ALREADY_THERE if placement is not None else ExportStatus.WOULD_CREATE
        outcomes.append(
            VoucherOutcome.of(item, status, placement, attachments=len(item.attachments), note=note)
        )
    return outcomes


def _in_series(item: VoucherExport, series: str) -> VoucherExport:
    if item.voucher.series == series:
        return item
    return item.model_copy(update={"voucher": item.voucher.model_copy(update={"series": series})})


def export_each(
    sink: VoucherSink,
    pairs: Sequence[tuple[VoucherExport, VoucherExport]],
    journal: ExportJournal,
    key: str,
    override: str | None = None,
) -> Iterator[VoucherOutcome]:
    """Export each ``(item, placed)`` pair through ``sink``; yield outcomes in input order.

    Errors other than the sink's two answers (lost credentials, a bug) stop the run; the
    journal then holds every voucher's true state for the next run.
    """
    run = _Run(journal, key, sink)
    run.look_up_unknown(pairs, override)
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
