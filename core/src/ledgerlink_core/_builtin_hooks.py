"""Core's own hook implementations, registered last so any plugin can answer first."""

from __future__ import annotations

from pathlib import Path

from ledgerlink_core.hookspecs import hookimpl
from ledgerlink_core.tokens import FileTokenStore, TokenStore


@hookimpl(trylast=True)
def ledgerlink_token_store(
    backend: str, config_dir: Path, connection: str | None
) -> TokenStore | None:
    """Default token store: a 0600 JSON file per connection under
    ``<config_dir>/tokens/<backend>/`` (``<config_dir>/tokens/<backend>.json`` before
    connections)."""
    if connection is None:
        return FileTokenStore(config_dir / "tokens" / f"{backend}.json")
    return FileTokenStore(config_dir / "tokens" / backend / f"{connection}.json")
