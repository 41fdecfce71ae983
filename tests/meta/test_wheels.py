"""What a user gets: ``make dist`` builds a wheel and an sdist of every distribution, plain pip
installs the ``ledgerlink`` meta-distribution from them into a fresh virtual environment
(``--no-index``: only the third-party dependencies come from the index), and the installed
``ledgerlink`` lists its backends and pulls the bundled example, away from this checkout.
A third party's backend, built on its own, installs beside it; the emulator is an extra.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from email.parser import Parser
from pathlib import Path

import pytest
from testpaths import REPO

from tests.conformance.dists import uv_binary

pytestmark = pytest.mark.slow

VERSION = "0.1.0"
WHEELS = {
    "ledgerlink": "ledgerlink",
    "ledgerlink-core": "ledgerlink_core",
    "ledgerlink-cli": "ledgerlink_cli",
    "ledgerlink-fortnox": "ledgerlink_fortnox",
    "ledgerlink-fortnox-emulator": "ledgerlink_fortnox_emulator",
    "ledgerlink-sie-file": "ledgerlink_sie_file",
}


def run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, f"{args} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


@dataclass
class Installed:
    """A fresh virtual environment with ``ledgerlink`` installed from ``dist``."""

    root: Path
    dist: Path
    work: Path

    @property
    def bin(self) -> Path:
        return self.root / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        return self.bin / ("python.exe" if os.name == "nt" else "python")

    def env(self) -> dict[str, str]:
        """The test's environment (its own config and data dirs) minus anything that would
        let the checkout's packages in."""
        env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
        env["PYTHONNOUSERSITE"] = "1"
        return env

    def ledgerlink(self, *args: str) -> str:
        return run([self.bin / "ledgerlink", *args], cwd=self.work, env=self.env())

    def pip(self, *args: str) -> str:
        return run(
            [self.python, "-m", "pip", "--disable-pip-version-check", "-q", *args],
            cwd=self.work,
            env=self.env(),
        )


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    base = tmp_path_factory.mktemp("wheels")
    dist = base / "dist"
    run(["make", "--no-print-directory", "dist", f"DIST={dist}"], cwd=REPO)
    work = base / "work"
    work.mkdir()
    env = Installed(base / "venv", dist, work)
    run([sys.executable, "-m", "venv", env.root], cwd=base)
    # The third-party dependencies, at the versions uv.lock has, from the index ...
    requirements = base / "third-party.txt"
    run(
        [
            uv_binary(),
            "export",
            "--frozen",
            "--package",
            "ledgerlink",
            "--no-dev",
            "--no-emit-workspace",
            "--no-hashes",
            "--no-header",
            "--no-annotate",
            "--output-file",
            requirements,
        ],
        cwd=REPO,
    )
    assert "ledgerlink" not in requirements.read_text(encoding="utf-8")
    env.pip("install", "-r", str(requirements))
    # ... and ledgerlink's own from the wheels alone: the command a user runs offline.
    env.pip("install", "--no-index", "--find-links", str(dist), "ledgerlink")
    return env


def test_make_dist_builds_a_wheel_and_an_sdist_of_every_distribution(
    installed: Installed,
) -> None:
    names = sorted(p.name for p in installed.dist.iterdir() if not p.name.startswith("."))
    expected = sorted(
        name
        for module in WHEELS.values()
        for name in (f"{module}-{VERSION}-py3-none-any.whl", f"{module}-{VERSION}.tar.gz")
    )
    assert names == expected


@pytest.mark.parametrize("name", list(WHEELS))
def test_every_wheel_carries_the_licence_and_the_metadata(installed: Installed, name: str) -> None:
    module = WHEELS[name]
    with zipfile.ZipFile(installed.dist / f"{module}-{VERSION}-py3-none-any.whl") as wheel:
        info = f"{module}-{VERSION}.dist-info"
        metadata = Parser().parsestr(wheel.read(f"{info}/METADATA").decode())
        licence = wheel.read(f"{info}/licenses/LICENSE")
        assert f"{module}/py.typed" in wheel.namelist()
    assert licence == (REPO / "LICENSE").read_bytes()
    assert metadata["Name"] == name and metadata["Version"] == VERSION
    assert metadata["License-Expression"] == "Apache-2.0"
    assert "Typing :: Typed" in metadata.get_all("Classifier", [])
    assert any(u.startswith("Repository, ") for u in metadata.get_all("Project-URL", []))
    assert metadata.get_payload().strip(), "the readme is the long description"
    with tarfile.open(installed.dist / f"{module}-{VERSION}.tar.gz") as sdist:
        members = {m.name.split("/", 1)[-1] for m in sdist.getmembers()}
    assert {"LICENSE", "README.md", "pyproject.toml", "PKG-INFO"} <= members


