"""The plugins' command names and summaries, cached so ``--help`` and completion import no
plugin.

The cache is one JSON file in the data directory, valid while the same plugins are installed
and enabled: its key is every ``ledgerlink.plugins`` entry point (name, value, distribution,
version and location) and the ``LEDGERLINK_PLUGINS`` / ``LEDGERLINK_DISABLE_PLUGINS``
variables. When the key differs the plugins are asked again (and imported) and the file is
rewritten. Running a plugin's command always asks the plugin itself.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

FILE = "cli-plugin-commands.json"
GROUP = "ledgerlink.plugins"


def _data_dir(environ: Mapping[str, str]) -> Path:
    explicit = environ.get("LEDGERLINK_DATA_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_data_dir("ledgerlink"))


def key(environ: Mapping[str, str]) -> str:
    """What the cache is valid for: the installed plugins and the variables that pick them."""
    import importlib.metadata as md

    parts = []
    for ep in md.entry_points(group=GROUP):
        dist = getattr(ep, "dist", None)
        where = str(dist.locate_file("")) if dist is not None else ""
        version = dist.version if dist is not None else ""
        parts.append(f"{ep.name}={ep.value}@{where}:{version}")
    for name in ("LEDGERLINK_PLUGINS", "LEDGERLINK_DISABLE_PLUGINS"):
        parts.append(f"{name}={environ.get(name)!r}")
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()


def load(environ: Mapping[str, str] | None = None) -> dict[str, str] | None:
    """The cached ``{command: summary}``, or None when there is none or it is stale."""
    env = os.environ if environ is None else environ
    try:
        data = json.loads((_data_dir(env) / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key(env):
        return None
    commands = data.get("commands")
    return dict(commands) if isinstance(commands, dict) else None


def store(environ: Mapping[str, str], commands: Mapping[str, str]) -> None:
    """Write the cache; a directory that cannot be written only costs speed later."""
    path = _data_dir(environ) / FILE
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps({"key": key(environ), "commands": dict(commands)}), encoding="utf-8"
        )
        tmp.replace(path)
    except OSError:
        pass
