"""Snapshots: every pull keeps what it imported once per distinct content, prunes by the
documented rule, keeps its files private, and never costs the import itself."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest
from ledgerlink_core.examples import example_company_path
from ledgerlink_core.jobs import PullRequest, SnapshotsRequest, pull, snapshots
from ledgerlink_core.model import Bookkeeping, CompanyInfo, FiscalYear
from ledgerlink_core.sie import read_sie
from ledgerlink_core.snapshots import GRACE, KEEP, SnapshotStore, company_key, content_hash

T0 = dt.datetime(2026, 1, 12, 9, 0, tzinfo=dt.UTC)


def example() -> Bookkeeping:
    return read_sie(example_company_path()).bookkeeping


def with_year(book: Bookkeeping, year: int) -> Bookkeeping:
    """The same company with another current fiscal year (another snapshot folder)."""
    fy = FiscalYear(index=0, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31))
    return book.model_copy(update={"fiscal_years": (fy,)})


def changed(book: Bookkeeping, n: int) -> Bookkeeping:
    """The same books with the first voucher's text changed: another content."""
    first = book.vouchers[0].model_copy(update={"text": f"changed {n}"})
    return book.model_copy(update={"vouchers": (first, *book.vouchers[1:])})


def test_the_snapshot_holds_the_books_as_sie(tmp_path: Path) -> None:
    book = example()
    snap = SnapshotStore(tmp_path).keep(book, backend="sie_file", now=T0)
    assert read_sie(snap.path).bookkeeping.vouchers == book.vouchers
    assert snap.company == book.company.name
    assert snap.org_nr == book.company.org_nr
    assert snap.fiscal_year == book.fiscal_year(0)
    assert snap.vouchers == len(book.vouchers)
    assert (snap.first_pulled, snap.last_pulled, snap.pulls) == (T0, T0, 1)
    assert snap.size == snap.path.stat().st_size


