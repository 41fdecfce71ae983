"""The tokeniser, on the lexical forms real SIE files use (docs/sie-format.md §2-§4)."""

from __future__ import annotations

import pytest
from ledgerlink_core.sie.lexer import LexError, UnclosedQuote, tokenize


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '#TRANS 1930 {1 "100" 6 "P1"} -1250.00',
            ["#TRANS", "1930", ("1", "100", "6", "P1"), "-1250.00"],
        ),
        ('#TRANS 1930 {"1" "456"} 5', ["#TRANS", "1930", ("1", "456"), "5"]),
        ("#TRANS 1930 {1 Nord} 5", ["#TRANS", "1930", ("1", "Nord"), "5"]),
        ("#TRANS 1930 {} 5", ["#TRANS", "1930", (), "5"]),
        ("#TRANS 1930 { } 5", ["#TRANS", "1930", (), "5"]),
        ("#TRANS 1229  {1         AO } -133", ["#TRANS", "1229", ("1", "AO"), "-133"]),
        ('#TRANS 1930 { "1" "1"} 0', ["#TRANS", "1930", ("1", "1"), "0"]),
        ("#TRANS\t1930\t{}\t-1250.00", ["#TRANS", "1930", (), "-1250.00"]),
    ],
)
def test_object_lists_and_separators(line: str, expected: list[object]) -> None:
    assert tokenize(line) == expected


def test_quoting_is_optional_and_empty_fields_are_empty_strings() -> None:
    assert tokenize("#KONTO 1510 Kundfordringar") == ["#KONTO", "1510", "Kundfordringar"]
    assert tokenize('#KONTO "1510" "Kundfordringar"') == ["#KONTO", "1510", "Kundfordringar"]
    assert tokenize('#TRANS 1930 {} 29266 "" "" 0') == ["#TRANS", "1930", (), "29266", "", "", "0"]
    assert tokenize('#VER "" "" 20251216 "Porto"') == ["#VER", "", "", "20251216", "Porto"]


def test_escaped_quote_is_the_only_escape() -> None:
    assert tokenize('#VER D 188 20250227 "Levfakt \\"BMS\\" (2025084)"')[4] == (
        'Levfakt "BMS" (2025084)'
    )
    assert tokenize('#PROGRAM "\\"Norstedts Revision\\"" 2010.1.1') == [
        "#PROGRAM",
        '"Norstedts Revision"',
        "2010.1.1",
    ]
    # other backslashes are literal, doubled ones too
    assert tokenize('#TRANS 1930 {} 1 "" "1820\\A012 Cykel"')[5] == "1820\\A012 Cykel"
    assert tokenize('#FNR "C:\\\\Documents and Settings\\\\x"') == [
        "#FNR",
        "C:\\\\Documents and Settings\\\\x",
    ]


def test_a_field_ending_in_a_backslash_is_recovered_when_it_is_last() -> None:
    assert tokenize('#FNR "C:\\ProgramData\\F\xf7retag\\"') == [
        "#FNR",
        "C:\\ProgramData\\F\xf7retag\\",
    ]


def test_a_quote_inside_a_bare_token_is_literal() -> None:
    assert tokenize('#KONTO 1288 ab"c "Name"') == ["#KONTO", "1288", 'ab"c', "Name"]


def test_an_unclosed_quote_runs_to_the_end_of_the_line() -> None:
    with pytest.raises(UnclosedQuote) as caught:
        tokenize('#TRANS 3010 {} -900.00 20140127 "260    aaaaaaaa')
    assert caught.value.tokens == ["#TRANS", "3010", (), "-900.00", "20140127", "260    aaaaaaaa"]


@pytest.mark.parametrize(
    "line",
    ["#TRANS 1930 {1 2 5", "#TRANS 1930 1 2} 5", '#TRANS 1930 {1 "2"', "#TRANS {{1 2}} 5"],
)
def test_broken_object_lists_are_errors(line: str) -> None:
    with pytest.raises(LexError):
        tokenize(line)
