"""Configuration: one TOML file, environment variables and ``--set`` flags.

Precedence for a backend setting is flag > env > file > default:

* ``--set field=value`` on the command line;
* ``LEDGERLINK_<BACKEND>__<FIELD>`` in the environment (``LEDGERLINK_FORTNOX__CLIENT_ID``);
* ``[backends.<backend>]`` in ``config.toml`` in the user's config directory;
* the default of the backend's ``Settings`` model.

A secret still missing after that is asked of the ``ledgerlink_resolve_secret`` hook.
"""

from __future__ import annotations

import json
import os
import tomllib
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import SecretStr, ValidationError

from ledgerlink_core.backend import BackendSettings
from ledgerlink_core.errors import ConfigError, InputError, did_you_mean

__all__ = [
    "config_dir",
    "config_file",
    "data_dir",
    "env_name",
    "is_secret",
    "load_config_file",
    "parse_assignments",
    "resolve_settings",
]

APP = "ledgerlink"


def config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$LEDGERLINK_CONFIG_DIR`` or the platform's user config directory."""
    env = os.environ if environ is None else environ
    return Path(env.get("LEDGERLINK_CONFIG_DIR") or platformdirs.user_config_dir(APP))


def data_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$LEDGERLINK_DATA_DIR`` or the platform's user data directory (export journal...)."""
    env = os.environ if environ is None else environ
    return Path(env.get("LEDGERLINK_DATA_DIR") or platformdirs.user_data_dir(APP))


def config_file(environ: Mapping[str, str] | None = None) -> Path:
    """``$LEDGERLINK_CONFIG`` or ``config.toml`` in :func:`config_dir`."""
    env = os.environ if environ is None else environ
    explicit = env.get("LEDGERLINK_CONFIG")
    return Path(explicit) if explicit else config_dir(env) / "config.toml"


def load_config_file(path: Path) -> dict[str, Any]:
    """Read the TOML config; a missing file is an empty config, a malformed one a ConfigError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from exc
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """Turn ``("key=value", ...)`` from ``--set`` into a dict; a pair without ``=`` is a usage
    error (:class:`InputError`, exit 2)."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--set expects key=value, got {pair!r}")
        result[key.strip()] = value
    return result


def env_name(backend: str, field: str) -> str:
    """The environment variable for a backend setting: ``LEDGERLINK_<BACKEND>__<FIELD>``."""
    return f"LEDGERLINK_{backend.upper()}__{field.upper()}"


def resolve_settings(
    backend: str,
    settings_cls: type[BackendSettings],
    *,
    file_data: Mapping[str, Any],
    file_path: Path,
    environ: Mapping[str, str],
    overrides: Mapping[str, str],
    secret_resolver: Callable[[str, str], SecretStr | None] | None = None,
) -> BackendSettings:
    """Merge flag > env > file > default and validate with the backend's settings model.

    Errors are :class:`ConfigError` naming the setting and every way to supply it.
    """
    fields = settings_cls.model_fields
    unknown = sorted(set(overrides) - set(fields))
    if unknown:
        valid = ", ".join(sorted(fields)) or "none"
        raise ConfigError(
            f"{backend} has no setting {', '.join(unknown)}{_hints(unknown, fields)} "
            f"(settings: {valid})"
        )
    section = _backend_section(file_data, backend, file_path)
    unknown_file = sorted(set(section) - set(fields))
    if unknown_file:
        raise ConfigError(
            f"{file_path}: [backends.{backend}] has unknown setting(s) "
            f"{', '.join(unknown_file)}{_hints(unknown_file, fields)}"
        )

    values: dict[str, Any] = dict(section)
    for name in fields:
        env_value = environ.get(env_name(backend, name))
        if env_value is not None:
            values[name] = _coerce(settings_cls, name, env_value)
    for name, value in overrides.items():
        values[name] = _coerce(settings_cls, name, value)

    if secret_resolver is not None:
        for name, info in fields.items():
            if name not in values and is_secret(info.annotation):
                secret = secret_resolver(backend, name)
                if secret is not None:
                    values[name] = secret
    try:
        return settings_cls.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, backend, file_path)) from None


def _hints(unknown: list[str], fields: Mapping[str, Any]) -> str:
    """``. Did you mean 'x'?`` for each unknown name with a close match, else ``""``."""
    hints = [h for h in (did_you_mean(u, fields) for u in unknown) if h]
    return "".join(f". {h}" for h in hints)


def _backend_section(data: Mapping[str, Any], backend: str, path: Path) -> dict[str, Any]:
    backends = data.get("backends", {})
    section = backends.get(backend, {}) if isinstance(backends, dict) else {}
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [backends.{backend}] must be a table")
    return dict(section)


def is_secret(annotation: Any) -> bool:
    """Whether a settings field of this type holds a secret (``SecretStr``, or optional)."""
    return annotation is SecretStr or SecretStr in typing.get_args(annotation)


def _coerce(settings_cls: type[BackendSettings], name: str, value: str) -> Any:
    """Strings from env/flags: lists accept JSON or comma/space separated items."""
    annotation = settings_cls.model_fields[name].annotation
    origins = {typing.get_origin(annotation)} | {
        typing.get_origin(a) for a in typing.get_args(annotation)
    }
    if origins & {list, tuple, set, frozenset}:
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                return json.loads(stripped)
            except json.JSONDecodeError:
                pass
        return [part for part in stripped.replace(",", " ").split() if part]
    return value


def _describe(exc: ValidationError, backend: str, path: Path) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(settings)"
        message = err["msg"]
        if err["type"] == "missing":
            head = field.split(".")[0]
            parts.append(
                f"backends.{backend}.{field}: required; set it with --set {head}=..., "
                f"the environment variable {env_name(backend, head)}, "
                f"or `{head} = ...` under [backends.{backend}] in {path}"
            )
        else:
            parts.append(f"backends.{backend}.{field}: {message}")
    return "; ".join(parts)
