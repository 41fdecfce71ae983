"""Which characters and how much text Fortnox takes in a voucher, so tests fail as production would.

Fortnox publishes a whitelist of the characters valid in requests
(https://fortnox.se/developer/guides-and-good-to-know/formats-and-encoding): any Unicode letter
(``\\p{L}``) plus a fixed set of digits, punctuation and symbols. Everything else (ASCII ``"``
and ``'``, ``< > [ ] { } | ~``, TAB and other control characters, emoji...) is refused with
error 2000359 "Värdet innehåller ej tillåtna tecken. ({Value})"
(https://fortnox.se/developer/guides-and-good-to-know/errors). The rule is written out here on
its own, not shared with the client, so a client bug cannot hide behind the same code.
"""

from __future__ import annotations

import unicodedata

#: Everything the whitelist allows besides letters: ’ \ U+0308 U+030A 0-9 space – : . ` ´ , ;
#: ^ ¤ # % § £ $ € ¢ ¥ © ™ ° & / ( ) = + - * _ ! ? ² ³ ® ½ @ NBSP LF CR.
ALLOWED_NON_LETTERS: frozenset[str] = frozenset(
    "\u2019\\\u0308\u030a0123456789 \u2013:.`\u00b4,;^\u00a4#%\u00a7\u00a3$\u20ac\u00a2\u00a5"
    "\u00a9\u2122\u00b0&/()=+-*_!?\u00b2\u00b3\u00ae\u00bd@\u00a0\n\r"
)

#: Longest text Fortnox stores per voucher field (its OpenAPI ``fortnox_Voucher*`` schemas).
MAX_LENGTHS: dict[str, int] = {"Description": 200, "Comments": 1000, "TransactionInformation": 100}

INVALID_CHARACTERS_CODE = 2000359
INVALID_CHARACTERS_MESSAGE = "Värdet innehåller ej tillåtna tecken."


def is_allowed(char: str) -> bool:
    """True when Fortnox accepts ``char`` in a text field."""
    return char in ALLOWED_NON_LETTERS or unicodedata.category(char).startswith("L")


def disallowed_characters(text: str) -> list[str]:
    """The characters of ``text`` Fortnox refuses, each once, in order of appearance."""
    seen: list[str] = []
    for char in text:
        if char not in seen and not is_allowed(char):
            seen.append(char)
    return seen


def describe(chars: list[str]) -> str:
    """``U+0022 '"', U+0009`` for a message: code points, printable ones shown too."""
    return ", ".join(
        f"U+{ord(c):04X} {c!r}" if c.isprintable() else f"U+{ord(c):04X}" for c in chars
    )
