"""Nothing loads at import time: importing core or the CLI imports no backend or plugin."""

from __future__ import annotations

import subprocess
import sys


def imported_after(code: str) -> set[str]:
    probe = (
        f"{code}\nimport sys\n"
        "print(' '.join(m for m in sys.modules if m.startswith(('ledgerlink_fortnox', "
        "'ledgerlink_sie_file', 'httpx'))))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


def test_importing_core_and_cli_loads_no_plugin() -> None:
    assert imported_after("import ledgerlink_core.runtime, ledgerlink_cli.main") == set()


def test_registry_lists_backend_names_without_importing_them() -> None:
    code = (
        "from ledgerlink_core.registry import Registry\n"
        "names = Registry().backend_names()\n"
        "assert {'fortnox', 'sie_file'} <= set(names), names"
    )
    assert imported_after(code) == set()


def test_selecting_one_backend_imports_only_that_one() -> None:
    code = "from ledgerlink_core.registry import Registry\nRegistry().backend_class('sie_file')"
    loaded = imported_after(code)
    assert "ledgerlink_sie_file.backend" in loaded
    assert not any(m.startswith("ledgerlink_fortnox") for m in loaded)


def test_a_cold_help_imports_the_emulators_command_but_not_its_server() -> None:
    # The first listing of the commands (no cache yet: conftest gives every test a fresh data
    # dir) asks every plugin's CLI hook, the emulator's too: its plugin and click command
    # load, the server, the seed generator and the state do not. Later listings come from the
    # cache (tests/cli/test_startup.py).
    code = (
        "import contextlib, io\n"
        "from ledgerlink_cli.main import cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    cli(['--help'])"
    )
    emulator = {m for m in imported_after(code) if m.startswith("ledgerlink_fortnox_emulator")}
    assert "ledgerlink_fortnox_emulator.cli" in emulator
    assert emulator <= {
        "ledgerlink_fortnox_emulator",
        "ledgerlink_fortnox_emulator.plugin",
        "ledgerlink_fortnox_emulator.cli",
    }


def test_importing_the_fortnox_backend_imports_no_emulator() -> None:
    loaded = imported_after("import ledgerlink_fortnox.backend, ledgerlink_fortnox.plugin")
    assert not any("emulator" in m for m in loaded)
