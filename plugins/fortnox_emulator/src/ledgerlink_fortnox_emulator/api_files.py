"""Inbox and archive: uploads, downloads, folders, and connecting files to vouchers (and
listing those connections by year, for attachments import)."""

from __future__ import annotations

import email.parser
import email.policy
import uuid
from typing import Any

from ledgerlink_fortnox_emulator.errors import ApiError, bad_request, invalid_filter, not_found
from ledgerlink_fortnox_emulator.routing import (
    Context,
    Request,
    Response,
    Router,
    check_fields,
    paged,
    parse_int,
    select_year,
)
from ledgerlink_fortnox_emulator.state import FileConnection, InboxFile

router = Router()

#: The inbox's static root folders, by the lower-case id real answers carry (the spec's table
#: writes ``Inbox_v``; Fortnox's responses, its old documentation and the C# SDK's live tests
#: use ``inbox_v``). ``path=``/``folderid=`` and ``/3/inbox/{id}`` take them in any case.
INBOX_FOLDERS: dict[str, str] = {
    "inbox_v": "Verifikationer",
    "inbox_s": "Leverantörsfakturor",
    "inbox_d": "Dagskassor",
    "inbox_a": "Anläggningstillgångar",
    "inbox_b": "Bank",
    "inbox_l": "Lön",
    "inbox_kf": "Kundfakturor",
    "inbox_o": "Order",
    "inbox_of": "Offerter",
}
#: Multipart part names an upload may use: ``file`` (the spec) and ``Filedata`` (what the C#
#: SDK sends, and its live tests pass).
FILE_PARTS = frozenset({"file", "Filedata"})


def _file_part(req: Request) -> tuple[str, str, bytes]:
    """The multipart file part: (filename, content type, bytes)."""
    ctype = req.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise ApiError(415, 1000031, "Invalid content type")
    parser = email.parser.BytesParser(policy=email.policy.HTTP)
    message = parser.parsebytes(
        b"Content-Type: " + ctype.encode("latin-1") + b"\r\n\r\n" + req.body
    )
    if not message.is_multipart():
        raise bad_request(2001392, "Ingen eller felaktig typ av data")
    for part in message.iter_parts():
        if part.get_param("name", header="content-disposition") not in FILE_PARTS:
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        return (
            part.get_filename() or "fil",
            part.get_content_type() or "application/octet-stream",
            data,
        )
    raise bad_request(2001392, "Ingen eller felaktig typ av data: fältet file saknas")


def _file_json(req: Request, f: InboxFile, area: str) -> dict[str, Any]:
    return {
        "@url": f"{req.base_url}/3/{area}/{f.id}",
        "ArchiveFileId": f.archive_file_id,
        "Comments": f.comments,
        "Id": f.id,
        "Name": f.name,
        "Path": f.folder,
        "Size": f.size,
    }


def _inbox_folder(raw: str) -> str | None:
    """The inbox folder id ``raw`` names, in any case, or None."""
    folder = raw.lower()
    return folder if folder in INBOX_FOLDERS else None


def _upload(ctx: Context, req: Request, area: str) -> Response:
    asked = req.query.get("path") or req.query.get("folderid")
    if area == "inbox":
        folder = _inbox_folder(asked or "inbox_v")
        if folder is None:
            raise bad_request(2000588, f"Ogiltig parameter i anropet: okänd mapp {asked}")
    else:
        folder = asked or "root"
    name, ctype, data = _file_part(req)
    limit = ctx.config.max_upload_bytes
    if limit is not None and len(data) > limit:
        raise bad_request(
            2000588, f"Filen {name} är för stor: {len(data)} byte (högst {limit} byte)"
        )
    stored = InboxFile(str(uuid.uuid4()), name, folder, data, ctype, str(uuid.uuid4()))
    with ctx.state.lock:
        ctx.state.files[stored.id] = stored
    return Response(201, {"File": _file_json(req, stored, area)})


@router.add("POST", "/3/inbox", "inbox")
def upload_inbox(ctx: Context, req: Request) -> Response:
    return _upload(ctx, req, "inbox")


@router.add("POST", "/3/archive", "archive")
def upload_archive(ctx: Context, req: Request) -> Response:
    return _upload(ctx, req, "archive")


