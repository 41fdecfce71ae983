"""The names of a file's accounts (``#KONTO``), dimensions (``#DIM``, ``#UNDERDIM``) and
objects (``#OBJEKT``), and two files' names compared: added, removed, renamed.

Only the names are compared (not ``#KTYP``, ``#SRU`` or ``#ENHET``). A name given twice: the
last one counts, as in a full load.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from ledgerlink_core.diff.report import NameChange

__all__ = ["Chart", "compare_names"]

K = TypeVar("K", str, int, tuple[int, str])


class Chart:
    """One file's names: accounts by number, dimensions by number, objects by (dimension,
    number)."""

    def __init__(self) -> None:
        self.accounts: dict[str, str] = {}
        self.dimensions: dict[int, str] = {}
        self.objects: dict[tuple[int, str], str] = {}


def compare_names(
    old: Mapping[K, str], new: Mapping[K, str], item: Callable[[K], tuple[str, int | None]]
) -> tuple[NameChange, ...]:
    """What was added, removed or renamed between ``old`` and ``new``, sorted by key;
    ``item`` gives a key's (number, dimension) for the report."""
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before == after:
            continue
        change = "added" if before is None else "removed" if after is None else "renamed"
        number, dimension = item(key)
        changes.append(
            NameChange(change=change, number=number, dimension=dimension, old=before, new=after)
        )
    return tuple(changes)
