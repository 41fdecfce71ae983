"""The built-in ``sie_file`` backend passes the conformance kit, reading the golden sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from ledgerlink_core.testing import BackendConformance, copy_sample


class TestSieFileConformance(BackendConformance):
    """``sie_file`` against a copy of the kit's SIE 4E sample; exports go to a second copy."""

    @pytest.fixture
    def backend_name(self) -> str:
        return "sie_file"

    @pytest.fixture
    def settings(self, sample_dir: Path) -> dict[str, str]:
        return {"path": str(copy_sample(sample_dir))}

    @pytest.fixture
    def export_settings(self, tmp_path: Path) -> dict[str, str]:
        return {"path": str(copy_sample(tmp_path / "target"))}
