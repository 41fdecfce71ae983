"""The reader splits lines in binary where text mode would (LF, CRLF, lone CR), in blocks."""

from __future__ import annotations

import io
from decimal import Decimal
from itertools import chain

from hypothesis import given
from hypothesis import strategies as st
from ledgerlink_core.sie import check_sie, read_sie
from ledgerlink_core.sie._scan import line_blocks


def _text_mode(data: bytes) -> list[bytes]:
    """Lines as a text-mode reader (universal newlines) gives them, without line ends."""
    text = io.TextIOWrapper(io.BytesIO(data), encoding="latin-1", newline=None)
    return [line.rstrip("\n").encode("latin-1") for line in text]


@given(
    st.lists(
        st.sampled_from([b"a", b"#TRANS 1", b" ", b"\r", b"\n", b"\r\n", b"\x94"]), max_size=60
    ),
    st.integers(min_value=1, max_value=9),
)
def test_blocks_split_like_text_mode(parts: list[bytes], size: int) -> None:
    data = b"".join(parts)
    got = list(chain.from_iterable(line_blocks(io.BytesIO(data), size)))
    assert got == _text_mode(data)


def _file(eol: bytes) -> bytes:
    lines = [
        b"#FLAGGA 0",
        b'#PROGRAM "t" "1"',
        b"#SIETYP 4",
        b'#FNAMN "Bolaget"',
        b"#RAR 0 20250101 20251231",
        b'#KONTO 1930 "Bank"',
        b'#KONTO 3001 "F\x94rs\x84ljning"',
        b'#VER "A" "1" 20250105 "Kassa" 20250105',
        b"{",
        b'#TRANS 1930 {} 100.00 20250105 "x"',
        b"#TRANS 3001 {} -100.00",
        b"}",
        b'#VER "A" "2" 20250106 "Kassa"',
        b"{",
        b"#TRANS 1930 {} 5.00",
        b"#TRANS 3001 {} -4.00",
        b"}",
    ]
    return eol.join(lines) + eol


def test_line_ends_do_not_change_the_result() -> None:
    reports = [check_sie(_file(eol), name="f.se") for eol in (b"\r\n", b"\n", b"\r")]
    for report in reports:
        assert report.transactions == 4
        assert report.unbalanced_vouchers == 1
        assert [p.line for p in report.problems if p.code == "unbalanced"] == [13]
    docs = [read_sie(_file(eol), strict=False) for eol in (b"\r\n", b"\n", b"\r")]
    assert docs[0].bookkeeping == docs[1].bookkeeping == docs[2].bookkeeping
    assert docs[0].bookkeeping.accounts[1].name == "Försäljning"


def test_a_lone_cr_inside_a_row_ends_the_line_as_in_text_mode() -> None:
    # "-100.00\r" ends a line, and the CRLF after it another (a blank one), as in text mode
    data = _file(b"\r\n").replace(b"-100.00\r\n", b"-100.00\r\r\n")
    report = check_sie(data, name="f.se")
    assert report.transactions == 4
    assert report.errors == 1
    # one line more than the CRLF file: the second voucher is now on line 14
    assert [p.line for p in report.problems if p.code == "unbalanced"] == [14]


def test_summary_mode_names_a_voucher_it_reports_in_the_file_encoding() -> None:
    data = _file(b"\r\n").replace(b'#VER "A" "2"', b'#VER "\x8f" "2"')  # CP437 Å
    report = check_sie(data, name="f.se")
    unbalanced = [p for p in report.problems if p.code == "unbalanced"]
    assert [p.message.split(" does")[0] for p in unbalanced] == ["voucher Å 2"]
    doc = read_sie(data, strict=False)
    assert [v.series for v in doc.bookkeeping.vouchers] == ["A"]


def test_rows_after_a_general_path_line_inside_a_block_are_still_read() -> None:
    data = _file(b"\r\n").replace(
        b'#TRANS 1930 {} 100.00 20250105 "x"',
        b'#RTRANS 1930 {} 100.00 20250105 "x"\r\n#TRANS 1930 {} 100.00 20250105 "x"',
    )
    report = check_sie(data, name="f.se")
    assert (report.transactions, report.added_rows, report.errors) == (4, 1, 1)
    doc = read_sie(data, strict=False)
    (first,) = doc.bookkeeping.vouchers
    assert [r.amount for r in first.rows] == [Decimal("100.00"), Decimal("-100.00")]
    assert [h.kind for h in first.history] == ["added"]
