"""The ``sie_file`` backend: import a year from a SIE file, export vouchers as SIE 4I."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from ledgerlink_core.backend import BackendContext, BookkeepingRequest, ExportOptions
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.errors import InputError, ValidationFailed
from ledgerlink_core.examples import example_company_path
from ledgerlink_core.model import ExportStatus, Voucher, VoucherExport, VoucherRow
from ledgerlink_core.sie import read_sie
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
    with pytest.raises(InputError, match="no financial year ending in 2019") as caught:
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
    vouchers = read_sie(example_company_path()).bookkeeping.vouchers[:3]
    return [VoucherExport(voucher=v, external_ref=f"ref-{i}") for i, v in enumerate(vouchers)]


def test_export_writes_a_sie_4i_file(tmp_path: Path) -> None:
    out = tmp_path / "OUT.si"
    items = _exports()
    outcomes = list(
        backend(tmp_path, out, company_name="Mottagaren AB").export_vouchers(items, ExportOptions())
    )
    assert [o.status for o in outcomes] == [ExportStatus.CREATED] * 3
    assert [o.external_ref for o in outcomes] == ["ref-0", "ref-1", "ref-2"]
    doc = read_sie(out)
    assert doc.info.sie_type == "4I" and doc.bookkeeping.company.name == "Mottagaren AB"
    assert doc.bookkeeping.vouchers == tuple(i.voucher for i in items)
    assert [p.name for p in tmp_path.iterdir()] == ["OUT.si"]


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "OUT.si"
    outcomes = list(backend(tmp_path, out).export_vouchers(_exports(), ExportOptions(dry_run=True)))
    assert {o.status for o in outcomes} == {ExportStatus.WOULD_CREATE}
    assert not out.exists()


def test_unbalanced_vouchers_are_refused_before_writing(tmp_path: Path) -> None:
    out = tmp_path / "OUT.si"
    bad = Voucher.model_construct(
        series="A",
        number="7",
        date=dt.date(2025, 1, 1),
        text="",
        reg_date=None,
        sign=None,
        rows=(VoucherRow(account="1930", amount=Decimal("10")),),
        history=(),
    )
    # (only a model built without validation can hold one: Voucher() refuses it)
    bad_item = VoucherExport.model_construct(
        voucher=bad, attachments=(), external_ref="bad", origin="in.json"
    )
    items = [*_exports(), bad_item]
    with pytest.raises(ValidationFailed) as caught:
        list(backend(tmp_path, out).export_vouchers(items, ExportOptions()))
    assert caught.value.problems == ("voucher A 7 (in.json) does not balance: rows sum to 10",)
    assert not out.exists()


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
    outcomes = list(backend(tmp_path, target).export_vouchers(items, ExportOptions()))
    assert [o.status for o in outcomes] == [ExportStatus.CREATED]
    after = read_sie(target)
    assert after.info.sie_type == "4E"
    assert after.bookkeeping.vouchers == (*before.vouchers, items[0].voucher)
    unchanged = {"vouchers": (), "source": None}
    assert after.bookkeeping.model_copy(update=unchanged) == before.model_copy(update=unchanged)
