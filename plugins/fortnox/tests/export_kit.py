"""Helpers for the export tests: vouchers that fit the emulated company, a CLI environment
pointing at the emulator, and the exactly-once check of emulator against journal."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from fortnox_testkit import default_store, env_for, stored_login
from ledgerlink_core.export.refs import find_marker

PDF = b"%PDF-1.4\n%ledgerlink test document "


@dataclass
class Workspace:
    """One user's directories and environment for running ``ledgerlink`` against ``emu``."""

    home: Path
    env: dict[str, str]

    @property
    def journal(self) -> Path:
        return self.home / "data" / "export-journal.sqlite3"


def workspace(emu: Any, home: Path) -> Workspace:
    """Config/data dirs under ``home``, a stored login at ``emu`` and the env to use them."""
    home.mkdir(parents=True, exist_ok=True)
    stored_login(emu, default_store(home / "config"))
    env = {
        "LEDGERLINK_CONFIG_DIR": str(home / "config"),
        "LEDGERLINK_DATA_DIR": str(home / "data"),
        **env_for(emu),
    }
    return Workspace(home, env)


def apply_env(ws: Workspace, monkeypatch: Any) -> None:
    """Make an in-process CLI run use ``ws``."""
    for key, value in ws.env.items():
        monkeypatch.setenv(key, value)


def active_accounts(emu: Any) -> list[str]:
    """Active account numbers of the emulated chart."""
    return [
        str(a.number)
        for a in sorted(emu.state.accounts.values(), key=lambda a: a.number)
        if a.active
    ]


def make_vouchers(
    emu: Any, directory: Path, n: int, *, attachments: int = 1, series: str = "A"
) -> Path:
    """``n`` balanced vouchers dated in the latest year, with cost centre and project objects
    on the first row, and ``attachments`` PDF documents each in ``directory/docs`` (named by
    the ``<series>-<number>`` rule). Returns the JSON file."""
    state = emu.state
    year = max(state.years, key=lambda y: y.start)
    accounts = active_accounts(emu)
    debit, credit = accounts[3], accounts[-3]
    cc = sorted(state.costcenters)[0]
    project = sorted(state.projects)[0]
    docs = directory / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    vouchers = []
    for i in range(1, n + 1):
        amount = Decimal(1000 + i) + Decimal("0.25")
        vouchers.append(
            {
                "series": series,
                "number": str(i),
                "date": year.end.isoformat(),
                "text": f"Bokslutspost {i}",
                "rows": [
                    {
                        "account": debit,
                        "amount": str(amount),
                        "objects": [
                            {"dimension": 1, "number": cc},
                            {"dimension": 6, "number": project},
                        ],
                    },
                    {"account": credit, "amount": str(-amount)},
                ],
            }
        )
        for k in range(attachments):
            suffix = "" if k == 0 else f"_{k + 1}"
            (docs / f"{series}-{i}{suffix}.pdf").write_bytes(PDF + f"{i}/{k}".encode())
    path = directory / "vouchers.json"
    path.write_text(json.dumps(vouchers))
    return path


def check_exactly_once(emu: Any, ws: Workspace, n: int, attachments: int) -> None:
    """The emulator holds each voucher and each document exactly once, every document is
    connected to its voucher, and the journal says the same."""
    state = emu.state
    api = state.vouchers(origin="api")
    refs = Counter(find_marker(v.comments) for v in api)
    assert None not in refs, "a voucher without our reference"
    dupes = {r: c for r, c in refs.items() if c > 1}
    assert not dupes, f"duplicated vouchers: {dupes}"
    assert len(refs) == n

    files = state.inbox_files()
    names = Counter(f.name for f in files)
    assert all(c == 1 for c in names.values()), f"duplicated uploads: {names.most_common(3)}"
    assert len(files) == n * attachments
    connections = {c.file_id: c for c in state.connections()}
    assert len(connections) == n * attachments

    by_ref = {find_marker(v.comments): v for v in api}
    db = sqlite3.connect(ws.journal)
    rows = list(db.execute("SELECT ref, state, series, number, year FROM vouchers"))
    assert len(rows) == n
    for ref, st, series, number, year in rows:
        assert st == "confirmed", (ref, st)
        v = by_ref[ref]
        assert (series, number, year) == (v.series, str(v.number), v.year)
    atts = list(db.execute("SELECT ref, idx, state, file_id FROM attachments"))
    assert len(atts) == n * attachments
    for ref, _idx, st, file_id in atts:
        assert st == "connected", (ref, st)
        conn = connections[file_id]
        v = by_ref[ref]
        assert (conn.series, conn.number, conn.year) == (v.series, v.number, v.year)
        assert ref in state.files[file_id].name
    db.close()


def cli_command() -> list[str]:
    """The CLI as a subprocess command line."""
    import sys

    return [sys.executable, "-m", "ledgerlink_cli"]


def subprocess_env(ws: Workspace) -> dict[str, str]:
    """The process environment for a CLI subprocess using ``ws``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGERLINK_")}
    env.update(ws.env)
    return env
