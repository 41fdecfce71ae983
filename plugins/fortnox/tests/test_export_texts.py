"""Texts as Fortnox takes them, over TCP against the strict emulator: a push with characters
Fortnox refuses is refused whole before anything is sent, naming each; with
``--normalise-text`` every voucher lands, each series numbered in input order, with the
original texts kept in the voucher's Comments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from export_kit import apply_env, make_vouchers, workspace
from ledgerlink_core import find_marker


def _writes(emu: Any) -> list[str]:
    return [r.path for r in emu.state.request_log if r.method != "GET" and "/3/" in r.path]


def test_refused_characters_stop_the_whole_push_then_normalise_lands_all_in_order(
    emulator: Any, tmp_path: Path, run_cli: Any, monkeypatch: Any
) -> None:
    apply_env(workspace(emulator, tmp_path / "home"), monkeypatch)
    src = make_vouchers(emulator, tmp_path, 30, attachments=0)
    data = json.loads(src.read_text())
    data[6]["text"] = 'Hyra "lokal" dec'  # voucher A 7
    data[20]["rows"][1]["text"] = "Avgift <bank>"  # voucher A 21, its second row
    src.write_text(json.dumps(data))

    refused = run_cli("push", "--to", "fortnox", str(src), "--json")
    assert refused.exit_code == 1, refused.stderr
    assert json.loads(refused.stdout)["problems"] == [
        "voucher A 7: its text has characters fortnox refuses: '\"'",
        "voucher A 21: its row 2 text has characters fortnox refuses: '<', '>'",
    ]
    assert not emulator.state.vouchers(origin="api") and not _writes(emulator)

    pushed = run_cli("push", "--to", "fortnox", str(src), "--normalise-text", "--json")
    assert pushed.exit_code == 0, pushed.stderr
    report = json.loads(pushed.stdout)
    assert [o["status"] for o in report["outcomes"]] == ["created"] * 30
    numbers = [int(o["placement"]["number"]) for o in report["outcomes"]]
    assert numbers == sorted(numbers) and len(set(numbers)) == 30, "posted out of input order"
    assert [(c["voucher"], c["field"], c["after"]) for c in report["text_changes"]] == [
        ("A 7", "text", "Hyra ’’lokal’’ dec"),
        ("A 21", "row 2 text", "Avgift (bank)"),
    ]

    held = {find_marker(v.comments): v for v in emulator.state.vouchers(origin="api")}
    seventh = held[report["outcomes"][6]["external_ref"]]
    assert seventh.description == "Hyra ’’lokal’’ dec"
    assert "text was: Hyra \\u0022lokal\\u0022 dec" in seventh.comments
    twenty_first = held[report["outcomes"][20]["external_ref"]]
    assert twenty_first.rows[1].transaction_information == "Avgift (bank)"
    assert "row 2 text was: Avgift \\u003cbank\\u003e" in twenty_first.comments

    # The same input again, normalised the same way: the same exports, nothing sent.
    before = len(_writes(emulator))
    again = run_cli("push", "--to", "fortnox", str(src), "--normalise-text", "--json")
    assert {o["status"] for o in json.loads(again.stdout)["outcomes"]} == {"already-there"}
    assert len(_writes(emulator)) == before
