"""The plugins' command names and summaries, cached so ``--help`` and completion import no
plugin.

The cache is one JSON file in the data directory, valid while the same plugins are installed
and enabled (see :func:`key`). When the key differs the plugins are asked again (and
imported) and the file is rewritten. Running a plugin's command, or a name the cache does not
know, always asks the plugins themselves.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

FILE = "cli-plugin-commands.json"


def _data_dir(environ: Mapping[str, str]) -> Path:
    explicit = environ.get("LEDGERLINK_DATA_DIR")
    if explicit:
        return Path(explicit)
    import platformdirs

    return Path(platformdirs.user_data_dir("ledgerlink"))


def key(environ: Mapping[str, str]) -> str:
    """What the cache is valid for: the places distributions are installed in (``sys.path``
    and the time each last changed: installing, upgrading or removing a distribution changes
    its directory) and the variables that pick the plugins. Reading every distribution's
    entry points instead would cost more than the rest of ``--help``."""
    parts = []
    for entry in sys.path:
        try:
            stamp = os.stat(entry or ".").st_mtime_ns
        except OSError:
            stamp = 0
        parts.append(f"{entry}:{stamp}")
    for name in ("LEDGERLINK_PLUGINS", "LEDGERLINK_DISABLE_PLUGINS"):
        parts.append(f"{name}={environ.get(name)!r}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


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
