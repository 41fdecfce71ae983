"""The shared SIE corpus and its PROVENANCE table, for the SIE codec tests.

Import as ``from sie_corpus import ...`` (a helper module, not a conftest: several conftest
modules exist and would shadow each other). The ``corpus_dir`` fixture is in conftest.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from testpaths import CORPUS


@dataclass(frozen=True)
class CorpusFile:
    """One row of PROVENANCE.md."""

    rel: str
    ksumma: str
    """``valid`` or ``-`` (absent)."""
    vouchers: int
    transactions: int
    notes: str

    @property
    def path(self) -> Path:
        return CORPUS / self.rel

    @property
    def deliberately_broken(self) -> bool:
        return "deliberately" in self.notes


def provenance() -> list[CorpusFile]:
    """Every file PROVENANCE.md lists (empty when the corpus is absent)."""
    table = CORPUS / "PROVENANCE.md"
    if not table.exists():
        return []
    rows = []
    for line in table.read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `"):
            continue
        cols = [c.strip() for c in line.split("|")]
        rows.append(
            CorpusFile(
                rel=cols[1].strip("`"),
                ksumma=cols[14],
                vouchers=int(cols[10]),
                transactions=int(cols[11]),
                notes=cols[-2],
            )
        )
    return rows


CORPUS_FILES = provenance()


def corpus_params() -> list[object]:
    """One pytest param per corpus file (a single skipped param when the corpus is absent)."""
    if not CORPUS_FILES:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no SIE corpus at {CORPUS}"))]
    return [pytest.param(f, id=f.rel) for f in CORPUS_FILES]
