"""Guess a SIE file's encoding from its bytes (``#FORMAT PC8`` is not to be trusted).

Strategy (what the test corpus shows, not ``#FORMAT``): a UTF-8 BOM means UTF-8; bytes that decode
as strict UTF-8 with multibyte sequences mean UTF-8; otherwise count the Swedish letters of CP437
against those of Latin-1 and take the larger, CP437 on a tie. Mixed files (a Latin-1 path in a CP437
body) are read as CP437. A UTF-8 file with a few stray non-UTF-8 bytes decodes those bytes as CP437
instead of failing (the ``sie-cp437`` error handler).
"""

from __future__ import annotations

import codecs
import re
from typing import BinaryIO

__all__ = ["CP437", "ERRORS", "LATIN1", "UTF8", "UTF8_BOM", "detect_encoding", "guess_from_sample"]

CP437 = "cp437"
UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
LATIN1 = "latin-1"

#: How many bytes after the first non-ASCII byte are looked at.
_SAMPLE = 1 << 20
_BLOCK = 1 << 20
_HIGH = re.compile(rb"[\x80-\xff]")
_STRAY = re.compile("[\udc80-\udcff]")
_NON_ASCII = re.compile("[^\x00-\x7f]")

# Swedish letters å ä ö Å Ä Ö in each single-byte encoding. (Not é: Latin-1 é is CP437 Θ,
# and a lone Θ in a CP437 file must not make it Latin-1.)
_CP437_SWEDISH = tuple(bytes([b]) for b in b"\x86\x84\x94\x8f\x8e\x99")
_LATIN1_SWEDISH = tuple(bytes([b]) for b in b"\xe5\xe4\xf6\xc5\xc4\xd6")


def _cp437_fallback(err: UnicodeError) -> tuple[str, int]:
    """Decode bytes that are not UTF-8 as CP437, so a mixed file still reads."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    bad = err.object[err.start : err.end]
    return bytes(bad).decode(CP437), err.end


codecs.register_error("sie-cp437", _cp437_fallback)

#: The ``errors=`` argument to use when decoding with a detected encoding.
ERRORS = "sie-cp437"


def guess_from_sample(sample: bytes) -> str:
    """Pick an encoding for a sample of the file's bytes (starting at any line)."""
    if sample.startswith(codecs.BOM_UTF8):
        return UTF8_BOM
    # Valid multibyte UTF-8 sequences against bytes that are not UTF-8: a UTF-8 file with a
    # few stray single-byte characters is still UTF-8 (those bytes then decode as CP437),
    # while CP437/Latin-1 text almost never forms valid UTF-8 sequences.
    text = codecs.getincrementaldecoder(UTF8)("surrogateescape").decode(sample, final=False)
    bad = len(_STRAY.findall(text))
    good = len(_NON_ASCII.findall(text)) - bad
    if good > bad:
        return UTF8
    if not bad:
        return CP437  # pure ASCII
    cp = sum(sample.count(b) for b in _CP437_SWEDISH)
    latin = sum(sample.count(b) for b in _LATIN1_SWEDISH)
    return LATIN1 if latin > cp else CP437


def detect_encoding(stream: BinaryIO) -> str:
    """Guess the encoding of a seekable binary stream; leaves it at its start.

    Reads until the first non-ASCII byte (a pure-ASCII file is read once, cheaply) and
    judges the megabyte that follows it.
    """
    start = stream.tell()
    try:
        head = stream.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return UTF8_BOM
        stream.seek(start)
        while True:
            block = stream.read(_BLOCK)
            if not block:
                return CP437
            m = _HIGH.search(block)
            if m is None:
                continue
            pos = max(0, m.start() - 8)
            sample = block[pos:]
            if len(sample) < _SAMPLE:
                sample += stream.read(_SAMPLE - len(sample))
            return guess_from_sample(sample[:_SAMPLE])
    finally:
        stream.seek(start)
