"""Fast start: ``ledgerlink --help`` and shell completion import no pydantic, httpx or plugin
code (issue 13 part 8). Checked by the modules a subprocess has loaded, not by timing it;
bench/startup_bench.py has the figures."""

from __future__ import annotations

import os
import subprocess
import sys

HEAVY = ("pydantic", "httpx", "ledgerlink_fortnox", "ledgerlink_sie_file", "ledgerlink_core.jobs")


def _loaded_after(args: list[str], env: dict[str, str] | None = None) -> tuple[set[str], str]:
    probe = (
        "import contextlib, io, sys\n"
        "from ledgerlink_cli.main import cli\n"
        "out = io.TextIOWrapper(io.BytesIO(), encoding='utf-8')\n"
        "with contextlib.redirect_stdout(out), contextlib.suppress(SystemExit):\n"
        f"    cli.main({args!r}, prog_name='ledgerlink')\n"
        "out.flush()\n"
        "sys.stderr.write(out.buffer.getvalue().decode())\n"
        "print(' '.join(sys.modules))"
    )
    full = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=full, check=True
    )
    return set(proc.stdout.split()), proc.stderr


def _heavy(modules: set[str]) -> set[str]:
    return {m for m in modules if m.startswith(HEAVY)}


def test_help_imports_nothing_heavy_once_the_plugin_list_is_cached() -> None:
    _loaded_after(["--help"])  # the first run asks the plugins and fills the cache
    modules, out = _loaded_after(["--help"])
    assert _heavy(modules) == set()
    assert "fortnox" in out  # the plugin's command is listed all the same, from the cache


def test_the_cache_is_renewed_when_the_enabled_plugins_change() -> None:
    _loaded_after(["--help"])
    modules, _ = _loaded_after(["--help"], {"LEDGERLINK_DISABLE_PLUGINS": "fortnox"})
    assert "ledgerlink_fortnox.plugin" not in modules
    assert "ledgerlink_fortnox_emulator.plugin" in modules  # asked again: the key changed


def test_completion_imports_nothing_heavy() -> None:
    _loaded_after(["--help"])
    env = {
        "_LEDGERLINK_COMPLETE": "bash_complete",
        "COMP_WORDS": "ledgerlink pu",
        "COMP_CWORD": "1",
    }
    modules, _ = _loaded_after([], env)
    assert _heavy(modules) == set()


def test_completion_of_commands_and_backend_names() -> None:
    def complete(words: str, cword: int) -> list[str]:
        env = {
            **os.environ,
            "_LEDGERLINK_COMPLETE": "bash_complete",
            "COMP_WORDS": words,
            "COMP_CWORD": str(cword),
        }
        proc = subprocess.run(
            [sys.executable, "-m", "ledgerlink_cli"], capture_output=True, text=True, env=env
        )
        return [line.split(",", 1)[1] for line in proc.stdout.splitlines() if "," in line]

    assert complete("ledgerlink pu", 1) == ["pull", "push"]
    assert complete("ledgerlink pull --from ", 3) == ["fortnox", "sie_file"]
    assert complete("ledgerlink push --to s", 3) == ["sie_file"]


def test_a_command_s_help_builds_no_runtime() -> None:
    from ledgerlink_cli.main import COMMANDS

    _loaded_after(["--help"])
    for args in ([name, "-h"] for name in COMMANDS):
        modules, out = _loaded_after(args)
        assert "Usage: ledgerlink" in out
        assert not any(m.startswith(("pydantic", "ledgerlink_core.runtime")) for m in modules), args
