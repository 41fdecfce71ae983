"""The stable external reference of an exported voucher.

The reference is what makes export exactly-once: it is the journal's key and it is written
into the target (Fortnox: the voucher's ``Comments``), so a voucher whose fate is unknown can
be found there again. It must therefore be the same for the same voucher however often, from
wherever and with whatever file name it is pushed, and differ between two vouchers.

It is derived from:

* the voucher's content: date, text and every row (account, amount normalised so that
  ``100`` and ``100.00`` agree, objects, row date, text, quantity);
* its label in the input: the voucher's own series and number (``A 12``), which tells two
  otherwise identical vouchers of one file apart;
* an occurrence counter for vouchers that are identical in both (two unnumbered, identical
  accruals): the second one gets ``#2``.

The file's path is deliberately not part of it: moving or renaming the input must not turn
already-exported vouchers into new ones. The result is ``ll`` and 24 base32 characters
(120 bits), short enough for any reference field (Fortnox ``Comments`` holds 1000,
``TransactionInformation`` 100 characters).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Iterator
from decimal import Decimal

from ledgerlink_core.model import Voucher

__all__ = ["LENGTH", "MARKER", "external_ref", "external_refs", "find_marker", "marker"]

PREFIX = "ll"
_DIGEST_BYTES = 15
LENGTH = len(PREFIX) + _DIGEST_BYTES * 8 // 5
"""``ll`` + 24 base32 characters."""
MARKER = "ledgerlink-ref:"
"""How the reference is written into a free-text field of the target: ``ledgerlink-ref:ll…``."""


def _amount(value: Decimal | None) -> str | None:
    if value is None:
        return None
    normal = value.normalize()
    # normalize() turns 100 into 1E+2; print it back in plain notation.
    return format(normal, "f")


def _canonical(voucher: Voucher) -> list[object]:
    return [
        voucher.date.isoformat(),
        voucher.text,
        [
            [
                row.account,
                _amount(row.amount),
                [[o.dimension, o.number] for o in row.objects],
                row.date.isoformat() if row.date else None,
                row.text or None,
                _amount(row.quantity),
            ]
            for row in voucher.rows
        ],
    ]


def input_label(voucher: Voucher) -> str:
    """The voucher's identity in its input: ``A 12``, or empty for an unnumbered voucher."""
    if voucher.series or voucher.number:
        return f"{voucher.series} {voucher.number or ''}".strip()
    return ""


def external_ref(voucher: Voucher, occurrence: int = 1) -> str:
    """The reference of ``voucher``; ``occurrence`` counts identical earlier vouchers + 1."""
    payload = json.dumps(
        [_canonical(voucher), input_label(voucher), occurrence],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    digest = hashlib.sha256(payload.encode("utf-8")).digest()
    return PREFIX + base64.b32encode(digest[:_DIGEST_BYTES]).decode("ascii").lower()


def external_refs(vouchers: Iterable[Voucher]) -> Iterator[str]:
    """References for the vouchers of one input, counting identical ones in order."""
    seen: Counter[str] = Counter()
    for voucher in vouchers:
        base = external_ref(voucher)
        seen[base] += 1
        yield base if seen[base] == 1 else external_ref(voucher, occurrence=seen[base])


def marker(ref: str) -> str:
    """The text written into the target so the voucher can be found again."""
    return f"{MARKER}{ref}"


def find_marker(text: str | None) -> str | None:
    """The reference in ``text`` (a target's comment field), or None."""
    if not text:
        return None
    at = text.find(MARKER)
    if at < 0:
        return None
    start = at + len(MARKER)
    ref = text[start : start + LENGTH]
    return ref if len(ref) == LENGTH and ref.startswith(PREFIX) else None
