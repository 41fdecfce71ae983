"""Fixtures for the SIE codec tests: the shared corpus and its PROVENANCE table."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO.parent / "shared" / "sie-corpus"


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


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """``../shared/sie-corpus`` next to the repository; the test is skipped without it."""
    if not (CORPUS / "PROVENANCE.md").exists():
        pytest.skip(f"the SIE corpus is not at {CORPUS} (it is never copied into the project)")
    return CORPUS


def corpus_params() -> list[object]:
    """One pytest param per corpus file (a single skipped param when the corpus is absent)."""
    if not CORPUS_FILES:
        return [pytest.param(None, marks=pytest.mark.skip(reason=f"no SIE corpus at {CORPUS}"))]
    return [pytest.param(f, id=f.rel) for f in CORPUS_FILES]
