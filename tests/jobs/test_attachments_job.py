"""``import_attachments``: core's loop over a backend's documents, with a backend in memory:
naming, keeping what is there, no half files whatever breaks, concurrent downloads reported
in listing order, and a lost login stopping the run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, ClassVar

import pytest
from ledgerlink_core import (
    AccountingBackend,
    AuthenticationError,
    BackendContext,
    BackendError,
    BackendSettings,
    BookkeepingRequest,
    Capabilities,
    Capability,
    Runtime,
    VoucherAttachment,
)
from ledgerlink_core.jobs import AttachmentsReport, import_attachments


class Documents(AccountingBackend[BackendSettings]):
    """Documents in memory; ``broken`` refs write half their bytes and then fail with
    ``error`` (a ``BackendError`` unless told otherwise)."""

    name: ClassVar[str] = "documents"

    def __init__(self, files: dict[str, bytes], *, workers: int = 1, tmp: Path) -> None:
        super().__init__(BackendSettings(), BackendContext("documents", tmp, tmp))
        self.files = files
        self.workers = workers
        self.broken: dict[str, BaseException] = {}
        self.downloads: list[str] = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._company = threading.Condition()

    @classmethod
    def capabilities(cls) -> Capabilities:
        return Capabilities(supported=frozenset({Capability.IMPORT_ATTACHMENTS}))

    def list_attachments(self, request: BookkeepingRequest) -> Iterator[VoucherAttachment]:
        for ref, data in self.files.items():
            series, number, name = ref.split(":")
            yield VoucherAttachment(
                series=series, number=number, filename=name, ref=ref, size=len(data)
            )

    @property
    def download_workers(self) -> int:
        return self.workers

    def download_attachment(self, attachment: VoucherAttachment, out: BinaryIO) -> None:
        with self._company:
            self.downloads.append(attachment.ref)
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
            self._company.notify_all()
            if self.workers > 1:
                # Wait (a while, not forever) for a second download to start: concurrent
                # calls meet here, one at a time would only time out.
                self._company.wait_for(lambda: self.most_in_flight > 1, timeout=5)
        try:
            data = self.files[attachment.ref]
            if attachment.ref in self.broken:
                out.write(data[: len(data) // 2])
                raise self.broken[attachment.ref]
            out.write(data)
        finally:
            with self._company:
                self.in_flight -= 1


FILES = {f"A:{n}:kvitto {n}.pdf": b"%PDF-1.4\n" + bytes([n]) * (100 * n) for n in range(1, 9)} | {
    "A:3:kvitto 3.pdf#2": b"%PDF-1.4\nsecond"
}


def _run(backend: Documents, folder: Path) -> AttachmentsReport:
    return import_attachments(Runtime(), backend, BookkeepingRequest(), folder)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_files_are_named_by_voucher_and_kept_on_a_second_run(tmp_path: Path) -> None:
    files = {"A:1:kvitto.pdf": b"%PDF-1", "A:1:kvitto.pdf#": b"%PDF-2", "B:7:sub/../x.png": b"x"}
    backend = Documents(files, tmp=tmp_path)
    folder = tmp_path / "docs"
    report = _run(backend, folder)
    assert _names(folder) == ["A-1_kvitto.pdf", "A-1_kvitto.pdf#", "B-7_x.png"]
    assert report.ok and report.bytes_downloaded == 13
    again = _run(backend, folder)
    assert again.downloaded == [] and len(again.kept) == 3
    assert len(backend.downloads) == 3


@pytest.mark.parametrize("workers", [1, 4])
def test_a_failure_in_the_middle_leaves_no_half_file_and_a_rerun_finishes(
    tmp_path: Path, workers: int
) -> None:
    backend = Documents(dict(FILES), workers=workers, tmp=tmp_path)
    broken = list(FILES)[2]
    backend.broken[broken] = BackendError("the connection broke off")
    folder = tmp_path / "docs"
    report = _run(backend, folder)
    assert [f.filename for f in report.failed] == [broken.split(":")[2]]
    assert "broke off" in report.failed[0].message
    assert len(_names(folder)) == len(FILES) - 1 and not any(
        n.startswith(".") for n in _names(folder)
    )
    backend.broken.clear()
    backend.downloads.clear()
    again = _run(backend, folder)
    assert again.ok and backend.downloads == [broken]
    assert len(_names(folder)) == len(FILES)


def test_an_interrupted_run_leaves_no_temporary_file(tmp_path: Path) -> None:
    backend = Documents(dict(FILES), tmp=tmp_path)
    backend.broken[list(FILES)[3]] = KeyboardInterrupt()
    folder = tmp_path / "docs"
    with pytest.raises(KeyboardInterrupt):
        _run(backend, folder)
    assert len(_names(folder)) == 3 and not any(n.startswith(".") for n in _names(folder))
    backend.broken.clear()
    assert _run(backend, folder).ok
    assert len(_names(folder)) == len(FILES)


def test_concurrent_downloads_are_reported_in_listing_order(tmp_path: Path) -> None:
    backend = Documents(dict(FILES), workers=4, tmp=tmp_path)
    report = _run(backend, tmp_path / "docs")
    listed = [f"{r.split(':')[0]}-{r.split(':')[1]}_{r.split(':')[2]}" for r in FILES]
    assert report.downloaded == listed
    assert 1 < backend.most_in_flight <= 4


def test_a_lost_login_stops_the_run(tmp_path: Path) -> None:
    backend = Documents(dict(FILES), workers=4, tmp=tmp_path)
    backend.broken[next(iter(FILES))] = AuthenticationError("log in again")
    with pytest.raises(AuthenticationError):
        _run(backend, tmp_path / "docs")
    assert not any(n.startswith(".") for n in _names(tmp_path / "docs"))
