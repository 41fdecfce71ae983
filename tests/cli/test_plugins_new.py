"""``ledgerlink plugins new``: bad names and existing folders are one-line errors; the
written files are lint-clean Python. (Installing and running the result:
tests/conformance/test_scaffold.py.)"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest


@pytest.mark.parametrize("name", ["Visma", "9bank", "my-bank", "a b", ""])
def test_bad_names_are_refused(run_cli, tmp_path: Path, name: str) -> None:
    result = run_cli("plugins", "new", name, "--directory", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "not a backend name" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(run_cli, tmp_path: Path) -> None:
    (tmp_path / "ledgerlink-bokio").mkdir()
    (tmp_path / "ledgerlink-bokio" / "keep.txt").write_text("mine")
    result = run_cli("plugins", "new", "bokio", "--directory", str(tmp_path))
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert (tmp_path / "ledgerlink-bokio" / "keep.txt").read_text() == "mine"


def test_written_python_parses_and_names_agree(run_cli, tmp_path: Path) -> None:
    result = run_cli("plugins", "new", "my_bank", "--directory", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    root = tmp_path / "ledgerlink-my-bank"
    for path in root.rglob("*.py"):
        ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    backend = (root / "src/ledgerlink_my_bank/backend.py").read_text(encoding="utf-8")
    assert 'name: ClassVar[str] = "my_bank"' in backend
    assert "class MyBankBackend(AccountingBackend[MyBankSettings])" in backend
    assert "LEDGERLINK_MY_BANK__DIRECTORY" in backend
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert 'name = "ledgerlink-my-bank"' in pyproject
    assert 'my_bank = "ledgerlink_my_bank.backend:MyBankBackend"' in pyproject
