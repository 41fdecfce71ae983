"""Paths the tests share. Import as ``from testpaths import ...`` (never ``from conftest``:
several conftest modules exist and would shadow each other)."""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "sie-corpus"
THIRDPARTY = Path(__file__).parent / "fixtures" / "thirdparty"
JOB_BACKENDS = Path(__file__).parent / "fixtures" / "jobs"
