"""Issue 15, D1/D2/D15 in core's loop: the target is the truth and the journal a cache.

Each test names its finding in ``../shared/docs/reliability-review.md``."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

import pytest
from ledgerlink_core import ExportAmbiguous, ExportStatus, VoucherRef
from ledgerlink_core.export.journal import ExportJournal, VoucherState
from ledgerlink_core.testing import ScriptedSink, SimulatedCrash
from test_engine import KEY, export, states, statuses, vouchers


def test_d1_fresh_journal_finds_vouchers_in_the_target(tmp_path: Path) -> None:
    sink = ScriptedSink()
    items = vouchers(3, attachments=1, tmp=tmp_path)
    first = export(sink, items, tmp_path / "one")
    assert statuses(first) == [ExportStatus.CREATED] * 3
    sink.calls.clear()
    again = export(sink, items, tmp_path / "another-data-dir")
    assert statuses(again) == [ExportStatus.ALREADY_THERE] * 3
    assert [o.placement for o in again] == [o.placement for o in first]
    assert [o.attachments for o in again] == [1] * 3
    assert not sink.duplicates()
    assert len(sink.files) == 3  # the documents were found connected, not uploaded again
    methods = [m for m, _ in sink.calls]
    assert methods.count("find_vouchers") == 1  # one listing, not one look-up per voucher
    assert "post_voucher" not in methods and "upload_attachment" not in methods
    assert states(tmp_path / "another-data-dir") == [VoucherState.CONFIRMED] * 3


def test_d1_emptied_journal_file_costs_a_look_up_not_a_duplicate(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sink = ScriptedSink()
    items = vouchers(2)
    export(sink, items, tmp_path)
    (tmp_path / "export-journal.sqlite3").write_bytes(b"")  # truncated to 0 bytes
    for extra in ("-wal", "-shm"):
        (tmp_path / f"export-journal.sqlite3{extra}").unlink(missing_ok=True)
    with caplog.at_level(logging.WARNING, logger="ledgerlink.export"):
        again = export(sink, items, tmp_path)
    assert statuses(again) == [ExportStatus.ALREADY_THERE] * 2
    assert not sink.duplicates()
    assert "is an empty file" in caplog.text  # never accepted without a word


def test_d1_a_failed_look_up_sends_nothing(tmp_path: Path) -> None:
    sink = ScriptedSink().script("find_vouchers", ExportAmbiguous("503"))
    outcomes = export(sink, vouchers(2), tmp_path)
    assert statuses(outcomes) == [ExportStatus.FAILED] * 2
    assert "look-up in the target failed" in (outcomes[0].error or "")
    assert not sink.posted
    assert states(tmp_path) == [VoucherState.PENDING] * 2
    assert statuses(export(sink, vouchers(2), tmp_path)) == [ExportStatus.CREATED] * 2


def test_d2_sending_records_the_series_and_the_rerun_looks_there(tmp_path: Path) -> None:
    sink = ScriptedSink().script("post_voucher", ScriptedSink.CRASH_AFTER)
    items = vouchers(1)
    with contextlib.suppress(SimulatedCrash):
        export(sink, items, tmp_path, series="B")
    with ExportJournal.open(tmp_path) as journal:
        (entry,) = journal.entries(KEY)
    assert entry.state == VoucherState.SENDING and entry.sent_series == "B"
    (again,) = export(sink, items, tmp_path)  # no --series this time
    assert again.status == ExportStatus.ALREADY_THERE
    assert again.placement == VoucherRef(series="B", number="1", year=1)
    assert not sink.duplicates()


def test_d2_an_old_journal_without_the_column_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "export-journal.sqlite3"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE vouchers (target TEXT NOT NULL, ref TEXT NOT NULL, label TEXT NOT NULL, "
        "origin TEXT NOT NULL DEFAULT '', date TEXT NOT NULL, state TEXT NOT NULL, series TEXT, "
        "number TEXT, year INTEGER, attempts INTEGER NOT NULL DEFAULT 0, error TEXT, "
        "created_at TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (target, ref))"
    )
    db.commit()
    db.close()
    assert statuses(export(ScriptedSink(), vouchers(1), tmp_path)) == [ExportStatus.CREATED]


def test_d15_series_override_on_exported_vouchers_is_reported(tmp_path: Path) -> None:
    sink = ScriptedSink()
    items = vouchers(2)
    export(sink, items, tmp_path)
    again = export(sink, items, tmp_path, series="B")
    assert statuses(again) == [ExportStatus.ALREADY_THERE] * 2
    assert all(o.placement is not None and o.placement.series == "A" for o in again)
    assert all("--series B does not apply" in (o.note or "") for o in again)
    assert "A 1" in (again[0].note or "")
