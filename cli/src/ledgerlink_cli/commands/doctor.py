"""``ledgerlink doctor``: is this installation healthy? Exits non-zero on any failure (for CI).

It loads every extension plugin (pluggy validates each hook implementation's name and
arguments against the specs, and ``check_pending`` catches misspelt ``ledgerlink_*`` hooks),
imports every backend (entry point, class, name, capabilities, settings schema), validates the
settings configured for each backend (config file and environment), and with ``--connect``
calls ``check_connection()`` on each configured backend.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass

import click
from ledgerlink_core.config import env_name
from ledgerlink_core.errors import ConfigError, LedgerlinkError
from ledgerlink_core.runtime import Runtime

from ledgerlink_cli.options import json_option
from ledgerlink_cli.render import echo_json, table

OK, FAIL, SKIP = "ok", "fail", "skip"


@dataclass(frozen=True)
class Check:
    """One line of the report."""

    area: str
    """``config``, ``plugin``, ``backend``, ``settings`` or ``connection``."""
    name: str
    status: str
    """``ok``, ``fail`` or ``skip``."""
    detail: str = ""


def _configured(runtime: Runtime, backend: str, fields: Mapping[str, object]) -> bool:
    """True when the user set anything for ``backend`` (config section or env variable)."""
    try:
        section = runtime.file_config.get("backends", {})
    except ConfigError:
        section = {}  # reported once by the config check
    if isinstance(section, dict) and backend in section:
        return True
    return any(env_name(backend, f) in runtime.environ for f in fields)


def config_checks(runtime: Runtime) -> list[Check]:
    """The config file parses, and names only installed backends."""
    try:
        data = runtime.file_config
    except ConfigError as exc:
        return [Check("config", str(runtime.config_path), FAIL, str(exc))]
    where = str(runtime.config_path)
    if not runtime.config_path.exists():
        return [Check("config", where, OK, "no config file (defaults and environment only)")]
    checks = [Check("config", where, OK, "parsed")]
    sections = data.get("backends", {})
    installed = set(runtime.registry.backend_names())
    if isinstance(sections, dict):
        for name in sorted(set(sections) - installed):
            checks.append(
                Check("config", f"[backends.{name}]", FAIL, f"no installed backend is {name!r}")
            )
    return checks


def plugin_checks(runtime: Runtime) -> list[Check]:
    """Every extension plugin loads and its hooks match the specs."""
    checks = []
    for row in runtime.registry.list_plugins():
        if row.status == "ok":
            detail = ", ".join(row.hooks) or "implements no hooks"
            checks.append(Check("plugin", row.name, OK, detail))
        elif row.status == "disabled":
            checks.append(Check("plugin", row.name, SKIP, "disabled (LEDGERLINK_PLUGINS)"))
        else:
            checks.append(Check("plugin", row.name, FAIL, row.error or "failed to load"))
    try:
        runtime.registry.pm.check_pending()
    except Exception as exc:  # pluggy's PluginValidationError, whatever its wording
        checks.append(Check("plugin", "(all)", FAIL, f"{type(exc).__name__}: {exc}"))
    return checks


def backend_checks(runtime: Runtime, connect: bool) -> list[Check]:
    """Every backend loads; configured ones have valid settings (and connect, if asked)."""
    checks = []
    for name in runtime.registry.backend_names():
        try:
            cls = runtime.registry.backend_class(name)
            caps = sorted(str(c) for c in cls.capabilities().supported)
            cls.Settings.model_json_schema()
        except Exception as exc:  # a broken third-party backend must not stop the report
            detail = (
                str(exc) if isinstance(exc, LedgerlinkError) else f"{type(exc).__name__}: {exc}"
            )
            checks.append(Check("backend", name, FAIL, detail))
            continue
        checks.append(Check("backend", name, OK, ", ".join(caps) or "no capabilities"))
        configured = _configured(runtime, name, cls.Settings.model_fields)
        try:
            runtime.backend_settings(name)
        except ConfigError as exc:
            if configured:
                checks.append(Check("settings", name, FAIL, str(exc)))
            else:
                checks.append(Check("settings", name, SKIP, "not configured"))
            continue
        checks.append(Check("settings", name, OK, "valid" if configured else "defaults valid"))
        if connect:
            checks.append(_connection(runtime, name))
    return checks


def _connection(runtime: Runtime, name: str) -> Check:
    try:
        with runtime.open_backend(name) as backend:
            info = backend.check_connection()
    except LedgerlinkError as exc:
        return Check("connection", name, FAIL, str(exc))
    except Exception as exc:  # a bug in the backend: report it, keep going
        return Check("connection", name, FAIL, f"internal error: {type(exc).__name__}: {exc}")
    detail = " ".join(part for part in (info.company or "", info.detail) if part) or "reachable"
    return Check("connection", name, OK, detail)


def run_checks(runtime: Runtime, *, connect: bool = False) -> list[Check]:
    """Every check, in report order."""
    return [*config_checks(runtime), *plugin_checks(runtime), *backend_checks(runtime, connect)]


@click.command()
@click.option("--connect", is_flag=True, help="Also call check_connection() on each backend.")
@json_option
@click.pass_obj
def doctor(runtime: Runtime, connect: bool, as_json: bool) -> None:
    """Check plugins, backends and settings; exit 1 if anything fails (use it in CI)."""
    checks = run_checks(runtime, connect=connect)
    failures = [c for c in checks if c.status == FAIL]
    if as_json:
        echo_json({"ok": not failures, "checks": [dataclasses.asdict(c) for c in checks]})
    else:
        click.echo(
            table(
                ["check", "name", "status", "detail"],
                [[c.area, c.name, c.status, c.detail] for c in checks],
            )
        )
        summary = "all checks passed" if not failures else f"{len(failures)} check(s) failed"
        click.echo(f"\n{summary}", err=bool(failures))
    if failures:
        click.get_current_context().exit(1)
