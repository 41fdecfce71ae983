"""Configuration: one TOML file, environment variables and ``--set`` flags.

Precedence for a backend setting is flag > env > file > default:

* ``--set field=value`` on the command line;
* ``LEDGERLINK_<BACKEND>__<FIELD>`` in the environment (``LEDGERLINK_FORTNOX__CLIENT_ID``);
* ``[backends.<backend>]`` in ``config.toml`` in the user's config directory;
* the default of the backend's ``Settings`` model.

A secret field may also come from a file named by ``LEDGERLINK_<BACKEND>__<FIELD>_FILE``
(the container convention), which keeps it out of the process list and the shell history as
the environment and the config file do; ``--set`` of a secret works but is warned about. A
secret still missing after that is asked of the ``ledgerlink_resolve_secret`` hook.

Mistakes that would otherwise pass in silence are logged as warnings (and failed by
``ledgerlink doctor``, see :func:`config_problems`): a ``LEDGERLINK_<BACKEND>...`` variable
that names no setting (a typo must not leave the production URL in force), and a config file
that others may read while it holds a secret.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import stat
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
    "GLOBAL_VARIABLES",
    "config_dir",
    "config_file",
    "config_problems",
    "data_dir",
    "env_name",
    "is_secret",
    "load_config_file",
    "parse_assignments",
    "resolve_settings",
]

APP = "ledgerlink"

log = logging.getLogger("ledgerlink.config")

#: The environment variables ledgerlink reads itself (besides each backend's settings):
#: core's, and the CLI's ``--company`` and amount style.
GLOBAL_VARIABLES = frozenset(
    {
        "LEDGERLINK_CONFIG",
        "LEDGERLINK_CONFIG_DIR",
        "LEDGERLINK_DATA_DIR",
        "LEDGERLINK_PLUGINS",
        "LEDGERLINK_DISABLE_PLUGINS",
        "LEDGERLINK_COMPANY",
        "LEDGERLINK_AMOUNTS",
    }
)
#: The suffix of a variable that names a file holding a secret setting.
FILE_SUFFIX = "_FILE"
#: The top-level tables a config file may hold: the backends' settings, the CLI's own.
TABLES = frozenset({"backends", "cli"})


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

    secrets = {n for n, info in fields.items() if is_secret(info.annotation)}
    for problem in _variable_problems(environ, backend, fields, secrets):
        log.warning("%s", problem)
    if secrets & set(section):
        readable = _readable_by_others(file_path)
        if readable:
            log.warning("%s", readable)
    values: dict[str, Any] = dict(section)
    for name in fields:
        env_value = environ.get(env_name(backend, name))
        if env_value is None and name in secrets:
            env_value = _secret_file(environ, backend, name)
        if env_value is not None:
            values[name] = _coerce(settings_cls, name, env_value)
    for name, value in overrides.items():
        if name in secrets:
            log.warning(
                "--set %s puts the secret in the process list; set %s, %s%s or the config "
                "file instead",
                name,
                env_name(backend, name),
                env_name(backend, name),
                FILE_SUFFIX,
            )
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
        raise ConfigError(_describe(exc, backend, file_path, secrets)) from None


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


def _describe(exc: ValidationError, backend: str, path: Path, secrets: set[str]) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"]) or "(settings)"
        message = err["msg"]
        if err["type"] == "missing":
            head = field.split(".")[0]
            variable = env_name(backend, head)
            if head in secrets:
                ways = (
                    f"the environment variable {variable} (or {variable}{FILE_SUFFIX} naming a "
                    f"file that holds it), `{head} = ...` under [backends.{backend}] in {path} "
                    f"(chmod 600), or --set {head}=..."
                )
            else:
                ways = (
                    f"--set {head}=..., the environment variable {variable}, "
                    f"or `{head} = ...` under [backends.{backend}] in {path}"
                )
            parts.append(f"backends.{backend}.{field}: required; set it with {ways}")
        else:
            parts.append(f"backends.{backend}.{field}: {message}")
    return "; ".join(parts)


def _secret_file(environ: Mapping[str, str], backend: str, name: str) -> str | None:
    """The secret in the file that ``LEDGERLINK_<BACKEND>__<FIELD>_FILE`` names, if set."""
    variable = env_name(backend, name) + FILE_SUFFIX
    path = environ.get(variable)
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot read the secret file that {variable} names: {exc.strerror or exc}"
        ) from None


def _variable_problems(
    environ: Mapping[str, str], backend: str, fields: Mapping[str, Any], secrets: set[str]
) -> list[str]:
    """``LEDGERLINK_<BACKEND>...`` variables that name none of the backend's settings."""
    known = {env_name(backend, f) for f in fields}
    known |= {env_name(backend, f) + FILE_SUFFIX for f in secrets}
    # A wrong field after the double underscore, or a setting's name after a single one;
    # nothing else, as another backend's name may start with this one's (acme, acme_books).
    ours = f"LEDGERLINK_{backend.upper()}__"
    single = {f"LEDGERLINK_{backend.upper()}_{f.upper()}" for f in fields}
    return [
        _unknown_variable(variable, known)
        for variable in sorted(environ)
        if variable not in known and (variable.startswith(ours) or variable in single)
    ]


