"""Every transition of core's export engine, against sinks whose answers are scripted.

Voucher sinks (``ScriptedSink``): pending -> sending -> confirmed; ambiguous -> look-up ->
found / absent; refused; a look-up that fails too; the retry limit; attachments uploaded ->
connected; and a crash after each step, followed by a second run over the same target and
journal. Batch sinks (an in-memory one below): written once, crash before and after the
write, refused and ambiguous writes. After every scenario the target holds each voucher,
file and connection at most once.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from ledgerlink_core import (
    AttachmentRef,
    BatchSink,
    ExportAmbiguous,
    ExportRefused,
    ExportStatus,
    HeldVoucher,
    Voucher,
    VoucherExport,
    VoucherOutcome,
    VoucherRef,
    VoucherRow,
    export_items,
)
from ledgerlink_core.export.engine import dry_run, run_export
from ledgerlink_core.export.journal import (
    FILENAME,
    AttachmentState,
    ExportJournal,
    VoucherState,
    journal_key,
)
from ledgerlink_core.testing import ScriptedSink, SimulatedCrash

KEY = journal_key("scripted", "memory")


def vouchers(n: int = 1, *, attachments: int = 0, tmp: Path | None = None) -> list[VoucherExport]:
    items = export_items(
        [
            Voucher(
                series="A",
                date=dt.date(2025, 12, 31),
                text=f"Bokslut {i}",
                rows=(
                    VoucherRow(account="1930", amount=Decimal(i)),
                    VoucherRow(account="3000", amount=Decimal(-i)),
                ),
            )
            for i in range(1, n + 1)
        ],
        origin="test",
    )
    if not attachments:
        return items
    assert tmp is not None
    docs = [
        AttachmentRef(
            path=str(tmp / f"{k}.pdf"),
            filename=f"{k}.pdf",
            media_type="application/pdf",
            size=4,
            sha256=str(k),
        )
        for k in range(attachments)
    ]
    return [i.model_copy(update={"attachments": tuple(docs)}) for i in items]


def export(
    sink: ScriptedSink | BatchSink,
    items: Sequence[VoucherExport],
    tmp: Path,
    *,
    series: str | None = None,
) -> list[VoucherOutcome]:
    with ExportJournal.open(tmp) as journal:
        journal.acquire(KEY)
        return list(run_export(sink, items, journal=journal, key=KEY, series=series))


def states(tmp: Path) -> list[VoucherState]:
    with ExportJournal.open(tmp) as journal:
        return [e.state for e in journal.entries(KEY)]


def statuses(outcomes: Sequence[VoucherOutcome]) -> list[ExportStatus]:
    return [o.status for o in outcomes]


# --- voucher sinks ----------------------------------------------------------------------------


def test_pending_sending_confirmed_then_nothing_the_second_time(tmp_path: Path) -> None:
    sink = ScriptedSink()
    items = vouchers(2)
    first = export(sink, items, tmp_path)
    assert statuses(first) == [ExportStatus.CREATED] * 2
    assert [o.placement for o in first] == [
        VoucherRef(series="A", number="1", year=1),
        VoucherRef(series="A", number="2", year=1),
    ]
    assert states(tmp_path) == [VoucherState.CONFIRMED] * 2
    # one look-up in the target before the first post (the journal is only a cache)
    assert [m for m, _ in sink.calls] == ["find_vouchers", "post_voucher", "post_voucher"]

    sink.calls.clear()
    second = export(sink, items, tmp_path)
    assert statuses(second) == [ExportStatus.ALREADY_THERE] * 2
    assert [o.placement for o in second] == [o.placement for o in first]
    assert sink.calls == []  # the journal knew: not even a look-up


def test_a_series_override_reaches_the_sink_not_the_report(tmp_path: Path) -> None:
    sink = ScriptedSink()
    (item,) = vouchers(1)
    (done,) = export(sink, [item], tmp_path, series="K")
    assert done.placement == VoucherRef(series="K", number="1", year=1)
    assert done.voucher == item.voucher.label  # named as in the input


def test_answer_lost_before_the_write_is_looked_up_and_sent_again(tmp_path: Path) -> None:
    sink = ScriptedSink().script("post_voucher", ExportAmbiguous("timeout"))
    (done,) = export(sink, vouchers(1), tmp_path)
    assert done.status == ExportStatus.CREATED
    assert [m for m, _ in sink.calls] == [
        "find_vouchers",
        "post_voucher",
        "find_voucher",
        "post_voucher",
    ]
    assert len(sink.posted) == 1 and not sink.duplicates()


def test_answer_dropped_after_the_write_is_found_not_sent_again(tmp_path: Path) -> None:
    sink = ScriptedSink().script("post_voucher", ScriptedSink.DROPPED)
    (done,) = export(sink, vouchers(1), tmp_path)
    assert done.status == ExportStatus.CREATED
    assert done.placement == sink.posted[0][1]
    assert [m for m, _ in sink.calls] == ["find_vouchers", "post_voucher", "find_voucher"]
    assert states(tmp_path) == [VoucherState.CONFIRMED]


def test_refused_fails_writes_nothing_and_the_next_run_tries_again(tmp_path: Path) -> None:
    sink = ScriptedSink().script("post_voucher", ExportRefused("account 3000 is inactive"))
    items = vouchers(1)
    (done,) = export(sink, items, tmp_path)
    assert done.status == ExportStatus.FAILED and done.placement is None
    assert done.error == "account 3000 is inactive"
    assert sink.posted == [] and states(tmp_path) == [VoucherState.FAILED]

    (again,) = export(sink, items, tmp_path)
    assert again.status == ExportStatus.CREATED and len(sink.posted) == 1


def test_a_failed_look_up_sends_nothing_and_keeps_the_voucher_sending(tmp_path: Path) -> None:
    sink = ScriptedSink()
    sink.script("post_voucher", ScriptedSink.DROPPED)
    sink.script("find_voucher", ExportAmbiguous("503"))
    items = vouchers(1)
    (done,) = export(sink, items, tmp_path)
    assert done.status == ExportStatus.FAILED
    assert "the look-up failed too (503)" in (done.error or "")
    assert states(tmp_path) == [VoucherState.SENDING]
    assert len(sink.posted) == 1

    # The next run asks the target first, finds it and posts nothing.
    sink.calls.clear()
    (again,) = export(sink, items, tmp_path)
    assert again.status == ExportStatus.ALREADY_THERE
    assert again.placement == sink.posted[0][1]
    assert [m for m, _ in sink.calls] == ["find_voucher"]
    assert not sink.duplicates()


def test_a_sending_voucher_whose_look_up_fails_stays_unknown(tmp_path: Path) -> None:
    sink = ScriptedSink().script("post_voucher", ScriptedSink.CRASH)
    items = vouchers(1)
    with pytest.raises(SimulatedCrash):
        export(sink, items, tmp_path)
    sink.script("find_voucher", ExportAmbiguous("timeout"))
    (done,) = export(sink, items, tmp_path)
    assert done.status == ExportStatus.FAILED and "look-up failed" in (done.error or "")
    assert states(tmp_path) == [VoucherState.SENDING] and sink.posted == []


def test_gives_up_after_the_retry_limit(tmp_path: Path) -> None:
    from ledgerlink_core.export._voucher_run import MAX_ATTEMPTS

    lost = [ExportAmbiguous(f"timeout {n}") for n in range(MAX_ATTEMPTS)]
    sink = ScriptedSink().script("post_voucher", *lost)
    (done,) = export(sink, vouchers(1), tmp_path)
    assert done.status == ExportStatus.FAILED
    assert f"failed {MAX_ATTEMPTS} times, last: timeout {MAX_ATTEMPTS - 1}" in (done.error or "")
    assert [m for m, _ in sink.calls].count("post_voucher") == MAX_ATTEMPTS
    assert sink.posted == [] and states(tmp_path) == [VoucherState.PENDING]


@pytest.mark.parametrize("answer", [ScriptedSink.CRASH, ScriptedSink.CRASH_AFTER])
def test_a_crash_around_the_post_is_resolved_by_the_next_run(tmp_path: Path, answer: str) -> None:
    sink = ScriptedSink().script("post_voucher", answer)
    items = vouchers(1)
    with pytest.raises(SimulatedCrash):
        export(sink, items, tmp_path)
    assert states(tmp_path) == [VoucherState.SENDING]  # journaled before it was sent

    (done,) = export(sink, items, tmp_path)
    written_before = answer == ScriptedSink.CRASH_AFTER
    assert done.status == (ExportStatus.ALREADY_THERE if written_before else ExportStatus.CREATED)
    assert len(sink.posted) == 1 and states(tmp_path) == [VoucherState.CONFIRMED]


def test_attachments_are_uploaded_then_connected(tmp_path: Path) -> None:
    sink = ScriptedSink()
    items = vouchers(1, attachments=2, tmp=tmp_path)
    (done,) = export(sink, items, tmp_path)
    assert done.status == ExportStatus.CREATED and done.attachments == 2
    assert [m for m, _ in sink.calls] == [
        "find_vouchers",
        "post_voucher",
        "upload_attachment",
        "connect_attachment",
        "upload_attachment",
        "connect_attachment",
    ]
    assert set(sink.connections.values()) == {done.placement}
    with ExportJournal.open(tmp_path) as journal:
        (entry,) = journal.entries(KEY)
    assert [(a.state, a.file_id) for a in entry.attachments] == [
        (AttachmentState.CONNECTED, "file-1"),
        (AttachmentState.CONNECTED, "file-2"),
    ]


@pytest.mark.parametrize(
    ("method", "answer"),
    [
        ("upload_attachment", ScriptedSink.CRASH),
        ("upload_attachment", ScriptedSink.CRASH_AFTER),
        ("connect_attachment", ScriptedSink.CRASH),
        ("connect_attachment", ScriptedSink.CRASH_AFTER),
    ],
)
def test_a_crash_around_an_attachment_step_is_resolved_by_the_next_run(
    tmp_path: Path, method: str, answer: str
) -> None:
    sink = ScriptedSink().script(method, answer)
    items = vouchers(1, attachments=1, tmp=tmp_path)
    with pytest.raises(SimulatedCrash):
        export(sink, items, tmp_path)
    (done,) = export(sink, items, tmp_path)
    assert done.status == ExportStatus.ALREADY_THERE and done.attachments == 1
    assert len(sink.posted) == 1
    assert len(sink.files) == 1, "the document was uploaded twice"
    assert list(sink.connections.values()) == [done.placement]


def test_attachment_answers_lost_are_looked_up(tmp_path: Path) -> None:
    sink = ScriptedSink()
    sink.script("upload_attachment", ScriptedSink.DROPPED)
    sink.script("connect_attachment", ScriptedSink.DROPPED)
    (done,) = export(sink, vouchers(1, attachments=1, tmp=tmp_path), tmp_path)
    assert done.status == ExportStatus.CREATED and done.attachments == 1
    assert len(sink.files) == 1 and len(sink.connections) == 1
    methods = [m for m, _ in sink.calls]
    assert methods.count("find_attachment") == 1 and methods.count("is_connected") == 1


def test_concurrent_workers_keep_the_input_order(tmp_path: Path) -> None:
    sink = ScriptedSink(workers=4)
    items = vouchers(12)
    outcomes = export(sink, items, tmp_path)
    assert [o.external_ref for o in outcomes] == [i.external_ref for i in items]
    assert statuses(outcomes) == [ExportStatus.CREATED] * 12
    assert len(sink.posted) == 12 and not sink.duplicates()


def test_dry_run_reads_the_journal_and_touches_nothing(tmp_path: Path) -> None:
    items = vouchers(2)
    journal = tmp_path / FILENAME
    sink = ScriptedSink()
    assert (
        statuses(dry_run(sink, items, journal_path=journal, key=KEY))
        == [ExportStatus.WOULD_CREATE] * 2
    )
    assert not journal.exists() and sink.posted == []
    export(sink, items[:1], tmp_path)
    assert statuses(dry_run(sink, items, journal_path=journal, key=KEY)) == [
        ExportStatus.ALREADY_THERE,
        ExportStatus.WOULD_CREATE,
    ]
    assert len(sink.posted) == 1


def test_dry_run_with_a_lost_journal_asks_the_target(tmp_path: Path) -> None:
    """A dry run used to say "would create" for every voucher its journal did not know,
    although the run itself finds them in the target (the target is the truth, D1)."""
    items = vouchers(3)
    sink = ScriptedSink()
    export(sink, items[:2], tmp_path / "first-machine")
    outcomes = dry_run(sink, items, journal_path=tmp_path / "fresh" / FILENAME, key=KEY)
    assert statuses(outcomes) == [
        ExportStatus.ALREADY_THERE,
        ExportStatus.ALREADY_THERE,
        ExportStatus.WOULD_CREATE,
    ]
    assert [o.placement for o in outcomes[:2]] == [p for _, p in sink.posted]
    assert len(sink.posted) == 2  # the dry run posted nothing
    assert not (tmp_path / "fresh").exists()


# --- batch sinks ------------------------------------------------------------------------------


class MemoryBatch(BatchSink):
    """A batch target in memory: a list replaced whole by each write."""

    def __init__(self) -> None:
        self.vouchers: list[Voucher] = []
        self.writes = 0
        self.fail: Exception | None = None
        self.crash_after_write = False

    def held(self) -> Sequence[HeldVoucher]:
        return [
            HeldVoucher(VoucherRef(series=v.series, number=f"#{n}"), v)
            for n, v in enumerate(self.vouchers, start=1)
        ]

    def write_all(self, vouchers: Sequence[Voucher]) -> Sequence[VoucherRef]:
        if self.fail is not None:
            raise self.fail
        start = len(self.vouchers)
        self.vouchers = [*self.vouchers, *vouchers]
        self.writes += 1
        if self.crash_after_write:
            raise SimulatedCrash("crashed after the write")
        return [
            VoucherRef(series=v.series, number=f"#{n}")
            for n, v in enumerate(vouchers, start=start + 1)
        ]


def test_batch_written_once_in_one_step(tmp_path: Path) -> None:
    sink = MemoryBatch()
    items = vouchers(3)
    assert statuses(export(sink, items, tmp_path)) == [ExportStatus.CREATED] * 3
    assert sink.writes == 1 and len(sink.vouchers) == 3
    assert statuses(export(sink, items, tmp_path)) == [ExportStatus.ALREADY_THERE] * 3
    assert sink.writes == 1


def test_batch_dry_run_matches_the_target_not_the_journal(tmp_path: Path) -> None:
    """A batch target's dry run reads what it holds, as the run does: a target that lost
    the vouchers the journal confirmed gets them again (D4), writing nothing now."""
    sink = MemoryBatch()
    items = vouchers(2)
    export(sink, items, tmp_path)
    journal = tmp_path / FILENAME
    assert (
        statuses(dry_run(sink, items, journal_path=journal, key=KEY))
        == [ExportStatus.ALREADY_THERE] * 2
    )
    sink.vouchers = sink.vouchers[:1]  # the target lost one (an older copy of the file)
    assert statuses(dry_run(sink, items, journal_path=journal, key=KEY)) == [
        ExportStatus.ALREADY_THERE,
        ExportStatus.WOULD_CREATE,
    ]
    assert sink.writes == 1


def test_batch_crash_after_the_write_is_found_by_content(tmp_path: Path) -> None:
    sink = MemoryBatch()
    sink.crash_after_write = True
    items = vouchers(2)
    with pytest.raises(SimulatedCrash):
        export(sink, items, tmp_path)
    assert states(tmp_path) == [VoucherState.SENDING] * 2
    sink.crash_after_write = False
    again = export(sink, items, tmp_path)
    assert statuses(again) == [ExportStatus.ALREADY_THERE] * 2
    assert [o.placement for o in again] == [
        VoucherRef(series="A", number="#1"),
        VoucherRef(series="A", number="#2"),
    ]
    assert sink.writes == 1 and len(sink.vouchers) == 2


def test_batch_crash_before_the_write_writes_on_the_next_run(tmp_path: Path) -> None:
    sink = MemoryBatch()
    sink.fail = SimulatedCrash("killed before the rename")
    items = vouchers(2)
    with pytest.raises(SimulatedCrash):
        export(sink, items, tmp_path)
    sink.fail = None
    assert statuses(export(sink, items, tmp_path)) == [ExportStatus.CREATED] * 2
    assert len(sink.vouchers) == 2


@pytest.mark.parametrize(
    ("error", "state"),
    [
        (ExportRefused("disk full"), VoucherState.FAILED),
        (ExportAmbiguous("network share went away"), VoucherState.SENDING),
    ],
)
def test_batch_write_refused_or_ambiguous(
    tmp_path: Path, error: Exception, state: VoucherState
) -> None:
    sink = MemoryBatch()
    sink.fail = error
    items = vouchers(2)
    outcomes = export(sink, items, tmp_path)
    assert statuses(outcomes) == [ExportStatus.FAILED] * 2
    assert {o.error for o in outcomes} == {str(error)}
    assert states(tmp_path) == [state] * 2 and sink.vouchers == []
    sink.fail = None
    assert statuses(export(sink, items, tmp_path)) == [ExportStatus.CREATED] * 2
    assert len(sink.vouchers) == 2


def test_identical_vouchers_in_the_target_are_taken_for_ours(tmp_path: Path) -> None:
    """The target is the truth (issue 15, D1/D7): a voucher identical in series, number,
    date, text and rows to one the target holds is there, whatever the journal says (the same
    push of the same input gives it the same reference, so the journal would say the same),
    and the outcome does not depend on whether an earlier run crashed."""
    sink = MemoryBatch()
    items = vouchers(1)
    sink.vouchers = [items[0].voucher]
    assert statuses(export(sink, items, tmp_path)) == [ExportStatus.ALREADY_THERE]
    assert len(sink.vouchers) == 1
    numbered = items[0].voucher.model_copy(update={"number": "1"})
    sink.vouchers = [numbered]  # a numbered one booked by someone else is not ours
    assert statuses(export(sink, items, tmp_path / "fresh")) == [ExportStatus.CREATED]
    assert len(sink.vouchers) == 2


class SlowFirstPosts(ScriptedSink):
    """Posts of the first vouchers take longer, so a concurrent run would overtake them."""

    def __init__(self, slow: int, **kwargs: int) -> None:
        super().__init__(**kwargs)
        self.slow = slow
        self.started = 0

    def post_voucher(self, item: VoucherExport) -> VoucherRef:
        with self._lock:
            self.started += 1
            mine = self.started
        if mine <= self.slow:
            time.sleep(0.05 * (self.slow - mine + 1))
        return super().post_voucher(item)


def test_each_series_is_posted_in_input_order(tmp_path: Path) -> None:
    items = [
        i.model_copy(update={"voucher": i.voucher.model_copy(update={"series": s})})
        for i, s in zip(vouchers(12), "ABABABABABAB", strict=True)
    ]
    sink = SlowFirstPosts(slow=4, workers=4)
    outcomes = export(sink, items, tmp_path)
    assert statuses(outcomes) == [ExportStatus.CREATED] * 12
    by_ref = {i.external_ref: n for n, i in enumerate(items)}
    for series in "AB":
        posted = [by_ref[ref] for ref, where in sink.posted if where.series == series]
        assert posted == sorted(posted), f"series {series} posted out of input order: {posted}"
        numbers = [o.placement.number for o in outcomes if o.placement.series == series]  # type: ignore[union-attr]
        assert numbers == [str(n) for n in range(1, 7)]


def test_a_crash_stops_the_later_posts_of_its_series(tmp_path: Path) -> None:
    sink = ScriptedSink(workers=3).script("post_voucher", ScriptedSink.OK, ScriptedSink.CRASH)
    items = vouchers(6)
    with pytest.raises(SimulatedCrash):
        export(sink, items, tmp_path)
    assert [ref for ref, _ in sink.posted] == [items[0].external_ref]
    # The next run finishes the rest, still in order, and nothing twice.
    assert statuses(export(sink, items, tmp_path))[0] == ExportStatus.ALREADY_THERE
    assert [ref for ref, _ in sink.posted] == [i.external_ref for i in items]
