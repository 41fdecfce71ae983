"""The streaming reader and the full load: lexical forms, encodings, KSUMMA, history rows,
strict and lenient mode, and error messages that name the file and line."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from ledgerlink_core.model import ObjectRef
from ledgerlink_core.sie import (
    SieError,
    SieRecord,
    SieVoucher,
    dumps_sie,
    iter_sie,
    read_sie,
)

HEAD = [
    "#FLAGGA 0",
    '#PROGRAM "Test" 1.0',
    "#FORMAT PC8",
    "#GEN 20250101",
    "#SIETYP 4",
    '#FNAMN "Åkesson & Söner AB"',
    "#RAR 0 20250101 20251231",
    '#KONTO 1930 "Företagskonto"',
    '#KONTO 3001 "Försäljning"',
    '#KONTO 2610 "Utgående moms"',
    '#KONTO 4010 "Inköp"',
    '#KONTO 5410 "Förbrukningsinventarier"',
]
VOUCHER = [
    '#VER A 1 20250105 "Försäljning" 20250106 "Åsa"',
    "{",
    '#TRANS 1930 {} 1250.00 "" "Kund Ö"',
    '#TRANS 3001 {1 "100" 6 "P1"} -1000.00',
    "#TRANS 2610 {} -250",
    "}",
]


def sie(*lines: str, eol: str = "\r\n", encoding: str = "cp437") -> bytes:
    """A SIE file from lines."""
    return (eol.join(lines) + eol).encode(encoding)


def test_a_small_file_loads_into_the_model() -> None:
    doc = read_sie(sie(*HEAD, *VOUCHER), name="small.se")
    book = doc.bookkeeping
    assert doc.problems == []
    assert book.company.name == "Åkesson & Söner AB"
    assert book.fiscal_years[0].start == dt.date(2025, 1, 1)
    (v,) = book.vouchers
    assert (v.series, v.number, v.date, v.text, v.reg_date, v.sign) == (
        "A",
        "1",
        dt.date(2025, 1, 5),
        "Försäljning",
        dt.date(2025, 1, 6),
        "Åsa",
    )
    assert [r.amount for r in v.rows] == [Decimal("1250.00"), Decimal("-1000.00"), Decimal(-250)]
    assert v.rows[0].text == "Kund Ö" and v.rows[0].date is None
    assert v.rows[1].objects == (
        ObjectRef(dimension=1, number="100"),
        ObjectRef(dimension=6, number="P1"),
    )
    assert doc.info.sie_type == "4I"  # no balance records
    assert (doc.info.encoding, doc.info.ksumma, doc.info.program) == ("cp437", "absent", "Test")


def test_layout_variants_give_the_same_model() -> None:
    plain = read_sie(sie(*HEAD, *VOUCHER)).bookkeeping
    tabs = [line.replace(" ", "\t", 2) if line.startswith("#TRANS") else line for line in VOUCHER]
    variants = [
        sie(*HEAD, *VOUCHER, eol="\n"),
        sie(*HEAD, "", *VOUCHER, ""),
        sie(*HEAD, *["  " + line for line in VOUCHER]),
        sie(*HEAD, *tabs),
        sie(*HEAD, *[line.replace("#TRANS", "#trans") for line in VOUCHER]),
        sie(*HEAD, *VOUCHER[:1], " { ", *VOUCHER[2:-1], "  }  "),
    ]
    for data in variants:
        doc = read_sie(data)
        assert doc.bookkeeping == plain


@pytest.mark.parametrize("encoding", ["cp437", "utf-8", "utf-8-sig", "latin-1"])
def test_the_encoding_is_detected_from_the_bytes(encoding: str) -> None:
    doc = read_sie(sie(*HEAD, *VOUCHER, encoding=encoding))
    assert doc.bookkeeping.company.name == "Åkesson & Söner AB"
    assert doc.info.encoding == encoding


def test_a_mixed_file_reads_as_cp437() -> None:
    # Visma: a CP437 body with a Latin-1 Windows path in #FNR.
    data = sie(*HEAD, *VOUCHER) + '#FNR "C:\\Företag"\r\n'.encode("latin-1")
    doc = read_sie(data)
    assert doc.info.encoding == "cp437"
    assert doc.bookkeeping.company.name == "Åkesson & Söner AB"
    assert doc.bookkeeping.company.company_id == "C:\\F÷retag"


def test_a_utf8_file_with_a_stray_byte_survives() -> None:
    data = sie(*HEAD, *VOUCHER, encoding="utf-8") + b'#PROSA "F\x94retag"\r\n'
    doc = read_sie(data)
    assert doc.info.encoding == "utf-8"
    assert doc.bookkeeping.source.comment == "Företag"


def test_ksumma_valid_invalid_absent_and_truncated(tmp_path: Path) -> None:
    book = read_sie(sie(*HEAD, *VOUCHER)).bookkeeping
    signed = dumps_sie(book, sie_type="4I", ksumma=True)
    assert read_sie(signed).info.ksumma == "valid"
    assert read_sie(dumps_sie(book, sie_type="4I")).info.ksumma == "absent"

    tampered = signed.replace(b"1250.00", b"1250.10").replace(b"-250.00", b"-250.10")
    with pytest.raises(SieError) as caught:
        read_sie(tampered, name="t.si")
    assert caught.value.code == "ksumma" and "t.si:" in str(caught.value)
    lenient = read_sie(tampered, strict=False)
    assert lenient.info.ksumma == "invalid"
    assert [p.code for p in lenient.problems] == ["ksumma"]

    truncated = signed[: signed.rindex(b"#KSUMMA ")]
    for strict in (True, False):
        with pytest.raises(SieError, match="truncated") as caught:
            read_sie(truncated, strict=strict, name="cut.si")
        assert caught.value.line == 2


def test_ksumma_of_a_cp437_checksum_in_a_utf8_file_verifies() -> None:
    # kigkonsult's trap: the CRC was computed on CP437 bytes, the file saved as UTF-8.
    book = read_sie(sie(*HEAD, *VOUCHER)).bookkeeping
    signed = dumps_sie(book, sie_type="4I", ksumma=True)
    as_utf8 = signed.decode("cp437").encode("utf-8")
    doc = read_sie(as_utf8)
    assert (doc.info.encoding, doc.info.ksumma) == ("utf-8", "valid")


def test_rtrans_and_btrans_are_history_and_only_trans_rows_balance() -> None:
    lines = [
        "#VER A 2 20250110 Rättelse",
        "{",
        '#BTRANS 4010 {} 100.00 20250111 "" "" "Åsa"',
        '#RTRANS 5410 {} 100.00 20250111 "" "" "Åsa"',
        "#TRANS 5410 {} 100.00",
        "#TRANS 1930 {} -100.00",
        "}",
    ]
    (v,) = read_sie(sie(*HEAD, *lines)).bookkeeping.vouchers
    assert [r.account for r in v.rows] == ["5410", "1930"]
    assert [(h.kind, h.row.account, h.position) for h in v.history] == [
        ("removed", "4010", 0),
        ("added", "5410", 0),
    ]
    assert v.history[0].row.sign == "Åsa"


def test_an_rtrans_without_its_twin_is_a_warning() -> None:
    lines = ["#VER A 2 20250110 x", "{", "#RTRANS 5410 {} 100.00", "#TRANS 1930 {} 0", "}"]
    doc = read_sie(sie(*HEAD, *lines))
    assert [(p.code, p.line) for p in doc.problems] == [("rtrans-twin", len(HEAD) + 3)]


def test_strict_raises_on_the_first_error_and_lenient_collects() -> None:
    bad = [*VOUCHER[:-2], "#TRANS 2610 {} -249", "}"]
    data = sie(*HEAD, *bad, "#VER A 2 20251301 x", "{", "}")
    with pytest.raises(SieError) as caught:
        read_sie(data, name="books.se")
    line = len(HEAD) + 1
    assert str(caught.value) == (
        f"books.se:{line}: voucher A 1 does not balance: its #TRANS rows sum to 1.00"
    )
    doc = read_sie(data, strict=False, name="books.se")
    assert doc.bookkeeping.vouchers == ()
    assert [(p.line, p.code) for p in doc.problems] == [
        (line, "unbalanced"),
        (line + 6, "bad-field"),
    ]
    assert "20251301 is not a real date" in doc.problems[1].message


def test_unknown_labels_and_extra_fields_are_warnings_with_lines() -> None:
    data = sie(*HEAD, "#MOMSKOD 1 25", '#KONTO 1510 "Kund" extra', *VOUCHER)
    doc = read_sie(data)
    assert [(p.line, p.code, p.severity) for p in doc.problems] == [
        (len(HEAD) + 1, "unknown-label", "warning"),
        (len(HEAD) + 2, "extra-fields", "warning"),
    ]
    assert doc.clean


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html><body>404</body></html>\n", "not a SIE file"),
        (b"\x00\x01\x02#FLAGGA 0", "binary"),
    ],
)
def test_unreadable_input_raises_in_both_modes(data: bytes, message: str) -> None:
    for strict in (True, False):
        with pytest.raises(SieError, match=message):
            read_sie(data, strict=strict)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(SieError, match="no such file"):
        read_sie(tmp_path / "nope.se")


def test_iter_sie_streams_records_and_vouchers(tmp_path: Path) -> None:
    path = tmp_path / "books.se"
    path.write_bytes(sie(*HEAD, *VOUCHER, *VOUCHER))
    reader = iter_sie(path)
    items = list(reader)
    assert [type(i) for i in items] == [SieRecord] * len(HEAD) + [SieVoucher] * 2
    assert items[1].line == 2 and items[1].label == "#PROGRAM"
    assert items[-1].line == len(HEAD) + 7 and items[-1].to_model().rows[0].account == "1930"
    assert reader.lines == len(HEAD) + 12 and reader.encoding == "cp437"


def test_a_voucher_block_left_open_is_reported() -> None:
    data = sie(*HEAD, *VOUCHER[:-1], *VOUCHER)
    doc = read_sie(data, strict=False)
    assert len(doc.bookkeeping.vouchers) == 1
    assert doc.problems[0].code == "syntax" and doc.problems[0].line == len(HEAD) + 1
