"""Issue 15 against the emulator over TCP: the target is the truth, the journal a cache.

The duplicate-hunting runs of the reliability review (../shared/docs/reliability-review.md,
D1-D3) as tests: a push with a fresh data dir, with an emptied journal, with another host
alias for the same server, with ``--series B`` killed and re-run, and an upload whose name
Fortnox keeps percent-encoded. Each ends with 0 duplicates in the emulator."""

from __future__ import annotations

import json
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

from export_kit import (
    PDF,
    apply_env,
    check_exactly_once,
    cli_command,
    make_vouchers,
    subprocess_env,
    workspace,
)
from fortnox_testkit import default_store, stored_login
from ledgerlink_core.export.refs import find_marker


def _dupes(emu: Any) -> dict[str | None, int]:
    refs = Counter(find_marker(v.comments) for v in emu.state.vouchers(origin="api"))
    return {r: c for r, c in refs.items() if c > 1}


def _posts(emu: Any) -> list[str]:
    return [r.path for r in emu.state.request_log if r.method != "GET"]


def _statuses(result: Any) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return [o["status"] for o in json.loads(result.stdout)["outcomes"]]


def test_d1_fresh_journal_finds_vouchers_in_fortnox(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    emu = emulator
    src = make_vouchers(emu, tmp_path, 4, attachments=1)
    docs = str(tmp_path / "docs")
    first = workspace(emu, tmp_path / "first")
    apply_env(first, monkeypatch)
    assert (
        _statuses(run_cli("push", "--to", "fortnox", str(src), "--attach", docs, "--json"))
        == ["created"] * 4
    )
    check_exactly_once(emu, first, 4, 1)
    posts = len(_posts(emu))
    logged = len(emu.state.request_log)

    other = workspace(emu, tmp_path / "other-machine")  # another LEDGERLINK_DATA_DIR
    apply_env(other, monkeypatch)
    again = run_cli("push", "--to", "fortnox", str(src), "--attach", docs, "--json")
    assert _statuses(again) == ["already-there"] * 4
    assert [o["attachments"] for o in json.loads(again.stdout)["outcomes"]] == [1] * 4
    assert len(_posts(emu)) == posts  # nothing sent: no voucher, no upload, no connection
    assert not _dupes(emu)
    check_exactly_once(emu, other, 4, 1)
    # one listing of the series for the year, not one look-up per voucher
    lists = [r for r in emu.state.request_log[logged:] if "/3/vouchers/sublist/" in r.path]
    assert len(lists) == 1


def test_d1_a_dry_run_with_a_fresh_journal_asks_fortnox(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    """The dry run said "would create" for vouchers Fortnox already held when its journal
    did not know them; it now makes the run's one read-only look-up and says what a run
    would do."""
    emu = emulator
    src = make_vouchers(emu, tmp_path, 3, attachments=0)
    first = workspace(emu, tmp_path / "first")
    apply_env(first, monkeypatch)
    assert _statuses(run_cli("push", "--to", "fortnox", str(src), "--json")) == ["created"] * 3
    more = make_vouchers(emu, tmp_path / "more", 4, attachments=0)  # the same 3, and one more
    other = workspace(emu, tmp_path / "other-machine")
    apply_env(other, monkeypatch)
    posts = len(_posts(emu))
    dry = run_cli("push", "--to", "fortnox", str(more), "--dry-run", "--json")
    assert _statuses(dry) == ["already-there"] * 3 + ["would-create"]
    assert len(_posts(emu)) == posts
    assert not other.journal.exists()


def test_d1_emptied_journal_finds_vouchers_in_fortnox(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    emu = emulator
    ws = workspace(emu, tmp_path / "home")
    apply_env(ws, monkeypatch)
    src = make_vouchers(emu, tmp_path, 5, attachments=0)
    assert _statuses(run_cli("push", "--to", "fortnox", str(src), "--json")) == ["created"] * 5
    ws.journal.write_bytes(b"")  # truncated to 0 bytes: SQLite sees an empty, valid DB
    for extra in ("-wal", "-shm"):
        Path(f"{ws.journal}{extra}").unlink(missing_ok=True)
    assert (
        _statuses(run_cli("push", "--to", "fortnox", str(src), "--json")) == ["already-there"] * 5
    )
    assert len(emu.state.vouchers(origin="api")) == 5 and not _dupes(emu)


def test_d1_another_host_alias_finds_vouchers_in_fortnox(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    emu = emulator
    ws = workspace(emu, tmp_path / "home")
    apply_env(ws, monkeypatch)
    src = make_vouchers(emu, tmp_path, 5, attachments=0)
    assert "127.0.0.1" in emu.base_url
    assert _statuses(run_cli("push", "--to", "fortnox", str(src), "--json")) == ["created"] * 5
    alias = emu.base_url.replace("127.0.0.1", "localhost")
    again = run_cli("push", "--to", "fortnox", str(src), "--json", "--set", f"base_url={alias}")
    assert _statuses(again) == ["already-there"] * 5
    assert len(emu.state.vouchers(origin="api")) == 5 and not _dupes(emu)
    status = json.loads(run_cli("push", "--status", "--json").stdout)
    assert len({e["target_id"] for e in status["entries"]}) == 2  # two keys, one company


def test_d2_series_b_killed_and_rerun_without_series(emulator_factory: Any, tmp_path: Path) -> None:
    emu = emulator_factory(system_series=frozenset({"C", "D", "E"}))  # B open for manual use
    ws = workspace(emu, tmp_path / "home")
    src = make_vouchers(emu, tmp_path, 3, attachments=0)
    # every write is committed and its answer held back, so the push is killed with a
    # voucher in B whose answer never came (the journal says ``sending``)
    emu.configure(timeout_rate=1.0, timeout_hold=60.0, faults_on_reads=False)
    proc = subprocess.Popen(
        [
            *cli_command(),
            "push",
            "--to",
            "fortnox",
            str(src),
            "--series",
            "B",
            "--set",
            "timeout=300",
        ],
        env=subprocess_env(ws),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while not [v for v in emu.state.vouchers(origin="api") if v.series == "B"]:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
    finally:
        proc.kill()
        proc.wait()
    emu.configure(timeout_rate=0.0)
    in_b = [v for v in emu.state.vouchers(origin="api") if v.series == "B"]
    assert len(in_b) == 1

    again = subprocess.run(
        [*cli_command(), "push", "--to", "fortnox", str(src), "--json"],
        env=subprocess_env(ws),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert again.returncode == 0, again.stderr
    outcomes = json.loads(again.stdout)["outcomes"]
    assert outcomes[0]["status"] == "already-there"
    assert outcomes[0]["placement"]["series"] == "B"
    assert not _dupes(emu)
    assert len(emu.state.vouchers(origin="api")) == 3


def test_d3_attachment_name_fortnox_percent_encodes_is_found_again(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    emu = emulator
    ws = workspace(emu, tmp_path / "home")
    apply_env(ws, monkeypatch)
    src = make_vouchers(emu, tmp_path, 1, attachments=0)
    docs = tmp_path / "docs"
    (docs / 'A-1_q"x.pdf').write_bytes(PDF + b"quoted")
    emu.configure(drop_after_commit_rate=1.0, faults_on_reads=False)
    first = run_cli("push", "--to", "fortnox", str(src), "--attach", str(docs), "--json")
    emu.configure(drop_after_commit_rate=0.0)
    if first.exit_code != 0:  # every answer lost: it may take a second run to connect
        assert _statuses(
            run_cli("push", "--to", "fortnox", str(src), "--attach", str(docs), "--json")
        )
    files = emu.state.inbox_files()
    assert len(files) == 1, [f.name for f in files]
    assert "%22" in files[0].name  # what Fortnox keeps
    check_exactly_once(emu, ws, 1, 1)


def test_d1_documents_of_a_voucher_found_again_are_not_uploaded_twice(
    emulator: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    """A lost journal after the vouchers were posted but before their documents were
    connected: the next run finds the uploads in the inbox and connects them."""
    from ledgerlink_core import Runtime
    from ledgerlink_core.export.inputs import read_push_input
    from ledgerlink_core.jobs import PushRequest, push

    emu = emulator
    ws = workspace(emu, tmp_path / "home")
    apply_env(ws, monkeypatch)
    src = make_vouchers(emu, tmp_path, 2, attachments=1)
    items = read_push_input(src, tmp_path / "docs").items
    first = push(Runtime(), PushRequest(backend="fortnox", items=tuple(items)))
    assert first.ok
    other = tmp_path / "elsewhere"
    stored_login(emu, default_store(other / "config"))
    monkeypatch.setenv("LEDGERLINK_DATA_DIR", str(other / "data"))
    monkeypatch.setenv("LEDGERLINK_CONFIG_DIR", str(other / "config"))
    again = push(Runtime(), PushRequest(backend="fortnox", items=tuple(items)))
    assert {o.status.value for o in again.outcomes} == {"already-there"}
    assert len(emu.state.inbox_files()) == 2
    assert len(emu.state.connections()) == 2


def _one(emu: Any, tmp: Path, amount: str, text: str = "Bokslut") -> Path:
    from export_kit import active_accounts

    year = max(emu.state.years, key=lambda y: y.start)
    accounts = active_accounts(emu)
    path = tmp / "one.json"
    rows = [
        {"account": accounts[3], "amount": amount, "text": text},
        {"account": accounts[-3], "amount": f"-{amount}"},
    ]
    path.write_text(
        json.dumps([{"series": "A", "date": year.end.isoformat(), "text": text, "rows": rows}])
    )
    return path


def test_d12_amounts_with_more_than_two_decimals_are_refused_for_fortnox(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    emu = emulator
    apply_env(workspace(emu, tmp_path / "home"), monkeypatch)
    result = run_cli("push", "--to", "fortnox", str(_one(emu, tmp_path, "20.005")), "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert any("more than 2 decimals" in p and "20.005" in p for p in problems)
    assert not emu.state.vouchers(origin="api") and not _posts(emu)


def test_d13_a_text_like_the_number_tag_stays_a_string(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    emu = emulator
    apply_env(workspace(emu, tmp_path / "home"), monkeypatch)
    src = _one(emu, tmp_path, "20.50", text="__dec__42")
    assert _statuses(run_cli("push", "--to", "fortnox", str(src), "--json")) == ["created"]
    (v,) = emu.state.vouchers(origin="api")
    assert v.description == "__dec__42"
    assert v.rows[0].transaction_information == "__dec__42"


def test_d1_fresh_journal_with_list_items_without_comments(
    emulator_factory: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    """The older list shape (no ``Comments`` in list items): one listing, then only the
    vouchers of our vouchers' days are read in full; still no duplicate."""
    emu = emulator_factory(voucher_list_comments=False)
    src = make_vouchers(emu, tmp_path, 3, attachments=0)
    apply_env(workspace(emu, tmp_path / "first"), monkeypatch)
    assert _statuses(run_cli("push", "--to", "fortnox", str(src), "--json")) == ["created"] * 3
    apply_env(workspace(emu, tmp_path / "second"), monkeypatch)
    logged = len(emu.state.request_log)
    again = run_cli("push", "--to", "fortnox", str(src), "--json")
    assert _statuses(again) == ["already-there"] * 3
    assert not _dupes(emu) and len(emu.state.vouchers(origin="api")) == 3
    log = emu.state.request_log[logged:]
    assert sum("/3/vouchers/sublist/" in r.path for r in log) == 1
    day = max(emu.state.years, key=lambda y: y.start).end
    on_day = [v for v in emu.state.vouchers() if v.date == day]
    full_reads = [r for r in log if r.path.startswith("/3/vouchers/A/")]
    assert len(full_reads) <= len(on_day)
