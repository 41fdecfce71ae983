"""Installing out-of-workspace distributions for a test, and running pytest on them.

A distribution is installed with ``uv pip install --offline --no-deps --target DIR`` (uv builds
``uv_build`` projects itself, so no index is needed) and "activated" by putting DIR on the
``PYTHONPATH`` of a subprocess, exactly as a pip-installed third-party package would be found.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def uv_binary() -> str:
    """The uv the workspace was built with (``$UV``, ``.tools/bin/uv`` or ``uv`` on PATH)."""
    for candidate in (
        os.environ.get("UV"),
        str(REPO / ".tools" / "bin" / "uv"),
        shutil.which("uv"),
    ):
        if candidate and Path(candidate).exists():
            return candidate
    raise RuntimeError("uv is needed to install test distributions; run `make test`")


def install(project: Path, target: Path) -> Path:
    """Build ``project`` and install it (not its dependencies: the workspace has them)."""
    proc = subprocess.run(
        [
            uv_binary(),
            "pip",
            "install",
            "--offline",
            "--no-deps",
            "--quiet",
            "--target",
            str(target),
            str(project),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"installing {project} failed:\n{proc.stderr}"
    return target


def env_with(paths: Sequence[Path], extra: dict[str, str] | None = None) -> dict[str, str]:
    """The current environment with ``paths`` in front of ``PYTHONPATH``."""
    env = dict(os.environ)
    parts = [str(p) for p in paths]
    if env.get("PYTHONPATH"):
        parts.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(parts)
    env.update(extra or {})
    return env


@dataclass
class PytestRun:
    """What a pytest subprocess did: its exit code, output and each test's outcome."""

    returncode: int
    output: str
    outcomes: dict[str, str]
    """test name (``Class::test``) -> ``passed``, ``failed``, ``error``, ``skipped``."""
    messages: dict[str, str]

    def named(self, outcome: str) -> list[str]:
        """Tests with that outcome, sorted."""
        return sorted(n for n, o in self.outcomes.items() if o == outcome)


def run_pytest(args: Sequence[str], *, cwd: Path, paths: Sequence[Path], junit: Path) -> PytestRun:
    """Run pytest in a subprocess with ``paths`` on PYTHONPATH; parse its JUnit XML."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            f"--junitxml={junit}",
            *args,
        ],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env_with(paths),
        timeout=180,
    )
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    if junit.exists():
        for case in ET.parse(junit).getroot().iter("testcase"):
            # "pkg.test_mod.TestClass" + "test_x" -> "TestClass::test_x"; a guard item
            # "...TestClass.test_x" + "guard" -> "TestClass::test_x::guard".
            parts = case.get("classname", "").split(".")
            while parts and not parts[0].startswith("Test"):
                parts.pop(0)
            name = "::".join([*parts, case.get("name", "")])
            outcome = "passed"
            for child in case:
                if child.tag in ("failure", "error", "skipped"):
                    outcome = "failed" if child.tag == "failure" else child.tag
                    messages[name] = (child.get("message") or "") + "\n" + (child.text or "")
            outcomes[name] = outcome
    return PytestRun(proc.returncode, proc.stdout + proc.stderr, outcomes, messages)
