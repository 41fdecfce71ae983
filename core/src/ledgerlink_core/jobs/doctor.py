"""The ``doctor`` job: is this installation healthy?

It loads every extension plugin (pluggy validates each hook implementation's name and
arguments against the specs, and ``check_pending`` catches misspelt ``ledgerlink_*`` hooks),
imports every backend (entry point, class, name, capabilities, settings schema), validates the
settings configured for each backend (config file and environment), and with ``connect``
calls ``check_connection()`` on each backend whose settings are valid. A broken plugin or
backend is a failed check, never an exception: the report always covers everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.config import config_problems, env_name
from ledgerlink_core.errors import ConfigError, LedgerlinkError
from ledgerlink_core.runtime import Runtime

__all__ = [
    "CheckArea",
    "CheckStatus",
    "DoctorCheck",
    "DoctorReport",
    "DoctorRequest",
    "doctor",
]

CheckArea = Literal["config", "plugin", "backend", "settings", "connection"]
CheckStatus = Literal["ok", "fail", "skip"]


class DoctorRequest(BaseModel):
    """Which checks to run beyond the ones that need no I/O."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    connect: bool = False
    """Also call ``check_connection()`` on each backend (network, files, credentials)."""


class DoctorCheck(BaseModel):
    """One line of the report."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    area: CheckArea
    name: str
    """The config file or section, plugin or backend checked."""
    status: CheckStatus
    detail: str = ""


class DoctorReport(BaseModel):
    """Every check, in report order: config, plugins, then each backend and its settings."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    checks: tuple[DoctorCheck, ...]

    @property
    def failures(self) -> tuple[DoctorCheck, ...]:
        """The checks that failed."""
        return tuple(c for c in self.checks if c.status == "fail")

    @property
    def ok(self) -> bool:
        """True when no check failed (skipped ones do not count)."""
        return not self.failures


def doctor(runtime: Runtime, request: DoctorRequest) -> DoctorReport:
    """Run every check and return the report; a failure is a line of it, never an error."""
    return DoctorReport(
        checks=(
            *config_checks(runtime),
            *plugin_checks(runtime),
            *backend_checks(runtime, connect=request.connect),
        )
    )


def _check(area: CheckArea, name: str, status: CheckStatus, detail: str = "") -> DoctorCheck:
    return DoctorCheck(area=area, name=name, status=status, detail=detail)


def _configured(runtime: Runtime, backend: str, fields: Mapping[str, object]) -> bool:
    """True when the user set anything for ``backend`` (config section or env variable)."""
    try:
        section = runtime.file_config.get("backends", {})
    except ConfigError:
        section = {}  # reported once by the config check
    if isinstance(section, dict) and backend in section:
        return True
    return any(env_name(backend, f) in runtime.environ for f in fields)


def config_checks(runtime: Runtime) -> list[DoctorCheck]:
    """The config file parses, names only installed backends and known tables, is not
    readable by others while it holds a secret; every ``LEDGERLINK_*`` variable means
    something."""
    where = str(runtime.config_path)
    try:
        data = runtime.file_config
    except ConfigError as exc:
        return [_check("config", where, "fail", str(exc))]
    problems = [
        _check("config", name, "fail", problem)
        for name, problem in config_problems(
            data, runtime.config_path, runtime.environ, _settings(runtime)
        )
    ]
    if not runtime.config_path.exists():
        return [
            _check("config", where, "ok", "no config file (defaults and environment only)"),
            *problems,
        ]
    checks = [_check("config", where, "ok", "parsed"), *problems]
    sections = data.get("backends", {})
    installed = set(runtime.registry.backend_names())
    if isinstance(sections, dict):
        for name in sorted(set(sections) - installed):
            checks.append(
                _check("config", f"[backends.{name}]", "fail", f"no installed backend is {name!r}")
            )
    return checks


def _settings(runtime: Runtime) -> dict[str, Any]:
    """Each backend's settings model, None for one that does not load."""
    models: dict[str, Any] = {}
    for name in runtime.registry.backend_names():
        try:
            models[name] = runtime.registry.backend_class(name).Settings
        except Exception:  # reported by the backend checks
            models[name] = None
    return models


def plugin_checks(runtime: Runtime) -> list[DoctorCheck]:
    """Every extension plugin loads and its hooks match the specs."""
    checks = []
    for row in runtime.registry.list_plugins():
        if row.status == "ok":
            hooks = ", ".join(row.hooks) or "implements no hooks"
            checks.append(_check("plugin", row.name, "ok", hooks))
        elif row.status == "disabled":
            checks.append(_check("plugin", row.name, "skip", "disabled (LEDGERLINK_PLUGINS)"))
        else:
            checks.append(_check("plugin", row.name, "fail", row.error or "failed to load"))
    try:
        runtime.registry.pm.check_pending()
    except Exception as exc:  # pluggy's PluginValidationError, whatever its wording
        checks.append(_check("plugin", "(all)", "fail", f"{type(exc).__name__}: {exc}"))
    return checks


def backend_checks(runtime: Runtime, *, connect: bool = False) -> list[DoctorCheck]:
    """Every backend loads; configured ones have valid settings (and connect, if asked)."""
    checks = []
    for name in runtime.registry.backend_names():
        try:
            cls = runtime.registry.backend_class(name)
            caps = sorted(str(c) for c in cls.capabilities().supported)
            cls.Settings.model_json_schema()
        except Exception as exc:  # a broken third-party backend must not stop the report
            checks.append(_check("backend", name, "fail", _reason(exc)))
            continue
        checks.append(_check("backend", name, "ok", ", ".join(caps) or "no capabilities"))
        configured = _configured(runtime, name, cls.Settings.model_fields)
        try:
            runtime.backend_settings(name)
        except ConfigError as exc:
            if configured:
                checks.append(_check("settings", name, "fail", str(exc)))
            else:
                checks.append(_check("settings", name, "skip", "not configured"))
            continue
        checks.append(_check("settings", name, "ok", "valid" if configured else "defaults valid"))
        if connect:
            checks.append(_connection(runtime, name))
    return checks


def _connection(runtime: Runtime, name: str) -> DoctorCheck:
    try:
        with runtime.open_backend(name) as backend:
            info = backend.check_connection()
    except LedgerlinkError as exc:
        return _check("connection", name, "fail", str(exc))
    except Exception as exc:  # a bug in the backend: report it, keep going
        return _check("connection", name, "fail", f"internal error: {_reason(exc)}")
    detail = " ".join(part for part in (info.company or "", info.detail) if part) or "reachable"
    return _check("connection", name, "ok", detail)


def _reason(exc: Exception) -> str:
    """A ledgerlink error's own message; anything else with its type, as it is a bug."""
    return str(exc) if isinstance(exc, LedgerlinkError) else f"{type(exc).__name__}: {exc}"
