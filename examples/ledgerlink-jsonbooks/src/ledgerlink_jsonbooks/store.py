"""The folder of JSON ledgers: reading and atomically writing its files.

``bookkeeping.json``  one fiscal year in ledgerlink's canonical model;
``invoices.json``     ``{"customer": [...], "supplier": [...]}``: invoices with payments;
``exports.json``      external reference -> where the voucher went (for exactly-once);
``attachments.json``  voucher -> connected file ids; files live in ``attachments/``.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from ledgerlink_core import Bookkeeping, InputError


class Folder:
    """One folder of ledgers."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    @property
    def book_path(self) -> Path:
        """The bookkeeping file."""
        return self.directory / "bookkeeping.json"

    def read_book(self) -> Bookkeeping:
        """The bookkeeping; a missing or malformed file is an ``InputError`` naming it."""
        text = self._read_text(self.book_path)
        try:
            return Bookkeeping.model_validate_json(text)
        except ValueError as exc:
            first_line = f"not a bookkeeping: {exc}".splitlines()[0]
            raise InputError(first_line, path=self.book_path) from None

    def write_book(self, book: Bookkeeping) -> None:
        """Replace the bookkeeping atomically."""
        write_atomic(self.book_path, book.model_dump_json(indent=2, exclude_defaults=True))

    def read_json(self, name: str, default: Any) -> Any:
        """A JSON side file, or ``default`` when it does not exist."""
        path = self.directory / name
        if not path.exists():
            return default
        try:
            return json.loads(self._read_text(path))
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from None

    def write_json(self, name: str, data: Any) -> None:
        """Replace a JSON side file atomically."""
        write_atomic(self.directory / name, json.dumps(data, indent=2, ensure_ascii=False))

    @staticmethod
    def _read_text(path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("no such file", path=path) from None


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write ``text`` to a temp file next to ``path`` and move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
