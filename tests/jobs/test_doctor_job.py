"""``ledgerlink_core.jobs.doctor`` from Python: the same report ``ledgerlink doctor`` prints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from ledgerlink_core.jobs import DoctorReport, DoctorRequest, doctor
from ledgerlink_core.testing import copy_sample
from testpaths import THIRDPARTY


def by_key(report: DoctorReport) -> dict[tuple[str, str], Any]:
    return {(c.area, c.name): c for c in report.checks}


def test_a_clean_installation(ledgerlink_runtime: Any) -> None:
    report = doctor(ledgerlink_runtime, DoctorRequest())
    assert report.ok and report.failures == ()
    checks = by_key(report)
    assert checks[("backend", "sie_file")].status == "ok"
    assert "import.bookkeeping" in checks[("backend", "sie_file")].detail
    assert checks[("settings", "fortnox")].status == "skip"
    assert checks[("config", str(ledgerlink_runtime.config_path))].detail.startswith("no config")
    assert not any(c.area == "connection" for c in report.checks)  # only when asked


def test_broken_backends_fail_without_stopping_the_report(ledgerlink_runtime: Any, install) -> None:
    install(THIRDPARTY)
    report = doctor(ledgerlink_runtime, DoctorRequest())
    checks = by_key(report)
    assert not report.ok
    assert checks[("backend", "broken")].status == "fail"
    assert "broken on purpose" in checks[("backend", "broken")].detail
    assert checks[("backend", "toy")].status == "ok"
    assert [(c.area, c.name) for c in report.failures] == [("backend", "broken")]


def test_connect_reaches_each_configured_backend(
    ledgerlink_runtime: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sample = copy_sample(tmp_path)
    monkeypatch.setitem(ledgerlink_runtime.environ, "LEDGERLINK_SIE_FILE__PATH", str(sample))
    report = doctor(ledgerlink_runtime, DoctorRequest(connect=True))
    check = by_key(report)[("connection", "sie_file")]
    assert check.status == "ok"
    assert check.detail == f"Åkesson & Öberg Bygg AB {sample}"
