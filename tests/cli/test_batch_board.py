"""The batch progress board: one line per running company on a terminal, none when piped."""

from __future__ import annotations

import io

from ledgerlink_cli.progress import BatchBoard, batch_board


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _screen(text: str) -> list[str]:
    """What the terminal shows: apply the board's cursor-up (``ESC[nF``) and clears."""
    lines: list[str] = []
    row = 0
    i = 0
    current = ""
    while i < len(text):
        if text.startswith("\x1b[", i):
            end = i + 2
            while not text[end].isalpha():
                end += 1
            code, arg = text[end], text[i + 2 : end]
            if code == "F":
                row -= int(arg)
            elif code == "J":
                del lines[row:]
            i = end + 1
            continue
        ch = text[i]
        if ch == "\n":
            while len(lines) <= row:
                lines.append("")
            lines[row] = current
            current = ""
            row += 1
        else:
            current += ch
        i += 1
    return lines


def test_one_line_per_running_company() -> None:
    out = _Tty()
    board = BatchBoard(out)
    a, b = board.for_company("a"), board.for_company("b")
    with a.task("556677-8899 ledgers"):
        with b.task("550000-0012 ledgers"):
            with a.task("Fortnox customer subledger, pages", total=4) as pages:
                pages.advance(2)
                board._last = 0.0  # draw now, not after the 0.1 s throttle
                pages.advance(1)
            assert _screen(out.getvalue()) == ["556677-8899 ledgers", "550000-0012 ledgers"]
            shown = out.getvalue()
            assert "Fortnox customer subledger, pages: 3/4" in shown
        assert _screen(out.getvalue()) == ["556677-8899 ledgers"]
    assert _screen(out.getvalue()) == []
    board.close()


def test_quiet_when_piped() -> None:
    assert batch_board(io.StringIO()) is None
    assert isinstance(batch_board(_Tty()), BatchBoard)
