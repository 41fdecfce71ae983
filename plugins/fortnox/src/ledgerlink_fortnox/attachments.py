"""Import the documents (underlag) connected to one fiscal year's vouchers.

* **Listing**: ``GET /3/voucherfileconnections`` paged (``page``/``limit``, ``MetaInformation``),
  narrowed to the year by its id twice over: ``financialyear=<id>``, the global parameter
  that picks the year of every year-bound resource (what working integrations send), and
  ``voucheryear=<id>``, the search parameter Fortnox's OpenAPI documents for this endpoint.
  Neither is trusted blindly: only items whose ``VoucherYear`` is the chosen year's id are
  kept, so an API that ignored both filters would still give the right files.
* **Downloading**: ``GET /3/archive/{FileId}`` streamed into the caller's file. When that is
  404, ``GET /3/archive?fileid=<FileId>`` is asked once ("Providing fileId will return given
  file from fileattachments", Fortnox's spec), for files kept by Fortnox's newer file
  service rather than the archive.
* **Sizes**: a connection says nothing of its file's size or hash. Fortnox gives a size only
  in an archive folder listing, one folder at a time, and connected files live in folders by
  year and month that the API does not name; a request per file to learn it would double
  the requests of a first import against a budget of 25 per 5 s. So ``size`` and ``sha256``
  stay None: core keeps a file already in the folder (written whole, by rename, only after
  a complete download) and downloads only what is missing. Each download is checked against
  its ``Content-Length``.
* **Names**: a document that ``ledgerlink push`` uploaded carries its voucher's reference in
  its name (``kvitto--ll<ref>-1.pdf``, see :func:`~ledgerlink_fortnox.export.upload_name`);
  that marker is taken off again, so a round trip gives back the name the file had.

Scopes: ``connectfile`` for the listing, ``archive`` for the files (both in
:data:`~ledgerlink_fortnox.settings.DEFAULT_SCOPES`); a 403 names the one missing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, BinaryIO

from ledgerlink_core import BackendError, BookkeepingRequest, VoucherAttachment

from ledgerlink_fortnox.bookkeeping import FortnoxYear, choose_year, fiscal_years
from ledgerlink_fortnox.client import FortnoxClient
from ledgerlink_fortnox.convert import field
from ledgerlink_fortnox.errors import NotFound

__all__ = [
    "download_attachment",
    "list_attachments",
    "original_name",
]

#: ``--ll<26 base32 characters>-<n>`` before the extension: what push adds to a name.
_PUSH_MARKER = re.compile(r"--ll[a-z2-7]{24}-\d+(?=\.[^.]*$|$)")


def original_name(name: str) -> str:
    """``name`` without the reference ``ledgerlink push`` put into it on upload."""
    return _PUSH_MARKER.sub("", name, count=1) or name


def _attachment(item: dict[str, Any], year: FortnoxYear) -> VoucherAttachment | None:
    """One connection as core's model; None when it belongs to another year or is unusable."""
    try:
        item_year = int(field(item, "VoucherYear"))
    except (TypeError, ValueError):
        return None
    file_id = field(item, "FileId")
    series = field(item, "VoucherSeries")
    number = field(item, "VoucherNumber")
    if item_year != year.id or not file_id or not series or number in (None, ""):
        return None
    name = str(field(item, "Name") or "") or f"{file_id}"
    return VoucherAttachment(
        series=str(series),
        number=str(number),
        filename=original_name(name),
        ref=str(file_id),
    )


def _order(attachment: VoucherAttachment) -> tuple[str, int, str, str]:
    number = int(attachment.number) if attachment.number.isdigit() else -1
    return (attachment.series, number, attachment.number, attachment.ref)


def list_attachments(
    client: FortnoxClient, request: BookkeepingRequest
) -> Iterator[VoucherAttachment]:
    """The files connected to the vouchers of the year ``request`` picks, by voucher (series,
    number) and file id: a stable order, so core names each file the same way every run."""
    year = choose_year(fiscal_years(client), request)
    found: dict[str, VoucherAttachment] = {}
    for item in client.paginate(
        "voucherfileconnections",
        "VoucherFileConnections",
        {"financialyear": year.id, "voucheryear": year.id},
        action=f"listing the files connected to vouchers of fiscal year {year.label()}",
    ):
        attachment = _attachment(item, year)
        if attachment is not None:
            found.setdefault(attachment.ref, attachment)  # a page boundary may repeat one
    yield from sorted(found.values(), key=_order)


def download_attachment(
    client: FortnoxClient, attachment: VoucherAttachment, out: BinaryIO
) -> None:
    """Stream the archive file ``attachment.ref`` into ``out``."""
    what = f"downloading {attachment.filename!r} of voucher {attachment.series} {attachment.number}"
    try:
        client.download(f"archive/{attachment.ref}", out, action=what)
        return
    except NotFound:
        if out.tell():
            raise
    try:
        client.download("archive", out, {"fileid": attachment.ref}, action=what, not_json=True)
    except NotFound as exc:
        raise BackendError(
            f"{what}: Fortnox has no such file any more (id {attachment.ref})"
        ) from exc
