"""A user's mistake in starting or tuning the emulator is a one-line error, never a crash.

C9: a busy port or an unusable seed file ends ``ledgerlink fortnox emulator`` with exit 2 and
a message naming the port or the file. K3: every numeric option, setting and runtime knob has
its range checked (rates in [0, 1], durations and counts not negative, a port 0..65535).
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from ledgerlink_fortnox_emulator import EmulatorConfig, RunningEmulator, server
from ledgerlink_fortnox_emulator.cli import emulator_command


class _Started(Exception):
    """Raised instead of starting a server: the command accepted its options."""


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command never serves (and so never waits for Ctrl-C): starting raises _Started."""

    def refuse(*args: Any, **kwargs: Any) -> RunningEmulator:
        raise _Started

    monkeypatch.setattr(server, "start_emulator", refuse)


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A port of 127.0.0.1 that another socket listens on."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def _one_clean_line(stderr: str) -> str:
    """The one error line of ``stderr`` (beside click's usage hint, for a usage error)."""
    hint = ("Usage: ", "Try '")
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith(hint)]
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    assert len(lines) == 1, stderr
    return lines[0]


# --- C9: a busy port, an unusable seed file ---------------------------------------------------


def test_c9_a_busy_port_is_a_usage_error_naming_the_port(run_cli: Any, busy_port: int) -> None:
    result = run_cli("fortnox", "emulator", "--host", "127.0.0.1", "--port", str(busy_port))
    assert result.exit_code == 2, result.stderr
    line = _one_clean_line(result.stderr)
    assert "--port" in line and str(busy_port) in line and "in use" in line


def test_c9_a_busy_port_is_a_usage_error_without_the_ledgerlink_cli(busy_port: int) -> None:
    result = CliRunner().invoke(emulator_command, ["--port", str(busy_port)])
    assert result.exit_code == 2, result.output
    assert str(busy_port) in _one_clean_line(result.stderr)


def test_c9_a_seed_without_a_fiscal_year_is_an_input_error_naming_the_file(
    run_cli: Any, tmp_path: Path
) -> None:
    seed = tmp_path / "small.se"
    seed.write_text("#FLAGGA 0\n#SIETYP 4\n#KONTO 1910 Kassa\n", encoding="cp437")
    result = run_cli("fortnox", "emulator", "--port", "0", "--seed", str(seed))
    assert result.exit_code == 2, result.stderr
    line = _one_clean_line(result.stderr)
    assert "small.se" in line and "#RAR" in line


def test_c9_the_python_api_refuses_such_a_seed_as_an_input_error(tmp_path: Path) -> None:
    from ledgerlink_core import InputError

    seed = tmp_path / "small.se"
    seed.write_text("#FLAGGA 0\n#SIETYP 4\n#KONTO 1910 Kassa\n", encoding="cp437")
    with pytest.raises(InputError, match=r"small\.se: .*#RAR"):
        server.start_emulator(EmulatorConfig(seed_sie=seed))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("missing.se", None),
        ("adir", "dir"),
        ("text.se", "hello, not SIE\n"),
        ("empty.se", ""),
        ("binary.se", "\x00\x01\x02#RAR"),
    ],
)
def test_c9_a_missing_directory_or_non_sie_seed_is_a_clean_error(
    run_cli: Any, tmp_path: Path, name: str, content: str | None
) -> None:
    seed = tmp_path / name
    if content == "dir":
        seed.mkdir()
    elif content is not None:
        seed.write_text(content, encoding="latin-1")
    result = run_cli("fortnox", "emulator", "--port", "0", "--seed", str(seed))
    assert result.exit_code == 2, result.stderr
    assert name in result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_c9_an_unreadable_seed_is_a_clean_error(run_cli: Any, tmp_path: Path) -> None:
    seed = tmp_path / "noperm.se"
    seed.write_text("#FLAGGA 0\n#RAR 0 20250101 20251231\n", encoding="cp437")
    seed.chmod(0)
    result = run_cli("fortnox", "emulator", "--port", "0", "--seed", str(seed))
    assert result.exit_code == 2, result.stderr
    assert "noperm.se" in _one_clean_line(result.stderr)


