"""Settings of the ``sie_file`` backend (``--set path=books.se``)."""

from __future__ import annotations

from pathlib import Path

from ledgerlink_core import BackendSettings
from pydantic import Field


class SieFileSettings(BackendSettings):
    """Settings of the ``sie_file`` backend (``--set path=books.se``)."""

    path: Path
    """The SIE file to read (import) or to write (export, SIE 4I)."""
    strict: bool = True
    """Import: any error in the file fails the import, listing every error. False leaves the
    broken parts (e.g. an unbalanced voucher) out and logs them."""
    ksumma: bool = False
    """Export: write a ``#KSUMMA`` checksum."""
    company_name: str = Field(default="ledgerlink export", min_length=1)
    """Export: the ``#FNAMN`` of the written file."""
    org_nr: str | None = None
    """Export: the ``#ORGNR`` of the written file."""
