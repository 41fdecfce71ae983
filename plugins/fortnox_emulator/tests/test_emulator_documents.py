"""Documents on vouchers for attachments import: seeded files, the connections listed by year
(paged, with the documented search parameters and nothing else), files served by id, 404s in
Fortnox's shape, scopes, and downloads that break off."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from emulator_helpers import bearer
from ledgerlink_fortnox_emulator import RunningEmulator, attach_documents
from ledgerlink_fortnox_emulator.documents import KINDS


@pytest.fixture
def filed(small: RunningEmulator) -> RunningEmulator:
    """The two-year company with 5 documents in 2024 (year 1) and 7 in 2025 (year 2)."""
    attach_documents(small.state, 5, year_id=1, seed=1)
    attach_documents(small.state, 7, year_id=2, seed=2)
    return small


def _listing(api: httpx.Client, **params: Any) -> httpx.Response:
    return api.get("/voucherfileconnections", params=params)


def test_seeded_documents_start_as_their_kind_and_differ(filed: RunningEmulator) -> None:
    files = filed.state.inbox_files()
    assert len(files) == 12 == len(filed.state.connections())
    for f in files:
        suffix = "." + f.name.rsplit(".", 1)[-1].lower()
        content_type, magic = KINDS[suffix]
        assert f.content_type == content_type and f.data.startswith(magic)
    assert len({f.data for f in files}) == 12


def test_the_seed_config_attaches_documents(emulator_factory: Any) -> None:
    emu = emulator_factory(attached_files=9, attached_file_max_bytes=2000)
    files = emu.state.inbox_files()
    year = emu.state.default_year().id
    assert len(files) == 9 and all(f.size <= 2000 for f in files)
    assert {c.year for c in emu.state.connections()} == {year}


def test_the_listing_is_narrowed_to_a_year_and_paged(filed: RunningEmulator) -> None:
    with bearer(filed) as api:
        by_id = _listing(api, financialyear=1).json()
        assert {c["VoucherYear"] for c in by_id["VoucherFileConnections"]} == {1}
        assert by_id["MetaInformation"]["@TotalResources"] == 5
        by_search = _listing(api, voucheryear=2).json()["VoucherFileConnections"]
        assert len(by_search) == 7 and {c["VoucherYear"] for c in by_search} == {2}
        assert _listing(api, financialyear=1, voucheryear=2).json()["VoucherFileConnections"] == []
        everything = _listing(api).json()["VoucherFileConnections"]
        assert len(everything) == 12
        keys = [(c["VoucherYear"], c["VoucherSeries"], int(c["VoucherNumber"])) for c in everything]
        assert keys == sorted(keys)
        item = everything[0]
        assert set(item) == {
            "@url", "FileId", "Name", "VoucherDescription", "VoucherNumber", "VoucherSeries",
            "VoucherYear",
        }  # fmt: skip
        assert isinstance(item["VoucherNumber"], str) and item["Name"]
        pages = [_listing(api, financialyear=2, limit=3, page=p).json() for p in (1, 2, 3)]
        assert [p["MetaInformation"]["@TotalPages"] for p in pages] == [3, 3, 3]
        paged = [c["FileId"] for p in pages for c in p["VoucherFileConnections"]]
        assert paged == [c["FileId"] for c in by_search]
        first = everything[0]
        narrowed = _listing(
            api, voucherseries=first["VoucherSeries"], vouchernumber=first["VoucherNumber"]
        ).json()["VoucherFileConnections"]
        assert first["FileId"] in [c["FileId"] for c in narrowed]
        assert all(c["VoucherSeries"] == first["VoucherSeries"] for c in narrowed)


def test_what_fortnox_does_not_document_is_refused(filed: RunningEmulator) -> None:
    with bearer(filed) as api:
        unknown_year = _listing(api, financialyear=99)
        assert unknown_year.status_code == 404
        assert "ErrorInformation" in unknown_year.json()
        assert _listing(api, voucheryear="twenty").status_code == 400
        bad_filter = _listing(api, filter="unconnected")
        assert bad_filter.status_code == 400
        assert bad_filter.json()["ErrorInformation"]["code"] == 2000587
        assert _listing(api, sortby="filename").status_code == 400
        assert _listing(api, limit=501).status_code == 400


def test_a_year_filter_can_be_ignored(small_emulator_factory: Any) -> None:
    emu = small_emulator_factory(honour_connection_year=False)
    attach_documents(emu.state, 2, year_id=1)
    attach_documents(emu.state, 3, year_id=2)
    with bearer(emu) as api:
        listed = _listing(api, financialyear=1, voucheryear=1).json()["VoucherFileConnections"]
    assert len(listed) == 5


def test_archive_files_by_id_and_by_fileid(filed: RunningEmulator) -> None:
    f = filed.state.inbox_files()[0]
    with bearer(filed) as api:
        by_path = api.get(f"/archive/{f.id}")
        assert by_path.status_code == 200 and by_path.content == f.data
        assert by_path.headers["content-type"] == f.content_type
        by_query = api.get("/archive", params={"fileid": f.id})
        assert by_query.content == f.data
        for missing in (api.get("/archive/nope"), api.get("/archive", params={"fileid": "nope"})):
            assert missing.status_code == 404
            assert missing.json()["ErrorInformation"]["Code"] == 2000578  # as 404s come
        root = api.get("/archive").json()["Folder"]
        assert root["Id"] == "root" and len(root["Files"]) == 12


def test_scopes_archive_and_connectfile(filed: RunningEmulator) -> None:
    f = filed.state.inbox_files()[0]
    with bearer(filed, "bookkeeping connectfile") as api:
        assert _listing(api).status_code == 200
        assert api.get(f"/archive/{f.id}").status_code == 403
    with bearer(filed, "bookkeeping archive") as api:
        assert api.get(f"/archive/{f.id}").status_code == 200
        denied = _listing(api)
        assert denied.status_code == 403 and "ErrorInformation" in denied.json()


def test_a_cut_download_breaks_off_midway(filed: RunningEmulator) -> None:
    f = max(filed.state.inbox_files(), key=lambda f: f.size)
    filed.configure(cut_downloads=[f.name])
    with bearer(filed) as api, pytest.raises(httpx.RemoteProtocolError):
        api.get(f"/archive/{f.id}")
    filed.configure(cut_downloads=[])
    with bearer(filed) as api:
        assert api.get(f"/archive/{f.id}").content == f.data
