"""ledgerlink's conformance kit, run against the ``jsonbooks`` backend.

Every test comes from ``BackendConformance``; this file only says how to reach the backend.
Tests of capabilities the backend does not declare are skipped, and the kit checks that those
are refused with ``NotSupported``. To opt out of a test, override it with
``@pytest.mark.xfail(reason=...)``: an override without a reason fails the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ledgerlink_core.testing import BackendConformance, small_company


class TestJsonbooksConformance(BackendConformance):
    @pytest.fixture
    def backend_name(self) -> str:
        return "jsonbooks"

    @pytest.fixture
    def settings(self, sample_dir: Path) -> dict[str, str]:
        # The kit's golden sample, in the form this backend reads.
        (sample_dir / "bookkeeping.json").write_text(
            small_company().model_dump_json(indent=2), encoding="utf-8"
        )
        return {"directory": str(sample_dir)}