def _unknown_variable(variable: str, known: set[str]) -> str:
    close = difflib.get_close_matches(variable, sorted(known), n=1)
    hint = f"; did you mean {close[0]}?" if close else ""
    return f"the environment variable {variable} names no setting and is ignored{hint}"


def _readable_by_others(path: Path) -> str | None:
    """A warning when ``path`` (holding a secret) may be read by its group or by others."""
    if os.name != "posix":
        return None  # Windows: the file sits in the user's profile, protected by its ACL
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        return (
            f"{path} holds a secret and others may read it (mode {stat.S_IMODE(mode):04o}); "
            f"run `chmod 600 {path}`"
        )
    return None


def config_problems(
    file_data: Mapping[str, Any],
    file_path: Path,
    environ: Mapping[str, str],
    backends: Mapping[str, type[BackendSettings] | None],
) -> list[tuple[str, str]]:
    """What ``ledgerlink doctor`` fails the configuration for: (where, one line) pairs, where
    is the config file or ``environment``.

    Unknown top-level tables in the config file (``[backend.fortnox]``, ``[defaults]``), a
    config file readable by others that holds a secret, and ``LEDGERLINK_*`` variables that
    name nothing: neither core's own (:data:`GLOBAL_VARIABLES`) nor any installed backend's
    settings (``backends`` maps each backend's name to its settings model, or to None for
    a backend that failed to load: its variables are then taken as they are).
    """
    where = str(file_path)
    problems = [
        (
            where,
            f"unknown table [{name}] (ignored; backends are configured under [backends.NAME], "
            "the CLI under [cli])",
        )
        for name in sorted(set(file_data) - TABLES)
    ]
    sections = file_data.get("backends", {})
    loaded = {name: settings for name, settings in backends.items() if settings is not None}
    for name, settings in loaded.items():
        section = sections.get(name, {}) if isinstance(sections, dict) else {}
        secrets = {n for n, i in settings.model_fields.items() if is_secret(i.annotation)}
        readable = _readable_by_others(file_path) if secrets & set(section) else None
        if isinstance(section, dict) and readable:
            problems.append((where, readable))
            break
    known = set(GLOBAL_VARIABLES)
    # a backend that does not load: its variables cannot be judged
    unloaded = tuple(f"LEDGERLINK_{n.upper()}__" for n, s in backends.items() if s is None)
    for name, settings in loaded.items():
        fields = settings.model_fields
        known |= {env_name(name, f) for f in fields}
        known |= {
            env_name(name, f) + FILE_SUFFIX for f, i in fields.items() if is_secret(i.annotation)
        }
    problems += [
        ("environment", _unknown_variable(v, known))
        for v in sorted(environ)
        if v.startswith("LEDGERLINK_")
        and v not in known
        and not (unloaded and v.startswith(unloaded))
    ]
    return problems
