"""The guard: a standard kit test may be overridden or skipped only with a stated reason.

LangChain's standard tests check this in one test a subclass can itself override. Here the
pytest plugin checks every collected kit class at collection time instead, so it cannot be
bypassed from inside the class: a standard test that is deleted, replaced, or skipped/xfailed
without a reason is removed from the run and replaced by a failing guard item naming it.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest

__all__ = [
    "GuardItem",
    "GuardViolation",
    "apply",
    "is_kit_class",
    "override",
    "standard_tests",
    "violations",
]

KIT_PACKAGE = "ledgerlink_core.testing"
OVERRIDE_MARKER = "ledgerlink_override"
#: Markers that opt a test out (or change it) and therefore need a reason.
OPT_OUT_MARKERS = frozenset({"skip", "skipif", "xfail", OVERRIDE_MARKER})


def override(reason: str) -> pytest.MarkDecorator:
    """Mark an overridden standard test with the reason it differs from the kit's::

    @override("our API numbers vouchers per year; series are remapped")
    def test_export_then_import_gives_the_same_vouchers(self, ...): ...
    """
    if not reason.strip():
        raise ValueError("override() needs a reason")
    return getattr(pytest.mark, OVERRIDE_MARKER)(reason=reason)


def _is_kit(obj: Any) -> bool:
    module = getattr(obj, "__module__", "") or ""
    return module == KIT_PACKAGE or module.startswith(KIT_PACKAGE + ".")


def is_kit_class(cls: Any) -> bool:
    """True for a test class built on the kit (a subclass of one of its groups)."""
    from ledgerlink_core.testing.suites.base import KitBase

    return inspect.isclass(cls) and issubclass(cls, KitBase) and not _is_kit(cls)


def standard_tests(cls: type) -> list[str]:
    """Names of the kit's own tests that ``cls`` inherits from kit classes."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if _is_kit(klass):
            names |= {n for n, v in vars(klass).items() if n.startswith("test_") and callable(v)}
    return sorted(names)


def _reason(mark: pytest.Mark) -> str:
    reason = mark.kwargs.get("reason")
    if reason is None and mark.name == "skip" and mark.args and isinstance(mark.args[0], str):
        reason = mark.args[0]
    return str(reason or "").strip()


def _marks(obj: Any) -> list[pytest.Mark]:
    found = getattr(obj, "pytestmark", [])
    return list(found) if isinstance(found, list) else [found]


def violations(cls: type) -> Iterator[tuple[str | None, str]]:
    """``(test name or None for the whole class, message)`` for each unjustified opt-out."""
    for mark in _marks(cls):
        if mark.name in OPT_OUT_MARKERS and not _reason(mark):
            yield (
                None,
                (
                    f"{cls.__name__} is marked {mark.name} without a reason; every opt-out from "
                    f"the conformance kit must say why: @pytest.mark.{mark.name}(reason=...)"
                ),
            )
    for name in standard_tests(cls):
        owner = next(k for k in cls.__mro__ if name in vars(k))
        value = vars(owner)[name]
        if _is_kit(owner):
            bad = [m.name for m in _marks(value) if m.name in OPT_OUT_MARKERS and not _reason(m)]
            if bad:  # a mark added to the kit's own function from outside
                yield name, f"{cls.__name__}.{name} is marked {bad[0]} without a reason"
            continue
        if not callable(value):
            yield (
                name,
                (
                    f"{owner.__name__} deletes the standard test {name}; mark an override with "
                    "@pytest.mark.xfail(reason=...) or @override(reason) instead"
                ),
            )
            continue
        opt_outs = [m for m in _marks(value) if m.name in OPT_OUT_MARKERS]
        if not any(_reason(m) for m in opt_outs):
            yield (
                name,
                (
                    f"{owner.__name__}.{name} overrides a standard conformance test without a "
                    "stated reason; add @pytest.mark.xfail(reason=...), "
                    "@pytest.mark.skip(reason=...) or @ledgerlink_core.testing.override(reason)"
                ),
            )


class GuardViolation(Exception):
    """A kit test was opted out of without a reason."""


class GuardItem(pytest.Item):
    """A failing test standing in for an opted-out standard test."""

    def __init__(self, *, message: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message

    def runtest(self) -> None:
        """Always fails, with the guard's message."""
        raise GuardViolation(self.message)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str:
        """Just the message: there is no traceback worth reading."""
        return f"ledgerlink conformance guard: {excinfo.value}"

    def reportinfo(self) -> tuple[Any, int | None, str]:
        """Where to point in reports: the class's file."""
        return self.path, None, self.name


def apply(session: pytest.Session, items: list[pytest.Item]) -> None:
    """Replace opted-out standard tests of every collected kit class with failing items."""
    classes: dict[type, str] = {}
    for item in items:
        cls = getattr(item, "cls", None)
        if cls is not None and cls not in classes and is_kit_class(cls):
            classes[cls] = item.nodeid.split("::")[0] + "::" + cls.__name__
    removed: set[tuple[type, str]] = set()
    extra: list[pytest.Item] = []
    for cls, prefix in classes.items():
        for name, message in violations(cls):
            if name is None:
                removed |= {(cls, n) for n in standard_tests(cls)}
            else:
                removed.add((cls, name))
            # The session is the parent, so no class or module mark can skip the guard.
            nodeid = f"{prefix}::{name or 'class'}::guard"
            guard = GuardItem.from_parent(session, name=nodeid, nodeid=nodeid, message=message)
            extra.append(guard)
    if removed:
        items[:] = [
            item
            for item in items
            if (getattr(item, "cls", None), getattr(item, "originalname", item.name)) not in removed
        ]
    items.extend(extra)
