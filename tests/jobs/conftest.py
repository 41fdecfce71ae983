"""Fixtures of the job tests: a runtime with no installed extension plugins, a recorder of
import notifications registered into it, and in-process "installs" of fake backends."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pluggy
import pytest
from stevedore import ExtensionManager
from testpaths import JOB_BACKENDS

hookimpl = pluggy.HookimplMarker("ledgerlink")


class ImportRecorder:
    """An extension plugin that records every ``ledgerlink_import_finished``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, int]]] = []

    @hookimpl
    def ledgerlink_import_finished(self, source: str, kind: str, summary: dict[str, int]) -> None:
        self.calls.append((source, kind, summary))


@pytest.fixture
def imports(ledgerlink_registry: Any) -> ImportRecorder:
    """The import notifications fired into ``ledgerlink_runtime`` (a registered plugin)."""
    recorder = ImportRecorder()
    ledgerlink_registry.register(recorder, name="import-recorder")
    return recorder


@pytest.fixture
def install(monkeypatch: pytest.MonkeyPatch) -> Callable[[str | Path], None]:
    """``install("samplebooks")`` puts ``tests/fixtures/jobs/samplebooks`` (a module and its
    dist-info) on ``sys.path`` for this test, as a pip install would; a path installs that
    folder's distributions (``install(THIRDPARTY)``).

    stevedore keeps the entry points it has read for the whole process; the fixture gives it
    a fresh cache, as a new process would have, and puts the old one back afterwards.
    """

    def put(name: str | Path) -> None:
        monkeypatch.syspath_prepend(str(JOB_BACKENDS / name))
        monkeypatch.setattr(ExtensionManager, "ENTRY_POINT_CACHE", {})

    return put
