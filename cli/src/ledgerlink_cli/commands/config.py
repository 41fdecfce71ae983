"""``ledgerlink config get|set|list``: the settings in the config file.

The file is edited with tomlkit, so its comments, order and layout stay as they were. Keys
are dotted: ``backends.<backend>.<setting>`` (checked against the backend's settings, with a
suggestion for a typo) and ``cli.<setting>`` (the CLI's own: ``amounts``).
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any

import click
from ledgerlink_core.errors import ConfigError, InputError, did_you_mean

from ledgerlink_cli.globals import note
from ledgerlink_cli.options import json_option
from ledgerlink_cli.render import echo_json

if TYPE_CHECKING:
    from ledgerlink_core.runtime import Runtime

#: The CLI's own settings under ``[cli]``: name -> allowed values (None: any).
CLI_SETTINGS: dict[str, tuple[str, ...] | None] = {"amounts": ("en", "sv", "plain")}
SECRET_MASK = "********"


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flatten(value, f"{name}."))
        else:
            out[name] = value
    return out


def _is_secret_key(runtime: Runtime, key: str) -> bool:
    parts = key.split(".")
    if len(parts) == 3 and parts[0] == "backends":
        from ledgerlink_core.config import is_secret

        try:
            fields = runtime.registry.backend_class(parts[1]).Settings.model_fields
        except Exception:
            fields = {}
        if parts[2] in fields:
            return is_secret(fields[parts[2]].annotation)
    return any(word in key.lower() for word in ("secret", "password", "token"))


def _check_key(runtime: Runtime, key: str) -> Any:
    """The annotation of the setting ``key`` names (None for the CLI's own); a key that names
    no setting is an :class:`InputError` with a suggestion."""
    parts = key.split(".")
    if len(parts) == 2 and parts[0] == "cli":
        if parts[1] not in CLI_SETTINGS:
            hint = did_you_mean(parts[1], CLI_SETTINGS)
            raise InputError(
                f"no CLI setting {parts[1]!r}."
                + (f" {hint}" if hint else "")
                + f" Settings: {', '.join(CLI_SETTINGS)}"
            )
        return None
    if len(parts) != 3 or parts[0] != "backends":
        hint = did_you_mean(parts[0], ("backends", "cli"))
        raise InputError(
            f"{key!r} is not a setting: use backends.BACKEND.SETTING or cli.SETTING"
            + (f". {hint}" if hint else "")
        )
    fields = runtime.registry.backend_class(parts[1]).Settings.model_fields
    if parts[2] not in fields:
        hint = did_you_mean(parts[2], fields)
        raise InputError(
            f"{parts[1]} has no setting {parts[2]!r}."
            + (f" {hint}" if hint else "")
            + f" Settings: {', '.join(sorted(fields))}"
        )
    return fields[parts[2]].annotation


def _typed(annotation: Any, key: str, text: str) -> Any:
    """``text`` as the TOML value the setting takes (a string unless it is a bool, number or
    list); the CLI's own settings are checked against their allowed values."""
    parts = key.split(".")
    if parts[0] == "cli":
        allowed = CLI_SETTINGS[parts[1]]
        if allowed is not None and text not in allowed:
            raise InputError(f"{key} is one of {', '.join(allowed)}, not {text!r}")
        return text
    kinds = {annotation, *typing.get_args(annotation)}
    origins = {typing.get_origin(k) for k in kinds}
    try:
        if bool in kinds:
            if text.lower() not in ("true", "false"):
                raise ValueError(text)
            return text.lower() == "true"
        if int in kinds:
            return int(text)
        if float in kinds:
            return float(text)
    except ValueError:
        raise InputError(f"{key}: {text!r} is not a value of type {annotation}") from None
    if origins & {list, tuple, set, frozenset}:
        return [p for p in text.replace(",", " ").split() if p]
    return text


@click.group()
def config() -> None:
    """Show and change settings in the config file.

    Keys are backends.BACKEND.SETTING (what --set SETTING=... gives one run) and
    cli.SETTING (cli.amounts: en, sv or plain, the amount format). Editing keeps the
    file's comments and layout. `ledgerlink paths` shows where the file is.

    \b
    Examples:
      ledgerlink config set backends.fortnox.client_id abc123
      ledgerlink config get backends.fortnox.client_id
      ledgerlink config set cli.amounts sv
      ledgerlink config list --json
    """


@config.command("list")
@click.option("--show-secrets", is_flag=True, help="Show secret values instead of ********.")
@json_option
@click.pass_obj
def list_(runtime: Runtime, show_secrets: bool, as_json: bool) -> None:
    """List every setting in the config file.

    \b
    Example:
      ledgerlink config list
    """
    values = _flatten(runtime.file_config)
    shown = {
        k: (SECRET_MASK if not show_secrets and _is_secret_key(runtime, k) else v)
        for k, v in sorted(values.items())
    }
    if as_json:
        echo_json({"ok": True, "file": str(runtime.config_path), "settings": shown})
        return
    if not shown:
        note(f"no settings in {runtime.config_path}")
    for key, value in shown.items():
        click.echo(f"{key} = {_toml_text(value)}")


@config.command("get")
@click.argument("key")
@click.pass_obj
def get(runtime: Runtime, key: str) -> None:
    """Print one setting's value; exit 1 when it is not set.

    \b
    Example:
      ledgerlink config get backends.sie_file.path
    """
    values = _flatten(runtime.file_config)
    if key not in values:
        _check_key(runtime, key)
        click.echo(f"{key} is not set in {runtime.config_path}", err=True)
        raise click.exceptions.Exit(1)
    click.echo(_toml_text(values[key]))


def _toml_text(value: Any) -> str:
    """A value as the config file spells it (``true``, ``["a", "b"]``), strings as they are."""
    import json

    return value if isinstance(value, str) else json.dumps(value, default=str)


@config.command("set")
@click.argument("key")
@click.argument("value")
@click.pass_obj
def set_(runtime: Runtime, key: str, value: str) -> None:
    """Set one setting in the config file (created if need be).

    \b
    Example:
      ledgerlink config set backends.fortnox.base_url http://127.0.0.1:8686
    """
    import tomlkit

    annotation = _check_key(runtime, key)
    typed = _typed(annotation, key, value)
    path = runtime.config_path
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file: {exc.strerror}") from exc
    try:
        doc = tomlkit.parse(text)
    except Exception as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    *tables, name = key.split(".")
    table: Any = doc
    for part in tables:
        if part not in table:
            table[part] = tomlkit.table(is_super_table=part == "backends")
        table = table[part]
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: {part} must be a table")
    table[name] = typed
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(tomlkit.dumps(doc), encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot write the config file: {exc.strerror}", path=path) from exc
    note(f"set {key} in {path}")
