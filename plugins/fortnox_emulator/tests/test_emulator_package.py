"""The package's public names load on first use: importing it (as the plugin entry point does)
imports no server, and every name in ``__all__`` resolves to its submodule's object."""

from __future__ import annotations

import importlib
import subprocess
import sys

import ledgerlink_fortnox_emulator as package


def test_importing_the_package_imports_none_of_the_emulator() -> None:
    probe = (
        "import sys, ledgerlink_fortnox_emulator.plugin\n"
        "print(sorted(m for m in sys.modules if m.startswith('ledgerlink_fortnox_emulator')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert (
        out.stdout.strip()
        == "['ledgerlink_fortnox_emulator', 'ledgerlink_fortnox_emulator.plugin']"
    )


def test_every_public_name_resolves_to_its_home() -> None:
    assert sorted(package.__all__) == sorted(package._HOMES)
    for name, home in package._HOMES.items():
        module = importlib.import_module(f"ledgerlink_fortnox_emulator.{home}")
        assert getattr(package, name) is getattr(module, name)
    assert set(package.__all__) <= set(dir(package))
