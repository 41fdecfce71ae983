"""FileTokenStore: 0600, atomic replace, repr without secrets, a lock that spans processes."""

from __future__ import annotations

import multiprocessing
import os
import stat
import time
from pathlib import Path

import pytest
from ledgerlink_core.errors import ConfigError
from ledgerlink_core.tokens import FileTokenStore, TokenStore


def test_save_load_delete_0600(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens" / "fortnox.json")
    assert isinstance(store, TokenStore)
    assert store.load() is None
    store.save({"access_token": "secret-a", "refresh_token": "secret-r"})
    assert store.load() == {"access_token": "secret-a", "refresh_token": "secret-r"}
    mode = stat.S_IMODE(os.stat(store.path).st_mode)
    assert mode == 0o600
    assert "secret" not in repr(store)
    # no temp files left behind by the atomic replace
    assert sorted(p.name for p in store.path.parent.iterdir()) == ["fortnox.json"]
    store.delete()
    store.delete()  # idempotent
    assert store.load() is None


def test_corrupt_file_is_a_one_line_config_error(tmp_path: Path) -> None:
    path = tmp_path / "fortnox.json"
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="corrupt"):
        FileTokenStore(path).load()


def _hold_lock(path: str, ready: multiprocessing.synchronize.Event, seconds: float) -> None:
    with FileTokenStore(path).lock():
        ready.set()
        time.sleep(seconds)


def test_lock_excludes_other_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "fortnox.json")
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(target=_hold_lock, args=(path, ready, 0.6))
    proc.start()
    try:
        assert ready.wait(20)
        started = time.monotonic()
        with FileTokenStore(path).lock():
            waited = time.monotonic() - started
    finally:
        proc.join(20)
    assert waited > 0.3, "the lock did not wait for the other process"


def test_lock_is_reentrant_in_one_thread(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "t.json")
    with store.lock(), store.lock():
        store.save({"a": 1})
    assert store.load() == {"a": 1}
