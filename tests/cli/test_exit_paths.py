"""Exit codes that do not depend on how the CLI is run or where its output goes, and paths
that are not SIE files (reliability review U3, U4, C8, C11)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from ledgerlink_core import example_company_path


def test_u4_traceback_keeps_the_exit_code(run_cli_process, tmp_path: Path) -> None:
    missing = str(tmp_path / "nonexist.se")
    plain = run_cli_process("check", missing)
    traced = run_cli_process("--traceback", "check", missing)
    assert plain.exit_code == traced.exit_code == 2
    assert "Traceback (most recent call last)" in traced.stderr
    assert traced.stderr.rstrip().splitlines()[-1] == plain.stderr.rstrip()


def test_c8_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """``ledgerlink ... | head -1``: the reader is gone before the output is written."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "ledgerlink_cli", "check", str(example_company_path()), "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # long before the interpreter has started, let alone written
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, stderr
    assert "internal error" not in stderr and "Traceback" not in stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs are POSIX")
@pytest.mark.parametrize("command", ["check", "pull"])
def test_c11_u3_paths_that_are_not_sie_files_are_named(
    command: str, run_cli, tmp_path: Path
) -> None:
    fifo = tmp_path / "fifo.se"
    os.mkfifo(fifo)  # no writer: opening it would block for ever
    loop = tmp_path / "loop.se"
    loop.symlink_to(tmp_path / "loop2.se")
    (tmp_path / "loop2.se").symlink_to(loop)
    folder = tmp_path / "folder.se"
    folder.mkdir()
    cases = {fifo: "not a regular file", loop: "too many symbolic links", folder: "directory"}
    if command == "pull":
        cases[tmp_path / "missing.se"] = "no such file"
    for path, reason in cases.items():
        extra = ["--no-snapshot", "-o", str(tmp_path / "out.se")] if command == "pull" else []
        result = run_cli(command, str(path), *extra)
        assert result.exit_code == 2, (path, result.stderr)
        assert reason in result.stderr and result.stderr.count("\n") == 1, result.stderr
