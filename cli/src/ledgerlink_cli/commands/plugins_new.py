"""``ledgerlink plugins new NAME``: write a new backend distribution that passes the kit.

The result is a complete, installable package: ``pyproject.toml`` with the entry point and
the metadata an index shows, a backend reading a folder of canonical JSON ledgers (replace its
body with your system's API), a conformance test file subclassing the kit, a README, the
Apache-2.0 LICENSE (ledgerlink's; change both it and ``license`` to choose another), a
``.gitignore`` and a GitHub Actions workflow that runs the kit on Linux, macOS and Windows.
``pip install -e '.[test]'`` and ``pytest`` pass out of the box; docs/writing-a-backend.md takes
it from there. A name that an installed backend or distribution already has is refused.
"""

from __future__ import annotations

import importlib.metadata as md
import os
import re
import tempfile
from importlib import resources
from pathlib import Path
from string import Template

import click
from ledgerlink_core.errors import InputError

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

PYPROJECT = Template("""\
[project]
name = "ledgerlink-$dash"
version = "0.1.0"
description = "ledgerlink backend for $title."
readme = "README.md"
requires-python = ">=3.11"
license = "Apache-2.0"
license-files = ["LICENSE"]
keywords = ["ledgerlink", "bookkeeping", "accounting"]
classifiers = [
    "Environment :: Plugins",
    "Operating System :: OS Independent",
    "Programming Language :: Python :: 3",
    "Programming Language :: Python :: 3.11",
    "Programming Language :: Python :: 3.12",
    "Programming Language :: Python :: 3.13",
    "Topic :: Office/Business :: Financial :: Accounting",
    "Typing :: Typed",
]
dependencies = [
    "ledgerlink-core>=0.1,<0.2",
]

[project.optional-dependencies]
test = ["ledgerlink-core[testing]>=0.1,<0.2", "pytest>=8.3"]

# This line is the plugin: `ledgerlink` finds the backend through it.
[project.entry-points."ledgerlink.backends"]
$name = "ledgerlink_$name.backend:${cls}Backend"

[build-system]
requires = ["uv_build>=0.9,<0.14"]
build-backend = "uv_build"

[tool.pytest.ini_options]
testpaths = ["tests"]
addopts = "-ra --strict-markers"
""")

INIT = Template('''\
"""ledgerlink backend for $title."""
''')

BACKEND = Template('''\
"""The ``$name`` backend.

It starts out reading a folder that holds ``bookkeeping.json``: one fiscal year in
ledgerlink's canonical model (what ``ledgerlink pull --json`` prints). Replace the body of
``import_bookkeeping`` with calls to your system, keep the rules the conformance kit checks,
and declare every new capability in ``capabilities()``.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from ledgerlink_core import (
    AccountingBackend,
    BackendSettings,
    Bookkeeping,
    BookkeepingRequest,
    Capabilities,
    Capability,
    ConnectionInfo,
    FiscalYear,
    InputError,
)


class ${cls}Settings(BackendSettings):
    """Settings of the ``$name`` backend: ``--set directory=...``, the environment variable
    ``LEDGERLINK_${upper}__DIRECTORY`` or ``[backends.$name]`` in ledgerlink's config.toml.

    Declare secrets (API keys, client secrets) as ``pydantic.SecretStr``.
    """

    directory: Path
    """The folder holding ``bookkeeping.json``."""


class ${cls}Backend(AccountingBackend[${cls}Settings]):
    """$title for ledgerlink."""

    name: ClassVar[str] = "$name"

    @classmethod
    def capabilities(cls) -> Capabilities:
        """What this backend can do: pure data, no I/O."""
        return Capabilities(supported=frozenset({Capability.IMPORT_BOOKKEEPING}))

    @property
    def book_path(self) -> Path:
        """Where the bookkeeping lives."""
        return self.settings.directory / "bookkeeping.json"

    def check_connection(self) -> ConnectionInfo:
        """Say whose bookkeeping the folder holds."""
        book = self._read()
        return ConnectionInfo(
            backend=self.name, company=book.company.name, detail=str(self.book_path)
        )

    def import_bookkeeping(self, request: BookkeepingRequest) -> Bookkeeping:
        """The fiscal year asked for (this folder holds one)."""
        book = self._read()
        year = book.fiscal_year(0)
        if year is None or not _matches(year, request):
            raise InputError(
                f"it holds only the fiscal year {year}", path=self.book_path
            )
        return book

    def _read(self) -> Bookkeeping:
        try:
            text = self.book_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise InputError("no such file", path=self.book_path) from None
        try:
            return Bookkeeping.model_validate_json(text)
        except ValueError as exc:
            first_line = f"not a bookkeeping: {exc}".splitlines()[0]
            raise InputError(first_line, path=self.book_path) from None


def _matches(year: FiscalYear, request: BookkeepingRequest) -> bool:
    if request.year is not None:
        return year.end.year == request.year
    if request.year_index is not None:
        return request.year_index == 0
    if request.on_date is not None:
        return year.contains(request.on_date)
    return True
''')

