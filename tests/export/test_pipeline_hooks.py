"""The push pipeline with extension plugins: their validation problems are reported with
core's, and they hear about the finished export."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pluggy
import pytest
from ledgerlink_core.errors import ValidationFailed
from ledgerlink_core.jobs import PushRequest, push
from ledgerlink_core.model import ExportReport, ExportStatus, VoucherExport
from ledgerlink_core.runtime import Runtime

hookimpl = pluggy.HookimplMarker("ledgerlink")


class Auditor:
    """A plugin that forbids voucher texts without a signature and records reports."""

    def __init__(self) -> None:
        self.reports: list[ExportReport] = []

    @hookimpl
    def ledgerlink_validate_export(self, items: Sequence[VoucherExport], target: str) -> list[str]:
        return [
            f"voucher {i.voucher.label}: no signature in its text (for {target})"
            for i in items
            if "signed" not in i.voucher.text
        ]

    @hookimpl
    def ledgerlink_export_finished(self, report: ExportReport) -> None:
        self.reports.append(report)


def _vouchers(path: Path, texts: list[str]) -> None:
    path.write_text(
        json.dumps(
            [
                {
                    "series": "A",
                    "number": str(n),
                    "date": "2025-12-31",
                    "text": text,
                    "rows": [
                        {"account": "1930", "amount": "10"},
                        {"account": "3000", "amount": "-10"},
                    ]
                    if n != 2
                    else [],
                }
                for n, text in enumerate(texts, start=1)
            ]
        )
    )


def test_plugin_problems_join_core_problems_and_nothing_is_written(tmp_path: Path) -> None:
    runtime = Runtime()
    auditor = Auditor()
    runtime.registry.register(auditor, name="auditor")
    src = tmp_path / "v.json"
    _vouchers(src, ["signed ok", "signed but empty", "anonymous"])
    out = tmp_path / "out.si"
    request = PushRequest(backend="sie_file", source=src, overrides={"path": str(out)})
    with pytest.raises(ValidationFailed) as caught:
        push(runtime, request)
    assert sorted(caught.value.problems) == [
        "voucher A 2: empty: it has no rows",
        "voucher A 3: no signature in its text (for sie_file)",
    ]
    assert not out.exists() and auditor.reports == []


def test_plugin_hears_the_finished_export(tmp_path: Path) -> None:
    runtime = Runtime()
    auditor = Auditor()
    runtime.registry.register(auditor, name="auditor")
    src = tmp_path / "v.json"
    _vouchers(src, ["signed 1"])
    request = PushRequest(
        backend="sie_file", source=src, overrides={"path": str(tmp_path / "o.si")}
    )
    report = push(runtime, request)
    assert [r.outcomes for r in auditor.reports] == [report.outcomes]
    assert report.count(ExportStatus.CREATED) == 1
