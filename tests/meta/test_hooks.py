"""One ``test_hook_<name>`` per ``ledgerlink_*`` hookspec, each through the call path core uses.

Plugins are registered into a real :class:`Registry` (no entry points needed) and the job is
run the way the CLI runs it; ``test_docs.py`` checks that every hookspec has a test here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import pluggy
import pytest
from click.testing import CliRunner
from ledgerlink_cli.main import cli
from ledgerlink_core.errors import ValidationFailed
from ledgerlink_core.jobs import PushRequest, push
from ledgerlink_core.model import ExportReport, ExportStatus
from ledgerlink_core.registry import Registry
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.testing import copy_sample, small_company
from ledgerlink_core.tokens import FileTokenStore, MemoryTokenStore
from pydantic import SecretStr

hookimpl = pluggy.HookimplMarker("ledgerlink")


def runtime_with(*plugins: object) -> Runtime:
    """A runtime whose registry has exactly these extension plugins (and core's own hooks)."""
    registry = Registry(load_plugins=False)
    for n, plugin in enumerate(plugins):
        registry.register(plugin, name=f"test-plugin-{n}")
    return Runtime(registry=registry)


def push_input(directory: Path, texts: list[str]) -> Path:
    """A ``ledgerlink push`` JSON file with one sample voucher per text."""
    base = small_company().vouchers[-1]
    vouchers = [
        base.model_copy(update={"number": None, "text": t}).model_dump(mode="json") for t in texts
    ]
    path = directory / "push.json"
    path.write_text(json.dumps({"vouchers": vouchers}, ensure_ascii=False), encoding="utf-8")
    return path


def test_hook_ledgerlink_cli_commands() -> None:
    class Plugin:
        @hookimpl
        def ledgerlink_cli_commands(self, cli: click.Group) -> None:
            @cli.command()
            def greet() -> None:
                """Say hello."""
                click.echo("hej från ett plugin")

            @cli.command(name="backends")
            def clash() -> None:
                click.echo("must never run: core's command wins")

    runtime = runtime_with(Plugin())
    result = CliRunner().invoke(cli, ["greet"], obj=runtime)
    assert (result.exit_code, result.output) == (0, "hej från ett plugin\n")
    listing = CliRunner().invoke(cli, ["--help"], obj=runtime)
    assert "greet" in listing.output
    core = CliRunner().invoke(cli, ["backends", "--json"], obj=runtime)
    assert core.exit_code == 0 and "must never run" not in core.output


def test_hook_ledgerlink_resolve_secret() -> None:
    asked: list[tuple[str, str]] = []

    class Keyring:
        @hookimpl
        def ledgerlink_resolve_secret(self, backend: str, field: str) -> SecretStr | None:
            asked.append((backend, field))
            return SecretStr("from-the-keyring") if field == "client_secret" else None

    runtime = runtime_with(Keyring())
    settings = runtime.backend_settings("fortnox", {"client_id": "app"})
    assert settings.client_secret.get_secret_value() == "from-the-keyring"  # type: ignore[attr-defined]
    assert asked == [("fortnox", "client_secret")]  # only missing secrets are asked for
    asked.clear()
    flagged = runtime.backend_settings("fortnox", {"client_id": "app", "client_secret": "flag"})
    assert flagged.client_secret.get_secret_value() == "flag"  # type: ignore[attr-defined]
    assert asked == []  # a value given on the command line wins; the hook is not asked


def test_hook_ledgerlink_token_store() -> None:
    store = MemoryTokenStore({"access_token": "abc"})

    class Vault:
        @hookimpl
        def ledgerlink_token_store(self, backend: str, config_dir: Path) -> Any:
            return store if backend == "fortnox" else None

    runtime = runtime_with(Vault())
    assert runtime.token_store("fortnox") is store
    # Passing (None) falls through to core's 0600 file under the config directory.
    fallback = runtime.token_store("other")
    assert isinstance(fallback, FileTokenStore)
    assert fallback.path == runtime.config_dir / "tokens" / "other.json"


def test_hook_ledgerlink_validate_export(tmp_path: Path) -> None:
    seen: list[dict[str, Any]] = []

    class Policy:
        @hookimpl
        def ledgerlink_validate_export(self, items: list[Any], target: str) -> list[str]:
            seen.append({"target": target, "count": len(items)})
            return [
                f"voucher {i.voucher.label}: says TODO" for i in items if "TODO" in i.voucher.text
            ]

    runtime = runtime_with(Policy())
    target = tmp_path / "target.se"
    source = push_input(tmp_path, ["Hyra december", "TODO fråga revisorn"])
    with pytest.raises(ValidationFailed) as caught:
        push(
            runtime, PushRequest(backend="sie_file", source=source, overrides={"path": str(target)})
        )
    assert seen == [{"target": "sie_file", "count": 2}]
    assert [p for p in caught.value.problems if "TODO" in p] == [
        "voucher C (new) 2025-12-10 'TODO fråga revisorn': says TODO"
    ]
    assert not target.exists(), "nothing may be written when a plugin finds a problem"


def test_hook_ledgerlink_export_finished(tmp_path: Path) -> None:
    reports: list[ExportReport] = []

    class Audit:
        @hookimpl
        def ledgerlink_export_finished(self, report: ExportReport) -> None:
            reports.append(report)

    class Broken:
        @hookimpl
        def ledgerlink_export_finished(self, report: ExportReport) -> None:
            raise RuntimeError("the webhook is down")

    runtime = runtime_with(Audit(), Broken())
    target = copy_sample(tmp_path / "target")
    source = push_input(tmp_path, ["Hyra december (export)"])
    report = push(
        runtime, PushRequest(backend="sie_file", source=source, overrides={"path": str(target)})
    )
    assert report.count(ExportStatus.CREATED) == 1  # the broken notifier did not fail the push
    assert reports == [report]


def test_hook_ledgerlink_import_finished(tmp_path: Path) -> None:
    calls: list[tuple[str, str, dict[str, int]]] = []

    class Counter:
        @hookimpl
        def ledgerlink_import_finished(
            self, source: str, kind: str, summary: dict[str, int]
        ) -> None:
            calls.append((source, kind, summary))

    sie = copy_sample(tmp_path)
    result = CliRunner().invoke(cli, ["pull", str(sie), "--json"], obj=runtime_with(Counter()))
    assert result.exit_code == 0, result.output
    book = small_company()
    assert calls == [
        (
            "sie_file",
            "bookkeeping",
            {"accounts": len(book.accounts), "vouchers": len(book.vouchers)},
        )
    ]


def test_plugin_fixtures_give_an_isolated_runtime(ledgerlink_registry, ledgerlink_runtime) -> None:
    # The kit's pytest plugin fixtures, as docs/plugin-hooks.md shows them to plugin authors.
    class Plugin:
        @hookimpl
        def ledgerlink_cli_commands(self, cli: click.Group) -> None:
            cli.add_command(click.Command("ping", callback=lambda: click.echo("pong")))

    ledgerlink_registry.register(Plugin(), name="mine")
    assert [p.name for p in ledgerlink_registry.list_plugins()] == []  # nothing installed
    result = CliRunner().invoke(cli, ["ping"], obj=ledgerlink_runtime)
    assert (result.exit_code, result.output) == (0, "pong\n")
    assert ledgerlink_runtime.config_dir.name == "config"