# --- K3: ranges of the options, the settings and the runtime knobs ----------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("--error-5xx-rate", "7"),
        ("--error-429-rate", "-0.1"),
        ("--timeout-rate", "1.5"),
        ("--drop-before-commit-rate", "2"),
        ("--drop-after-commit-rate", "-1"),
        ("--latency", "-5"),
        ("--rate-window", "-1"),
        ("--token-lifetime", "-3600"),
        ("--rate-limit", "0"),
        ("--customer-invoices", "-1"),
        ("--supplier-invoices", "-2"),
        ("--synthetic-vouchers", "-1"),
        ("--tenants", "0"),
        ("--port", "65536"),
        ("--port", "-1"),
    ],
)
def test_k3_an_out_of_range_option_is_a_usage_error(
    no_server: None, option: str, value: str
) -> None:
    result = CliRunner().invoke(emulator_command, [option, value])
    assert result.exit_code == 2, (result.output, result.exception)
    assert option in result.stderr and value in result.stderr
    assert "Traceback" not in result.stderr


def test_k3_the_bounds_themselves_are_accepted(no_server: None) -> None:
    args = ["--port", "65535", "--error-5xx-rate", "1", "--error-429-rate", "0", "--latency", "0"]
    args += ["--rate-limit", "1", "--tenants", "1", "--synthetic-vouchers", "0"]
    result = CliRunner().invoke(emulator_command, args)
    assert isinstance(result.exception, _Started), result.output


@pytest.mark.parametrize(
    "setting",
    [
        {"error_5xx_rate": 7.0},
        {"write_off_share": 1.01},
        {"latency": -5.0},
        {"timeout_hold": -1.0},
        {"retry_after_unit": 0.0},
        {"rate_limit_requests": 0},
        {"tenants": 0},
        {"max_upload_bytes": -1},
        {"customer_invoices": -1},
        {"attached_files": -1},
    ],
)
def test_k3_the_config_refuses_an_out_of_range_setting(setting: dict[str, Any]) -> None:
    (name,) = setting
    with pytest.raises(ValueError, match=name):
        EmulatorConfig(**setting)


@pytest.mark.parametrize(
    "knob",
    [
        {"error_5xx_rate": 7},
        {"timeout_rate": -0.5},
        {"latency": -5},
        {"latency_jitter": -1},
        {"rate_limit_requests": 0},
        {"rate_limit_window": -1},
        {"retry_after_unit": 0},
        {"burst_429_length": 0},
        {"access_token_lifetime": -1},
        {"max_upload_bytes": -1},
        {"latency": "fast"},
        {"latency": True},
        {"rate_limit_requests": 2.5},
        {"faults_on_reads": "no"},
    ],
)
def test_k3_an_out_of_range_runtime_knob_is_a_400_with_a_reason(
    emulator: RunningEmulator, knob: dict[str, Any]
) -> None:
    (name,) = knob
    before = getattr(emulator.config, name)
    answer = httpx.post(emulator.base_url + "/_emulator/config", json=knob)
    assert answer.status_code == 400, answer.text
    assert name in answer.json()["message"]
    assert getattr(emulator.config, name) == before
    with pytest.raises(ValueError, match=name):
        emulator.configure(**knob)
    assert getattr(emulator.config, name) == before


def test_k3_a_refused_knob_changes_none_of_the_others(emulator: RunningEmulator) -> None:
    answer = httpx.post(
        emulator.base_url + "/_emulator/config", json={"latency": 0.01, "error_5xx_rate": 7}
    )
    assert answer.status_code == 400
    assert emulator.config.latency == 0.0 and emulator.config.error_5xx_rate == 0.0


def test_k3_knobs_in_range_are_still_accepted(emulator: RunningEmulator) -> None:
    knobs = {"error_5xx_rate": 1, "latency": 0, "rate_limit_requests": 1, "max_upload_bytes": None}
    answer = httpx.post(emulator.base_url + "/_emulator/config", json=knobs)
    assert answer.status_code == 200, answer.text
    assert emulator.config.error_5xx_rate == 1 and emulator.config.max_upload_bytes is None
    emulator.configure(error_5xx_rate=0.0, rate_limit_requests=25, timeout_hold=2)
    assert emulator.config.timeout_hold == 2
