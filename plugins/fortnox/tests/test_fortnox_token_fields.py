"""Review C6: a token file whose fields have the wrong types is "corrupt" (exit 3), like a file
that is not JSON, for every command that reads it; never a ValueError/TypeError (exit 70)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from fake_fortnox import logged_in
from fortnox_testkit import default_store
from ledgerlink_core import ConfigError, MemoryTokenStore
from ledgerlink_fortnox import login as flow
from ledgerlink_fortnox.tokens import checked, field_problem

BAD_FIELDS = [
    ("expires_at", "soon"),
    ("expires_at", None),
    ("expires_at", True),
    ("expires_at", 1e300),  # would overflow the date `status` prints
    ("refresh_expires_at", "x"),
    ("refresh_expires_at", None),
    ("access_token", 5),
    ("refresh_token", ["r1"]),
    ("grant", {"a": 1}),
]


def _login() -> dict[str, Any]:
    return {
        **logged_in(),
        "access_token": "secret-access",
        "refresh_token": "secret-refresh",
        "scope": "bookkeeping",
        "client_id": "cid",
    }


def _write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data), encoding="utf-8")


def _assert_corrupt(result: Any, path: Path, key: str) -> None:
    assert result.exit_code == 3, result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert f"{path}: the token file is corrupt" in result.stderr
    assert f"`{key}`" in result.stderr and "delete it and log in again" in result.stderr
    assert "secret" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("key", "value"), BAD_FIELDS)
def test_c6_status_calls_a_wrong_field_type_corrupt(
    key: str, value: Any, run_cli: Any, isolated_dirs: Path
) -> None:
    path = default_store(Path(os.environ["LEDGERLINK_CONFIG_DIR"])).path
    _write(path, {**_login(), key: value})
    for args in (("fortnox", "status"), ("fortnox", "status", "--json")):
        _assert_corrupt(run_cli(*args), path, key)


@pytest.mark.parametrize(("key", "value"), BAD_FIELDS[:7])
def test_c6_pull_calls_a_wrong_field_type_corrupt(
    key: str, value: Any, logged_in: Any, run_cli: Any, tmp_path: Path
) -> None:
    store = default_store(Path(os.environ["LEDGERLINK_CONFIG_DIR"]))
    saved = store.load()
    assert saved is not None
    _write(store.path, {**saved, key: value})
    out = tmp_path / "books.se"
    result = run_cli("pull", "--from", "fortnox", "--year", "2025", "-o", str(out))
    _assert_corrupt(result, store.path, key)
    assert not out.exists()


@pytest.mark.parametrize(("key", "value"), BAD_FIELDS)
def test_c6_the_check_raises_the_corrupt_config_error(key: str, value: Any) -> None:
    store = MemoryTokenStore()
    store.save({**_login(), key: value})
    with pytest.raises(ConfigError, match=f"corrupt \\(`{key}` is"):
        flow.status(store)
    with pytest.raises(ConfigError, match="delete it and log in again"):
        checked(store).load()


def test_a_login_as_saved_passes_the_check() -> None:
    data = _login()
    assert field_problem(data) is None
    assert field_problem({**data, "expires_at": 0, "refresh_sent_at": 1}) is None
    assert field_problem({"access_token": "a"}) is None  # absent keys have their defaults
    assert flow.status(MemoryTokenStore())["logged_in"] is False


def test_logout_removes_a_login_with_wrong_field_types(run_cli: Any) -> None:
    # The advice is to delete the file: logout does so without reading the fields.
    path = default_store(Path(os.environ["LEDGERLINK_CONFIG_DIR"])).path
    _write(path, {**_login(), "expires_at": "soon"})
    result = run_cli("fortnox", "logout")
    assert result.exit_code == 0, result.stderr
    assert not path.exists()


@pytest.mark.parametrize(
    "content",
    [
        json.dumps({**_login(), "refresh_expires_at": "x"}),
        json.dumps({**_login(), "refresh_token": None, "expires_at": "soon"}),
        "{not json",
    ],
)
def test_c6_connections_lists_a_damaged_login_as_corrupt(
    content: str, run_cli: Any, isolated_dirs: Path
) -> None:
    """`ledgerlink connections` reads the tokens' times itself: a wrong type there is the
    row's status, "corrupt", not a crash of the whole listing."""
    path = default_store(Path(os.environ["LEDGERLINK_CONFIG_DIR"])).path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    result = run_cli("connections", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["connections"]
    assert [(r["backend"], r["status"]) for r in rows] == [("fortnox", "corrupt")]
