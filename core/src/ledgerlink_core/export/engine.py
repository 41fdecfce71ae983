"""The exactly-once state machine any backend can drive: journal first, then the target.

A backend implements :class:`ExportSink` (post a voucher, find one, upload and connect an
attachment, find those) and raises :class:`Refused` when the target certainly wrote nothing
(a 4xx validation answer) or :class:`Ambiguous` when it cannot tell (timeout, connection
dropped after the request went out, 5xx on a write). :func:`export_exactly_once` does the
rest, the same way for every backend:

* every step is journaled *before* it is tried, so a crash at any point leaves a state that
  says what must be checked;
* after an ambiguous failure, or when a previous run left a voucher ``sending``, the target
  is asked first (:meth:`ExportSink.find_voucher`) and the voucher is posted again only when
  it is certainly absent; if even the look-up fails, nothing is re-sent and the voucher stays
  ``sending`` for the next run;
* attachments follow the same rule per step (upload, connect);
* vouchers run concurrently on ``workers`` threads; outcomes come back in input order.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Protocol

from ledgerlink_core.backend import ExportOptions
from ledgerlink_core.export.journal import (
    AttachmentEntry,
    AttachmentState,
    ExportJournal,
    VoucherState,
)
from ledgerlink_core.model import (
    AttachmentRef,
    ExportStatus,
    VoucherExport,
    VoucherOutcome,
    VoucherRef,
)

MAX_ATTEMPTS = 4
"""Posts of one voucher (or one attachment step) per run, each after a look-up proved it
absent."""


class Refused(Exception):
    """The target answered "no": nothing was written. ``str()`` is the reason."""


class Ambiguous(Exception):
    """The target's answer was lost: the write may or may not have happened."""


class ExportSink(Protocol):
    """What a backend provides to :func:`export_exactly_once`. Must be thread-safe."""

    def post_voucher(self, item: VoucherExport, series: str | None) -> VoucherRef:
        """Create the voucher (with its external reference written into it)."""
        ...

    def find_voucher(self, item: VoucherExport, series: str | None) -> VoucherRef | None:
        """Look the voucher up by its external reference; None when certainly absent.
        Raises :class:`Ambiguous` when the target cannot be asked."""
        ...

    def upload_attachment(self, item: VoucherExport, idx: int, att: AttachmentRef) -> str:
        """Upload one document; return the target's file id."""
        ...

    def find_attachment(self, item: VoucherExport, idx: int, att: AttachmentRef) -> str | None:
        """The file id of an earlier upload of this document, or None when absent."""
        ...

    def connect_attachment(self, where: VoucherRef, file_id: str) -> None:
        """Connect an uploaded file to the voucher ``where``."""
        ...

    def is_connected(self, where: VoucherRef, file_id: str) -> bool:
        """Whether ``file_id`` is connected to ``where`` already."""
        ...


class _Failed(Exception):
    """One voucher cannot finish in this run (journal says where it stands)."""


def _attempt(
    do: Callable[[], str | VoucherRef | None],
    find: Callable[[], str | VoucherRef | bool | None],
    what: str,
) -> object:
    """Run ``do``; after an ambiguous failure run ``find`` and retry only when it says absent.

    Returns what ``do`` or ``find`` produced. Raises :class:`Refused` unchanged and
    :class:`_Failed` when the outcome stays unknown.
    """
    last = ""
    for _ in range(MAX_ATTEMPTS):
        try:
            return do()
        except Ambiguous as exc:
            last = str(exc)
        try:
            found = find()
        except Ambiguous as exc:
            raise _Failed(
                f"{what}: the answer was lost ({last}) and the look-up failed too ({exc}); "
                "the journal keeps it for the next push, which looks it up before sending again"
            ) from exc
        if found:
            return found
    raise _Failed(f"{what}: failed {MAX_ATTEMPTS} times, last: {last}")