TEST = Template('''\
"""ledgerlink's conformance kit, run against the ``$name`` backend.

Every test comes from ``BackendConformance``; this file only says how to reach the backend.
Tests of capabilities the backend does not declare are skipped, and the kit checks that those
are refused with ``NotSupported``. To opt out of a test, override it with
``@pytest.mark.xfail(reason=...)``: an override without a reason fails the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ledgerlink_core.testing import BackendConformance, small_company


class Test${cls}Conformance(BackendConformance):
    @pytest.fixture
    def backend_name(self) -> str:
        return "$name"

    @pytest.fixture
    def settings(self, sample_dir: Path) -> dict[str, str]:
        # The kit's golden sample, in the form this backend reads.
        (sample_dir / "bookkeeping.json").write_text(
            small_company().model_dump_json(indent=2), encoding="utf-8"
        )
        return {"directory": str(sample_dir)}
''')

README = Template("""\
# ledgerlink-$dash

A [ledgerlink](https://github.com/ledgerlink/ledgerlink) backend for $title.

## Install

    pip install ledgerlink-$dash      # or, while developing: pip install -e '.[test]'
    ledgerlink backends               # lists `$name`

## Use

    ledgerlink pull --from $name --set directory=/path/to/ledgers

Settings can also come from `LEDGERLINK_${upper}__DIRECTORY` or from
`[backends.$name]` in ledgerlink's `config.toml`. `ledgerlink doctor` checks them.

## Develop

    pip install -e '.[test]'
    pytest                            # ledgerlink's conformance kit

See ledgerlink's `docs/writing-a-backend.md` for the walk-through and
`docs/capabilities.md` for what each capability promises.
`.github/workflows/ci.yml` runs the kit on every push, on Linux, macOS and Windows.

## Licence

Apache License, Version 2.0 (`LICENSE`), as ledgerlink itself. To choose another, replace
`LICENSE` and the `license` line of `pyproject.toml`.
""")

GITIGNORE = """\
__pycache__/
*.py[cod]
*.egg-info/
.venv/
venv/
build/
dist/
.pytest_cache/
.mypy_cache/
.ruff_cache/
.hypothesis/
.coverage
"""

# string.Template: `$$` is a literal `$`, so GitHub's `$${{ ... }}` comes out as `${{ ... }}`.
CI = Template("""\
# The conformance kit on every push and pull request, on Linux, macOS and Windows.
# ledgerlink-core comes from PyPI; to test against unreleased wheels, add
# `--find-links DIR` to the install step.
name: CI

on:
  push:
  pull_request:

jobs:
  test:
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-latest, macos-latest, windows-latest]
        python-version: ["3.11", "3.12", "3.13"]
    runs-on: $${{ matrix.os }}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: $${{ matrix.python-version }}
      - name: Install ledgerlink-$dash with its test dependencies
        run: python -m pip install -e ".[test]"
      - name: Run ledgerlink's conformance kit
        run: python -m pytest
""")


def render(name: str) -> dict[str, str]:
    """The files of a new backend distribution called ``ledgerlink-<name>``: path -> text."""
    if not NAME.match(name):
        raise InputError(
            f"{name!r} is not a backend name: use lower-case letters, digits and _, "
            "starting with a letter (e.g. visma or my_bank)"
        )
    values = {
        "name": name,
        "dash": name.replace("_", "-"),
        "upper": name.upper(),
        "cls": "".join(part.capitalize() for part in name.split("_")),
        "title": name.replace("_", " ").title(),
    }
    package = f"src/ledgerlink_{name}"
    return {
        "pyproject.toml": PYPROJECT.substitute(values),
        "README.md": README.substitute(values),
        "LICENSE": license_text(),
        ".gitignore": GITIGNORE,
        ".github/workflows/ci.yml": CI.substitute(values),
        f"{package}/__init__.py": INIT.substitute(values),
        f"{package}/backend.py": BACKEND.substitute(values),
        f"{package}/py.typed": "",
        "tests/test_conformance.py": TEST.substitute(values),
    }


def license_text() -> str:
    """The Apache License 2.0, ledgerlink's own (a copy kept with the scaffold)."""
    return (resources.files("ledgerlink_cli") / "scaffold" / "LICENSE.txt").read_text("utf-8")


def clash(name: str) -> str | None:
    """What already installed has this backend name or the distribution's name, or None."""
    dist_name = f"ledgerlink-{name.replace('_', '-')}"
    for entry in md.entry_points(group="ledgerlink.backends"):
        if entry.name == name:
            owner = entry.dist.name if entry.dist is not None else "another distribution"
            return f"the installed backend {name!r} (from {owner})"
    try:
        installed = md.distribution(dist_name)
    except md.PackageNotFoundError:
        return None
    return f"the installed distribution {dist_name} {installed.version}"


def write_distribution(name: str, directory: Path) -> Path:
    """Write ``ledgerlink-<name>/`` under ``directory``; refuse to overwrite anything, and a
    name that clashes with an installed backend or distribution."""
    files = render(name)
    taken = clash(name)
    if taken is not None:
        raise InputError(f"{name!r} clashes with {taken}; choose another name")
    root = directory / f"ledgerlink-{name.replace('_', '-')}"
    if root.exists():
        raise InputError("already exists; choose another name or --directory", path=root)
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_atomic(path, text)
    return root


def _write_atomic(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@click.command("new")
@click.argument("name")
@click.option(
    "--directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Where to create the ledgerlink-NAME folder.",
)
def new(name: str, directory: Path) -> None:
    """Create a new backend distribution, ledgerlink-NAME, that passes the conformance kit."""
    root = write_distribution(name, directory)
    click.echo(f"created {root}")
    click.echo(f"next: cd {root} && pip install -e '.[test]' && pytest")
