"""Issue 15, D10, D11, D14 and S1 (../shared/docs/reliability-review.md): what the input may
hold, checked in core for every target; one test per finding, named after it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ledgerlink_core import read_sie

HEAD = '#FLAGGA 0\n#SIETYP 4\n#FNAMN "T"\n#RAR 0 20250101 20251231\n'
PDF = b"%PDF-1.4\n%%EOF\n"


def _voucher(series: str = "A", number: str | None = None, **kw: Any) -> dict[str, Any]:
    rows = kw.pop("rows", [{"account": "1910", "amount": "5"}, {"account": "3000", "amount": "-5"}])
    return {
        "series": series,
        "number": number,
        "date": "2025-01-05",
        "text": "x",
        "rows": rows,
        **kw,
    }


def _push(run_cli: Any, src: Path, target: Path, *extra: str) -> Any:
    return run_cli("push", "--to", "sie_file", "--set", f"path={target}", str(src), *extra)


def test_d10_accounts_must_be_numeric_for_every_target(tmp_path: Path, run_cli: Any) -> None:
    src = tmp_path / "acct.json"
    rows = [
        {"account": "19 10", "amount": "5"},
        {"account": "abc", "amount": "-3"},
        {"account": "", "amount": "1"},
        {"account": "-3000", "amount": "-3"},
    ]
    src.write_text(json.dumps([_voucher(rows=rows)]))
    out = tmp_path / "out.si"
    result = _push(run_cli, src, out, "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    for account in ("19 10", "abc", "", "-3000"):
        assert any(f"account {account!r} is not an account number" in p for p in problems)
    assert not out.exists()


def test_d11_sums_are_exact_beyond_28_digits(tmp_path: Path, run_cli: Any) -> None:
    src = tmp_path / "unb.si"
    src.write_text(
        HEAD + '#VER A 1 20250105 "t"\n{\n#TRANS 1910 {} 10000000000000000000000000000\n'
        "#TRANS 1910 {} 0.01\n#TRANS 3000 {} -10000000000000000000000000000\n}\n"
        '#VER A 2 20250105 "t"\n{\n#TRANS 1910 {} 5.000000000000000000000000000001\n'
        "#TRANS 3000 {} -5.000000000000000000000000000001\n}\n"
    )
    out = tmp_path / "o.si"
    result = _push(run_cli, src, out, "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert len(problems) == 1 and "A 1" in problems[0] and "0.01" in problems[0]
    assert not out.exists()
    # the balanced pair reads as balanced; the other is not clean in `check`
    doc = read_sie(src, strict=False)
    assert [v.number for v in doc.bookkeeping.vouchers] == ["2"]
    check = run_cli("check", str(src))
    assert check.exit_code == 1


def test_d14_two_input_vouchers_with_one_number_are_reported(tmp_path: Path, run_cli: Any) -> None:
    src = tmp_path / "dup.json"
    src.write_text(json.dumps([_voucher(number="7"), _voucher(number="7", text="y")]))
    result = _push(run_cli, src, tmp_path / "o.si", "--json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)["problems"]
    assert any("2 input vouchers carry this series and number" in p for p in problems)


def test_d14_attachment_name_matching_two_vouchers_is_reported(
    tmp_path: Path, run_cli: Any
) -> None:
    from ledgerlink_core.export.inputs import read_push_input

    src = tmp_path / "col.json"
    src.write_text(json.dumps([_voucher("A-1", "2"), _voucher("A", "1-2", text="y")]))
    docs = tmp_path / "col"
    docs.mkdir()
    (docs / "A-1-2.pdf").write_bytes(PDF)
    pushed = read_push_input(src, docs)
    assert any(
        "A-1-2.pdf: its name matches more than one voucher (A-1 2 and A 1-2)" in p
        for p in pushed.problems
    )
    assert all(not item.attachments for item in pushed.items)


def test_s1_json_attachment_paths_are_confined_to_the_inputs_folder(tmp_path: Path) -> None:
    from ledgerlink_core import InputError
    from ledgerlink_core.export.inputs import read_push_input

    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "private.pdf").write_bytes(PDF + b"TOP SECRET")
    j = tmp_path / "j"
    j.mkdir()
    (j / "link.pdf").symlink_to(secret / "private.pdf")
    (j / "mine.pdf").write_bytes(PDF)
    for name in ("../secret/private.pdf", str(secret / "private.pdf"), "link.pdf"):
        src = j / "trav.json"
        src.write_text(json.dumps([_voucher(number="1", attachments=[name])]))
        try:
            read_push_input(src)
        except InputError as exc:
            message = str(exc)
        else:
            raise AssertionError(f"{name} was accepted")
        assert "voucher A 1" in message and name in message and "outside" in message
        assert "\n" not in message
    src = j / "ok.json"
    src.write_text(json.dumps([_voucher(number="1", attachments=["mine.pdf"])]))
    (item,) = read_push_input(src).items
    assert [a.filename for a in item.attachments] == ["mine.pdf"]


def test_s1_cli_refuses_with_one_line_and_exit_2(tmp_path: Path, run_cli: Any) -> None:
    (tmp_path / "secret.pdf").write_bytes(PDF)
    j = tmp_path / "j"
    j.mkdir()
    src = j / "trav.json"
    src.write_text(json.dumps([_voucher(number="1", attachments=["../secret.pdf"])]))
    result = _push(run_cli, src, tmp_path / "o.si", "--dry-run")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "../secret.pdf" in result.stderr


def test_c10_an_attachment_over_the_limit_is_refused_by_its_size_unread(tmp_path: Path) -> None:
    """Reliability review C10: a 1.5 GB attachment was read whole (RSS 1.58 GB) only to be
    refused as over the limit. Here a sparse 2 GiB file is refused with next to no memory."""
    import tracemalloc

    from ledgerlink_core.export.inputs import read_push_input

    src = tmp_path / "v.json"
    src.write_text(json.dumps([_voucher(number="1")]))
    docs = tmp_path / "docs"
    docs.mkdir()
    huge = docs / "A-1_huge.pdf"
    with huge.open("wb") as f:
        f.write(PDF)
        f.truncate(2 * 1024**3)  # sparse: no disk used
    tracemalloc.start()
    try:
        pushed = read_push_input(src, docs, max_attachment_bytes=10 * 1024**2)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 1024**2, peak
    assert pushed.items[0].attachments == ()
    assert pushed.problems == [
        f"voucher A 1: attachment {huge} is {2 * 1024**3} bytes, over the target's limit of "
        f"{10 * 1024**2} bytes"
    ]


def test_c10_an_attachment_is_hashed_in_a_stream(tmp_path: Path) -> None:
    """Under the limit (or with none), the digest is taken in a stream: memory stays flat."""
    import hashlib
    import tracemalloc

    from ledgerlink_core.export.inputs import attachment_ref

    doc = tmp_path / "big.pdf"
    with doc.open("wb") as f:
        f.write(PDF)
        f.truncate(64 * 1024**2)
    tracemalloc.start()
    try:
        ref = attachment_ref(doc)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 8 * 1024**2, peak
    assert ref.size == 64 * 1024**2 and ref.media_type == "application/pdf"
    with doc.open("rb") as f:
        assert ref.sha256 == hashlib.file_digest(f, "sha256").hexdigest()