def test_unchanged_books_pulled_again_on_another_day_are_one_snapshot(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    book = example()
    first = store.keep(book, backend="fortnox", now=T0)
    # Another day: the writer's #GEN line differs, the content does not.
    source = book.source.model_copy(
        update={"generated_on": dt.date(2026, 1, 20), "generated_by": "Kim"}
    )
    later = book.model_copy(update={"source": source})
    second = store.keep(later, backend="fortnox", now=T0 + dt.timedelta(days=8))
    assert second.content_hash == first.content_hash
    assert (second.first_pulled, second.pulls) == (T0, 2)
    assert store.list() == [second]
    assert len(list((tmp_path / "blobs").iterdir())) == 1


def test_the_content_hash_leaves_out_only_when_and_by_what_it_was_written() -> None:
    a = b'#FLAGGA 0\r\n#PROGRAM "Fortnox" 3.1\r\n#GEN 20260112\r\n#VER A 1 20260110\r\n'
    b = b'#FLAGGA 0\r\n#PROGRAM "Fortnox" 3.2\r\n#GEN 20260120 "kim"\r\n#VER A 1 20260110\r\n'
    c = b'#FLAGGA 0\r\n#PROGRAM "Fortnox" 3.1\r\n#GEN 20260112\r\n#VER A 2 20260110\r\n'
    d = b'#FLAGGA 0\r\n#PROGRAM "Fortnox" 3.1\r\n#GEN 20260112\r\n#VER B 1 20260110\r\n'
    assert content_hash(a) == content_hash(b)
    assert len({content_hash(a), content_hash(c), content_hash(d)}) == 3


def test_changed_books_are_a_new_snapshot_and_latest_is_the_last_pulled(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    book = example()
    store.keep(book, backend="fortnox", now=T0)
    newer = store.keep(changed(book, 1), backend="fortnox", now=T0 + dt.timedelta(hours=1))
    store.keep(book, backend="sie_file", now=T0 + dt.timedelta(hours=2))
    assert len(store.list()) == 3
    latest = store.latest(
        backend="fortnox",
        org_nr=book.company.org_nr,
        company=book.company.name,
        year=book.fiscal_year(0),
    )
    assert latest == newer
    assert store.latest(backend="fortnox", org_nr=None, company="Other AB", year=None) is None


def test_pruning_keeps_the_newest_contents_per_company_year_and_backend(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    book = example()
    kept = [
        store.keep(changed(book, n), backend="fortnox", now=T0 + dt.timedelta(minutes=n))
        for n in range(KEEP + 3)
    ]
    other_year = store.keep(with_year(book, 2024), backend="fortnox", now=T0)
    listed = store.list()
    assert other_year in listed  # another year is its own group
    assert [s for s in listed if s != other_year] == list(reversed(kept[3:]))
    # The pruned contents' blobs go once they are older than the grace period.
    later = T0 + dt.timedelta(minutes=KEEP + 3) + GRACE + dt.timedelta(minutes=1)
    for blob in (tmp_path / "blobs").iterdir():
        os.utime(blob, (T0.timestamp(), T0.timestamp()))
    store.prune(now=later)
    blobs = {p.stem for p in (tmp_path / "blobs").iterdir()}
    assert blobs == {s.content_hash for s in listed}


def test_a_fresh_unreferenced_blob_survives_pruning(tmp_path: Path) -> None:
    """Another process writes its blob before its entry: pruning in between must not eat it."""
    store = SnapshotStore(tmp_path)
    store.keep(example(), backend="fortnox", now=T0)
    orphan = tmp_path / "blobs" / ("0" * 64 + ".se")
    orphan.write_bytes(b"#FLAGGA 0\r\n")
    store.prune()
    assert orphan.exists()


def test_listing_by_company_takes_the_org_nr_with_or_without_its_dash(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    book = example()
    other = book.model_copy(update={"company": CompanyInfo(name="Annat AB", org_nr="999999-0000")})
    mine = store.keep(book, backend="sie_file", now=T0)
    theirs = store.keep(other, backend="sie_file", now=T0)
    org = book.company.org_nr
    assert org is not None
    assert store.list(org) == [mine]
    assert store.list(org.replace("-", "")) == [mine]
    assert store.list("annat ab") == [theirs]
    assert store.list("nobody") == []


def test_books_without_an_org_nr_or_a_year_are_filed_too(tmp_path: Path) -> None:
    book = example().model_copy(
        update={"company": CompanyInfo(name="Utan Nummer"), "fiscal_years": ()}
    )
    snap = SnapshotStore(tmp_path).keep(book, backend="sie_file", now=T0)
    assert snap.fiscal_year is None
    assert company_key(None, "Utan Nummer") == company_key(None, "  utan nummer")
    assert snap.company_key.startswith("name-")
    assert SnapshotStore(tmp_path).list("Utan Nummer") == [snap]


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_snapshot_files_are_private(tmp_path: Path) -> None:
    root = tmp_path / "snapshots"
    snap = SnapshotStore(root).keep(example(), backend="sie_file", now=T0)
    assert stat.S_IMODE(snap.path.stat().st_mode) == 0o600
    for folder in [root, *[p for p in root.rglob("*") if p.is_dir()]]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_a_damaged_entry_is_left_alone(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    snap = store.keep(example(), backend="sie_file", now=T0)
    (tmp_path / "index" / snap.company_key / "no-year").mkdir(parents=True)
    (tmp_path / "index" / snap.company_key / "no-year" / "x-1.json").write_text("{not json")
    assert store.list() == [snap]


def test_every_pull_keeps_one_unless_told_not_to(ledgerlink_runtime: Any) -> None:
    result = pull(ledgerlink_runtime, PullRequest(source=example_company_path()))
    assert result.snapshot is not None
    again = pull(ledgerlink_runtime, PullRequest(source=example_company_path()))
    assert again.snapshot is not None and again.snapshot.pulls == 2
    none = pull(ledgerlink_runtime, PullRequest(source=example_company_path(), snapshot=False))
    assert none.snapshot is None
    listed = snapshots(ledgerlink_runtime, SnapshotsRequest())
    assert [s.pulls for s in listed] == [2]


def test_an_unwritable_data_dir_costs_the_snapshot_not_the_pull(
    run_cli_process, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("LEDGERLINK_DATA_DIR", str(blocker / "data"))
    result = run_cli_process("pull", str(example_company_path()))
    assert result.exit_code == 0, result.stderr
    assert "no snapshot kept of this pull" in result.stderr
    assert str(blocker) in result.stderr


def test_the_cli_lists_snapshots(run_cli, tmp_path: Path) -> None:
    assert run_cli("snapshots").exit_code == 0
    assert run_cli("pull", str(example_company_path())).exit_code == 0
    table = run_cli("snapshots")
    assert table.exit_code == 0
    assert example().company.name in table.stdout
    listed = json.loads(run_cli("snapshots", "--json").stdout)
    assert listed["ok"] is True
    (entry,) = listed["snapshots"]
    assert entry["backend"] == "sie_file"
    assert entry["vouchers"] == len(example().vouchers)
    org = example().company.org_nr
    assert org is not None
    only = json.loads(run_cli("snapshots", "--company", org, "--json").stdout)
    assert only["snapshots"] == listed["snapshots"]
    assert json.loads(run_cli("snapshots", "--company", "x", "--json").stdout)["snapshots"] == []
