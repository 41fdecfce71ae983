"""Configuration mistakes that used to pass in silence (reliability review S2, S3, S5, U6)."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from ledgerlink_core.runtime import Runtime


def _failures(stdout: str) -> dict[str, str]:
    report = json.loads(stdout)
    return {c["detail"]: c["name"] for c in report["checks"] if c["status"] == "fail"}


def _config(text: str, mode: int) -> Path:
    path = Path(os.environ["LEDGERLINK_CONFIG_DIR"]) / "config.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(mode)
    return path


SECRET = '[backends.fortnox]\nclient_id = "x"\nclient_secret = "y"\n'


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX; Windows uses the profile")
def test_s2_a_config_file_others_may_read_fails_doctor_while_it_holds_a_secret(
    run_cli, caplog: pytest.LogCaptureFixture
) -> None:
    path = _config(SECRET, 0o644)
    result = run_cli("doctor", "--json")
    assert result.exit_code == 1
    (detail,) = [d for d in _failures(result.stdout) if "holds a secret" in d]
    assert str(path) in detail and "chmod 600" in detail and "0644" in detail
    assert '"y"' not in result.stdout  # the secret itself is never shown
    # every command that reads the settings warns too
    with caplog.at_level(logging.WARNING, logger="ledgerlink.config"):
        Runtime().backend_settings("fortnox")
    assert any("holds a secret" in r.getMessage() for r in caplog.records)
    path.chmod(0o600)
    assert run_cli("doctor", "--json").exit_code == 0


def test_s2_a_config_file_without_secrets_may_be_readable(run_cli) -> None:
    _config('[backends.sie_file]\npath = "books.se"\n', 0o644)
    assert run_cli("doctor", "--json").exit_code == 0


def test_s5_misspelt_variables_are_reported(run_cli, monkeypatch: pytest.MonkeyPatch) -> None:
    typos = {
        "LEDGERLINK_FORTNOX_BASE_URL": "LEDGERLINK_FORTNOX__BASE_URL",  # one underscore
        "LEDGERLINK_FORTNOX__BASEURL": "LEDGERLINK_FORTNOX__BASE_URL",
        "LEDGERLINK_FORTNOX__CLIENT_SECRT": "LEDGERLINK_FORTNOX__CLIENT_SECRET",
        "LEDGERLINK_FORNOX__CLIENT_ID": "LEDGERLINK_FORTNOX__CLIENT_ID",  # the backend's name
    }
    for variable in typos:
        monkeypatch.setenv(variable, "http://127.0.0.1:1")
    result = run_cli("doctor", "--json")
    assert result.exit_code == 1
    failures = _failures(result.stdout)
    for variable, meant in typos.items():
        (detail,) = [d for d in failures if variable + " " in d]
        assert f"did you mean {meant}?" in detail and failures[detail] == "environment"


def test_s5_a_misspelt_variable_is_warned_of_when_the_backend_opens(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("LEDGERLINK_FORTNOX_BASE_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("LEDGERLINK_FORTNOX__CLIENT_SECRET", "s")
    with caplog.at_level(logging.WARNING, logger="ledgerlink.config"):
        settings = Runtime().backend_settings("fortnox", {"client_id": "x"})
    assert "127.0.0.1:1" not in str(settings.base_url)  # type: ignore[attr-defined]
    (warning,) = [r.getMessage() for r in caplog.records]
    assert "LEDGERLINK_FORTNOX_BASE_URL names no setting" in warning
    assert "did you mean LEDGERLINK_FORTNOX__BASE_URL?" in warning


def test_s3_a_secret_from_a_file_stays_out_of_the_process_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("s3cr3t\n")
    monkeypatch.setenv("LEDGERLINK_FORTNOX__CLIENT_SECRET_FILE", str(secret))
    with caplog.at_level(logging.WARNING, logger="ledgerlink.config"):
        settings = Runtime().backend_settings("fortnox", {"client_id": "x"})
    assert settings.client_secret.get_secret_value() == "s3cr3t"  # type: ignore[attr-defined]
    assert not caplog.records  # the _FILE variable is known, not a typo
    # --set still works, with a warning that it shows in the process list
    with caplog.at_level(logging.WARNING, logger="ledgerlink.config"):
        Runtime().backend_settings("fortnox", {"client_id": "x", "client_secret": "other"})
    (warning,) = [r.getMessage() for r in caplog.records]
    assert "process list" in warning and "other" not in warning


def test_u6_unknown_top_level_tables_fail_doctor(run_cli) -> None:
    path = _config('[backend.fortnox]\nclient_id = "x"\n\n[defaults]\nx = 1\n', 0o600)
    result = run_cli("doctor", "--json")
    assert result.exit_code == 1
    failures = _failures(result.stdout)
    for table in ("backend", "defaults"):
        (detail,) = [d for d in failures if f"unknown table [{table}]" in d]
        assert failures[detail] == str(path)
