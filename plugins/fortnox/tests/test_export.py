"""``ledgerlink push --to fortnox`` against the emulator: validation, exactly-once, round trip,
and ``ledgerlink reconcile``."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from export_kit import (
    PDF,
    active_accounts,
    apply_env,
    check_exactly_once,
    make_vouchers,
    workspace,
)
from ledgerlink_core.export.refs import find_marker
from ledgerlink_fortnox.export import MAX_ATTACHMENT_BYTES


def _posts(emu: Any) -> list[str]:
    return [r.path for r in emu.state.request_log if r.method != "GET"]


def test_push_with_attachments_then_again_is_a_no_op(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    emu = emulator
    ws = workspace(emu, tmp_path / "home")
    apply_env(ws, monkeypatch)
    src = make_vouchers(emu, tmp_path, 6, attachments=2)
    result = run_cli(
        "push", "--to", "fortnox", str(src), "--attach", str(tmp_path / "docs"), "--json"
    )
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert [o["status"] for o in report["outcomes"]] == ["created"] * 6
    assert [o["attachments"] for o in report["outcomes"]] == [2] * 6
    check_exactly_once(emu, ws, 6, 2)

    # rows carry cost centre and project; the year was chosen by date
    latest = max(emu.state.years, key=lambda y: y.start)
    for v in emu.state.vouchers(origin="api"):
        assert v.year == latest.id and v.description.startswith("Bokslutspost")
        assert v.rows[0].costcenter == sorted(emu.state.costcenters)[0]
        assert v.rows[0].project == sorted(emu.state.projects)[0]
        assert v.rows[1].costcenter == "" and v.rows[0].debit == v.rows[1].credit
    posts_before = len(_posts(emu))

    again = run_cli(
        "push", "--to", "fortnox", str(src), "--attach", str(tmp_path / "docs"), "--json"
    )
    assert again.exit_code == 0
    assert [o["status"] for o in json.loads(again.stdout)["outcomes"]] == ["already-there"] * 6
    assert len(_posts(emu)) == posts_before  # nothing sent
    check_exactly_once(emu, ws, 6, 2)

    status = run_cli("push", "--status", "--to", "fortnox", "--json")
    entries = json.loads(status.stdout)["entries"]
    assert len(entries) == 6
    assert all(e["status"] == "confirmed" and len(e["attachments"]) == 2 for e in entries)


def test_every_validation_with_its_message_and_nothing_sent(
    emulator_factory: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    probe = emulator_factory()
    accounts = active_accounts(probe)
    inactive = accounts[5]
    latest = max(probe.state.years, key=lambda y: y.start)
    locked = latest.start + dt.timedelta(days=30)
    emu = emulator_factory(locked_until=locked, inactive_accounts=frozenset({inactive}))
    ws = workspace(emu, tmp_path / "home")
    apply_env(ws, monkeypatch)
    a, b = accounts[3], accounts[-3]
    ok_day = latest.end.isoformat()

    def v(n: int, rows: list[tuple[str, str]], *, day: str = ok_day, series: str = "A") -> Any:
        return {
            "series": series,
            "number": str(n),
            "date": day,
            "text": f"v{n}",
            "rows": [{"account": acc, "amount": amt} for acc, amt in rows],
        }

    docs = tmp_path / "docs"
    docs.mkdir()
    big = docs / "A-10.pdf"
    with big.open("wb") as fh:
        fh.write(PDF)
        fh.truncate(MAX_ATTACHMENT_BYTES + 1)
    (docs / "A-99.pdf").write_bytes(PDF)
    data = [
        v(1, [(a, "10"), (b, "-9")]),  # unbalanced
        v(2, []),  # empty
        v(3, [(a, "0")]),  # one row
        v(4, [(a, "10"), ("9999", "-10")]),  # account missing
        v(5, [(a, "10"), (inactive, "-10")]),  # account inactive
        v(6, [(a, "10"), (b, "-10")], day="1999-06-30"),  # outside every year
        v(7, [(a, "10"), (b, "-10")], day=locked.isoformat()),  # locked period
        v(8, [(a, "10"), (b, "-10")], series="ZZ"),  # unknown series
        {**v(9, [(a, "10"), (b, "-10")]), "attachments": ["gone.pdf"]},  # missing attachment
        v(10, [(a, "10"), (b, "-10")]),  # attachment over the limit
        v(11, [(a, "10"), (b, "-10")]),  # fine
    ]
    src = tmp_path / "v.json"
    src.write_text(json.dumps(data))
    before = len(emu.state.request_log)
    result = run_cli("push", "--to", "fortnox", str(src), "--attach", str(docs), "--json")
    assert result.exit_code == 1, result.stderr
    problems = json.loads(result.stdout)["problems"]
    years = ", ".join(sorted(emu.state.series))
    assert problems == [
        f"voucher #1 (A 1) ({src}): unbalanced: its rows sum to 1",
        # Over the limit is found by the file's size as the input is read (C10).
        f"voucher A 10: attachment {big} is {MAX_ATTACHMENT_BYTES + 1} bytes, over the "
        f"target's limit of {MAX_ATTACHMENT_BYTES} bytes",
        "attachment A-99.pdf: its name matches no voucher (expected <series>-<number>[_...] "
        "or v<position>[_...])",
        f"voucher A 9: attachment {tmp_path / 'gone.pdf'} is missing",
        "voucher A 2: empty: it has no rows",
        "voucher A 3: it has only one row (at least two are needed)",
        "voucher A 4: account 9999 is not in fortnox's chart of accounts",
        f"voucher A 5: account {inactive} is inactive in fortnox",
        "voucher A 6: its date 1999-06-30 is outside every fiscal year in fortnox",
        f"voucher A 7: its date {locked} is in a locked period (fortnox is locked up to and "
        f"including {locked})",
        f"voucher ZZ 8: voucher series 'ZZ' does not exist in fortnox (series: {years})",
    ]
    after = emu.state.request_log[before:]
    assert all(r.method == "GET" for r in after), "validation must not write"
    assert not emu.state.vouchers(origin="api") and not emu.state.inbox_files()
    assert not ws.journal.exists()

    text = run_cli("push", "--to", "fortnox", str(src), "--attach", str(docs))
    assert text.exit_code == 1
    assert "error: 11 problems found; nothing was sent to fortnox" in text.stderr
    assert "voucher A 4: account 9999 is not in fortnox's chart of accounts" in text.stderr


def test_dry_run_sends_nothing(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    emu = emulator
    ws = workspace(emu, tmp_path / "home")
    apply_env(ws, monkeypatch)
    src = make_vouchers(emu, tmp_path, 3)
    result = run_cli(
        "push",
        "--to",
        "fortnox",
        str(src),
        "--attach",
        str(tmp_path / "docs"),
        "--dry-run",
        "--json",
    )
    assert result.exit_code == 0
    report = json.loads(result.stdout)
    assert report["dry_run"] is True
    assert [o["status"] for o in report["outcomes"]] == ["would-create"] * 3
    assert not _posts(emu) and not ws.journal.exists()


def test_round_trip_push_then_pull_sie(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    emu = emulator
    ws = workspace(emu, tmp_path / "home")
    apply_env(ws, monkeypatch)
    src = make_vouchers(emu, tmp_path, 4, attachments=0)
    pushed = json.loads(run_cli("push", "--to", "fortnox", str(src), "--json").stdout)
    where = {o["voucher"]: o["placement"] for o in pushed["outcomes"]}
    latest = max(emu.state.years, key=lambda y: y.start)
    pulled = run_cli("pull", "--from", "fortnox", "--date", latest.end.isoformat(), "--json")
    assert pulled.exit_code == 0, pulled.stderr
    book = json.loads(pulled.stdout)
    by_number = {(v["series"], v["number"]): v for v in book["vouchers"]}
    for original in json.loads(src.read_text()):
        target = where[f"A {original['number']}"]
        got = by_number[(target["series"], target["number"])]
        assert got["date"] == original["date"] and got["text"] == original["text"]
        rows = [(r["account"], Decimal(r["amount"]), r.get("objects", [])) for r in got["rows"]]
        want = [
            (r["account"], Decimal(r["amount"]), r.get("objects", [])) for r in original["rows"]
        ]
        assert rows == want


def test_reconcile_finds_exactly_the_known_differences(
    emulator_factory: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    skew = {"customer": Decimal("1234.50"), "supplier": Decimal("777.00")}
    emu = emulator_factory(subledger_skew=skew)
    apply_env(workspace(emu, tmp_path / "home"), monkeypatch)
    close = max(emu.state.years, key=lambda y: y.start).end
    result = run_cli("reconcile", "--from", "fortnox", "--date", close.isoformat(), "--json")
    assert result.exit_code == 1, result.stderr
    report = json.loads(result.stdout)
    assert report["agrees"] is False
    unbooked = {
        kind: {n for n, inv in emu.state.invoices[kind].items() if inv.voucher is None}
        for kind in ("customer", "supplier")
    }
    for line in report["lines"]:
        kind = line["kind"]
        assert Decimal(line["difference"]) == -skew[kind]
        assert Decimal(line["unexplained"]) == 0
        causes = line["causes"]
        assert [c["cause"] for c in causes] == ["document_not_in_ledger"]
        assert {c["reference"].split()[-1] for c in causes} <= unbooked[kind]
        assert sum(Decimal(c["amount"]) for c in causes) == -skew[kind]
        assert line["accounts_source"].startswith("Fortnox predefined account")

    text = run_cli("reconcile", "--from", "fortnox", "--date", close.isoformat())
    assert "DIFFERS" in text.stdout and "-1,234.50" in text.stdout


def test_reconcile_agrees_on_a_clean_company(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    apply_env(workspace(emulator, tmp_path / "home"), monkeypatch)
    close = max(emulator.state.years, key=lambda y: y.start).end
    result = run_cli("reconcile", "--from", "fortnox", "--date", close.isoformat())
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "DIFFERS" not in result.stdout
    assert result.stdout.count(" ok") == 2


def test_reference_is_written_into_comments(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    apply_env(workspace(emulator, tmp_path / "home"), monkeypatch)
    src = make_vouchers(emulator, tmp_path, 1, attachments=0)
    out = json.loads(run_cli("push", "--to", "fortnox", str(src), "--json").stdout)
    (created,) = emulator.state.vouchers(origin="api")
    assert find_marker(created.comments) == out["outcomes"][0]["external_ref"]


def test_library_use_is_exactly_once(emulator: Any, tmp_path: Path, monkeypatch: Any) -> None:
    """Pushing ready items from Python (no file, no CLI) twice: core journals it all the same."""
    from ledgerlink_core import Runtime
    from ledgerlink_core.export.inputs import read_push_input
    from ledgerlink_core.jobs import PushRequest, push

    ws = workspace(emulator, tmp_path / "home")
    apply_env(ws, monkeypatch)
    items = read_push_input(make_vouchers(emulator, tmp_path, 3, attachments=0)).items
    request = PushRequest(backend="fortnox", items=tuple(items))
    dry = push(Runtime(), request.model_copy(update={"dry_run": True}))
    assert {o.status.value for o in dry.outcomes} == {"would-create"}
    assert not emulator.state.vouchers(origin="api")
    first = push(Runtime(), request)
    second = push(Runtime(), request)
    assert {o.status.value for o in first.outcomes} == {"created"}
    assert {o.status.value for o in second.outcomes} == {"already-there"}
    assert len(emulator.state.vouchers(origin="api")) == 3
    assert ws.journal.exists()


def test_the_journal_tells_companies_apart(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    """Logged into another company at the same Fortnox host, the same input is new there:
    the journal is keyed by the company, not by the login or the host alone."""
    import dataclasses

    emu = emulator
    ws = workspace(emu, tmp_path / "home")
    apply_env(ws, monkeypatch)
    src = make_vouchers(emu, tmp_path, 2)
    first = run_cli("push", "--to", "fortnox", str(src), "--json")
    assert first.exit_code == 0, first.stderr
    assert [o["status"] for o in json.loads(first.stdout)["outcomes"]] == ["created"] * 2

    with emu.state.lock:
        emu.state.company = dataclasses.replace(emu.state.company, org_nr="559999-0001")
    other = run_cli("push", "--to", "fortnox", str(src), "--json")
    assert other.exit_code == 0, other.stderr
    # The emulator's "other company" is the same database, and the target is the truth: the
    # journal has a new key for it, but the look-up finds the vouchers there (issue 15, D1).
    assert [o["status"] for o in json.loads(other.stdout)["outcomes"]] == ["already-there"] * 2
    assert len(emu.state.vouchers(origin="api")) == 2
    status = json.loads(run_cli("push", "--status", "--json").stdout)
    targets = sorted({row["target_id"] for row in status["entries"]})
    assert {row["backend"] for row in status["entries"]} == {"fortnox"}
    assert len(targets) == 2
    assert sum("559999-0001" in t for t in targets) == 1
