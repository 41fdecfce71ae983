"""Private files and cross-process locks, one code path for POSIX and Windows
(``ledgerlink_core._files``): the export journal and the token store lock through filelock,
two processes contend and the second waits or fails with a one-line error, and the
0600-or-the-profile-folder rule is taken on both of its paths."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from ledgerlink_core import _files
from ledgerlink_core._files import WINDOWS_PROTECTION, LockBusy, file_lock, make_private
from ledgerlink_core.errors import ConfigError, ExportBusy
from ledgerlink_core.examples import example_company_path
from ledgerlink_core.export.journal import ExportJournal
from ledgerlink_core.tokens import FileTokenStore


@contextmanager
def held_elsewhere(code: str) -> Iterator[subprocess.Popen[str]]:
    """Run ``code`` (which takes a lock) in another process; it holds the lock until the block
    ends (its stdin is closed)."""
    script = textwrap.dedent(code) + "\nprint('held', flush=True)\nsys.stdin.read()\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys\n" + script],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line == "held\n", (line, proc.stderr.read() if proc.stderr else "")
        yield proc
    finally:
        if proc.stdin:
            proc.stdin.close()
        proc.wait(20)


# -- make_private: the POSIX path and the Windows path ------------------------------------


def test_posix_files_get_0600_and_folders_0700(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(os, "chmod", lambda path, mode: calls.append((Path(path).name, mode)))
    (tmp_path / "tokens.json").write_text("{}")
    assert make_private(tmp_path / "tokens.json", os_name="posix") is True
    assert make_private(tmp_path, os_name="posix") is True
    assert calls == [("tokens.json", 0o600), (tmp_path.name, 0o700)]


@pytest.mark.skipif(os.name != "posix", reason="the mode bits are POSIX's")
def test_posix_mode_bits_really_change(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text("{}")
    path.chmod(0o644)
    make_private(path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_windows_leaves_the_protection_to_the_profile_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_chmod(*args: object) -> None:
        raise AssertionError("os.chmod cannot make a file private on Windows")

    monkeypatch.setattr(os, "chmod", no_chmod)
    (tmp_path / "t.json").write_text("{}")
    assert make_private(tmp_path / "t.json", os_name="nt") is False
    monkeypatch.setattr(_files, "_os_name", lambda: "nt")
    assert make_private(tmp_path / "t.json") is False
    assert "profile" in WINDOWS_PROTECTION


def test_the_token_store_saves_without_posix_calls_on_windows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python on Windows before 3.13 has no os.fchmod; os.chmod only sets a read-only flag.
    monkeypatch.delattr(os, "fchmod", raising=False)
    monkeypatch.setattr(os, "chmod", lambda *a: pytest.fail("chmod on Windows"))
    monkeypatch.setattr(_files, "_os_name", lambda: "nt")
    store = FileTokenStore(tmp_path / "tokens" / "fortnox.json")
    with store.lock():
        store.save({"refresh_token": "r"})
    assert store.load() == {"refresh_token": "r"}


# -- no POSIX-only import ------------------------------------------------------------------


def test_journal_and_tokens_work_where_there_is_no_fcntl(tmp_path: Path) -> None:
    # As on Windows: `import fcntl` fails. The modules import, lock and exclude each other.
    code = f"""
        import sys
        sys.modules["fcntl"] = None
        from pathlib import Path
        from ledgerlink_core.errors import ExportBusy
        from ledgerlink_core.export.journal import ExportJournal
        from ledgerlink_core.tokens import FileTokenStore

        first, second = ExportJournal.open(Path({str(tmp_path)!r})), ExportJournal.open(
            Path({str(tmp_path)!r})
        )
        first.acquire("t")
        try:
            second.acquire("t")
        except ExportBusy as exc:
            print("busy:", exc)
        first.close()
        second.acquire("t")
        second.close()
        store = FileTokenStore(Path({str(tmp_path)!r}) / "tokens" / "x.json")
        with store.lock(), store.lock():
            store.save({{"a": 1}})
        assert store.load() == {{"a": 1}}
        assert "fcntl" not in {{m for m, v in sys.modules.items() if v is not None}}
        print("ok")
    """
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "busy: another push to t is running" in proc.stdout
    assert proc.stdout.rstrip().endswith("ok")


def test_no_source_of_core_imports_fcntl() -> None:
    core = Path(__import__("ledgerlink_core").__file__).parent
    offenders = [
        str(p.relative_to(core))
        for p in core.rglob("*.py")
        if "import fcntl" in p.read_text(encoding="utf-8") or "flock(" in p.read_text("utf-8")
    ]
    assert offenders == []


# -- two processes contend -----------------------------------------------------------------


def test_a_second_push_process_fails_at_once_naming_the_lock(tmp_path: Path) -> None:
    holder = f"""
        from pathlib import Path
        from ledgerlink_core.export.journal import ExportJournal
        journal = ExportJournal.open(Path({str(tmp_path)!r}))
        journal.acquire("t")
    """
    with held_elsewhere(holder):
        started = time.monotonic()
        with pytest.raises(ExportBusy) as caught:
            ExportJournal.open(tmp_path).acquire("t")
        assert time.monotonic() - started < 2, "a busy journal must fail at once, not wait"
    message = str(caught.value)
    assert "another push to t is running" in message and "export-journal." in message
    assert "\n" not in message
    # The holder has ended: the lock is free again.
    journal = ExportJournal.open(tmp_path)
    journal.acquire("t")
    journal.close()


def test_u5_push_while_another_push_to_its_target_runs_is_busy_exit_9(
    run_cli, tmp_path: Path
) -> None:
    """Reliability review U5: a second push got exit 8, "some vouchers failed", although
    nothing had been attempted."""
    data_dir = os.environ["LEDGERLINK_DATA_DIR"]
    out = tmp_path / "out.si"
    key = f"sie_file:{out.resolve()}"
    holder = f"""
        from pathlib import Path
        from ledgerlink_core.export.journal import ExportJournal
        journal = ExportJournal.open(Path({data_dir!r}))
        journal.acquire({key!r})
    """
    with held_elsewhere(holder):
        result = run_cli(
            "push", "--to", "sie_file", "--set", f"path={out}", str(example_company_path())
        )
    assert result.exit_code == 9, result.stderr
    assert "another push to" in result.stderr and str(out) in result.stderr
    assert "nothing was sent" in result.stderr and result.stderr.count("\n") == 1
    assert not out.exists()
    # The same push to another file is not held up by it.
    other = tmp_path / "other.si"
    with held_elsewhere(holder):
        result = run_cli(
            "push", "--to", "sie_file", "--set", f"path={other}", str(example_company_path())
        )
    assert result.exit_code == 0, result.stderr


def test_the_token_lock_waits_for_another_process_then_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "tokens" / "fortnox.json"
    holder = f"""
        from ledgerlink_core.tokens import FileTokenStore
        lock = FileTokenStore({str(path)!r}).lock()
        lock.__enter__()
    """
    with held_elsewhere(holder):
        started = time.monotonic()
        with pytest.raises(ConfigError) as caught, FileTokenStore(path, lock_timeout=0.5).lock():
            pass  # pragma: no cover - never reached
        waited = time.monotonic() - started
    assert waited >= 0.5, "it must wait for the other process's refresh first"
    assert "fortnox.json.lock" in str(caught.value) and "another ledgerlink process" in str(
        caught.value
    )
    with FileTokenStore(path, lock_timeout=0.5).lock():
        pass  # free once the holder has ended


def test_a_lock_is_released_when_its_process_is_killed(tmp_path: Path) -> None:
    lock_path = tmp_path / "x.lock"
    holder = f"""
        from ledgerlink_core._files import file_lock
        lock = file_lock({str(lock_path)!r})
        lock.acquire()
    """
    with held_elsewhere(holder) as proc:
        mine = file_lock(lock_path)
        with pytest.raises(LockBusy, match=r"x\.lock"):
            mine.acquire(timeout=0)
        proc.kill()
        proc.wait(20)
        mine.acquire(timeout=5)
        assert mine.held
        mine.release()
