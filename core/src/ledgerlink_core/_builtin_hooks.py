"""Core's own hook implementations, registered last so any plugin can answer first."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ledgerlink_core.hookspecs import hookimpl
from ledgerlink_core.tokens import FileTokenStore, TokenStore

if TYPE_CHECKING:
    from ledgerlink_core.model import Account, VoucherExport


@hookimpl(trylast=True)
def ledgerlink_token_store(backend: str, config_dir: Path) -> TokenStore | None:
    """Default token store: a 0600 JSON file per backend under ``<config_dir>/tokens/``."""
    return FileTokenStore(config_dir / "tokens" / f"{backend}.json")


@hookimpl(trylast=True)
def ledgerlink_validate_export(
    items: Sequence[VoucherExport], target: str, chart: Sequence[Account] | None
) -> list[str]:
    """Core's own checks: empty, one-row and unbalanced vouchers; accounts missing or inactive
    in the target's chart."""
    from ledgerlink_core.export.validate import content_problems

    return content_problems(items, target, chart)
