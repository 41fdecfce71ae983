"""Documents: uploaded to the inbox folder by the id Fortnox sends (``inbox_v``), found again
by reading that folder, and refused by core before anything is sent when over 5 MB."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fake_fortnox import BASE, FakeFortnox, bank_fee, client_for, push_to
from ledgerlink_core import (
    AttachmentRef,
    ValidationFailed,
    VoucherExport,
)
from ledgerlink_fortnox.backend import FortnoxBackend
from ledgerlink_fortnox.export import INBOX_FOLDER, MAX_ATTACHMENT_BYTES, FortnoxSink, upload_name


def _document(path: Path, size: int) -> AttachmentRef:
    with path.open("wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(size)
    data = path.read_bytes()
    return AttachmentRef(
        path=str(path),
        filename=path.name,
        media_type="application/pdf",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )


def _item(att: AttachmentRef) -> VoucherExport:
    return bank_fee(attachments=(att,))


def test_the_limit_is_fortnoxs_documented_5_mb() -> None:
    assert MAX_ATTACHMENT_BYTES == 5 * 1024 * 1024
    assert FortnoxBackend.capabilities().max_attachment_bytes == MAX_ATTACHMENT_BYTES


def test_upload_to_inbox_v_and_find_it_in_that_folder(tmp_path: Path) -> None:
    att = _document(tmp_path / "A-1.pdf", 100)
    item = _item(att)
    fake = FakeFortnox()
    with client_for(fake) as client:
        sink = FortnoxSink(client)
        assert sink.find_attachment(item, 0, att) is None
        file_id = sink.upload_attachment(item, 0, att)
        assert sink.find_attachment(item, 0, att) == file_id
    (upload,) = [r for r in fake.requests if r.method == "POST"]
    assert upload.url.path == "/3/inbox" and upload.url.params["path"] == "inbox_v"
    assert upload_name(item, 0, att).encode() in upload.content
    reads = [r.url for r in fake.requests if r.method == "GET"]
    assert {str(u) for u in reads} == {f"{BASE}/3/inbox/{INBOX_FOLDER}"}
    assert INBOX_FOLDER == "inbox_v"


def test_a_document_over_5_mb_is_refused_by_name_before_anything_is_sent(tmp_path: Path) -> None:
    big = _document(tmp_path / "A-1.pdf", MAX_ATTACHMENT_BYTES + 1)
    fake = FakeFortnox()
    with pytest.raises(ValidationFailed) as err:
        push_to(fake, [_item(big)])
    assert list(err.value.problems) == [
        f"voucher A 1: attachment A-1.pdf is {MAX_ATTACHMENT_BYTES + 1} bytes, over fortnox's "
        f"limit of {MAX_ATTACHMENT_BYTES} bytes"
    ]
    assert not fake.count("POST")
