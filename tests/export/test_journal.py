"""The export journal: durable states, the push lock, and what survives a reopen."""

from __future__ import annotations

import datetime as dt
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from ledgerlink_core.errors import ExportBusy, ExportError
from ledgerlink_core.export.journal import AttachmentState, ExportJournal, VoucherState
from ledgerlink_core.model import AttachmentRef, Voucher, VoucherExport, VoucherRef, VoucherRow


def item(ref: str, attachments: int = 0) -> VoucherExport:
    v = Voucher(
        series="A",
        number="1",
        date=dt.date(2025, 12, 31),
        rows=(
            VoucherRow(account="1930", amount=Decimal(5)),
            VoucherRow(account="3000", amount=Decimal(-5)),
        ),
    )
    atts = tuple(
        AttachmentRef(
            path=f"/x/{n}.pdf",
            filename=f"{n}.pdf",
            media_type="application/pdf",
            size=1,
            sha256="0",
        )
        for n in range(attachments)
    )
    return VoucherExport(voucher=v, attachments=atts, external_ref=ref)


def test_states_survive_a_reopen(tmp_path: Path) -> None:
    with ExportJournal.open(tmp_path) as journal:
        entry = journal.register("t", item("r1", attachments=2))
        assert entry.state == VoucherState.PENDING and len(entry.attachments) == 2
        journal.register("t", item("r2"))
        journal.mark_sending("t", "r1")
        journal.mark_confirmed("t", "r1", VoucherRef(series="A", number="17", year=3))
        journal.mark_attachment("t", "r1", 0, AttachmentState.UPLOADED, "file-0")
        journal.mark_sending("t", "r2")
        # registering again keeps what the journal knows
        assert journal.register("t", item("r1", attachments=2)).state == VoucherState.CONFIRMED
    with ExportJournal.open(tmp_path) as journal:
        r1 = journal.entry("t", "r1")
        assert r1 is not None and r1.state == VoucherState.CONFIRMED
        assert r1.placement == VoucherRef(series="A", number="17", year=3)
        assert r1.attempts == 1
        assert [(a.state, a.file_id) for a in r1.attachments] == [
            (AttachmentState.UPLOADED, "file-0"),
            (AttachmentState.PENDING, None),
        ]
        r2 = journal.entry("t", "r2")
        assert r2 is not None and r2.state == VoucherState.SENDING and r2.placement is None
        assert journal.counts("t") == {"confirmed": 1, "sending": 1}
        assert journal.entry("other-target", "r1") is None  # targets are separate


def test_wal_and_full_sync(tmp_path: Path) -> None:
    with ExportJournal.open(tmp_path) as journal:
        journal.register("t", item("r"))
        mode = journal._db.execute("PRAGMA journal_mode").fetchone()[0]
        sync = journal._db.execute("PRAGMA synchronous").fetchone()[0]
    assert (mode, sync) == ("wal", 2)  # 2 = FULL
    assert sqlite3.connect(tmp_path / "export-journal.sqlite3").execute(
        "SELECT COUNT(*) FROM vouchers"
    ).fetchone() == (1,)


def test_one_push_at_a_time_and_lock_released_on_kill(tmp_path: Path) -> None:
    first = ExportJournal.open(tmp_path)
    first.acquire("t")
    second = ExportJournal.open(tmp_path)
    with pytest.raises(ExportBusy, match="another push to t is running"):
        second.acquire("t")
    first.close()
    second.acquire("t")  # free again
    second.close()

    # A process killed with SIGKILL while holding the lock does not leave it behind.
    code = (
        "import os, signal, sys; from pathlib import Path; "
        "from ledgerlink_core.export.journal import ExportJournal; "
        f"j = ExportJournal.open(Path({str(tmp_path)!r})); j.acquire('t'); "
        "os.kill(os.getpid(), signal.SIGKILL)"
    )
    proc = subprocess.run([sys.executable, "-c", code], check=False)
    assert proc.returncode == -9
    third = ExportJournal.open(tmp_path)
    third.acquire("t")
    third.close()


def test_u5_pushes_to_two_targets_run_side_by_side(tmp_path: Path) -> None:
    """Reliability review U5: the lock was one per data directory, so a push to one target
    was refused while another went to a different target."""
    first, second = ExportJournal.open(tmp_path), ExportJournal.open(tmp_path)
    first.acquire("fortnox:556677-8899/1@https://api.fortnox.se")
    second.acquire("sie_file:/books/out.si")  # another target: not busy
    second.register("sie_file:/books/out.si", item("r2"))
    first.register("fortnox:556677-8899/1@https://api.fortnox.se", item("r1"))
    with pytest.raises(ExportBusy) as caught:
        ExportJournal.open(tmp_path).acquire("sie_file:/books/out.si")
    assert caught.value.exit_code == 9 and isinstance(caught.value, ExportError)
    first.close()
    second.close()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes; Windows: the profile folder")
def test_s4_the_journal_and_its_folder_are_the_users_alone(tmp_path: Path) -> None:
    """Reliability review S4: with umask 022 the data folder was 0755, the journal and its
    lock 0644, although the journal holds voucher texts, input paths and company numbers."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        data = tmp_path / "data"
        with ExportJournal.open(data) as journal:
            journal.acquire("t")
            journal.register("t", item("r1"))
            journal.release()
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir()}
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert modes and all(mode == 0o600 for mode in modes.values()), modes