class _Run:
    def __init__(
        self, journal: ExportJournal, target: str, sink: ExportSink, series: str | None
    ) -> None:
        self.journal = journal
        self.target = target
        self.sink = sink
        self.series = series

    def voucher(self, item: VoucherExport) -> VoucherOutcome:
        ref = item.external_ref
        entry = self.journal.entry(self.target, ref) or self.journal.register(self.target, item)
        where = entry.voucher_ref
        already = where is not None
        try:
            if entry.state == VoucherState.SENDING:
                # A previous run sent it and never heard back: ask the target first.
                try:
                    where = self.sink.find_voucher(item, self.series)
                except Ambiguous as exc:
                    raise _Failed(f"its fate is unknown and the look-up failed ({exc})") from exc
                if where is not None:
                    self.journal.mark_confirmed(self.target, ref, where)
                    already = True
                else:
                    self.journal.mark_pending(self.target, ref)
            if where is None:
                where = self._post(item)
            connected = self._attachments(item, where, entry.attachments)
        except Refused as exc:
            return self._outcome(item, ExportStatus.FAILED, where, error=str(exc))
        except _Failed as exc:
            return self._outcome(item, ExportStatus.FAILED, where, error=str(exc))
        status = ExportStatus.ALREADY_THERE if already else ExportStatus.CREATED
        return self._outcome(item, status, where, attachments=connected)

    def _post(self, item: VoucherExport) -> VoucherRef:
        ref = item.external_ref

        def do() -> VoucherRef:
            self.journal.mark_sending(self.target, ref)
            return self.sink.post_voucher(item, self.series)

        def find() -> VoucherRef | None:
            found = self.sink.find_voucher(item, self.series)
            if found is None:
                self.journal.mark_pending(self.target, ref)
            return found

        try:
            result = _attempt(do, find, f"voucher {item.voucher.label}")
        except Refused as exc:
            self.journal.mark_failed(self.target, ref, str(exc))
            raise
        except _Failed as exc:
            self.journal.note_error(self.target, ref, str(exc))
            raise
        assert isinstance(result, VoucherRef)
        self.journal.mark_confirmed(self.target, ref, result)
        return result

    def _attachments(
        self, item: VoucherExport, where: VoucherRef, steps: Sequence[AttachmentEntry]
    ) -> int:
        if not item.attachments:
            return 0
        if not steps:
            steps = self.journal.attachments(self.target, item.external_ref)
        connected = 0
        for step in steps:
            if step.state == AttachmentState.CONNECTED:
                connected += 1
                continue
            self._attachment(item, where, step)
            connected += 1
        return connected

    def _attachment(self, item: VoucherExport, where: VoucherRef, step: AttachmentEntry) -> None:
        ref, idx = item.external_ref, step.idx
        att = item.attachments[idx]
        label = f"voucher {item.voucher.label}, attachment {att.filename}"
        mark = self.journal.mark_attachment
        file_id = step.file_id
        state = step.state
        if state == AttachmentState.UPLOADING:
            try:
                file_id = self.sink.find_attachment(item, idx, att)
            except Ambiguous as exc:
                raise _Failed(
                    f"{label}: upload unconfirmed and the look-up failed ({exc})"
                ) from exc
            if file_id is not None:
                mark(self.target, ref, idx, AttachmentState.UPLOADED, file_id)
                state = AttachmentState.UPLOADED
        if file_id is None:

            def upload() -> str:
                mark(self.target, ref, idx, AttachmentState.UPLOADING)
                return self.sink.upload_attachment(item, idx, att)

            result = _attempt(upload, lambda: self.sink.find_attachment(item, idx, att), label)
            file_id = str(result)
            mark(self.target, ref, idx, AttachmentState.UPLOADED, file_id)
            state = AttachmentState.UPLOADED
        if state == AttachmentState.CONNECTING:
            try:
                if self.sink.is_connected(where, file_id):
                    mark(self.target, ref, idx, AttachmentState.CONNECTED)
                    return
            except Ambiguous as exc:
                raise _Failed(f"{label}: connection unconfirmed, look-up failed ({exc})") from exc

        def connect() -> str:
            mark(self.target, ref, idx, AttachmentState.CONNECTING)
            self.sink.connect_attachment(where, file_id)
            return file_id

        _attempt(connect, lambda: self.sink.is_connected(where, file_id), label)
        mark(self.target, ref, idx, AttachmentState.CONNECTED)

    @staticmethod
    def _outcome(
        item: VoucherExport,
        status: ExportStatus,
        where: VoucherRef | None,
        *,
        attachments: int = 0,
        error: str | None = None,
    ) -> VoucherOutcome:
        return VoucherOutcome(
            external_ref=item.external_ref,
            voucher=item.voucher.label,
            status=status,
            target=where,
            attachments=attachments,
            error=error,
        )


def export_exactly_once(
    items: Sequence[VoucherExport],
    journal: ExportJournal,
    target: str,
    sink: ExportSink,
    *,
    series: str | None = None,
    workers: int = 1,
) -> Iterator[VoucherOutcome]:
    """Export ``items`` through ``sink``, journaled; yield one outcome per item, in order.

    Errors other than :class:`Refused`/:class:`Ambiguous` (lost credentials, a bug) stop the
    run; the journal then holds every voucher's true state for the next run.
    """
    run = _Run(journal, target, sink, series)
    if workers <= 1:
        for item in items:
            yield run.voucher(item)
        return
    window = workers * 2
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="export") as pool:
        pending: deque[Future[VoucherOutcome]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(run.voucher, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def run_export(
    items: Sequence[VoucherExport],
    options: ExportOptions,
    *,
    data_dir: Path,
    target: str,
    sink: ExportSink,
    workers: int = 1,
) -> Iterator[VoucherOutcome]:
    """What a backend's ``export_vouchers`` does with an :class:`ExportSink`.

    Uses the journal core passed in ``options``; called directly (a library user, the
    conformance kit) it opens the user's journal in ``data_dir`` itself, so exactly-once
    holds either way. ``dry_run`` reports ``would-create`` and touches nothing.
    """
    if options.dry_run:
        for item in items:
            yield VoucherOutcome(
                external_ref=item.external_ref,
                voucher=item.voucher.label,
                status=ExportStatus.WOULD_CREATE,
                attachments=len(item.attachments),
            )
        return
    if options.journal is not None:
        yield from export_exactly_once(
            items, options.journal, target, sink, series=options.series, workers=workers
        )
        return
    with ExportJournal.open(data_dir) as journal:
        journal.acquire()
        for item in items:
            journal.register(target, item)
        yield from export_exactly_once(
            items, journal, target, sink, series=options.series, workers=workers
        )
