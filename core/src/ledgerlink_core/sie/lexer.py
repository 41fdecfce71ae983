"""Tokeniser for one SIE line.

A line is ``#LABEL field field ...``. Fields are separated by spaces or TABs; a field is a
quoted string (``\\"`` is the only escape, any other backslash is literal), an object list
``{dim obj ...}`` or a bare run of characters. The result is a list whose first item is the
label and whose other items are ``str`` (a plain or quoted field; ``""`` gives ``''``) or
``tuple[str, ...]`` (an object list, flattened: ``("1", "100", "6", "P1")``).

The hot path splits on ``"`` first and only falls back to a character scanner for lines
with ``\\"`` or quotes glued to other text: those are rare, and splitting is several times
faster than scanning characters in Python (bench/README.md has the figures).
"""

from __future__ import annotations

__all__ = ["Field", "LexError", "UnclosedQuote", "tokenize"]

Field = str | tuple[str, ...]

_WS = " \t"


class LexError(ValueError):
    """A line cannot be tokenised; the message says what was expected."""


class UnclosedQuote(LexError):
    """The last quoted field runs to the end of the line (SoftOne truncates long texts this
    way). ``tokens`` holds the line read with that field taken to the end of the line."""

    def __init__(self, tokens: list[Field]) -> None:
        super().__init__("a quoted field is not closed; read it to the end of the line")
        self.tokens = tokens


def tokenize(line: str) -> list[Field]:
    """Split one stripped line into its label and fields."""
    if '"' not in line:
        if "{" not in line and "}" not in line:
            return line.split()  # type: ignore[return-value]
        return _group(line.replace("{", " { ").replace("}", " } ").split())
    if '\\"' in line:
        return _scan(line)
    parts = line.split('"')
    n = len(parts)
    if not n & 1:
        return _scan(line)  # an odd number of quotes: let the scanner apply its policy
    out: list[Field] = []
    obj: list[str] | None = None
    i = 0
    while i < n:
        seg = parts[i]
        if i & 1:
            # A quoted field must stand alone: whitespace or a brace on both sides.
            before = parts[i - 1]
            after = parts[i + 1]
            if (before and before[-1] not in " \t{") or (after and after[0] not in " \t}"):
                return _scan(line)
            if obj is None:
                out.append(seg)
            else:
                obj.append(seg)
        elif "{" in seg or "}" in seg:
            for tok in seg.replace("{", " { ").replace("}", " } ").split():
                if tok == "{":
                    if obj is not None:
                        raise LexError("an object list is opened twice (expected '}')")
                    obj = []
                elif tok == "}":
                    if obj is None:
                        raise LexError("'}' closes no object list")
                    out.append(tuple(obj))
                    obj = None
                elif obj is None:
                    out.append(tok)
                else:
                    obj.append(tok)
        elif obj is None:
            out.extend(seg.split())
        else:
            obj.extend(seg.split())
        i += 1
    if obj is not None:
        raise LexError("an object list is not closed (expected '}')")
    return out


def _group(tokens: list[str]) -> list[Field]:
    """Fold ``{`` ... ``}`` tokens of an unquoted line into tuples."""
    out: list[Field] = []
    obj: list[str] | None = None
    for tok in tokens:
        if tok == "{":
            if obj is not None:
                raise LexError("an object list is opened twice (expected '}')")
            obj = []
        elif tok == "}":
            if obj is None:
                raise LexError("'}' closes no object list")
            out.append(tuple(obj))
            obj = None
        elif obj is None:
            out.append(tok)
        else:
            obj.append(tok)
    if obj is not None:
        raise LexError("an object list is not closed (expected '}')")
    return out


def _scan(line: str, *, literal_backslash: bool = False) -> list[Field]:
    """Character scanner for the rare lines the fast path does not handle.

    A quote in the middle of a bare token is taken literally. ``\\"`` inside a quoted field
    is a quote. When that leaves the last quoted field unclosed (a field that ends in a
    backslash, e.g. a Windows path), the line is read again with backslashes literal.
    """
    out: list[Field] = []
    obj: list[str] | None = None
    unclosed = False
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if c in _WS:
            i += 1
            continue
        if c == "{":
            if obj is not None:
                raise LexError("an object list is opened twice (expected '}')")
            obj = []
            i += 1
            continue
        if c == "}":
            if obj is None:
                raise LexError("'}' closes no object list")
            out.append(tuple(obj))
            obj = None
            i += 1
            continue
        if c == '"':
            buf: list[str] = []
            i += 1
            while True:
                if i >= n:
                    if not literal_backslash and "\\" in line:
                        return _scan(line, literal_backslash=True)
                    unclosed = True
                    break
                c = line[i]
                if c == "\\" and not literal_backslash and i + 1 < n and line[i + 1] == '"':
                    buf.append('"')
                    i += 2
                elif c == '"':
                    i += 1
                    break
                else:
                    buf.append(c)
                    i += 1
            tok = "".join(buf)
        else:
            j = i
            while j < n and line[j] not in " \t{}":
                j += 1
            tok = line[i:j]
            i = j
        if obj is None:
            out.append(tok)
        else:
            obj.append(tok)
    if obj is not None:
        raise LexError("an object list is not closed (expected '}')")
    if unclosed:
        raise UnclosedQuote(out)
    return out