def _folder_json(ctx: Context, req: Request, folder: str) -> dict[str, Any]:
    """One inbox folder with its files; files connected to a voucher have left it."""
    with ctx.state.lock:
        connected = set(ctx.state.file_connections)
        files = [
            f for f in ctx.state.files.values() if f.folder == folder and f.id not in connected
        ]
    return {
        "@url": f"{req.base_url}/3/inbox/{folder}",
        "Email": "",
        "Files": [_file_json(req, f, "inbox") for f in files],
        "Folders": [],
        "Id": folder,
        "Name": INBOX_FOLDERS[folder],
    }


def _root_json(req: Request) -> dict[str, Any]:
    """The root: no files, the nine static folders as rows (id, name, url)."""
    return {
        "@url": f"{req.base_url}/3/inbox",
        "Email": "",
        "Files": [],
        "Folders": [
            {"@url": f"{req.base_url}/3/inbox/{code}", "Id": code, "Name": name}
            for code, name in INBOX_FOLDERS.items()
        ],
        "Id": "root",
        "Name": "Inbox",
    }


@router.add("GET", "/3/inbox", "inbox")
def inbox(ctx: Context, req: Request) -> Response:
    wanted = req.query.get("path") or req.query.get("folderid")
    if not wanted:
        return Response(200, {"Folder": _root_json(req)})
    folder = _inbox_folder(wanted)
    if folder is None:
        raise not_found(2000588, f"Kan inte hitta mappen {wanted}")
    return Response(200, {"Folder": _folder_json(ctx, req, folder)})


def _stored(ctx: Context, file_id: str) -> InboxFile:
    found = ctx.state.files.get(file_id)
    if found is None:
        raise not_found(2000578, "Kan inte hitta filen.")
    return found


def _file_response(ctx: Context, f: InboxFile) -> Response:
    cut = f.id in ctx.config.cut_downloads or f.name in ctx.config.cut_downloads
    return Response(200, f.data, content_type=f.content_type, cut=cut)


@router.add("GET", "/3/archive/{Id}", "archive")
def stored_file(ctx: Context, req: Request) -> Response:
    """An uploaded file's bytes: inbox and archive share one store."""
    with ctx.state.lock:
        f = _stored(ctx, req.params["Id"])
    return _file_response(ctx, f)


@router.add("GET", "/3/archive", "archive")
def archive(ctx: Context, req: Request) -> Response:
    """``?fileid=`` a file's bytes (the spec: "Providing fileId will return given file");
    otherwise the folder ``path`` names (default the root) with the files uploaded to it."""
    if req.query.get("fileid"):
        with ctx.state.lock:
            f = _stored(ctx, req.query["fileid"])
        return _file_response(ctx, f)
    folder = req.query.get("path") or "root"
    with ctx.state.lock:
        files = [f for f in ctx.state.files.values() if f.folder == folder]
    if not files and folder != "root":
        raise not_found(2000588, f"Kan inte hitta mappen {folder}")
    return Response(
        200,
        {
            "Folder": {
                "@url": f"{req.base_url}/3/archive?path={folder}",
                "Email": "",
                "Files": [_file_json(req, f, "archive") for f in files],
                "Folders": [],
                "Id": folder,
                "Name": folder,
            }
        },
    )


@router.add("GET", "/3/inbox/{Id}", "inbox")
def inbox_item(ctx: Context, req: Request) -> Response:
    """A folder (``inbox_v``..., any case, or ``root``) as JSON, or a file's bytes by its id."""
    folder = _inbox_folder(req.params["Id"])
    if folder is not None:
        return Response(200, {"Folder": _folder_json(ctx, req, folder)})
    if req.params["Id"].lower() == "root":
        return Response(200, {"Folder": _root_json(req)})
    return stored_file(ctx, req)


@router.add("DELETE", "/3/inbox/{Id}", "inbox")
def delete_inbox_file(ctx: Context, req: Request) -> Response:
    with ctx.state.lock:
        f = _stored(ctx, req.params["Id"])
        if f.id in ctx.state.file_connections:
            raise bad_request(2000579, "Filen är kopplad och kan inte tas bort.")
        del ctx.state.files[f.id]
    return Response(204)


# --- voucher file connections -------------------------------------------------------------------


def _connection_json(ctx: Context, req: Request, c: FileConnection) -> dict[str, Any]:
    voucher = ctx.state.get_voucher(c.year, c.series, c.number)
    f = ctx.state.files.get(c.file_id)
    return {
        "@url": f"{req.base_url}/3/voucherfileconnections/{c.file_id}",
        "FileId": c.file_id,
        "Name": f.name if f else "",
        "VoucherDescription": voucher.description if voucher else "",
        "VoucherNumber": str(c.number),
        "VoucherSeries": c.series,
        "VoucherYear": c.year,
    }


