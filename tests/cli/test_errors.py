"""Errors are one line with a documented exit code; --traceback shows the details."""

from __future__ import annotations

import json
from pathlib import Path

from ledgerlink_core.errors import EXIT_CODES
from testpaths import THIRDPARTY


def test_missing_setting_is_a_config_error(run_cli_process, tmp_path: Path) -> None:
    book = tmp_path / "book.json"
    book.write_text("{}")
    result = run_cli_process(
        "pull", "--from", "toy", "--set", f"path={book}", extra_path=[THIRDPARTY]
    )
    assert result.exit_code == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "backends.toy.api_key: required" in lines[0]
    assert "LEDGERLINK_TOY__API_KEY" in lines[0]


def test_settings_from_config_file_and_env(run_cli_process, tmp_path: Path) -> None:
    book = tmp_path / "book.json"
    book.write_text(json.dumps({"company": {"name": "Filbolaget AB"}}), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(f'[backends.toy]\npath = "{book}"\napi_key = "from-file"\n')
    result = run_cli_process(
        "pull",
        "--from",
        "toy",
        extra_path=[THIRDPARTY],
        env={"LEDGERLINK_CONFIG": str(config)},
    )
    assert result.exit_code == 0, result.stderr
    assert "Filbolaget AB" in result.stdout
    missing = tmp_path / "nope.json"
    result = run_cli_process(
        "pull",
        "--from",
        "toy",
        extra_path=[THIRDPARTY],
        env={"LEDGERLINK_CONFIG": str(config), "LEDGERLINK_TOY__PATH": str(missing)},
    )
    assert result.exit_code == 70  # the toy backend's FileNotFoundError is a bug of the toy
    assert "nope.json" in result.stderr
    assert "Traceback" not in result.stderr


def test_traceback_flag_shows_the_cause(run_cli_process) -> None:
    plain = run_cli_process("pull", "--from", "broken", extra_path=[THIRDPARTY])
    assert "Traceback" not in plain.stderr
    detailed = run_cli_process("--traceback", "pull", "--from", "broken", extra_path=[THIRDPARTY])
    assert detailed.exit_code != 0
    assert "Traceback" in detailed.stderr
    assert "RuntimeError: this plugin is broken on purpose" in detailed.stderr


def test_usage_errors_exit_2(run_cli) -> None:
    result = run_cli("pull")
    assert result.exit_code == 2
    assert "--from BACKEND" in result.stderr
    result = run_cli("ledgers", "--from", "fortnox", "--date", "31/12/2025")
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.stderr


def test_capability_checked_before_any_io(run_cli, tmp_path: Path) -> None:
    # sie_file has no subledgers: refused before its settings (a path) are even read.
    result = run_cli("ledgers", "--from", "sie_file", "--date", "2025-12-31")
    assert result.exit_code == 6
    assert result.stderr.strip() == (
        "error: backend 'sie_file' does not support import.subledger.customer, "
        "import.subledger.supplier"
    )


def test_exit_codes_are_documented(run_cli) -> None:
    text = run_cli("--help").stdout
    for code, meaning in EXIT_CODES.items():
        assert f"{code:>3}  {meaning}" in text
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for code in EXIT_CODES:
        assert f"| {code} |" in readme
