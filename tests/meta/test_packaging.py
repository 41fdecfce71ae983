"""The distributions' metadata is complete and agrees: one version everywhere, every pin on a
sibling admits it, and each distribution carries the licence, a readme, the URLs and the
classifiers a package index shows. (Building and installing them: tests/meta/test_wheels.py.)
"""

from __future__ import annotations

import hashlib
import importlib.metadata as md
import re
import tomllib
from typing import Any

import pytest
from packaging.requirements import Requirement
from testpaths import REPO

#: The distributions `make dist` builds, by folder.
DISTRIBUTIONS = {
    "ledgerlink": "ledgerlink",
    "core": "ledgerlink-core",
    "cli": "ledgerlink-cli",
    "plugins/fortnox": "ledgerlink-fortnox",
    "plugins/fortnox_emulator": "ledgerlink-fortnox-emulator",
    "plugins/sie_file": "ledgerlink-sie-file",
}
#: The Apache License 2.0 as apache.org publishes it (LICENSE-2.0.txt).
APACHE_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"


def pyproject(folder: str) -> dict[str, Any]:
    return tomllib.loads((REPO / folder / "pyproject.toml").read_text(encoding="utf-8"))


def version() -> str:
    return str(pyproject("ledgerlink")["project"]["version"])


def test_the_workspace_members_are_the_distributions() -> None:
    root = pyproject(".")
    assert set(root["tool"]["uv"]["workspace"]["members"]) == set(DISTRIBUTIONS)
    for folder, name in DISTRIBUTIONS.items():
        assert pyproject(folder)["project"]["name"] == name


def test_the_root_is_clearly_not_a_package() -> None:
    root = pyproject(".")
    assert root["tool"]["uv"]["package"] is False
    assert "build-system" not in root
    assert root["project"]["name"] == "ledgerlink-workspace"


@pytest.mark.parametrize("folder", [".", *DISTRIBUTIONS])
def test_one_version(folder: str) -> None:
    assert pyproject(folder)["project"]["version"] == version()


@pytest.mark.parametrize(
    "folder", [*DISTRIBUTIONS, "examples/ledgerlink-jsonbooks"], ids=lambda f: f.replace("/", "-")
)
def test_every_pin_on_a_sibling_admits_the_version(folder: str) -> None:
    project = pyproject(folder)["project"]
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements.extend(extra)
    siblings = [Requirement(r) for r in requirements if r.startswith("ledgerlink")]
    # Everything but core stands on a sibling (core itself only pins its own testing extra).
    assert siblings or folder == "core", folder
    for req in siblings:
        assert req.name in DISTRIBUTIONS.values(), req
        assert req.specifier.contains(version()), f"{folder}: {req} excludes {version()}"


def test_the_meta_distribution_pins_the_cli_and_both_backends_exactly() -> None:
    deps = [Requirement(r) for r in pyproject("ledgerlink")["project"]["dependencies"]]
    assert {d.name for d in deps} == {
        "ledgerlink-core",
        "ledgerlink-cli",
        "ledgerlink-fortnox",
        "ledgerlink-sie-file",
    }
    assert all(str(d.specifier) == f"=={version()}" for d in deps), deps
    # The emulator stays an extra of the Fortnox backend.
    assert "ledgerlink-fortnox-emulator" not in {d.name for d in deps}


def test_the_installed_distributions_report_the_version() -> None:
    for name in DISTRIBUTIONS.values():
        assert md.version(name) == version(), name


def test_the_scaffold_pins_a_core_range_that_admits_the_version() -> None:
    from ledgerlink_cli.commands.plugins_new import render

    text = render("acme")["pyproject.toml"]
    for line in re.findall(r'"(ledgerlink-core[^"]*)"', text):
        assert Requirement(line).specifier.contains(version()), line


def test_the_licence_is_the_apache_licence_2_0() -> None:
    text = (REPO / "LICENSE").read_bytes()
    assert hashlib.sha256(text).hexdigest() == APACHE_SHA256


#: Every copy of LICENSE: each distribution's own (an sdist holds only its folder), the
#: example's, and the one `ledgerlink plugins new` writes.
LICENSE_COPIES = [
    *(f"{folder}/LICENSE" for folder in DISTRIBUTIONS),
    "examples/ledgerlink-jsonbooks/LICENSE",
    "cli/src/ledgerlink_cli/scaffold/LICENSE.txt",
]


@pytest.mark.parametrize("path", LICENSE_COPIES)
def test_every_copy_of_the_licence_is_the_same(path: str) -> None:
    assert (REPO / path).read_bytes() == (REPO / "LICENSE").read_bytes()


@pytest.mark.parametrize("folder", list(DISTRIBUTIONS), ids=lambda f: f.replace("/", "-"))
def test_every_distribution_has_the_metadata_an_index_shows(folder: str) -> None:
    project = pyproject(folder)["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]
    assert (REPO / folder / project["readme"]).is_file()
    assert project["description"] and project["authors"] and project["keywords"]
    assert project["requires-python"] == ">=3.11"
    assert set(project["urls"]) >= {"Homepage", "Repository", "Issues", "Changelog"}
    classifiers = set(project["classifiers"])
    assert {
        "Typing :: Typed",
        "Operating System :: POSIX :: Linux",
        "Operating System :: MacOS",
        "Operating System :: Microsoft :: Windows",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
    } <= classifiers
    # PEP 639: a licence expression replaces the licence classifiers.
    assert not any(c.startswith("License ::") for c in classifiers)
    # What `Typing :: Typed` promises.
    packages = list((REPO / folder / "src").glob("*/py.typed"))
    assert packages, f"{folder} ships no py.typed"


def test_the_changelog_starts_with_this_version() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    first = re.search(r"^## (.+)$", text, re.M)
    assert first and version() in first.group(1), first


def test_the_changelog_names_every_api_change_docs_api_md_lists() -> None:
    # Plugin authors follow the CHANGELOG: every declared name that docs/api.md's "Changes for
    # plugin authors" mentions is in it too.
    import ledgerlink_core
    import ledgerlink_core.jobs
    import ledgerlink_core.testing

    declared = {
        *ledgerlink_core.__all__,
        *ledgerlink_core.jobs.__all__,
        *ledgerlink_core.testing.__all__,
    }
    api = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    changes = api[api.index("## Changes for plugin authors") :]
    named = set(re.findall(r"`([A-Za-z_]\w*)", changes)) & declared
    changelog = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "### For plugin authors" in changelog
    assert sorted(n for n in named if f"`{n}" not in changelog) == []


def test_the_command_is_declared_alike_by_the_cli_and_the_meta_distribution() -> None:
    cli = pyproject("cli")["project"]["scripts"]
    meta = pyproject("ledgerlink")["project"]["scripts"]
    assert cli == meta == {"ledgerlink": "ledgerlink_cli.main:main"}
