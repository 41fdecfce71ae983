"""``ledgerlink pull --from fortnox --attachments DIR`` against the emulator over TCP: 25
documents on vouchers come back byte for byte, a second run downloads nothing, a download
broken off is named and finishes on the next run, a missing scope is said, and the folder
pushed back into another company connects every document to its voucher again."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from export_kit import Workspace, apply_env, workspace
from fortnox_testkit import default_store, stored_login

FILES = 25
WINDOW = 1.0
"""Fortnox's 25 requests per 5 s, on a clock five times faster (client and emulator)."""
FAST = {"rate_limit_window": WINDOW, "retry_after_unit": WINDOW / 5}


def _expected(emu: Any) -> dict[str, bytes]:
    """Local name -> bytes of every document the emulator connects to a voucher."""
    files = {f.id: f for f in emu.state.inbox_files()}
    out: dict[str, bytes] = {}
    for c in emu.state.connections():
        f = files[c.file_id]
        out[f"{c.series}-{c.number}_{f.name}"] = f.data
    return out


def _folder(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def _answered(emu: Any, since: int = 0) -> list[str]:
    """Paths of the requests answered 200 (a 429 the client retried is not a request made)."""
    return [r.path for r in emu.state.request_log[since:] if r.status == 200]


def _archive_reads(emu: Any, since: int = 0) -> list[str]:
    return [p for p in _answered(emu, since) if p.startswith("/3/archive")]


def _use(emu: Any, home: Path, monkeypatch: pytest.MonkeyPatch) -> Workspace:
    ws = workspace(emu, home)
    apply_env(ws, monkeypatch)
    monkeypatch.setenv("LEDGERLINK_FORTNOX__RATE_LIMIT_WINDOW", str(WINDOW))
    return ws


@pytest.fixture
def company(emulator_factory: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    emu = emulator_factory(attached_files=FILES, **FAST)
    _use(emu, tmp_path / "home", monkeypatch)
    return emu


def _pull(run_cli: Any, emu: Any, directory: Path, out: Path) -> Any:
    year = emu.state.default_year().end.year
    return run_cli(
        "pull", "--from", "fortnox", "--year", str(year), "-o", str(out),
        "--attachments", str(directory),
    )  # fmt: skip


def test_the_seeded_documents_are_varied(company: Any) -> None:
    expected = _expected(company)
    assert len(expected) == FILES
    suffixes = Counter(name.rsplit(".", 1)[-1].lower() for name in expected)
    assert set(suffixes) == {"pdf", "jpg", "png"}
    per_voucher = Counter(name.split("_", 1)[0] for name in expected)
    assert 2 in per_voucher.values()
    assert any(" " in n and any(ch in n for ch in "åäöÅÄÖ") for n in expected)
    assert len({len(data) for data in expected.values()}) > 10


def test_every_document_comes_back_byte_for_byte_and_a_second_run_downloads_nothing(
    company: Any, run_cli: Any, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    first = _pull(run_cli, company, docs, tmp_path / "year.se")
    assert first.exit_code == 0, first.stderr
    assert _folder(docs) == _expected(company)
    assert f"{FILES} downloaded" in first.stderr and "0 failed" in first.stderr
    assert len(_archive_reads(company)) == FILES

    before = len(company.state.request_log)
    second = _pull(run_cli, company, docs, tmp_path / "year.se")
    assert second.exit_code == 0, second.stderr
    assert f"0 downloaded (0 bytes), {FILES} already there" in second.stderr
    new = _answered(company, before)
    assert not _archive_reads(company, before), "a second run downloaded again"
    assert new.count("/3/voucherfileconnections") == 1  # the listing is all it asked
    assert _folder(docs) == _expected(company)


def test_a_download_broken_off_is_named_the_rest_land_and_a_rerun_finishes(
    company: Any, run_cli: Any, tmp_path: Path
) -> None:
    files = sorted(company.state.inbox_files(), key=lambda f: f.name)
    broken = files[:3]
    company.configure(cut_downloads=[f.id for f in broken])
    docs = tmp_path / "docs"
    first = _pull(run_cli, company, docs, tmp_path / "year.se")
    assert first.exit_code == 1, first.stderr
    for f in broken:
        assert f"attachment {f.name!r} of voucher" in first.stderr
    assert "3 attachment(s) could not be imported" in first.stderr
    assert f"{FILES - 3} downloaded" in first.stderr
    expected = _expected(company)
    got = _folder(docs)
    assert not [n for n in got if n.startswith(".")], "a partial file was left behind"
    assert len(got) == FILES - 3
    assert all(expected[name] == data for name, data in got.items())

    company.configure(cut_downloads=[])
    before = len(company.state.request_log)
    second = _pull(run_cli, company, docs, tmp_path / "year.se")
    assert second.exit_code == 0, second.stderr
    assert "3 downloaded" in second.stderr and f"{FILES - 3} already there" in second.stderr
    assert len(_archive_reads(company, before)) == 3
    assert _folder(docs) == expected


def test_a_killed_run_leaves_a_temporary_file_that_the_next_run_removes(
    company: Any, run_cli: Any, tmp_path: Path
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / ".A-1_kvitto 1.pdf.x1y2z3.part").write_bytes(b"%PDF-1.4\nhalf")
    result = _pull(run_cli, company, docs, tmp_path / "year.se")
    assert result.exit_code == 0, result.stderr
    assert _folder(docs) == _expected(company)


def test_without_the_archive_scope_the_scope_is_named(
    company: Any, run_cli: Any, tmp_path: Path
) -> None:
    config = tmp_path / "home" / "config"
    stored_login(company, default_store(config), "bookkeeping companyinformation connectfile")
    result = _pull(run_cli, company, tmp_path / "docs", tmp_path / "year.se")
    assert result.exit_code != 0
    assert "'archive' scope" in result.stderr
    assert not [p for p in (tmp_path / "docs").iterdir()], "nothing may land without access"


def _push_input(book: dict[str, Any], labels: set[str], path: Path) -> Path:
    chosen = [v for v in book["vouchers"] if f"{v['series']}-{v['number']}" in labels]
    path.write_text(json.dumps({"vouchers": chosen}, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_round_trip_through_push_attach_keeps_every_link(
    emulator_factory: Any, run_cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = emulator_factory(attached_files=FILES, **FAST)
    _use(source, tmp_path / "source", monkeypatch)
    year = source.state.default_year().end.year
    docs = tmp_path / "docs"
    pulled = run_cli(
        "pull", "--from", "fortnox", "--year", str(year), "--json", "--attachments", str(docs)
    )
    assert pulled.exit_code == 0, pulled.stderr
    labels = {name.split("_", 1)[0] for name in _folder(docs)}
    vouchers = _push_input(json.loads(pulled.stdout), labels, tmp_path / "vouchers.json")

    # Another company, the same chart, without per-year account rules the seed's own
    # vouchers were never checked against.
    target = emulator_factory(account_settings=(), **FAST)
    _use(target, tmp_path / "target", monkeypatch)
    pushed = run_cli("push", "--to", "fortnox", str(vouchers), "--attach", str(docs), "--json")
    assert pushed.exit_code == 0, pushed.stderr
    outcomes = json.loads(pushed.stdout)["outcomes"]
    assert {o["status"] for o in outcomes} == {"created"}

    # Each voucher of the input holds in the target exactly the documents it held at the
    # source, byte for byte.
    source_docs: dict[str, Counter[bytes]] = {}
    for name, data in _folder(docs).items():
        source_docs.setdefault(name.split("_", 1)[0], Counter())[data] += 1
    files = {f.id: f.data for f in target.state.inbox_files()}
    target_docs: dict[tuple[str, str], Counter[bytes]] = {}
    for c in target.state.connections():
        target_docs.setdefault((c.series, str(c.number)), Counter())[files[c.file_id]] += 1
    for o in outcomes:
        placed = (o["placement"]["series"], o["placement"]["number"])
        label = o["voucher"].replace(" ", "-")
        assert target_docs.get(placed) == source_docs[label], o["voucher"]

    def count(docs: dict[Any, Counter[bytes]]) -> int:
        return sum(c.total() for c in docs.values())

    assert count(target_docs) == count(source_docs) == FILES
