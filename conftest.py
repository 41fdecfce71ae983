"""Repository-wide test isolation, for the root `tests/` and every distribution's own `tests/`:
each test gets its own config and data directories, and no stray environment setting of the
developer's machine leaks in. Also the two ways to run the CLI (in-process and as a process),
and the Fortnox emulator's fixtures (``emulator``, ``emulator_factory``), which the emulator
distribution ships as a plugin to enable on request (pytest allows that only here, in the
rootdir conftest)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

pytest_plugins = ["ledgerlink_fortnox_emulator.fixtures"]


@pytest.fixture(autouse=True)
def isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point config and data dirs at a fresh temp dir; drop LEDGERLINK_* from the environment
    and a Swedish locale."""
    home = tmp_path_factory.mktemp("ledgerlink-home")
    for key in list(os.environ):
        if key.startswith("LEDGERLINK_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("LEDGERLINK_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("LEDGERLINK_DATA_DIR", str(home / "data"))
    # Amounts in text output follow the locale (ledgerlink_cli.amounts): tests expect the
    # default style whatever the developer's locale is.
    for key in ("LC_ALL", "LC_NUMERIC"):
        monkeypatch.delenv(key, raising=False)
    if os.environ.get("LANG", "").lower().startswith("sv"):
        monkeypatch.setenv("LANG", "C.UTF-8")
    yield home


@dataclass
class CliResult:
    """What a CLI run produced."""

    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_cli() -> object:
    """Run the ``ledgerlink`` CLI in-process (CliRunner): ``run_cli("pull", "x.se")``."""
    from ledgerlink_cli.main import cli

    def run(*args: str, input: str | None = None) -> CliResult:
        result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def run_cli_process() -> object:
    """Run ``python -m ledgerlink_cli`` in a subprocess, optionally with extra sys.path entries
    (``extra_path``) that "install" out-of-workspace distributions."""

    def run(
        *args: str, extra_path: Sequence[Path] = (), env: dict[str, str] | None = None
    ) -> CliResult:
        full_env = dict(os.environ)
        full_env.update(env or {})
        if extra_path:
            parts = [str(p) for p in extra_path]
            if full_env.get("PYTHONPATH"):
                parts.append(full_env["PYTHONPATH"])
            full_env["PYTHONPATH"] = os.pathsep.join(parts)
        proc = subprocess.run(
            [sys.executable, "-m", "ledgerlink_cli", *args],
            capture_output=True,
            text=True,
            env=full_env,
            timeout=120,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run
