"""Which characters and how many Fortnox takes in a voucher's texts, in one place.

Fortnox publishes a whitelist of valid characters
(https://fortnox.se/developer/guides-and-good-to-know/formats-and-encoding): any Unicode
letter (``\\p{L}``) plus the characters in :data:`ALLOWED_CHARACTERS`. Anything else (ASCII
``"`` and ``'``, ``< > [ ] { } | ~``, TAB...) is refused with 2000359 "Värdet innehåller ej
tillåtna tecken" (https://fortnox.se/developer/guides-and-good-to-know/errors). The lengths
are the voucher schema's: ``Description`` 200, ``TransactionInformation`` 100, ``Comments``
1000 (Fortnox's OpenAPI, ``fortnox_Voucher``).

Core validates every text against :data:`RULES` before anything is sent (and ``push
--normalise-text`` fits texts to them), so :func:`voucher_body` never has to cut or drop
anything a user wrote: what it sends is what was validated.
"""

from __future__ import annotations

from ledgerlink_core import TextRules, VoucherExport, marker

#: Every character besides letters that Fortnox's published whitelist allows, in its order.
ALLOWED_CHARACTERS = (
    "\u2019"  # ’ right single quotation mark
    "\\"
    "\u0308"  # combining diaeresis
    "\u030a"  # combining ring above
    "0123456789"
    " "
    "\u2013"  # – en dash
    ":.`´,;^¤#%§£$€¢¥©™°&/()=+-*_!?²³®½@"
    "\u00a0"  # no-break space
    "\n\r"
)

MAX_DESCRIPTION = 200
"""``Description``: the voucher's text."""
MAX_TRANSACTION_INFORMATION = 100
"""``TransactionInformation``: a row's text."""
MAX_COMMENTS = 1000
"""``Comments``: the reference marker, then a newline and the voucher's note."""
REF_LENGTH = 26
"""Length of core's external references (``ll`` and 24 base32 characters); a test holds it
to what core makes."""
MARKER_LENGTH = len(marker("x" * REF_LENGTH))
"""``ledgerlink-ref:ll…``: what the marker takes of ``Comments``."""

RULES = TextRules(
    letters=True,
    characters=ALLOWED_CHARACTERS,
    max_text=MAX_DESCRIPTION,
    max_row_text=MAX_TRANSACTION_INFORMATION,
    max_note=MAX_COMMENTS - MARKER_LENGTH - 1,
)
"""Fortnox's rules for texts, as core checks them."""


def comments(item: VoucherExport) -> str:
    """``Comments``: the reference marker first, so a look-up finds it, then the note."""
    ref = marker(item.external_ref)
    return f"{ref}\n{item.note}" if item.note else ref


def fallback_description(label: str) -> str:
    """A ``Description`` for a voucher without text (Fortnox requires one): ``ledgerlink``
    and the voucher's label, keeping only characters Fortnox takes."""
    text = "".join(c for c in f"ledgerlink {label}" if RULES.allows(c))
    return " ".join(text.split())[:MAX_DESCRIPTION]
