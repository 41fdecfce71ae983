"""The SIE codec's public surface: ``ledgerlink_core.sie.__all__``, and a name for every
module behind it (private, or with its own ``__all__``)."""

from __future__ import annotations

import importlib
import pkgutil

import ledgerlink_core.sie as sie
from ledgerlink_core.sie import writer


def test_every_public_name_resolves() -> None:
    assert sorted(sie.__all__) == sie.__all__
    for name in sie.__all__:
        assert getattr(sie, name) is not None, name


def test_sie_kind_is_public_and_still_importable_from_the_writer() -> None:
    assert "SieKind" in sie.__all__
    assert sie.SieKind is writer.SieKind


def test_each_module_is_private_by_name_or_declares_what_it_offers() -> None:
    for info in pkgutil.iter_modules(sie.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{sie.__name__}.{info.name}")
        assert hasattr(module, "__all__"), f"sie.{info.name} has no __all__"
        for name in module.__all__:
            assert hasattr(module, name), f"sie.{info.name}.__all__ names {name}, not defined"
