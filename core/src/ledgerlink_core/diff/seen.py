"""The voucher numbers a file has used, in little memory: how a repeated number is noticed
after its voucher was matched and dropped.

Numbers are mostly whole numbers counting up in each series, so each series keeps them as
runs (``1-250000`` is two integers). A number that is not a plain whole number (``A12``,
``007``) is kept as itself; memory grows with those only.
"""

from __future__ import annotations

from bisect import bisect_right

__all__ = ["NumberRuns", "SeenNumbers"]


class NumberRuns:
    """A set of whole numbers as sorted, disjoint, non-touching runs ``[start, end]``."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def add(self, n: int) -> bool:
        """Add ``n``; False when it was there already."""
        starts, ends = self.starts, self.ends
        if ends and n == ends[-1] + 1:  # the usual case: the next number of the series
            ends[-1] = n
            return True
        i = bisect_right(starts, n) - 1
        if i >= 0 and n <= ends[i]:
            return False
        left = i >= 0 and ends[i] == n - 1
        right = i + 1 < len(starts) and starts[i + 1] == n + 1
        if left and right:
            ends[i] = ends[i + 1]
            del starts[i + 1], ends[i + 1]
        elif left:
            ends[i] = n
        elif right:
            starts[i + 1] = n
        else:
            starts.insert(i + 1, n)
            ends.insert(i + 1, n)
        return True

    def __len__(self) -> int:
        return len(self.starts)


class SeenNumbers:
    """The (series, number) pairs one file has used."""

    def __init__(self) -> None:
        self._runs: dict[str, NumberRuns] = {}
        self._other: set[tuple[str, str]] = set()

    def add(self, series: str, number: str) -> bool:
        """Note that the file uses ``series`` ``number``; False when it did before."""
        if number.isdigit() and number.isascii() and (number[0] != "0" or number == "0"):
            runs = self._runs.get(series)
            if runs is None:
                runs = self._runs[series] = NumberRuns()
            return runs.add(int(number))
        key = (series, number)
        if key in self._other:
            return False
        self._other.add(key)
        return True