@router.add("POST", "/3/voucherfileconnections", "connectfile")
def connect_file(ctx: Context, req: Request) -> Response:
    body = req.json().get("VoucherFileConnection")
    if not isinstance(body, dict):
        raise bad_request(2001392, "Ingen eller felaktig typ av data")
    check_fields(
        body,
        {"@url", "FileId", "VoucherNumber", "VoucherSeries", "VoucherYear", "VoucherDescription"},
    )
    for required in ("FileId", "VoucherSeries", "VoucherNumber"):
        if body.get(required) in (None, ""):
            raise bad_request(2000603, f"Obligatoriskt fält saknas {required}")
    # Without financialyear/financialyeardate the *preselected* year's voucher is meant.
    year = select_year(ctx, req)
    series = str(body["VoucherSeries"])
    number = parse_int(body["VoucherNumber"], "VoucherNumber")
    with ctx.state.lock:
        f = _stored(ctx, str(body["FileId"]))
        if ctx.state.get_voucher(year.id, series, number) is None:
            raise not_found(
                2000610,
                f"Kan inte hitta verifikationen {series} {number} i räkenskapsår {year.id}.",
            )
        if f.id in ctx.state.file_connections:
            raise bad_request(2000580, "Filen är redan kopplad till en verifikation.")
        connection = FileConnection(f.id, series, number, year.id)
        ctx.state.file_connections[f.id] = connection
    return Response(201, {"VoucherFileConnection": _connection_json(ctx, req, connection)})


#: The search parameters Fortnox documents for the listing (its OpenAPI tag's table).
CONNECTION_SEARCH = ("voucherdescription", "vouchernumber", "voucherseries", "voucheryear")


def _connection_year(ctx: Context, req: Request) -> int | None:
    """The year id the listing is narrowed to: ``financialyear`` (an unknown id is 404, as
    for every year-bound resource) or ``voucheryear``; None for every year."""
    if not ctx.config.honour_connection_year:
        return None
    year = None
    if req.query.get("financialyear"):
        year = select_year(ctx, req).id
    if req.query.get("voucheryear"):
        asked = parse_int(req.query["voucheryear"], "voucheryear")
        if year is not None and asked != year:
            return -1  # two different years: nothing is in both
        year = asked
    return year


@router.add("GET", "/3/voucherfileconnections", "connectfile")
def connections(ctx: Context, req: Request) -> Response:
    """The connections, paged, by voucher (year, series, number) and in the order they were
    made; narrowed by the documented search parameters (no named ``filter``, no ``sortby``)."""
    q = req.query
    if q.get("filter"):
        raise invalid_filter()
    if q.get("sortby"):
        raise bad_request(2000588, f"Ogiltig parameter i anropet: sortby={q['sortby']}")
    year = _connection_year(ctx, req)
    number = parse_int(q["vouchernumber"], "vouchernumber") if q.get("vouchernumber") else None
    series = q.get("voucherseries") or None
    described = (q.get("voucherdescription") or "").casefold()
    with ctx.state.lock:
        found = [
            c
            for c in ctx.state.file_connections.values()
            if (year is None or c.year == year)
            and (series is None or c.series == series)
            and (number is None or c.number == number)
        ]
        if described:
            found = [c for c in found if described in _description(ctx, c).casefold()]
        order = {file_id: i for i, file_id in enumerate(ctx.state.file_connections)}
        found.sort(key=lambda c: (c.year, c.series, c.number, order[c.file_id]))
        return paged(
            ctx, req, "VoucherFileConnections", found, lambda c: _connection_json(ctx, req, c)
        )


def _description(ctx: Context, c: FileConnection) -> str:
    voucher = ctx.state.get_voucher(c.year, c.series, c.number)
    return voucher.description if voucher else ""


@router.add("GET", "/3/voucherfileconnections/{FileId}", "connectfile")
def connection(ctx: Context, req: Request) -> Response:
    found = ctx.state.file_connections.get(req.params["FileId"])
    if found is None:
        raise not_found(2000581, "Kan inte hitta filkopplingen.")
    return Response(200, {"VoucherFileConnection": _connection_json(ctx, req, found)})


@router.add("DELETE", "/3/voucherfileconnections/{FileId}", "connectfile")
def disconnect(ctx: Context, req: Request) -> Response:
    with ctx.state.lock:
        if ctx.state.file_connections.pop(req.params["FileId"], None) is None:
            raise not_found(2000581, "Kan inte hitta filkopplingen.")
    return Response(204)
