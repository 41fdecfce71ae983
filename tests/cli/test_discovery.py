"""Backends and plugins are found through real entry points, and broken ones are isolated.

The distributions under tests/fixtures/thirdparty live outside the workspace; they are
"installed" by putting that folder on PYTHONPATH of a real ``ledgerlink`` process.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from testpaths import THIRDPARTY

TOY_BOOK = {
    "company": {"name": "Tredje Part AB", "org_nr": "556677-8899"},
    "fiscal_years": [{"index": 0, "start": "2025-01-01", "end": "2025-12-31"}],
    "accounts": [{"number": "1930", "name": "Bank"}, {"number": "3010", "name": "Försäljning"}],
    "vouchers": [
        {
            "series": "A",
            "number": "1",
            "date": "2025-03-01",
            "text": "Kontantförsäljning",
            "rows": [
                {"account": "1930", "amount": "125.50"},
                {"account": "3010", "amount": "-125.50"},
            ],
        }
    ],
}


def _pull_toy(
    run_cli_process: Callable[..., Any],
    tmp_path: Path,
    api_key: str,
    *options: str,
    global_options: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> Any:
    """``ledgerlink [global_options] pull --from toy [options]`` of :data:`TOY_BOOK`, with the
    third-party distributions on the path."""
    book = tmp_path / "book.json"
    book.write_text(json.dumps(TOY_BOOK), encoding="utf-8")
    args = ["pull", "--from", "toy", "--set", f"path={book}", "--set", f"api_key={api_key}"]
    return run_cli_process(*global_options, *args, *options, extra_path=[THIRDPARTY], env=env)


def test_builtin_backends_are_listed(run_cli_process) -> None:
    result = run_cli_process("backends", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["sie_file"]["distribution"] == "ledgerlink-sie-file"
    assert rows["fortnox"]["distribution"] == "ledgerlink-fortnox"
    assert "import.bookkeeping" in rows["sie_file"]["capabilities"]


def test_third_party_backend_is_discovered_and_selected(run_cli_process, tmp_path: Path) -> None:
    listing = run_cli_process("backends", "--json", extra_path=[THIRDPARTY])
    rows = {r["name"]: r for r in json.loads(listing.stdout)}
    assert rows["toy"] == {
        "name": "toy",
        "distribution": "ledgerlink-toy",
        "version": "0.3.0",
        "status": "ok",
        "capabilities": ["import.bookkeeping"],
        "error": None,
        "entry_point": "ledgerlink_toy.backend:ToyBackend",
    }

    pulled = _pull_toy(run_cli_process, tmp_path, "s3cret", "--json")
    assert pulled.exit_code == 0, pulled.stderr
    data = json.loads(pulled.stdout)
    voucher = data["vouchers"][0]
    assert (voucher["series"], voucher["number"], voucher["date"]) == ("A", "1", "2025-03-01")
    assert voucher["rows"][0] == {
        "account": "1930",
        "amount": "125.50",
        "objects": [],
        "date": None,
        "text": None,
        "quantity": None,
        "sign": None,
    }
    assert "s3cret" not in pulled.stdout + pulled.stderr

    debug = _pull_toy(run_cli_process, tmp_path, "s3cret", global_options=("-vv",))
    assert debug.exit_code == 0, debug.stderr
    assert "s3cret" not in debug.stdout + debug.stderr


def test_broken_plugin_is_an_error_row_and_others_still_work(
    run_cli_process, tmp_path: Path
) -> None:
    listing = run_cli_process("backends", "--json", extra_path=[THIRDPARTY])
    assert listing.exit_code == 0
    rows = {r["name"]: r for r in json.loads(listing.stdout)}
    assert rows["broken"]["status"] == "error"
    assert rows["broken"]["distribution"] == "ledgerlink-broken"
    assert "RuntimeError: this plugin is broken on purpose" in rows["broken"]["error"]
    assert rows["toy"]["status"] == "ok"

    plugins = run_cli_process("plugins", "--json", extra_path=[THIRDPARTY])
    assert plugins.exit_code == 0
    prow = {r["name"]: r for r in json.loads(plugins.stdout)}
    assert prow["brokenplug"]["status"] == "error"
    assert prow["hello"]["status"] == "ok"
    assert prow["hello"]["hooks"] == ["ledgerlink_cli_commands", "ledgerlink_import_finished"]

    pulled = _pull_toy(run_cli_process, tmp_path, "k")
    assert pulled.exit_code == 0, pulled.stderr
    assert "Tredje Part AB" in pulled.stdout

    selected = run_cli_process("pull", "--from", "broken", extra_path=[THIRDPARTY])
    assert selected.exit_code == 7
    assert selected.stderr.strip() == (
        "error: backend 'broken' failed to load: RuntimeError: this plugin is broken on purpose"
    )


def test_plugin_contributes_command_and_notifications(run_cli_process, tmp_path: Path) -> None:
    hello = run_cli_process("hello", extra_path=[THIRDPARTY])
    assert hello.exit_code == 0, hello.stderr
    assert hello.stdout.strip() == "hello from a plugin"

    log = tmp_path / "hello.log"
    pulled = _pull_toy(run_cli_process, tmp_path, "k", env={"HELLO_LOG": str(log)})
    assert pulled.exit_code == 0, pulled.stderr
    assert log.read_text() == "toy bookkeeping [('accounts', 2), ('vouchers', 1)]\n"


def test_allow_list_and_disable_switches(run_cli_process) -> None:
    def statuses(env: dict[str, str]) -> dict[str, str]:
        out = run_cli_process("plugins", "--json", extra_path=[THIRDPARTY], env=env)
        assert out.exit_code == 0, out.stderr
        return {r["name"]: r["status"] for r in json.loads(out.stdout)}

    assert statuses({"LEDGERLINK_PLUGINS": ""}) == {
        "brokenplug": "disabled",
        "fortnox": "disabled",
        "fortnox_emulator": "disabled",
        "hello": "disabled",
    }
    only = statuses({"LEDGERLINK_PLUGINS": "hello"})
    assert only["hello"] == "ok" and only["brokenplug"] == "disabled"
    blocked = statuses({"LEDGERLINK_DISABLE_PLUGINS": "brokenplug,hello"})
    assert blocked["brokenplug"] == "disabled" and blocked["hello"] == "disabled"

    gone = run_cli_process("hello", extra_path=[THIRDPARTY], env={"LEDGERLINK_PLUGINS": ""})
    assert gone.exit_code == 2
    assert "No such command 'hello'" in gone.stderr


def test_unknown_backend_names_the_installed_ones(run_cli_process) -> None:
    result = run_cli_process("pull", "--from", "fortnx")
    assert result.exit_code == 7
    assert result.stderr.strip() == (
        "error: no backend 'fortnx'. Did you mean 'fortnox'? Installed: fortnox, sie_file"
    )
