"""The conformance kit for backend authors (see docs/writing-a-backend.md).

``from ledgerlink_core.testing import BackendConformance`` and subclass it in one test file.
Names are imported lazily: the pytest plugin imports this package in every pytest run of an
environment where ledgerlink-core is installed, and must cost nothing there.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledgerlink_core.testing import samples
    from ledgerlink_core.testing.conformance import (
        GROUPS,
        BackendConformance,
        LiveBackendConformance,
    )
    from ledgerlink_core.testing.guard import override
    from ledgerlink_core.testing.noio import recording_transport, watch_io
    from ledgerlink_core.testing.samples import copy_sample, small_company
    from ledgerlink_core.testing.sinks import ScriptedSink, SimulatedCrash
    from ledgerlink_core.testing.suites.base import requires

_EXPORTS: dict[str, str] = {
    "BackendConformance": "ledgerlink_core.testing.conformance",
    "LiveBackendConformance": "ledgerlink_core.testing.conformance",
    "GROUPS": "ledgerlink_core.testing.conformance",
    "override": "ledgerlink_core.testing.guard",
    "watch_io": "ledgerlink_core.testing.noio",
    "recording_transport": "ledgerlink_core.testing.noio",
    "copy_sample": "ledgerlink_core.testing.samples",
    "small_company": "ledgerlink_core.testing.samples",
    "requires": "ledgerlink_core.testing.suites.base",
    "ScriptedSink": "ledgerlink_core.testing.sinks",
    "SimulatedCrash": "ledgerlink_core.testing.sinks",
}

__all__ = [
    "GROUPS",
    "BackendConformance",
    "LiveBackendConformance",
    "ScriptedSink",
    "SimulatedCrash",
    "copy_sample",
    "override",
    "recording_transport",
    "requires",
    "samples",
    "small_company",
    "watch_io",
]


def __getattr__(name: str) -> Any:
    if name == "samples":
        return importlib.import_module("ledgerlink_core.testing.samples")
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
