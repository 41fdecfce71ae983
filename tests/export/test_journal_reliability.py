"""Issue 15, C3/C5 (../shared/docs/reliability-review.md): a journal SQLite cannot use is a
one-line error naming the file and what to do, exit 8 (an export error), never 70."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

HEAD = '#FLAGGA 0\n#SIETYP 4\n#FNAMN "T"\n#RAR 0 20250101 20251231\n'
VOUCHER = '#VER A "" 20250105 "t"\n{\n#TRANS 1910 {} 5\n#TRANS 3000 {} -5\n}\n'


def _journal() -> Path:
    return Path(os.environ["LEDGERLINK_DATA_DIR"]) / "export-journal.sqlite3"


@pytest.mark.parametrize("damage", ["truncated", "garbage"])
def test_c3_corrupt_journal_is_a_one_line_error_naming_it(
    tmp_path: Path, run_cli: Any, damage: str
) -> None:
    src = tmp_path / "in.si"
    src.write_text(HEAD + VOUCHER * 3)
    target = f"path={tmp_path / 'out.si'}"
    assert run_cli("push", "--to", "sie_file", "--set", target, str(src)).exit_code == 0
    journal = _journal()
    for extra in ("-wal", "-shm"):
        Path(f"{journal}{extra}").unlink(missing_ok=True)
    if damage == "truncated":
        data = journal.read_bytes()
        journal.write_bytes(data[: len(data) // 2])
    else:
        journal.write_bytes(os.urandom(100_000))
    for args in (
        ("push", "--status"),
        ("push", "--to", "sie_file", "--set", target, str(src)),
        ("push", "--to", "sie_file", "--set", target, str(src), "--dry-run"),
    ):
        result = run_cli(*args)
        assert result.exit_code == 8, (args, result.stderr)
        assert str(journal) in result.stderr and "internal error" not in result.stderr
        assert "move it aside" in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_c5_journal_that_cannot_be_created_names_its_folder(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("LEDGERLINK_DATA_DIR", str(blocker / "data"))
    src = tmp_path / "in.si"
    src.write_text(HEAD + VOUCHER)
    result = run_cli("push", "--to", "sie_file", "--set", f"path={tmp_path / 'o.si'}", str(src))
    assert result.exit_code == 8, result.stderr
    assert str(blocker / "data") in result.stderr and "internal error" not in result.stderr
    assert not (tmp_path / "o.si").exists()
