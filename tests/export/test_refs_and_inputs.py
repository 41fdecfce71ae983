"""The external reference and reading push input (SIE, JSON, attachments)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from ledgerlink_core.errors import InputError
from ledgerlink_core.export.inputs import read_push_input, sniff_media_type
from ledgerlink_core.export.refs import LENGTH, external_ref, external_refs, find_marker, marker
from ledgerlink_core.model import Bookkeeping, CompanyInfo, ObjectRef, Voucher, VoucherRow
from ledgerlink_core.sie.writer import write_sie

PDF = b"%PDF-1.4\n%test document\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16


def voucher(n: int, amount: str = "100.00", series: str = "A", text: str = "") -> Voucher:
    return Voucher(
        series=series,
        number=str(n) if n else None,
        date=dt.date(2025, 12, 31),
        text=text or f"Bokslut {n}",
        rows=(
            VoucherRow(
                account="1790",
                amount=Decimal(amount),
                objects=(ObjectRef(dimension=1, number="100"),),
            ),
            VoucherRow(account="5010", amount=-Decimal(amount)),
        ),
    )


def as_json(v: Voucher, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = v.model_dump(mode="json", exclude_defaults=True)
    data.update(extra)
    return data


# --- refs -----------------------------------------------------------------------------------


def test_ref_is_stable_and_normalises_amounts() -> None:
    a = voucher(1, "100")
    b = voucher(1, "100.00")
    assert external_ref(a) == external_ref(b)
    assert len(external_ref(a)) == LENGTH <= 100  # fits Fortnox TransactionInformation too
    assert external_ref(a) != external_ref(voucher(1, "100.01"))
    assert external_ref(a) != external_ref(voucher(2, "100"))  # origin A 1 vs A 2


def test_identical_unnumbered_vouchers_get_distinct_refs() -> None:
    twins = [voucher(0), voucher(0), voucher(0)]
    refs = list(external_refs(twins))
    assert len(set(refs)) == 3
    assert refs == list(external_refs(twins))  # and the same ones every time


def test_marker_round_trip() -> None:
    ref = external_ref(voucher(7))
    text = f"some user text {marker(ref)} more"
    assert find_marker(text) == ref
    assert find_marker("no marker here") is None
    assert find_marker(None) is None


# --- inputs ---------------------------------------------------------------------------------


def test_json_list_sie_and_pull_json_give_the_same_vouchers_and_refs(tmp_path: Path) -> None:
    vouchers = [voucher(1), voucher(2, "250.50")]
    plain = tmp_path / "list.json"
    plain.write_text(json.dumps([as_json(v) for v in vouchers]))
    book = Bookkeeping(company=CompanyInfo(name="Test AB"), vouchers=tuple(vouchers))
    pulled = tmp_path / "pulled.json"
    pulled.write_text(json.dumps(book.model_dump(mode="json")))
    sie = tmp_path / "moved" / "v.si"
    sie.parent.mkdir()
    write_sie(book, sie, sie_type="4I")

    results = [read_push_input(p) for p in (plain, pulled, sie)]
    for result in results:
        assert result.problems == []
        assert [i.voucher.label for i in result.items] == ["A 1", "A 2"]
        assert result.items[0].voucher.rows[0].objects == (ObjectRef(dimension=1, number="100"),)
    refs = [[i.external_ref for i in r.items] for r in results]
    assert refs[0] == refs[1] == refs[2]  # neither format nor path changes the identity


def test_unbalanced_json_voucher_is_a_problem_naming_it(tmp_path: Path) -> None:
    data = [as_json(voucher(1)), as_json(voucher(2))]
    data[1]["rows"][0]["amount"] = "101.00"
    path = tmp_path / "v.json"
    path.write_text(json.dumps(data))
    result = read_push_input(path)
    assert [i.voucher.label for i in result.items] == ["A 1"]
    assert len(result.problems) == 1
    assert "voucher #2 (A 2)" in result.problems[0] and "unbalanced" in result.problems[0]
    assert "1.00" in result.problems[0]


def test_unbalanced_sie_voucher_is_a_problem_with_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "v.si"
    path.write_text(
        '#FLAGGA 0\n#SIETYP 4\n#FNAMN "T"\n'
        '#VER A 1 20251231 "ok"\n{\n#TRANS 1790 {} 10\n#TRANS 5010 {} -10\n}\n'
        '#VER A 2 20251231 "bad"\n{\n#TRANS 1790 {} 10\n#TRANS 5010 {} -9\n}\n',
        encoding="cp437",
    )
    result = read_push_input(path)
    assert [i.voucher.label for i in result.items] == ["A 1"]
    # the #VER of A 2 is on line 9
    assert result.problems == [f"voucher A 2 ({path}:9): unbalanced: its rows sum to 1, not 0"]


def test_malformed_inputs_are_one_line_errors(tmp_path: Path) -> None:
    broken = tmp_path / "b.json"
    broken.write_text("[{")
    with pytest.raises(InputError, match=r"b\.json:1: not valid JSON"):
        read_push_input(broken)
    wrong = tmp_path / "w.json"
    wrong.write_text(json.dumps({"nothing": 1}))
    with pytest.raises(InputError, match="expected a list of vouchers"):
        read_push_input(wrong)
    with pytest.raises(InputError, match="no such file"):
        read_push_input(tmp_path / "missing.json")


def test_attachment_naming_rule_and_sniffing(tmp_path: Path) -> None:
    vouchers = [voucher(12), voucher(0, series="", text="unnumbered"), voucher(13)]
    path = tmp_path / "v.json"
    path.write_text(json.dumps([as_json(v) for v in vouchers]))
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "A-12.pdf").write_bytes(PDF)
    (docs / "A-12_receipt.png").write_bytes(PNG)
    (docs / "v2_scan.jpg").write_bytes(JPEG)
    (docs / "A-1.pdf").write_bytes(PDF)  # no voucher A 1 (only A 12, A 13): a typo
    (docs / "A-13.pdf").write_bytes(b"plain text pretending to be a PDF")
    (docs / "README.txt").write_text("ignored: not a document type")
    result = read_push_input(path, docs)
    atts = {
        i.voucher.label: [(a.filename, a.media_type) for a in i.attachments] for i in result.items
    }
    assert atts["A 12"] == [("A-12.pdf", "application/pdf"), ("A-12_receipt.png", "image/png")]
    assert atts["(new) 2025-12-31 'unnumbered'"] == [("v2_scan.jpg", "image/jpeg")]
    assert atts["A 13"] == []
    assert any("A-1.pdf: its name matches no voucher" in p for p in result.problems)
    assert any("voucher A 13" in p and "not a PDF, JPEG or PNG" in p for p in result.problems)
    assert len(result.problems) == 2


def test_json_named_attachments_missing_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "a.pdf").write_bytes(PDF)
    path = tmp_path / "v.json"
    path.write_text(
        json.dumps(
            [
                as_json(voucher(1), attachments=["a.pdf"]),
                as_json(voucher(2), attachments=["gone.pdf"]),
            ]
        )
    )
    result = read_push_input(path)
    assert [len(i.attachments) for i in result.items] == [1, 0]
    assert result.items[0].attachments[0].sha256
    assert result.problems == [f"voucher A 2: attachment {tmp_path / 'gone.pdf'} is missing"]


def test_sniff_media_type() -> None:
    assert sniff_media_type(PDF) == "application/pdf"
    assert sniff_media_type(PNG) == "image/png"
    assert sniff_media_type(JPEG) == "image/jpeg"
    assert sniff_media_type(b"GIF89a") is None
