"""Issue 15, SIE file targets (D4-D9, C4, C5 of ../shared/docs/reliability-review.md): the
file is checked, not the journal; the lock is on the file; numbers are never doubled; a 4E
stays valid; a read-only target is refused and the mode kept; I/O errors are clean."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock
from ledgerlink_core import (
    Voucher,
    check_sie,
    example_company_path,
    read_sie,
    write_sie,
)

HEAD = '#FLAGGA 0\n#SIETYP 4\n#FNAMN "Gen AB"\n#RAR 0 20250101 20251231\n'


def _gen(n: int, tag: str, *, numbered: bool = False, start: int = 1) -> str:
    out = []
    for i in range(start, start + n):
        number = f'"{i}"' if numbered else '""'
        day = dt.date(2025, 1, 1) + dt.timedelta(days=i % 300)
        amount = f"{100 + i}.00"
        out.append(
            f'#VER "A" {number} {day:%Y%m%d} "{tag} voucher {i}"\n{{\n'
            f"#TRANS 6570 {{}} {amount}\n#TRANS 1930 {{}} -{amount}\n}}\n"
        )
    return "".join(out)


def _input(tmp: Path, name: str, n: int, tag: str, **kw: Any) -> Path:
    path = tmp / name
    path.write_text(HEAD + _gen(n, tag, **kw), encoding="cp437")
    return path


def _push(run_cli: Any, target: Path, src: Path, *extra: str) -> Any:
    return run_cli(
        "push", "--to", "sie_file", "--set", f"path={target}", str(src), "--json", *extra
    )


def _statuses(result: Any) -> list[str]:
    assert result.exit_code in (0, 8), result.stderr
    return [o["status"] for o in json.loads(result.stdout)["outcomes"]]


def _vouchers(path: Path) -> tuple[Voucher, ...]:
    return read_sie(path, strict=False).bookkeeping.vouchers


def _journal_states() -> list[str]:
    path = Path(os.environ["LEDGERLINK_DATA_DIR"]) / "export-journal.sqlite3"
    if not path.exists():
        return []
    db = sqlite3.connect(path)
    try:
        return [r[0] for r in db.execute("SELECT state FROM vouchers")]
    finally:
        db.close()


def test_d4_deleted_target_gets_its_vouchers_written_again(tmp_path: Path, run_cli: Any) -> None:
    src, out = _input(tmp_path, "f5.si", 5, "f5"), tmp_path / "out.si"
    assert _statuses(_push(run_cli, out, src)) == ["created"] * 5
    out.unlink()
    again = _push(run_cli, out, src)
    assert again.exit_code == 0, again.stderr
    assert _statuses(again) == ["created"] * 5
    assert len(_vouchers(out)) == 5


def test_d4_target_replaced_by_an_older_copy_gets_the_missing_ones(
    tmp_path: Path, run_cli: Any
) -> None:
    out = tmp_path / "out.si"
    assert _statuses(_push(run_cli, out, _input(tmp_path, "f3.si", 3, "f"))) == ["created"] * 3
    shutil.copy(out, tmp_path / "old.si")
    src = _input(tmp_path, "f5.si", 5, "f")
    assert _statuses(_push(run_cli, out, src)) == ["already-there"] * 3 + ["created"] * 2
    shutil.copy(tmp_path / "old.si", out)
    assert _statuses(_push(run_cli, out, src)) == ["already-there"] * 3 + ["created"] * 2
    assert len(_vouchers(out)) == 5


def test_d5_the_lock_is_on_the_target_file(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another push (another data dir) holds the target: this one writes nothing, says so
    and leaves no voucher ``sending``; afterwards it writes."""
    out = tmp_path / "shared.si"
    first = _input(tmp_path, "a.si", 4, "a")
    assert _statuses(_push(run_cli, out, first)) == ["created"] * 4
    before = out.read_bytes()
    monkeypatch.setenv("LEDGERLINK_DATA_DIR", str(tmp_path / "d2"))
    second = _input(tmp_path, "b.si", 3, "b")
    with FileLock(tmp_path / ".shared.si.lock"):
        busy = _push(run_cli, out, second)
    assert busy.exit_code == 9  # busy: nothing was sent
    assert "another push is writing" in busy.stderr and str(out) in busy.stderr
    assert len(busy.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == before
    assert "sending" not in _journal_states()
    assert _statuses(_push(run_cli, out, second)) == ["created"] * 3
    assert len(_vouchers(out)) == 7  # neither push lost the other's vouchers


def test_d6_existing_voucher_numbers_are_never_duplicated(tmp_path: Path, run_cli: Any) -> None:
    out = _input(tmp_path, "num.si", 3, "theirs", numbered=True)
    before = out.read_bytes()
    result = _push(run_cli, out, _input(tmp_path, "num3.si", 3, "ours", numbered=True))
    assert result.exit_code == 8
    outcomes = json.loads(result.stdout)["outcomes"]
    assert {o["status"] for o in outcomes} == {"failed"}
    assert "already holds another voucher A 1" in outcomes[0]["error"]
    assert out.read_bytes() == before
    numbers = [(v.series, v.number) for v in _vouchers(out)]
    assert len(numbers) == len(set(numbers)) == 3


def test_d6_check_flags_duplicate_voucher_numbers(tmp_path: Path) -> None:
    path = tmp_path / "dup.si"
    path.write_text(
        HEAD + _gen(2, "x", numbered=True) + _gen(1, "y", numbered=True), encoding="cp437"
    )
    report = check_sie(path)
    dupes = [p for p in report.problems if p.code == "duplicate-number"]
    assert len(dupes) == 1 and "A 1" in dupes[0].message


def test_d7_result_does_not_depend_on_a_crash(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The target holds numbered A 1-3 equal in everything else to unnumbered input vouchers
    1-3; a normal push and a push after a crash (every voucher left ``sending``) both write all
    five, and no placement is ``#0``."""
    src = _input(tmp_path, "s5.si", 5, "s")
    results = []
    for run in ("normal", "after-crash"):
        monkeypatch.setenv("LEDGERLINK_DATA_DIR", str(tmp_path / run))
        pre = _input(tmp_path, f"pre-{run}.si", 3, "s", numbered=True)
        if run == "after-crash":
            from ledgerlink_core.export.inputs import read_push_input
            from ledgerlink_core.export.journal import ExportJournal, journal_key

            key = journal_key("sie_file", str(pre.resolve()))
            with ExportJournal.open(tmp_path / run) as journal:
                for item in read_push_input(src).items:
                    journal.register(key, item)
                    journal.mark_sending(key, item.external_ref, "A")
        result = _push(run_cli, pre, src)
        assert result.exit_code == 0, result.stderr
        outcomes = json.loads(result.stdout)["outcomes"]
        assert all(o["placement"]["number"] != "#0" for o in outcomes)
        results.append(([o["status"] for o in outcomes], len(_vouchers(pre))))
    assert results[0] == results[1] == (["created"] * 5, 8)


def _one_voucher(tmp: Path, day: str, name: str = "one.json") -> Path:
    path = tmp / name
    rows = [{"account": "1930", "amount": "-250.00"}, {"account": "6570", "amount": "250.00"}]
    path.write_text(json.dumps([{"series": "A", "date": day, "text": "Tillagd", "rows": rows}]))
    return path


def test_d8_push_into_a_4e_keeps_it_clean_by_check(tmp_path: Path, run_cli: Any) -> None:
    target = tmp_path / "books.se"
    shutil.copy(example_company_path(), target)
    assert check_sie(target).errors == 0
    year = read_sie(target).bookkeeping.fiscal_year(0)
    assert year is not None
    result = _push(run_cli, target, _one_voucher(tmp_path, year.end.isoformat()))
    assert _statuses(result) == ["created"]
    report = check_sie(target)
    assert report.errors == 0, report.problems


def test_d8_push_into_a_4e_keeps_a_valid_ksumma(tmp_path: Path, run_cli: Any) -> None:
    target = tmp_path / "books.se"
    book = read_sie(example_company_path()).bookkeeping
    write_sie(book, target, sie_type="4E", ksumma=True)
    assert check_sie(target).ksumma == "valid"
    year = book.fiscal_year(0)
    assert year is not None
    assert _statuses(_push(run_cli, target, _one_voucher(tmp_path, year.end.isoformat()))) == [
        "created"
    ]
    report = check_sie(target)
    assert report.ksumma == "valid" and report.errors == 0


def test_d8_vouchers_outside_the_targets_rar_years_are_refused(
    tmp_path: Path, run_cli: Any
) -> None:
    target = tmp_path / "books.se"
    shutil.copy(example_company_path(), target)
    before = target.read_bytes()
    year = read_sie(target).bookkeeping.fiscal_year(0)
    assert year is not None
    late = (year.end + dt.timedelta(days=400)).isoformat()
    result = _push(run_cli, target, _one_voucher(tmp_path, late))
    assert result.exit_code == 1
    assert "outside every fiscal year" in result.stdout
    assert target.read_bytes() == before


def test_d9_read_only_target_is_refused(tmp_path: Path, run_cli: Any) -> None:
    out = tmp_path / "ro.si"
    assert _statuses(_push(run_cli, out, _input(tmp_path, "a.si", 2, "a"))) == ["created"] * 2
    out.chmod(0o444)
    before = out.read_bytes()
    result = _push(run_cli, out, _input(tmp_path, "b.si", 2, "b"))
    assert result.exit_code == 2
    assert "read-only" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == before and stat.S_IMODE(out.stat().st_mode) == 0o444


def test_d9_the_target_keeps_its_mode(tmp_path: Path, run_cli: Any) -> None:
    out = tmp_path / "shared.si"
    assert _statuses(_push(run_cli, out, _input(tmp_path, "a.si", 2, "a"))) == ["created"] * 2
    out.chmod(0o644)
    assert _statuses(_push(run_cli, out, _input(tmp_path, "b.si", 2, "b"))) == ["created"] * 2
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_c4_missing_target_folder_is_refused_before_journaling(
    tmp_path: Path, run_cli: Any
) -> None:
    out = tmp_path / "nodir" / "sub" / "out.si"
    result = _push(run_cli, out, _input(tmp_path, "a.si", 5, "a"))
    assert result.exit_code == 2
    assert "does not exist" in result.stderr and str(out.parent) in result.stderr
    assert "internal error" not in result.stderr
    assert _journal_states() == []  # nothing journaled, nothing `sending`


def test_c5_full_disk_is_a_clear_error_and_leaves_nothing_sending(
    tmp_path: Path, run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ledgerlink_sie_file.sink as sink

    def full(*_: Any, **__: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(sink, "write_sie", full)
    out = tmp_path / "t.si"
    result = _push(run_cli, out, _input(tmp_path, "a.si", 3, "a"))
    assert result.exit_code == 8
    outcomes = json.loads(result.stdout)["outcomes"]
    assert all(
        o["status"] == "failed"
        and "No space left on device" in o["error"]
        and str(out) in o["error"]
        for o in outcomes
    )
    assert "internal error" not in result.stderr
    assert _journal_states() == ["failed"] * 3
    assert not out.exists()
