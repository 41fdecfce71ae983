"""Texts made to fit a target's characters and lengths (``ledgerlink push --normalise-text``).

Each character the target refuses becomes a look-alike it takes (``'`` -> ``’``, ``"`` ->
``’’``, ``<`` -> ``(``, TAB -> a space...). Every replacement is checked against the target's
own :class:`~ledgerlink_core.backend.TextRules` before it is used, so a look-alike the target
refuses too is never written: the character stays, and validation reports it. A text over its
length limit is cut and ends in ``...``.

Nothing is lost: a voucher whose texts changed carries the originals in its ``note`` (which
a target writes into its comment on the voucher), with every character the target refuses
written as ``\\uXXXX`` so that the note fits the rules as well; and every change is returned,
for the push report.
"""

from __future__ import annotations

import dataclasses
import unicodedata
from collections.abc import Sequence

from ledgerlink_core.backend import TextRules
from ledgerlink_core.export.validate import texts
from ledgerlink_core.model import TextChange, Voucher, VoucherExport

__all__ = ["LOOK_ALIKES", "normalise"]

#: Look-alikes, first choice first; each is used only when the target takes all of it.
LOOK_ALIKES: dict[str, tuple[str, ...]] = {
    "'": ("’",),
    '"': ("’’",),
    "‘": ("’",),
    "‚": (",",),
    "“": ("’’",),
    "”": ("’’",),
    "„": ("’’",),
    "«": ("’’",),
    "»": ("’’",),
    "<": ("(",),
    ">": (")",),
    "[": ("(",),
    "]": (")",),
    "{": ("(",),
    "}": (")",),
    "|": ("/",),
    "~": ("-",),
    "—": ("–", "-"),
    "‐": ("-",),
    "‑": ("-",),
    "−": ("-",),
    "…": ("...",),
    "\t": (" ",),
    "\u2028": (" ",),
    "\u2029": (" ",),
}
ELLIPSIS = "..."


def _look_alike(char: str, rules: TextRules) -> str | None:
    """What the target takes in place of ``char``, or None when nothing fits."""
    candidates = list(LOOK_ALIKES.get(char, ()))
    if unicodedata.category(char) == "Cc":
        candidates.append(" ")  # a control character shows as nothing; keep the words apart
    decomposed = unicodedata.normalize("NFKD", char)
    if decomposed != char:
        candidates.append(decomposed)
    for candidate in candidates:
        if all(rules.allows(c) for c in candidate):
            return candidate
    return None


def _fit(text: str, rules: TextRules, limit: int | None) -> str:
    out = "".join(c if rules.allows(c) else (_look_alike(c, rules) or c) for c in text)
    if limit is not None and len(out) > limit:
        out = out[: max(0, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS
    return out


def _escaped(text: str, rules: TextRules) -> str:
    return "".join(c if rules.allows(c) else f"\\u{ord(c):04x}" for c in text)


def _with_texts(voucher: Voucher, fitted: dict[str, str]) -> Voucher:
    rows = tuple(
        dataclasses.replace(row, text=fitted.get(f"row {n} text", row.text))
        for n, row in enumerate(voucher.rows, start=1)
    )
    return voucher.model_copy(update={"text": fitted.get("text", voucher.text), "rows": rows})


def normalise(
    items: Sequence[VoucherExport], rules: TextRules
) -> tuple[list[VoucherExport], list[TextChange]]:
    """``items`` with their texts made to fit ``rules``, and every change made.

    An item that needs no change is returned as it is; its external reference never changes,
    so a normalised voucher is the same export as the original.
    """
    out: list[VoucherExport] = []
    changes: list[TextChange] = []
    for item in items:
        fitted: dict[str, str] = {}
        for field, text in texts(item.voucher):
            limit = rules.max_text if field == "text" else rules.max_row_text
            after = _fit(text, rules, limit)
            if after != text:
                fitted[field] = after
                changes.append(
                    TextChange(voucher=item.voucher.label, field=field, before=text, after=after)
                )
        if not fitted:
            out.append(item)
            continue
        originals = "; ".join(
            f"{field} was: {_escaped(text, rules)}"
            for field, text in texts(item.voucher)
            if field in fitted
        )
        note = "; ".join(part for part in (item.note, f"original {originals}") if part)
        if rules.max_note is not None and len(note) > rules.max_note:
            note = note[: max(0, rules.max_note - len(ELLIPSIS))] + ELLIPSIS
        voucher = _with_texts(item.voucher, fitted)
        out.append(item.model_copy(update={"voucher": voucher, "note": note}))
    return out, changes
