"""``ledgerlink plugins new``: the written distribution installs, is found, and passes the kit;
``ledgerlink doctor`` reports on it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from dists import install, run_pytest

#: Each runs a pytest subprocess over a freshly installed distribution (several seconds).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """``ledgerlink plugins new acme_books`` in a temp dir, installed: (project, site dir)."""
    root = tmp_path_factory.mktemp("scaffold")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "ledgerlink_cli",
            "plugins",
            "new",
            "acme_books",
            "--directory",
            str(root),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    project = root / "ledgerlink-acme-books"
    assert f"created {project}" in proc.stdout
    return project, install(project, root / "site")


def test_scaffold_writes_a_complete_distribution(scaffold: tuple[Path, Path]) -> None:
    project, _ = scaffold
    files = sorted(str(p.relative_to(project)) for p in project.rglob("*") if p.is_file())
    assert files == [
        ".github/workflows/ci.yml",
        ".gitignore",
        "LICENSE",
        "README.md",
        "pyproject.toml",
        "src/ledgerlink_acme_books/__init__.py",
        "src/ledgerlink_acme_books/backend.py",
        "src/ledgerlink_acme_books/py.typed",
        "tests/test_conformance.py",
    ]
    pyproject = (project / "pyproject.toml").read_text(encoding="utf-8")
    assert 'acme_books = "ledgerlink_acme_books.backend:AcmeBooksBackend"' in pyproject


def test_scaffold_passes_the_kit_out_of_the_box(
    scaffold: tuple[Path, Path], tmp_path: Path
) -> None:
    project, site = scaffold
    run = run_pytest(["tests"], cwd=project, paths=[site], junit=tmp_path / "junit.xml")
    assert run.returncode == 0, run.output[-3000:]
    assert run.named("failed") == [] and run.named("error") == []
    assert len(run.named("passed")) >= 20, run.outcomes
    # What it does not declare is skipped with the reason, never silently passed.
    for name in run.named("skipped"):
        assert "does not declare" in run.messages[name], (name, run.messages[name])


def test_scaffold_is_listed_and_checked_by_doctor(
    scaffold: tuple[Path, Path], run_cli_process, tmp_path: Path
) -> None:
    _, site = scaffold
    listing = json.loads(run_cli_process("backends", "--json", extra_path=[site]).stdout)
    row = next(r for r in listing if r["name"] == "acme_books")
    assert (row["distribution"], row["version"], row["status"]) == (
        "ledgerlink-acme-books",
        "0.1.0",
        "ok",
    )

    healthy = run_cli_process(
        "doctor",
        "--json",
        "--connect",
        extra_path=[site],
        env={"LEDGERLINK_ACME_BOOKS__DIRECTORY": str(tmp_path)},
    )
    report = json.loads(healthy.stdout)
    checks = {(c["area"], c["name"]): c for c in report["checks"]}
    assert checks[("settings", "acme_books")]["status"] == "ok"
    # The folder has no bookkeeping.json yet: --connect says so, naming the file, and fails.
    connection = checks[("connection", "acme_books")]
    assert connection["status"] == "fail" and "bookkeeping.json" in connection["detail"]
    assert healthy.exit_code == 1

    # As in docs/writing-a-backend.md: any SIE file, pulled as JSON, is what it reads.
    from ledgerlink_core.testing import copy_sample

    sie = copy_sample(tmp_path / "sie")
    as_json = run_cli_process("pull", str(sie), "--json")
    assert as_json.exit_code == 0, as_json.stderr
    (tmp_path / "bookkeeping.json").write_text(as_json.stdout, encoding="utf-8")
    pulled = run_cli_process(
        "pull", "--from", "acme_books", "--set", f"directory={tmp_path}", extra_path=[site]
    )
    assert pulled.exit_code == 0, pulled.stderr
    assert "vouchers:    10 with" in pulled.stdout
    fixed = run_cli_process(
        "doctor",
        "--connect",
        extra_path=[site],
        env={"LEDGERLINK_ACME_BOOKS__DIRECTORY": str(tmp_path)},
    )
    assert fixed.exit_code == 0, fixed.stdout + fixed.stderr
    assert "Åkesson & Öberg Bygg AB" in fixed.stdout
