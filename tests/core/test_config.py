"""Configuration precedence (flag > env > file > default) and its error messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledgerlink_core.backend import BackendSettings
from ledgerlink_core.config import load_config_file, parse_assignments, resolve_settings
from ledgerlink_core.errors import ConfigError, InputError
from pydantic import SecretStr


class DemoSettings(BackendSettings):
    client_id: str
    client_secret: SecretStr
    base_url: str = "https://api.example"
    timeout: int = 30
    scopes: list[str] = ["bookkeeping"]


def resolve(
    *,
    file_data: dict | None = None,
    environ: dict | None = None,
    overrides: dict | None = None,
    resolver=None,
) -> DemoSettings:
    settings = resolve_settings(
        "demo",
        DemoSettings,
        file_data=file_data or {},
        file_path=Path("/etc/ll/config.toml"),
        environ=environ or {},
        overrides=overrides or {},
        secret_resolver=resolver,
    )
    assert isinstance(settings, DemoSettings)
    return settings


BASE = {"backends": {"demo": {"client_id": "file-id", "client_secret": "file-secret"}}}


def test_default_when_nothing_else() -> None:
    assert resolve(file_data=BASE).base_url == "https://api.example"


def test_file_beats_default() -> None:
    data = {"backends": {"demo": {**BASE["backends"]["demo"], "timeout": 5}}}
    assert resolve(file_data=data).timeout == 5


def test_env_beats_file_and_flag_beats_env() -> None:
    env = {"LEDGERLINK_DEMO__CLIENT_ID": "env-id", "LEDGERLINK_DEMO__TIMEOUT": "7"}
    from_env = resolve(file_data=BASE, environ=env)
    assert (from_env.client_id, from_env.timeout) == ("env-id", 7)
    from_flag = resolve(file_data=BASE, environ=env, overrides={"client_id": "flag-id"})
    assert from_flag.client_id == "flag-id"
    assert from_flag.timeout == 7


def test_list_settings_from_strings() -> None:
    assert resolve(file_data=BASE, overrides={"scopes": "a, b c"}).scopes == ["a", "b", "c"]
    assert resolve(file_data=BASE, overrides={"scopes": '["x"]'}).scopes == ["x"]


def test_missing_value_names_every_way_to_supply_it() -> None:
    with pytest.raises(ConfigError) as info:
        resolve(overrides={"client_secret": "s"})
    message = str(info.value)
    assert "backends.demo.client_id" in message
    assert "--set client_id=" in message
    assert "LEDGERLINK_DEMO__CLIENT_ID" in message
    assert "[backends.demo]" in message and "/etc/ll/config.toml" in message


def test_unknown_flag_lists_the_valid_settings() -> None:
    with pytest.raises(ConfigError, match=r"no setting colour .*client_id"):
        resolve(file_data=BASE, overrides={"colour": "red"})


def test_unknown_key_in_file_is_reported_with_the_file() -> None:
    data = {"backends": {"demo": {**BASE["backends"]["demo"], "tiemout": 3}}}
    with pytest.raises(ConfigError, match=r"config.toml: \[backends.demo\] has unknown.*tiemout"):
        resolve(file_data=data)


def test_invalid_value_is_one_line() -> None:
    with pytest.raises(ConfigError) as info:
        resolve(file_data=BASE, overrides={"timeout": "soon"})
    assert "backends.demo.timeout" in str(info.value)
    assert "\n" not in str(info.value)


def test_secret_resolver_fills_missing_secret_only() -> None:
    calls = []

    def resolver(backend: str, field: str) -> SecretStr | None:
        calls.append((backend, field))
        return SecretStr("from-keyring")

    settings = resolve(overrides={"client_id": "x"}, resolver=resolver)
    assert settings.client_secret.get_secret_value() == "from-keyring"
    assert calls == [("demo", "client_secret")]


def test_secrets_never_in_repr() -> None:
    settings = resolve(file_data=BASE)
    assert "file-secret" not in repr(settings)
    assert "file-secret" not in str(settings)
    assert "file-secret" not in settings.model_dump_json()


def test_parse_assignments() -> None:
    assert parse_assignments(["a=1", "b=x=y", "c="]) == {"a": "1", "b": "x=y", "c": ""}
    # a usage error (exit 2), not a configuration one (issue 13)
    with pytest.raises(InputError, match="key=value"):
        parse_assignments(["novalue"])


def test_config_file_errors(tmp_path: Path) -> None:
    assert load_config_file(tmp_path / "missing.toml") == {}
    bad = tmp_path / "config.toml"
    bad.write_text("[backends.demo\nclient_id = 1\n")
    with pytest.raises(ConfigError, match=r"config.toml: not valid TOML.*line 1"):
        load_config_file(bad)