def test_the_installed_command_lists_both_backends(installed: Installed) -> None:
    rows = {r["name"]: r for r in json.loads(installed.ledgerlink("backends", "--json"))}
    assert set(rows) == {"fortnox", "sie_file"}
    assert {r["status"] for r in rows.values()} == {"ok"}
    assert {r["version"] for r in rows.values()} == {VERSION}
    assert "fortnox" in installed.ledgerlink("backends")


def test_the_installed_command_pulls_the_bundled_example(installed: Installed) -> None:
    example = Path(
        run(
            [
                installed.python,
                "-c",
                "from ledgerlink_core.examples import example_company_path as p; print(p())",
            ],
            cwd=installed.work,
            env=installed.env(),
        ).strip()
    )
    # It comes from the installed wheel, not from this checkout.
    assert installed.root in example.parents and REPO not in example.parents
    out = installed.ledgerlink("pull", str(example))
    assert "vouchers:" in out
    copy = installed.work / "copy.se"
    installed.ledgerlink("pull", str(example), "-o", str(copy))
    assert copy.read_bytes().startswith(b"#FLAGGA")
    assert installed.ledgerlink("check", str(copy)).strip()


def test_python_m_ledgerlink_and_the_version(installed: Installed) -> None:
    out = run(
        [installed.python, "-m", "ledgerlink", "--version"],
        cwd=installed.work,
        env=installed.env(),
    )
    assert VERSION in out


def test_the_emulator_is_an_extra_and_a_third_party_backend_installs_beside(
    installed: Installed, tmp_path: Path
) -> None:
    probe = [installed.python, "-c", "import ledgerlink_fortnox_emulator"]
    assert subprocess.run(probe, env=installed.env(), capture_output=True).returncode != 0
    installed.pip(
        "install", "--no-index", "--find-links", str(installed.dist), "ledgerlink[emulator]"
    )
    assert "--port" in installed.ledgerlink("fortnox", "emulator", "--help")

    # A backend of a third party's: built on its own, installed with pip, found by ledgerlink.
    example = REPO / "examples" / "ledgerlink-jsonbooks"
    run([uv_binary(), "build", "--wheel", "--out-dir", tmp_path, example], cwd=REPO)
    installed.pip("install", "--no-index", "--find-links", str(tmp_path), "ledgerlink-jsonbooks")
    assert "jsonbooks" in installed.ledgerlink("backends")
    installed.pip("check")

    # The scaffold of the installed CLI writes its licence (package data in the wheel).
    scaffold = installed.ledgerlink("plugins", "new", "beta_books", "--directory", str(tmp_path))
    assert "created" in scaffold
    written = tmp_path / "ledgerlink-beta-books" / "LICENSE"
    assert written.read_bytes() == (REPO / "LICENSE").read_bytes()


def test_uv_tool_install_from_the_wheels_gives_the_command(
    installed: Installed, tmp_path: Path
) -> None:
    # `uv tool install` (and pipx) install only the named distribution's own commands, so
    # the meta-distribution declares `ledgerlink` itself.
    with zipfile.ZipFile(installed.dist / f"ledgerlink-{VERSION}-py3-none-any.whl") as wheel:
        entry_points = wheel.read(f"ledgerlink-{VERSION}.dist-info/entry_points.txt").decode()
    assert "ledgerlink = ledgerlink_cli.main:main" in entry_points
    env = installed.env()
    env.update(UV_TOOL_DIR=str(tmp_path / "tools"), UV_TOOL_BIN_DIR=str(tmp_path / "bin"))
    run(
        [
            uv_binary(),
            "tool",
            "install",
            "--no-cache",
            "--find-links",
            installed.dist,
            "ledgerlink",
        ],
        cwd=installed.work,
        env=env,
    )
    command = tmp_path / "bin" / ("ledgerlink.exe" if os.name == "nt" else "ledgerlink")
    listing = run([command, "backends"], cwd=installed.work, env=installed.env())
    assert "sie_file" in listing and "fortnox" in listing
