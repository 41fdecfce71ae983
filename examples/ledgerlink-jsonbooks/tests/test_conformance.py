"""ledgerlink's conformance kit, run against the ``jsonbooks`` backend.

Every test comes from ``BackendConformance``; this file only says how to reach the backend:
a folder with the kit's golden sample (bookkeeping and invoices), locked until January's end.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from ledgerlink_core.testing import BackendConformance, samples, small_company

LOCKED_UNTIL = dt.date(2025, 1, 31)


def make_folder(directory: Path) -> Path:
    """A folder of ledgers holding the golden sample."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "bookkeeping.json").write_text(
        small_company().model_dump_json(indent=2), encoding="utf-8"
    )
    (directory / "invoices.json").write_text(
        json.dumps(samples.subledger_invoices(), ensure_ascii=False), encoding="utf-8"
    )
    return directory


class TestJsonbooksConformance(BackendConformance):
    @pytest.fixture
    def backend_name(self) -> str:
        return "jsonbooks"

    @pytest.fixture
    def settings(self, sample_dir: Path) -> dict[str, str]:
        return {"directory": str(make_folder(sample_dir)), "locked_until": str(LOCKED_UNTIL)}

    @pytest.fixture
    def export_settings(self, tmp_path: Path) -> dict[str, str]:
        target = make_folder(tmp_path / "target")
        return {"directory": str(target), "locked_until": str(LOCKED_UNTIL)}

    @pytest.fixture
    def locked_date(self) -> dt.date:
        return dt.date(2025, 1, 15)
