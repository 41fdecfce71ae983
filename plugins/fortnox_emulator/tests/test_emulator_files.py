"""Inbox uploads (multipart) and connecting files to vouchers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from emulator_helpers import bearer
from ledgerlink_fortnox_emulator import RunningEmulator

EmulatorFactory = Callable[..., RunningEmulator]
PDF = b"%PDF-1.4\n% ledgerlink test\n" + bytes(range(256)) * 4


@pytest.fixture
def api(small: RunningEmulator) -> Any:
    with bearer(small) as client:
        yield client


def _upload(api: httpx.Client, data: bytes = PDF, name: str = "kvitto.pdf") -> httpx.Response:
    return api.post(
        "/inbox", params={"path": "Inbox_v"}, files={"file": (name, data, "application/pdf")}
    )


def test_upload_and_read_back(small: RunningEmulator, api: httpx.Client) -> None:
    answer = _upload(api)
    assert answer.status_code == 201
    file = answer.json()["File"]
    assert file["Name"] == "kvitto.pdf" and file["Size"] == len(PDF) and file["Path"] == "inbox_v"
    assert file["Id"] != file["ArchiveFileId"]
    assert api.get(f"/inbox/{file['Id']}").content == PDF
    folder = api.get("/inbox", params={"path": "Inbox_v"}).json()["Folder"]
    assert [f["Id"] for f in folder["Files"]] == [file["Id"]]
    assert [f.name for f in small.state.inbox_files()] == ["kvitto.pdf"]


def test_folder_ids_are_lower_case_and_taken_in_any_case(api: httpx.Client) -> None:
    for path in ("Inbox_v", "inbox_v", "INBOX_V"):
        answer = api.post("/inbox", params={"path": path}, files={"file": ("a.pdf", PDF)})
        assert answer.status_code == 201
        assert answer.json()["File"]["Path"] == "inbox_v"
    file_id = answer.json()["File"]["Id"]
    by_path = api.get("/inbox", params={"path": "Inbox_v"}).json()["Folder"]
    by_id = api.get("/inbox/inbox_v").json()["Folder"]
    assert by_path == by_id == api.get("/inbox/Inbox_v").json()["Folder"]
    assert (by_id["Id"], by_id["Name"]) == ("inbox_v", "Verifikationer")
    assert by_id["@url"].endswith("/3/inbox/inbox_v")
    assert len(by_id["Files"]) == 3 and {f["Path"] for f in by_id["Files"]} == {"inbox_v"}
    # A file id still gives the file's bytes.
    assert api.get(f"/inbox/{file_id}").content == PDF
    root = api.get("/inbox").json()["Folder"]
    assert root["Id"] == "root" and root["Files"] == []
    assert [f["Id"] for f in root["Folders"]][:2] == ["inbox_v", "inbox_s"]
    assert all(set(f) == {"@url", "Id", "Name"} for f in root["Folders"])
    assert api.get("/inbox/root").json()["Folder"] == root
    assert api.get("/inbox/inbox_zz").status_code == 404


def test_the_csharp_sdks_part_name_is_taken_too(api: httpx.Client) -> None:
    answer = api.post("/inbox", params={"path": "inbox_s"}, files={"Filedata": ("b.pdf", PDF)})
    assert answer.status_code == 201
    assert answer.json()["File"]["Path"] == "inbox_s"


def test_uploads_over_five_megabytes_are_refused(api: httpx.Client) -> None:
    limit = 5 * 1024 * 1024
    assert _upload(api, b"x" * limit, "exactly.pdf").status_code == 201
    over = _upload(api, b"x" * (limit + 1), "stor-bilaga.pdf")
    assert over.status_code == 400
    message = over.json()["ErrorInformation"]["message"]
    assert "stor-bilaga.pdf" in message and str(limit) in message


def test_upload_errors(small_emulator_factory: EmulatorFactory) -> None:
    emu = small_emulator_factory(max_upload_bytes=100)
    with bearer(emu) as api:
        assert _upload(api).status_code == 400
        unknown = api.post("/inbox", params={"path": "Nope"}, files={"file": ("a", b"x")})
        assert unknown.status_code == 400
        no_part = api.post("/inbox", files={"other": ("a.pdf", b"x")})
        assert no_part.json()["ErrorInformation"]["code"] == 2001392
        not_multipart = api.post("/inbox", content=b"x", headers={"Content-Type": "text/plain"})
        assert not_multipart.status_code == 415


def test_connect_a_file_to_a_voucher(small: RunningEmulator, api: httpx.Client) -> None:
    file_id = _upload(api).json()["File"]["Id"]
    body = {
        "VoucherFileConnection": {"FileId": file_id, "VoucherSeries": "A", "VoucherNumber": "1"}
    }
    made = api.post("/voucherfileconnections", params={"financialyear": 1}, json=body)
    assert made.status_code == 201
    connection = made.json()["VoucherFileConnection"]
    assert connection["VoucherNumber"] == "1"  # a string in this schema
    assert (connection["VoucherSeries"], connection["VoucherYear"]) == ("A", 1)
    assert connection["VoucherDescription"] == "Pennor"
    [stored] = small.state.connections()
    assert (stored.file_id, stored.series, stored.number, stored.year) == (file_id, "A", 1, 1)
    # Connected files leave the inbox folder.
    assert api.get("/inbox", params={"path": "Inbox_v"}).json()["Folder"]["Files"] == []
    again = api.post("/voucherfileconnections", params={"financialyear": 1}, json=body)
    assert again.status_code == 400
    listed = api.get("/voucherfileconnections", params={"voucheryear": 1}).json()
    assert [c["FileId"] for c in listed["VoucherFileConnections"]] == [file_id]


def test_connection_defaults_to_the_preselected_year(api: httpx.Client) -> None:
    file_id = _upload(api).json()["File"]["Id"]
    body = {"VoucherFileConnection": {"FileId": file_id, "VoucherSeries": "B", "VoucherNumber": 1}}
    made = api.post("/voucherfileconnections", json=body)
    assert made.json()["VoucherFileConnection"]["VoucherYear"] == 2
    other = _upload(api).json()["File"]["Id"]
    missing = api.post(
        "/voucherfileconnections",
        params={"financialyeardate": "2024-01-01"},
        json={
            "VoucherFileConnection": {"FileId": other, "VoucherSeries": "B", "VoucherNumber": "1"}
        },
    )
    assert missing.status_code == 404  # B 1 exists in 2025, not in 2024
    unknown_file = api.post(
        "/voucherfileconnections",
        json={
            "VoucherFileConnection": {"FileId": "nope", "VoucherSeries": "B", "VoucherNumber": "1"}
        },
    )
    assert unknown_file.status_code == 404
