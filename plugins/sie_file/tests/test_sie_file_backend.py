"""The ``sie_file`` backend: import a year from a SIE file, export vouchers as SIE 4I.

Exports go through core's public API (``ledgerlink_core.jobs.push`` with ready items), as a
library caller would: the backend only supplies a batch sink, and core journals it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from ledgerlink_core import (
    BackendContext,
    BookkeepingRequest,
    Capability,
    ExportReport,
    ExportStatus,
    InputError,
    Runtime,
    ValidationFailed,
    Voucher,
    VoucherExport,
    VoucherRow,
    check_sie,
    example_company_path,
    export_items,
    read_sie,
)
from ledgerlink_core.jobs import PushRequest, push
from ledgerlink_sie_file.backend import SieFileBackend, SieFileSettings


def backend(tmp_path: Path, path: Path, **settings: object) -> SieFileBackend:
    ctx = BackendContext(backend_name="sie_file", config_dir=tmp_path, data_dir=tmp_path)
    return SieFileBackend(SieFileSettings(path=path, **settings), ctx)  # type: ignore[arg-type]


def test_registered_under_its_name() -> None:
    (ep,) = [e for e in entry_points(group="ledgerlink.backends") if e.name == "sie_file"]
    assert ep.load() is SieFileBackend and SieFileBackend.name == "sie_file"
    caps = SieFileBackend.capabilities()
    assert Capability.IMPORT_BOOKKEEPING in caps and Capability.EXPORT_VOUCHERS in caps
    assert Capability.EXPORT_ATTACHMENTS not in caps
    assert Capability.IMPORT_SUBLEDGER_CUSTOMER not in caps


def test_import_reads_the_file(tmp_path: Path) -> None:
    b = backend(tmp_path, example_company_path())
    book = b.import_bookkeeping(BookkeepingRequest())
    assert book == read_sie(example_company_path()).bookkeeping
    assert b.import_bookkeeping(BookkeepingRequest(year=2025)) == book
    assert b.import_bookkeeping(BookkeepingRequest(year_index=0)) == book
    assert b.import_bookkeeping(BookkeepingRequest(on_date=dt.date(2025, 6, 1))) == book
    info = b.check_connection()
    assert info.company == book.company.name


def test_an_earlier_year_becomes_year_zero(tmp_path: Path) -> None:
    b = backend(tmp_path, example_company_path())
    prev = b.import_bookkeeping(BookkeepingRequest(year=2024))
    assert [(y.index, y.start.year) for y in prev.fiscal_years] == [(0, 2024)]
    assert prev.vouchers == ()  # the file holds the vouchers of 2025 only
    full = read_sie(example_company_path()).bookkeeping
    assert {b.account: b.amount for b in prev.closing_balances} == {
        b.account: b.amount for b in full.closing_balances if b.year_index == -1
    }
    assert all(b.year_index == 0 for b in prev.closing_balances)


def test_a_missing_year_is_a_clear_error(tmp_path: Path) -> None:
    b = backend(tmp_path, example_company_path())
    with pytest.raises(InputError, match="no fiscal year ending in 2019") as caught:
        b.import_bookkeeping(BookkeepingRequest(year=2019))
    assert "2025 (#RAR 0" in str(caught.value) and "exempel_ab.se" in str(caught.value)
    with pytest.raises(InputError, match="#RAR -3"):
        b.import_bookkeeping(BookkeepingRequest(year_index=-3))


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        backend(tmp_path, tmp_path / "nope.se").import_bookkeeping(BookkeepingRequest())


def test_errors_in_the_file_fail_a_strict_import_and_are_skipped_otherwise(tmp_path: Path) -> None:
    path = tmp_path / "bad.se"
    path.write_bytes(
        b"#FLAGGA 0\r\n#FNAMN x\r\n#VER A 1 20250101 x\r\n{\r\n#TRANS 1930 {} 5\r\n}\r\n"
        b"#VER A 2 20250101 y\r\n{\r\n#TRANS 1930 {} 5\r\n#TRANS 1510 {} -5\r\n}\r\n"
    )
    with pytest.raises(ValidationFailed, match="1 error") as caught:
        backend(tmp_path, path).import_bookkeeping(BookkeepingRequest())
    assert caught.value.problems == (
        f"{path}:3: voucher A 1 does not balance: its #TRANS rows sum to 5",
    )
    book = backend(tmp_path, path, strict=False).import_bookkeeping(BookkeepingRequest())
    assert [v.number for v in book.vouchers] == ["2"]


def _exports() -> list[VoucherExport]:
    return export_items(read_sie(example_company_path()).bookkeeping.vouchers[:3])


def export(out: Path, items: list[VoucherExport], **settings: str) -> ExportReport:
    request = PushRequest(
        backend="sie_file", items=tuple(items), overrides={"path": str(out), **settings}
    )
    return push(Runtime(), request)


def test_export_writes_a_sie_4i_file(tmp_path: Path) -> None:
    out = tmp_path / "OUT.si"
    items = _exports()
    report = export(out, items, company_name="Mottagaren AB")
    assert [o.status for o in report.outcomes] == [ExportStatus.CREATED] * 3
    assert [o.external_ref for o in report.outcomes] == [i.external_ref for i in items]
    doc = read_sie(out)
    assert doc.info.sie_type == "4I" and doc.bookkeeping.company.name == "Mottagaren AB"
    assert doc.bookkeeping.vouchers == tuple(i.voucher for i in items)
    # no temp file left; the lock file beside the target stays (it is never removed: a lock
    # file deleted while another process waits on it would let two writers in)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".OUT.si.lock", "OUT.si"]


def test_exporting_twice_from_python_writes_once(tmp_path: Path) -> None:
    """The defect the sink shape removes: two library calls, no CLI, no journal passed."""
    out = tmp_path / "OUT.si"
    items = _exports()
    assert {o.status for o in export(out, items).outcomes} == {ExportStatus.CREATED}
    stamp = out.stat().st_mtime_ns
    second = export(out, items)
    assert {o.status for o in second.outcomes} == {ExportStatus.ALREADY_THERE}
    assert len(read_sie(out).bookkeeping.vouchers) == 3
    assert out.stat().st_mtime_ns == stamp


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "OUT.si"
    request = PushRequest(
        backend="sie_file", items=tuple(_exports()), overrides={"path": str(out)}, dry_run=True
    )
    report = push(Runtime(), request)
    assert {o.status for o in report.outcomes} == {ExportStatus.WOULD_CREATE}
    assert not out.exists()


def test_a_file_it_cannot_read_completely_is_never_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "OUT.si"
    out.write_bytes(b'#FLAGGA 0\r\n#SIETYP 4\r\n#FNAMN "X"\r\n#VER A 1 2025xx01 ""\r\n{\r\n')
    before = out.read_bytes()
    with pytest.raises(InputError):
        export(out, _exports())
    assert out.read_bytes() == before


def test_export_into_an_existing_bookkeeping_keeps_it(tmp_path: Path) -> None:
    target = tmp_path / "books.se"
    target.write_bytes(example_company_path().read_bytes())
    before = read_sie(target).bookkeeping
    items = [
        VoucherExport(
            voucher=Voucher(
                series="F",
                date=dt.date(2025, 12, 30),
                text="Tillagd",
                rows=(
                    VoucherRow(account="1930", amount=Decimal("-99.50")),
                    VoucherRow(account="6570", amount=Decimal("99.50")),
                ),
            ),
            external_ref="new-1",
        )
    ]
    report = export(target, items)
    assert [o.status for o in report.outcomes] == [ExportStatus.CREATED]
    after = read_sie(target)
    assert after.info.sie_type == "4E"
    assert after.bookkeeping.vouchers == (*before.vouchers, items[0].voucher)
    # Everything else is kept, but year 0's #UB/#RES/#PSALDO move with the voucher, so the
    # file stays valid by `check` (issue 15, D8).
    moved = ("closing_balances", "results", "period_balances")
    unchanged = {"vouchers": (), "source": None, **dict.fromkeys(moved, ())}
    assert after.bookkeeping.model_copy(update=unchanged) == before.model_copy(update=unchanged)
    assert check_sie(target).errors == 0
