"""``#KSUMMA``: the CRC-32 of a SIE file (SIE file format, edition 4B/4C, section 10).

The CRC runs over each record's label and the contents of its fields (object lists flattened,
quotes, braces, separators and line ends left out, ``\\"`` counted as ``"``), as CP437 bytes, from
the record after the opening ``#KSUMMA`` up to the closing one. This is ``zlib.crc32`` over those
bytes (the reader and the writer feed it :func:`record_bytes`). Fields are re-encoded to CP437
whatever the file's own encoding, which also verifies files that a program checksummed in CP437 but
saved as UTF-8.
"""

from __future__ import annotations

from collections.abc import Sequence

from ledgerlink_core.sie.lexer import Field

__all__ = ["record_bytes"]


def record_bytes(fields: Sequence[Field]) -> bytes:
    """The bytes one tokenised record (label first) feeds into the checksum."""
    parts: list[str] = []
    for f in fields:
        if isinstance(f, tuple):
            parts.extend(f)
        else:
            parts.append(f)
    return "".join(parts).encode("cp437", errors="replace")
