"""The ``paths`` job: where this runtime keeps its config, tokens and state."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.export.journal import FILENAME as JOURNAL_FILE
from ledgerlink_core.runtime import Runtime

__all__ = [
    "Paths",
    "paths",
]


class Paths(BaseModel):
    """Every place ledgerlink reads or writes on its own (none of them need exist yet)."""

    model_config = ConfigDict(frozen=True)

    config_file: Path
    """The TOML config file (``$LEDGERLINK_CONFIG``, else ``config.toml`` in the config dir)."""
    config_dir: Path
    """``$LEDGERLINK_CONFIG_DIR`` or the platform's user config directory."""
    tokens_dir: Path
    """Where the built-in token store keeps each backend's login (``<backend>.json``)."""
    data_dir: Path
    """``$LEDGERLINK_DATA_DIR`` or the platform's user data directory: durable state."""
    journal: Path
    """The export journal (SQLite) that makes push exactly-once."""
    snapshots_dir: Path
    """What pulls kept, the baselines of ``diff --from``."""


def paths(runtime: Runtime) -> Paths:
    """The paths of ``runtime`` (no I/O: nothing is created or checked)."""
    return Paths(
        config_file=runtime.config_path,
        config_dir=runtime.config_dir,
        tokens_dir=runtime.config_dir / "tokens",
        data_dir=runtime.data_dir,
        journal=runtime.data_dir / JOURNAL_FILE,
        snapshots_dir=runtime.data_dir / "snapshots",
    )
