"""Core's declared API: what ``ledgerlink_core`` exports is what plugins use, and nothing else.

* ``ledgerlink_core.__all__``, the lazy name table and the type checkers' imports agree, every
  name resolves, and importing the package loads none of its modules;
* every module of core is private by name or declares its own ``__all__``;
* built-in plugins and ``examples/`` import from core only the declared names (of
  ``ledgerlink_core``, ``ledgerlink_core.jobs`` or ``ledgerlink_core.testing``);
* ``docs/api.md`` names every public name.
"""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import ledgerlink_core
import pytest
from testpaths import REPO

CORE = REPO / "core" / "src" / "ledgerlink_core"
#: Where the distributions written as a third party would write them keep their code.
PLUGIN_SOURCES = sorted(
    [*REPO.glob("plugins/*/src"), *REPO.glob("examples/*/src")], key=lambda p: str(p)
)
#: Core's public packages and what each declares.
PUBLIC = {
    "ledgerlink_core": ledgerlink_core.__all__,
    "ledgerlink_core.jobs": importlib.import_module("ledgerlink_core.jobs").__all__,
    "ledgerlink_core.testing": importlib.import_module("ledgerlink_core.testing").__all__,
}


def _init_tree() -> ast.Module:
    return ast.parse((CORE / "__init__.py").read_text(encoding="utf-8"))


def test_the_three_lists_of_the_api_agree() -> None:
    tree = _init_tree()
    checked: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for imp in node.body:
                assert isinstance(imp, ast.ImportFrom)
                checked.update(a.asname or a.name for a in imp.names)
    homes = set(ledgerlink_core._HOMES)
    declared = ledgerlink_core.__all__
    assert declared == sorted(declared), "keep __all__ sorted"
    assert set(declared) == homes == checked


@pytest.mark.parametrize("name", ledgerlink_core.__all__)
def test_every_name_resolves_to_its_home(name: str) -> None:
    home = importlib.import_module(f"ledgerlink_core.{ledgerlink_core._HOMES[name]}")
    assert getattr(ledgerlink_core, name) is getattr(home, name)
    assert name in getattr(home, "__all__", [name]), f"{home.__name__}.__all__ lacks {name}"


def test_importing_the_package_loads_nothing_else() -> None:
    code = (
        "import sys, ledgerlink_core; "
        "print(sorted(m for m in sys.modules if m.startswith('ledgerlink_core.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_core_module_is_private_by_name_or_declares_all() -> None:
    undeclared = []
    for path in sorted(CORE.rglob("*.py")):
        rel = path.relative_to(CORE)
        if any(part.startswith("_") and part != "__init__.py" for part in rel.parts):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {
            t.id
            for n in tree.body
            if isinstance(n, ast.Assign)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        if "__all__" not in names and (path.name != "__init__.py" or tree.body[1:]):
            undeclared.append(str(rel))
    assert not undeclared, f"give these an __all__ or a leading underscore: {undeclared}"


def _core_imports(path: Path) -> list[tuple[int, str, list[str]]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ledgerlink_core"):
            found.append((node.lineno, node.module or "", [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ledgerlink_core"):
                    found.append((node.lineno, alias.name, []))
    return found


def test_plugins_and_examples_use_only_the_declared_api() -> None:
    assert len(PLUGIN_SOURCES) >= 3, PLUGIN_SOURCES
    wrong = []
    for src in PLUGIN_SOURCES:
        for path in sorted(src.rglob("*.py")):
            for line, module, names in _core_imports(path):
                allowed = PUBLIC.get(module)
                extra = [n for n in names if allowed is None or n not in allowed]
                if allowed is None or not names or extra:
                    what = ", ".join(extra or names) or "(the module)"
                    wrong.append(f"{path.relative_to(REPO)}:{line}: {module}: {what}")
    assert not wrong, "outside core's declared API:\n" + "\n".join(wrong)


def test_docs_api_names_every_public_name() -> None:
    text = (REPO / "docs" / "api.md").read_text(encoding="utf-8")
    missing = [
        f"{package}.{name}"
        for package, names in PUBLIC.items()
        for name in names
        if f"`{name}`" not in text and f"`{name}(" not in text
    ]
    assert not missing, f"docs/api.md does not name {missing}"
