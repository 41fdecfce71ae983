"""``ledgerlink plugins new``: bad names and existing folders are one-line errors; the
written files are lint-clean Python. (Installing and running the result:
tests/conformance/test_scaffold.py.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from testpaths import REPO


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


@pytest.mark.parametrize(
    ("name", "taken"),
    [
        ("fortnox", "the installed backend 'fortnox' (from ledgerlink-fortnox)"),
        ("sie_file", "the installed backend 'sie_file' (from ledgerlink-sie-file)"),
        ("core", "the installed distribution ledgerlink-core"),
        ("fortnox_emulator", "the installed distribution ledgerlink-fortnox-emulator"),
    ],
)
def test_k2_a_name_an_installed_backend_or_distribution_has_is_refused(
    run_cli, tmp_path: Path, name: str, taken: str
) -> None:
    result = run_cli("plugins", "new", name, "--directory", str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"clashes with {taken}" in result.stderr and "choose another name" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_it_writes_the_licence_a_gitignore_and_a_ci_workflow(run_cli, tmp_path: Path) -> None:
    result = run_cli("plugins", "new", "acme", "--directory", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    root = tmp_path / "ledgerlink-acme"
    assert (root / "LICENSE").read_bytes() == (REPO / "LICENSE").read_bytes()
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    assert 'license = "Apache-2.0"' in pyproject and 'license-files = ["LICENSE"]' in pyproject
    assert '"Typing :: Typed"' in pyproject
    ignored = (root / ".gitignore").read_text(encoding="utf-8").split()
    assert {"__pycache__/", "*.egg-info/", ".venv/", "dist/", ".pytest_cache/"} <= set(ignored)
    ci = (root / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    # GitHub's expressions survive the template; the kit runs on the three platforms.
    assert "runs-on: ${{ matrix.os }}" in ci and "$$" not in ci
    assert "python-version: ${{ matrix.python-version }}" in ci
    assert "os: [ubuntu-latest, macos-latest, windows-latest]" in ci
    assert 'run: python -m pip install -e ".[test]"' in ci and "run: python -m pytest" in ci
    # A plain YAML shape: no tabs, two-space indents, every key line well formed.
    for line in ci.splitlines():
        assert "\t" not in line
        indent = len(line) - len(line.lstrip(" "))
        assert indent % 2 == 0, line
        assert not line.strip() or re.match(r"^\s*(#|- |[\w-]+:)", line), line
