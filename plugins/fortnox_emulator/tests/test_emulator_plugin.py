"""The emulator's own ``ledgerlink.plugins`` entry point adds ``ledgerlink fortnox emulator``:
to the Fortnox plugin's group when that plugin is there, to a group of its own when it is not."""

from __future__ import annotations

import re
from typing import Any

import click
import pytest
from ledgerlink_fortnox_emulator import plugin


def commands_of(help_text: str) -> set[str]:
    """The command names listed under ``Commands:`` in a click help page."""
    _, _, listing = help_text.partition("Commands:\n")
    return set(re.findall(r"^  (\S+)", listing, re.M))


def test_joins_the_fortnox_plugins_group(run_cli: Any) -> None:
    result = run_cli("fortnox", "--help")
    assert result.exit_code == 0, result.stderr
    assert commands_of(result.stdout) == {"emulator", "login", "logout", "status"}


def test_registers_a_fortnox_group_without_the_fortnox_plugin(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LEDGERLINK_DISABLE_PLUGINS", "fortnox")
    result = run_cli("fortnox", "--help")
    assert result.exit_code == 0, result.stderr
    assert commands_of(result.stdout) == {"emulator"}
    knobs = run_cli("fortnox", "emulator", "--help")
    assert knobs.exit_code == 0, knobs.stderr
    assert "--latency" in knobs.stdout


def test_disabling_it_leaves_the_fortnox_group_as_its_plugin_defines_it(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # After a run that added the emulator in the same process: each run builds its own group.
    assert "emulator" in commands_of(run_cli("fortnox", "--help").stdout)
    monkeypatch.setenv("LEDGERLINK_DISABLE_PLUGINS", "fortnox_emulator")
    result = run_cli("fortnox", "--help")
    assert result.exit_code == 0, result.stderr
    assert commands_of(result.stdout) == {"login", "logout", "status"}


def test_runs_after_the_plugin_that_owns_the_group() -> None:
    assert plugin.ledgerlink_cli_commands.ledgerlink_impl["trylast"] is True


def test_adds_to_a_group_it_finds_and_creates_one_otherwise() -> None:
    root = click.Group()
    plugin.ledgerlink_cli_commands(cli=root)
    created = root.commands["fortnox"]
    assert isinstance(created, click.Group) and set(created.commands) == {"emulator"}

    root = click.Group()
    theirs = click.Group("fortnox", commands=[click.Command("login")])
    root.add_command(theirs)
    plugin.ledgerlink_cli_commands(cli=root)
    assert root.commands["fortnox"] is theirs
    assert set(theirs.commands) == {"emulator", "login"}
