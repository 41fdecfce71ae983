"""Fortnox's text rules: the published character whitelist, the field lengths, and a voucher
body that sends texts as they were validated (never cut) with the note in ``Comments``."""

from __future__ import annotations

import unicodedata

import pytest
from fake_fortnox import bank_fee
from ledgerlink_core import VoucherExport, find_marker, marker
from ledgerlink_fortnox.export import voucher_body
from ledgerlink_fortnox.texts import (
    ALLOWED_CHARACTERS,
    MAX_COMMENTS,
    REF_LENGTH,
    RULES,
    comments,
    fallback_description,
)

#: The character class as Fortnox publishes it on
#: https://fortnox.se/developer/guides-and-good-to-know/formats-and-encoding (verbatim).
PUBLISHED = (
    r"[\p{L}\’\\\x{0308}\x{030a}a-zåäöéáœæøüA-ZÅÄÖÉÁÜŒÆØ0-9 –:\.`´’,;\^¤#%§£$€¢¥©™°&\/\(\)=\+"
    r"\-\*_\!?²³®½\@\x{00a0}\n\r]*"
)
_ESCAPES = {"n": "\n", "r": "\r"}


def _published_characters() -> tuple[bool, set[str]]:
    """(whether ``\\p{L}`` is in it, every other character it lists), read from the class
    the way a regex engine reads it: escapes, ``\\x{...}`` and ``a-z`` ranges."""
    body = PUBLISHED.removeprefix("[").removesuffix("]*")
    letters, chars, i = False, set[str](), 0
    atoms: list[str | None] = []  # None marks an unescaped range hyphen
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1]
            if body.startswith("p{L}", i + 1):
                letters, i = True, i + 5
                continue
            if body.startswith("x{", i + 1):
                close = body.index("}", i)
                atoms.append(chr(int(body[i + 3 : close], 16)))
                i = close + 1
                continue
            atoms.append(_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        atoms.append(None if c == "-" and atoms and i + 1 < len(body) else c)
        i += 1
    k = 0
    while k < len(atoms):
        atom = atoms[k]
        if k + 2 < len(atoms) and atoms[k + 1] is None:
            first, last = atom, atoms[k + 2]
            assert first is not None and last is not None
            chars.update(chr(n) for n in range(ord(first), ord(last) + 1))
            k += 3
            continue
        assert atom is not None
        chars.add(atom)
        k += 1
    return letters, chars


def test_the_whitelist_is_the_published_one() -> None:
    letters, published = _published_characters()
    assert letters and RULES.letters
    not_letters = {c for c in published if unicodedata.category(c)[0] != "L"}
    assert set(ALLOWED_CHARACTERS) == not_letters
    assert len(ALLOWED_CHARACTERS) == len(set(ALLOWED_CHARACTERS))
    for char in published:
        assert RULES.allows(char), repr(char)


@pytest.mark.parametrize("char", ['"', "'", "<", ">", "[", "]", "{", "}", "|", "~", "\t"])
def test_what_fortnox_refuses(char: str) -> None:
    assert not RULES.allows(char)
    assert RULES.refused(f"Hyra {char}dec{char}") == [char]


def test_letters_of_any_language_and_the_swedish_ones() -> None:
    assert RULES.refused("Åäö ÉÆØ ß Ł ĳ Ω ж 漢 ’ – 12,50 € ½") == []


def _item(text: str, row_text: str | None = None, note: str = "") -> VoucherExport:
    item = bank_fee(text, row_text=row_text)
    return item.model_copy(update={"note": note}) if note else item


def test_lengths_and_the_room_left_for_the_note() -> None:
    item = _item("Hyra")
    assert len(item.external_ref) == REF_LENGTH  # what core makes
    assert (RULES.max_text, RULES.max_row_text) == (200, 100)
    longest = _item("Hyra", note="n" * (RULES.max_note or 0))
    assert len(comments(longest)) == MAX_COMMENTS
    assert len(marker(item.external_ref)) + 1 + (RULES.max_note or 0) == MAX_COMMENTS


def test_the_body_sends_texts_as_validated_and_the_note_after_the_marker() -> None:
    text, row_text = "T" * 200, "r" * 100
    item = _item(text, row_text, note="original text was: Hyra \\u0022dec\\u0022")
    body = voucher_body(item, "A")["Voucher"]
    assert body["Description"] == text
    assert body["VoucherRows"][0]["TransactionInformation"] == row_text
    ref_line, note = body["Comments"].split("\n", 1)
    assert ref_line == marker(item.external_ref)
    assert find_marker(body["Comments"]) == item.external_ref
    assert note == "original text was: Hyra \\u0022dec\\u0022"
    plain = _item("Hyra")
    assert voucher_body(plain, "A")["Voucher"]["Comments"] == marker(plain.external_ref)


def test_over_long_texts_are_not_cut_silently() -> None:
    body = voucher_body(_item("T" * 250, "r" * 150), "A")["Voucher"]
    assert len(body["Description"]) == 250  # core refuses these before anything is sent
    assert len(body["VoucherRows"][0]["TransactionInformation"]) == 150


def test_a_voucher_without_text_gets_a_description_fortnox_takes() -> None:
    assert fallback_description("A (new) 2025-12-31 ''") == "ledgerlink A (new) 2025-12-31"
    assert RULES.refused(fallback_description('A "x" <1>')) == []
    assert voucher_body(_item(""), "A")["Voucher"]["Description"] == "ledgerlink A 1"
