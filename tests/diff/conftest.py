"""Fixtures of the diff tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from testpaths import CORPUS


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """``../shared/sie-corpus`` next to the repository; the test is skipped without it."""
    if not (CORPUS / "PROVENANCE.md").exists():
        pytest.skip(f"the SIE corpus is not at {CORPUS} (it is never copied into the project)")
    return CORPUS
