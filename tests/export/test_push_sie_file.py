"""``ledgerlink push --to sie_file``: the same journaled pipeline writing a SIE 4I file."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

from ledgerlink_core.model import ObjectRef, Voucher, VoucherRow
from ledgerlink_core.sie import read_sie


def write_vouchers(path: Path, n: int = 3) -> list[Voucher]:
    vouchers = [
        Voucher(
            series="A",
            number=str(i),
            date=dt.date(2025, 12, 31),
            text=f"Bokslut {i}",
            rows=(
                VoucherRow(
                    account="1790",
                    amount=Decimal(f"{i}00.25"),
                    objects=(ObjectRef(dimension=6, number="P1"),),
                ),
                VoucherRow(account="5010", amount=-Decimal(f"{i}00.25")),
            ),
        )
        for i in range(1, n + 1)
    ]
    path.write_text(json.dumps([v.model_dump(mode="json") for v in vouchers]))
    return vouchers


def journal_rows(home: Path) -> list[tuple[Any, ...]]:
    db = sqlite3.connect(home / "data" / "export-journal.sqlite3")
    return list(db.execute("SELECT label, state, series, number FROM vouchers ORDER BY label"))


def test_push_twice_writes_once(run_cli: Any, tmp_path: Path, isolated_dirs: Path) -> None:
    src = tmp_path / "v.json"
    vouchers = write_vouchers(src)
    out = tmp_path / "out.si"
    first = run_cli("push", "--to", "sie_file", "--set", f"path={out}", str(src), "--json")
    assert first.exit_code == 0, first.stderr
    report = json.loads(first.stdout)
    assert [o["status"] for o in report["outcomes"]] == ["created"] * 3
    assert report["ok"] is True
    written = read_sie(out).bookkeeping.vouchers
    assert [(v.series, v.number, v.rows) for v in written] == [
        (v.series, v.number, v.rows) for v in vouchers
    ]
    stamp = out.stat().st_mtime_ns

    second = run_cli("push", "--to", "sie_file", "--set", f"path={out}", str(src), "--json")
    assert second.exit_code == 0
    assert [o["status"] for o in json.loads(second.stdout)["outcomes"]] == ["already-there"] * 3
    assert out.stat().st_mtime_ns == stamp  # nothing rewritten
    assert journal_rows(isolated_dirs) == [
        ("A 1", "confirmed", "A", "1"),
        ("A 2", "confirmed", "A", "2"),
        ("A 3", "confirmed", "A", "3"),
    ]

    status = run_cli("push", "--status")
    assert status.exit_code == 0
    assert "3 confirmed" in status.stdout and "A 2" in status.stdout
    as_json = json.loads(run_cli("push", "--status", "--json").stdout)
    assert {e["status"] for e in as_json["entries"]} == {"confirmed"}


def test_crash_between_write_and_confirm_is_recovered(
    run_cli: Any, tmp_path: Path, isolated_dirs: Path
) -> None:
    """A run that died after the atomic replace but before recording it: the file is
    searched, the vouchers are found and nothing is appended twice."""
    src = tmp_path / "v.json"
    write_vouchers(src, 2)
    out = tmp_path / "out.si"
    assert run_cli("push", "--to", "sie_file", "--set", f"path={out}", str(src)).exit_code == 0
    db = sqlite3.connect(isolated_dirs / "data" / "export-journal.sqlite3")
    db.execute("UPDATE vouchers SET state = 'sending', series = NULL, number = NULL")
    db.commit()
    again = run_cli("push", "--to", "sie_file", "--set", f"path={out}", str(src), "--json")
    assert [o["status"] for o in json.loads(again.stdout)["outcomes"]] == ["already-there"] * 2
    assert len(read_sie(out).bookkeeping.vouchers) == 2

    # Died before the replace: the file lacks the voucher, so it is written now.
    more = tmp_path / "more.json"
    write_vouchers(more, 3)
    db.execute("UPDATE vouchers SET state = 'sending'")
    db.commit()
    third = run_cli("push", "--to", "sie_file", "--set", f"path={out}", str(more), "--json")
    statuses = [o["status"] for o in json.loads(third.stdout)["outcomes"]]
    assert statuses == ["already-there", "already-there", "created"]
    assert [v.number for v in read_sie(out).bookkeeping.vouchers] == ["1", "2", "3"]


def test_attachments_are_refused_before_anything_is_done(
    run_cli: Any, tmp_path: Path, isolated_dirs: Path
) -> None:
    src = tmp_path / "v.json"
    write_vouchers(src, 1)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "A-1.pdf").write_bytes(b"%PDF-1.4\n")
    out = tmp_path / "out.si"
    result = run_cli(
        "push", "--to", "sie_file", "--set", f"path={out}", str(src), "--attach", str(docs)
    )
    assert result.exit_code == 6
    assert "does not support export.attachments" in result.stderr
    assert not out.exists()
    assert not (isolated_dirs / "data" / "export-journal.sqlite3").exists()

    # Attachments named in the JSON are refused the same way.
    data = json.loads(src.read_text())
    data[0]["attachments"] = ["docs/A-1.pdf"]  # relative to the JSON, inside its folder
    src.write_text(json.dumps(data))
    result = run_cli("push", "--to", "sie_file", "--set", f"path={out}", str(src))
    assert result.exit_code == 6 and not out.exists()


def test_dry_run_series_and_ksumma(run_cli: Any, tmp_path: Path, isolated_dirs: Path) -> None:
    src = tmp_path / "v.json"
    write_vouchers(src, 2)
    out = tmp_path / "out.si"
    dry = run_cli("push", "--to", "sie_file", "--set", f"path={out}", str(src), "--dry-run")
    assert dry.exit_code == 0
    assert "dry run: nothing sent" in dry.stdout and "would-create" in dry.stdout
    assert not out.exists()

    args = ["--set", f"path={out}", "--set", "ksumma=true", "--series", "K", str(src)]
    assert run_cli("push", "--to", "sie_file", *args).exit_code == 0
    doc = read_sie(out)
    assert doc.info.ksumma == "valid"
    assert [v.series for v in doc.bookkeeping.vouchers] == ["K", "K"]
    dry = run_cli("push", "--to", "sie_file", *args, "--dry-run", "--json")
    assert [o["status"] for o in json.loads(dry.stdout)["outcomes"]] == ["already-there"] * 2


def test_validation_lists_every_problem_and_writes_nothing(
    run_cli: Any, tmp_path: Path, isolated_dirs: Path
) -> None:
    src = tmp_path / "v.json"
    src.write_text(
        json.dumps(
            [
                {"series": "A", "number": "1", "date": "2025-12-31", "rows": []},
                {
                    "series": "A",
                    "number": "2",
                    "date": "2025-12-31",
                    "rows": [{"account": "1790", "amount": "0"}],
                },
                {
                    "series": "A",
                    "number": "3",
                    "date": "2025-12-31",
                    "rows": [
                        {"account": "1790", "amount": "10"},
                        {"account": "5010", "amount": "-9.50"},
                    ],
                },
            ]
        )
    )
    out = tmp_path / "out.si"
    result = run_cli("push", "--to", "sie_file", "--set", f"path={out}", str(src), "--json")
    assert result.exit_code == 1
    body = json.loads(result.stdout)
    assert body["ok"] is False
    assert body["problems"] == [
        f"voucher #3 (A 3) ({src}): unbalanced: its rows sum to 0.50",
        "voucher A 1: empty: it has no rows",
        "voucher A 2: it has only one row (at least two are needed)",
    ]
    assert not out.exists()
    assert not (isolated_dirs / "data" / "export-journal.sqlite3").exists()
    assert sorted(os.listdir(tmp_path)) == ["v.json"]


def test_push_into_another_companys_file_is_refused(
    run_cli: Any, tmp_path: Path, isolated_dirs: Path
) -> None:
    from ledgerlink_core import example_company_path

    target = tmp_path / "books.se"
    target.write_bytes(example_company_path().read_bytes())
    target_org = read_sie(target).bookkeeping.company.org_nr
    assert target_org
    before = target.read_bytes()
    src = tmp_path / "v.json"
    write_vouchers(src)
    body = {"company": {"org_nr": "999999-0000"}, "vouchers": json.loads(src.read_text())}
    src.write_text(json.dumps(body))
    for dry in ([], ["--dry-run"]):
        refused = run_cli("push", "--to", "sie_file", "--set", f"path={target}", str(src), *dry)
        assert refused.exit_code == 1
        assert "999999-0000" in refused.stderr and target_org in refused.stderr
        assert "Traceback" not in refused.stderr
    assert target.read_bytes() == before
    assert not (isolated_dirs / "data" / "export-journal.sqlite3").exists()
    # the same company, written either way, is taken
    digits = target_org.replace("-", "")
    body["company"] = {"org_nr": digits}
    # unnumbered: the example company's file holds its own A 1-3 already
    body["vouchers"] = [{**v, "number": None} for v in body["vouchers"]]
    src.write_text(json.dumps(body))
    ok = run_cli("push", "--to", "sie_file", "--set", f"path={target}", str(src), "--dry-run")
    assert ok.exit_code == 0, ok.stderr
