"""``ledgerlink doctor``: loads every plugin and backend, validates configured settings,
optionally connects; exits non-zero on any failure (so authors can run it in CI)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from testpaths import THIRDPARTY


def checks_of(stdout: str) -> dict[tuple[str, str], dict[str, str]]:
    report = json.loads(stdout)
    return {(c["area"], c["name"]): c for c in report["checks"]}


def test_a_clean_installation_passes(run_cli) -> None:
    result = run_cli("doctor", "--json")
    assert result.exit_code == 0, result.stdout
    checks = checks_of(result.stdout)
    assert json.loads(result.stdout)["ok"] is True
    assert checks[("backend", "fortnox")]["status"] == "ok"
    assert checks[("backend", "sie_file")]["status"] == "ok"
    assert checks[("plugin", "fortnox")]["status"] == "ok"
    assert checks[("settings", "fortnox")]["status"] == "skip"  # not configured: not a failure


def test_broken_plugins_and_backends_fail(run_cli_process) -> None:
    result = run_cli_process("doctor", "--json", extra_path=[THIRDPARTY])
    assert result.exit_code == 1
    checks = checks_of(result.stdout)
    assert checks[("plugin", "brokenplug")]["status"] == "fail"
    assert "broken on purpose" in checks[("plugin", "brokenplug")]["detail"]
    assert checks[("backend", "broken")]["status"] == "fail"
    assert checks[("backend", "toy")]["status"] == "ok"  # one broken plugin spoils nothing else
    assert checks[("plugin", "hello")]["status"] == "ok"


BAD_HOOKS = {
    # An argument the hookspec does not have.
    "badargs": "@hookimpl\ndef ledgerlink_import_finished(source, colour):\n    pass\n",
    # A misspelt hook name.
    "typo": "@hookimpl\ndef ledgerlink_import_finishd(source):\n    pass\n",
}


@pytest.mark.parametrize("name", sorted(BAD_HOOKS))
def test_hook_signatures_are_checked(name: str, run_cli_process, tmp_path: Path) -> None:
    module = f"ledgerlink_{name}"
    (tmp_path / f"{module}.py").write_text(
        'import pluggy\nhookimpl = pluggy.HookimplMarker("ledgerlink")\n\n' + BAD_HOOKS[name]
    )
    info = tmp_path / f"{module}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[ledgerlink.plugins]\n{name} = {module}\n")
    result = run_cli_process("doctor", "--json", extra_path=[tmp_path])
    assert result.exit_code == 1
    check = checks_of(result.stdout)[("plugin", name)]
    assert check["status"] == "fail"
    assert "ledgerlink_import_finish" in check["detail"]


def test_invalid_configured_settings_fail_without_showing_secrets(
    run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[backends.fortnox]\nclient_id = ""\n\n[backends.visma]\nkey = "x"\n')
    monkeypatch.setenv("LEDGERLINK_CONFIG", str(config))
    monkeypatch.setenv("LEDGERLINK_FORTNOX__CLIENT_SECRET", "sup3r-s3cret-value")
    result = run_cli("doctor")
    assert result.exit_code == 1
    assert "sup3r-s3cret-value" not in result.stdout + result.stderr
    checks = checks_of(run_cli("doctor", "--json").stdout)
    assert checks[("settings", "fortnox")]["status"] == "fail"
    assert "client_id" in checks[("settings", "fortnox")]["detail"]
    assert checks[("config", "[backends.visma]")]["status"] == "fail"
    assert "2 check(s) failed" in result.stderr


def test_malformed_config_fails(run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[backends.fortnox\n")
    monkeypatch.setenv("LEDGERLINK_CONFIG", str(config))
    result = run_cli("doctor", "--json")
    assert result.exit_code == 1
    assert checks_of(result.stdout)[("config", str(config))]["status"] == "fail"


def test_connect_checks_each_configured_backend(
    run_cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from ledgerlink_core.testing import copy_sample

    monkeypatch.setenv("LEDGERLINK_SIE_FILE__PATH", str(copy_sample(tmp_path)))
    result = run_cli("doctor", "--connect", "--json")
    assert result.exit_code == 0, result.stdout
    check = checks_of(result.stdout)[("connection", "sie_file")]
    assert check["status"] == "ok"
    assert "Åkesson & Öberg Bygg AB" in check["detail"]
