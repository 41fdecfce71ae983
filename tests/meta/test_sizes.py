"""Small modules with one job: no function over 150 lines and no module over 600 lines in any
distribution's ``src`` (issue 9's limits), so a newcomer can read any unit in one sitting."""

from __future__ import annotations

import ast
from pathlib import Path

from testpaths import REPO

MAX_FUNCTION = 150
MAX_MODULE = 600


def _sources() -> list[Path]:
    roots = [REPO / "core", REPO / "cli", *sorted((REPO / "plugins").iterdir())]
    return sorted(p for root in roots for p in (root / "src").rglob("*.py"))


def test_no_module_is_over_the_limit() -> None:
    sources = _sources()
    assert len(sources) > 50  # the walk found the tree
    long = {
        str(p.relative_to(REPO)): n
        for p in sources
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE
    }
    assert not long, f"modules over {MAX_MODULE} lines: {long}"


def test_no_function_is_over_the_limit() -> None:
    long = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION:
                    long[f"{path.relative_to(REPO)}:{node.name}"] = length
    assert not long, f"functions over {MAX_FUNCTION} lines: {long}"
