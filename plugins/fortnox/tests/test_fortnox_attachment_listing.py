"""Attachments import, the client's side on ``httpx.MockTransport``: the listing is paged and
kept to the chosen year whatever the filter did, names lose push's reference marker, and a
download falls back to ``/3/archive?fileid=`` only after a 404."""

from __future__ import annotations

import io
import json
from typing import Any

import httpx
import pytest
from fake_fortnox import client_for
from ledgerlink_core import (
    BackendError,
    BackendUnavailable,
    BookkeepingRequest,
    PermissionDenied,
    VoucherAttachment,
)
from ledgerlink_fortnox.attachments import download_attachment, list_attachments, original_name

YEARS = {
    "FinancialYears": [
        {"Id": 1, "FromDate": "2024-01-01", "ToDate": "2024-12-31"},
        {"Id": 2, "FromDate": "2025-01-01", "ToDate": "2025-12-31"},
    ],
    "MetaInformation": {"@CurrentPage": 1, "@TotalPages": 1, "@TotalResources": 2},
}


def _connection(file_id: str, series: str, number: int, year: int, name: str) -> dict[str, Any]:
    return {
        "@url": f"https://api.fortnox.test/3/voucherfileconnections/{file_id}",
        "FileId": file_id,
        "Name": name,
        "VoucherDescription": "",
        "VoucherNumber": str(number),
        "VoucherSeries": series,
        "VoucherYear": year,
    }


class Listing:
    """Serves the connections ``per_page`` at a time, ignoring every filter (as an API that
    does not honour them would), and records the requests."""

    def __init__(self, items: list[dict[str, Any]], per_page: int) -> None:
        self.items = items
        self.per_page = per_page
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path == "/3/financialyears":
            return httpx.Response(200, json=YEARS)
        if path == "/3/voucherfileconnections":
            page = int(request.url.params.get("page", "1"))
            pages = -(-len(self.items) // self.per_page)
            chunk = self.items[(page - 1) * self.per_page : page * self.per_page]
            body = {
                "MetaInformation": {
                    "@CurrentPage": page,
                    "@TotalPages": pages,
                    "@TotalResources": len(self.items),
                },
                "VoucherFileConnections": chunk,
            }
            return httpx.Response(200, json=body)
        return httpx.Response(404, json={"ErrorInformation": {"message": "no", "code": 1}})


def test_every_page_is_read_and_only_the_chosen_year_is_kept() -> None:
    items = [
        _connection(f"f{n}", "A" if n % 3 else "B", n, 2 if n % 4 else 1, f"kvitto {n}.pdf")
        for n in range(1, 12)
    ]
    fake = Listing(items, per_page=3)
    with client_for(fake) as client:
        listed = list(list_attachments(client, BookkeepingRequest(year=2025)))
    expected = sorted(
        (i["VoucherSeries"], int(i["VoucherNumber"]), i["FileId"])
        for i in items
        if i["VoucherYear"] == 2
    )
    assert [(a.series, int(a.number), a.ref) for a in listed] == expected
    assert all(a.size is None and a.sha256 is None for a in listed)
    pages = [r for r in fake.requests if r.url.path == "/3/voucherfileconnections"]
    assert sorted(int(r.url.params["page"]) for r in pages) == [1, 2, 3, 4]
    for r in pages:
        assert r.url.params["financialyear"] == "2" and r.url.params["voucheryear"] == "2"


def test_a_connection_repeated_across_pages_is_listed_once() -> None:
    one = _connection("f1", "A", 1, 2, "a.pdf")
    fake = Listing([one, _connection("f2", "A", 2, 2, "b.pdf"), one], per_page=2)
    with client_for(fake) as client:
        listed = list(list_attachments(client, BookkeepingRequest()))
    assert [a.ref for a in listed] == ["f1", "f2"]


def test_names_lose_the_reference_push_put_into_them() -> None:
    ref = "ll" + "abcdefghijklmnopqrstuvwx"
    assert original_name(f"kvitto--{ref}-1.pdf") == "kvitto.pdf"
    assert original_name(f"A-3_Faktura åäö--{ref}-12.PNG") == "A-3_Faktura åäö.PNG"
    assert original_name("plain--llshort-1.pdf") == "plain--llshort-1.pdf"
    fake = Listing([_connection("f1", "A", 1, 2, f"kvitto--{ref}-1.pdf")], per_page=5)
    with client_for(fake) as client:
        (listed,) = list_attachments(client, BookkeepingRequest())
    assert listed.filename == "kvitto.pdf"


def _attachment(ref: str = "f1") -> VoucherAttachment:
    return VoucherAttachment(series="A", number="1", filename="kvitto 1.pdf", ref=ref)


def test_a_download_falls_back_to_fileid_only_after_a_404() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        assert request.headers["accept"] == "*/*"
        if request.url.path == "/3/archive/f1":
            return httpx.Response(404, json={"ErrorInformation": {"message": "Hittas ej"}})
        if request.url.path == "/3/archive" and request.url.params.get("fileid") == "f1":
            return httpx.Response(200, content=b"%PDF-1.4 bytes", headers={"content-type": "x"})
        return httpx.Response(500)

    out = io.BytesIO()
    with client_for(handler) as client:
        download_attachment(client, _attachment(), out)
    assert out.getvalue() == b"%PDF-1.4 bytes"
    assert seen == [
        "https://api.fortnox.test/3/archive/f1",
        "https://api.fortnox.test/3/archive?fileid=f1",
    ]


def test_a_file_found_nowhere_is_named() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/3/archive/f1":
            return httpx.Response(404, json={"ErrorInformation": {"message": "Hittas ej"}})
        # the fallback describes a folder instead of sending a file
        return httpx.Response(
            200,
            content=json.dumps({"Folder": {"Id": "root"}}).encode(),
            headers={"content-type": "application/json"},
        )

    out = io.BytesIO()
    with client_for(handler) as client, pytest.raises(BackendError) as caught:
        download_attachment(client, _attachment(), out)
    assert "'kvitto 1.pdf' of voucher A 1" in str(caught.value)
    assert "no such file" in str(caught.value)
    assert out.getvalue() == b""


def test_a_missing_archive_scope_says_which_scope() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        body = {"ErrorInformation": {"error": 1, "message": "Saknar behörighet", "code": 2000663}}
        return httpx.Response(403, json=body)

    with client_for(handler) as client, pytest.raises(PermissionDenied) as caught:
        download_attachment(client, _attachment(), io.BytesIO())
    assert "'archive' scope" in str(caught.value)


def test_a_body_shorter_than_its_content_length_is_not_a_download() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"12345", headers={"content-length": "10"})

    with client_for(handler) as client, pytest.raises(BackendUnavailable) as caught:
        download_attachment(client, _attachment(), io.BytesIO())
    assert "got 5 of 10 bytes" in str(caught.value)
