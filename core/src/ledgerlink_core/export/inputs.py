"""Read what ``ledgerlink push`` sends: vouchers, their attachments and their references.

Vouchers come from

* a SIE file (4I, or 4E: its ``#VER`` blocks; any extension, recognised by its ``#`` records);
* canonical JSON: what ``ledgerlink pull --json`` prints (a bookkeeping with ``vouchers``),
  ``{"vouchers": [...]}`` or a plain list of vouchers. In JSON each voucher may name its
  attachments: ``"attachments": ["receipts/a12.pdf", ...]``, relative to the JSON file and
  confined to its folder (or the ``--attach`` directory): an absolute path, ``..`` out of
  it or a symlink to a file outside is refused (a JSON from a third party must not send any
  local document to the company's books).

Attachments from a directory (``--attach DIR``) follow one naming rule: the part of the file
name before the first ``_`` (or the whole name without its extension) is the voucher's key,

* ``<series>-<number>`` for a voucher with a number in the input: ``A-12.pdf``,
  ``A-12_receipt.pdf``, ``A-12_2.png``;
* ``v<position>`` (1-based, in input order) for a voucher without one: ``v3_invoice.pdf``.

A voucher gets every matching file, sorted by name. Only ``.pdf``, ``.jpg``/``.jpeg`` and
``.png`` files are considered; their content must be PDF, JPEG or PNG (checked by magic bytes,
not trusted from the extension). A file whose key matches no voucher is a problem, so a typo
cannot silently leave a document behind.

Problems that concern one voucher (unbalanced, attachment missing...) are collected, not
raised, so validation can report them together with everything else.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ledgerlink_core.errors import InputError
from ledgerlink_core.export.refs import external_refs
from ledgerlink_core.model import AttachmentRef, Voucher, VoucherExport

__all__ = [
    "ATTACHMENT_SUFFIXES",
    "PushInput",
    "attachment_key",
    "attachment_ref",
    "export_items",
    "file_key",
    "read_push_input",
    "sniff_media_type",
]

ATTACHMENT_SUFFIXES = {".pdf": "application/pdf", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
ATTACHMENT_SUFFIXES[".png"] = "image/png"
_MAGIC = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
)


@dataclass
class PushInput:
    """Vouchers ready for validation, plus the problems found while reading them."""

    items: list[VoucherExport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Problems of single vouchers (unbalanced, attachment missing...), reported with the
    rest by validation."""
    org_nr: str | None = None
    """The company the input names: SIE ``#ORGNR``, JSON ``company.org_nr`` (None: none)."""


def sniff_media_type(head: bytes) -> str | None:
    """``application/pdf``, ``image/jpeg`` or ``image/png`` from a file's first bytes."""
    for magic, media in _MAGIC:
        if head.startswith(magic):
            return media
    return None


def attachment_ref(path: Path, *, limit: int | None = None) -> AttachmentRef:
    """Describe one attachment file (size, sha256, sniffed type). Raises ``InputError`` when
    it is not a PDF, JPEG or PNG, cannot be read, or is larger than ``limit`` bytes: the size
    is checked first, so a file over the limit is refused without being read, and the digest
    is taken in a stream, so memory stays flat whatever the size."""
    try:
        size = path.stat().st_size
        if limit is not None and size > limit:
            raise InputError(
                f"attachment {path} is {size} bytes, over the target's limit of {limit} bytes"
            )
        with path.open("rb") as stream:
            media = sniff_media_type(stream.read(16))
            if media is None:
                raise InputError("the attachment is not a PDF, JPEG or PNG file", path=path)
            stream.seek(0)
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
    except OSError as exc:
        raise InputError(f"cannot read the attachment: {exc.strerror}", path=path) from exc
    return AttachmentRef(
        path=str(path), filename=path.name, media_type=media, size=size, sha256=digest
    )


def attachment_key(voucher: Voucher, position: int) -> str:
    """The attachment key of a voucher: ``A-12``, or ``v3`` for an unnumbered third voucher."""
    if voucher.number:
        return f"{voucher.series}-{voucher.number}"
    return f"v{position}"


def file_key(path: Path) -> str:
    """The voucher key a file name carries: the stem up to the first ``_``."""
    return path.stem.split("_", 1)[0]


# --- vouchers ----------------------------------------------------------------------------


def _looks_like_sie(path: Path) -> bool:
    with path.open("rb") as fh:
        head = fh.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return head.startswith(b"#")


def _read_sie(path: Path, out: PushInput) -> list[tuple[Voucher, list[str]]]:
    from ledgerlink_core.sie import SieVoucher, iter_sie

    reader = iter_sie(path, strict=False, name=str(path))
    vouchers: list[tuple[Voucher, list[str]]] = []
    for item in reader:
        if not isinstance(item, SieVoucher):
            if item.label == "#ORGNR" and item.fields and isinstance(item.fields[0], str):
                out.org_nr = item.fields[0] or None
            continue
        if item.ok and item.date is not None:
            vouchers.append((item.to_model(), []))
        elif item.ok:
            out.problems.append(f"voucher {item.label} ({path}:{item.line}): it has no date")
        elif item.total != 0:
            out.problems.append(
                f"voucher {item.label} ({path}:{item.line}): unbalanced: its rows sum to "
                f"{item.total}, not 0"
            )
    errors = [p for p in reader.problems.items if p.severity == "error" and p.code != "unbalanced"]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more errors)" if len(errors) > 1 else ""
        raise InputError(f"{first.message}{more}", path=path, line=first.line)
    return vouchers


def _json_vouchers(data: Any, path: Path) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict) and isinstance(data.get("vouchers"), list):
        return list(data["vouchers"])
    raise InputError(
        'expected a list of vouchers, {"vouchers": [...]} or a bookkeeping from '
        "`ledgerlink pull --json`",
        path=path,
    )


def _read_json(path: Path, out: PushInput) -> list[tuple[Voucher, list[str]]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError("not UTF-8 text", path=path) from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc.msg}", path=path, line=exc.lineno) from exc
    company = data.get("company") if isinstance(data, dict) else None
    if isinstance(company, dict) and isinstance(company.get("org_nr"), str):
        out.org_nr = company["org_nr"] or None
    vouchers: list[tuple[Voucher, list[str]]] = []
    for n, raw in enumerate(_json_vouchers(data, path), start=1):
        if not isinstance(raw, dict):
            raise InputError(f"voucher #{n} is not an object", path=path)
        raw = dict(raw)
        names = raw.pop("attachments", [])
        if not isinstance(names, list) or not all(isinstance(x, str) for x in names):
            raise InputError(f"voucher #{n}: attachments must be a list of file names", path=path)
        label = f"#{n}"
        if raw.get("series") or raw.get("number"):
            label = f"#{n} ({raw.get('series', '')} {raw.get('number') or ''})".replace("( ", "(")
            label = label.replace(" )", ")")
        try:
            voucher = Voucher.model_validate(raw)
        except ValidationError as exc:
            err = exc.errors()[0]
            if "does not balance" in err["msg"]:
                out.problems.append(
                    f"voucher {label} ({path}): unbalanced: "
                    + err["msg"].split("does not balance: ", 1)[-1]
                )
                continue
            where = ".".join(str(p) for p in err["loc"]) or "voucher"
            raise InputError(f"voucher {label}: {where}: {err['msg']}", path=path) from None
        vouchers.append((voucher, names))
    return vouchers


# --- attachments -------------------------------------------------------------------------------


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    """Whether ``path``, with every symlink followed, lies inside one of ``roots``."""
    real = path.resolve()
    return any(real.is_relative_to(root.resolve()) for root in roots)


def _named_attachments(
    base: Path,
    voucher: Voucher,
    names: list[str],
    out: PushInput,
    roots: Sequence[Path],
    limit: int | None,
) -> list[AttachmentRef]:
    refs: list[AttachmentRef] = []
    where = " or ".join(str(r) for r in roots)
    for name in names:
        path = base / name
        if Path(name).is_absolute() or not _inside(path, roots):
            raise InputError(
                f"voucher {voucher.label}: attachment {name!r} is outside {where}; an "
                "attachment must be a file inside the input's folder (or --attach DIR)"
            )
        if not path.is_file():
            out.problems.append(f"voucher {voucher.label}: attachment {path} is missing")
            continue
        try:
            refs.append(attachment_ref(path, limit=limit))
        except InputError as exc:
            out.problems.append(f"voucher {voucher.label}: {exc}")
    return refs


def _directory_attachments(
    directory: Path, vouchers: list[Voucher], out: PushInput, limit: int | None
) -> list[list[AttachmentRef]]:
    if not directory.is_dir():
        raise InputError("--attach must name a directory", path=directory)
    keys: dict[str, int] = {}
    shared: dict[str, list[int]] = {}  # keys that name two vouchers (A-1 2 and A 1-2)
    for n, v in enumerate(vouchers, start=1):
        key = attachment_key(v, n)
        if key in keys:
            shared.setdefault(key, [keys[key]]).append(n - 1)
        else:
            keys[key] = n - 1
    found: list[list[AttachmentRef]] = [[] for _ in vouchers]
    for path in sorted(directory.iterdir()):
        if not path.is_file() or path.suffix.lower() not in ATTACHMENT_SUFFIXES:
            continue
        if file_key(path) in shared:
            named = " and ".join(vouchers[i].label for i in shared[file_key(path)])
            out.problems.append(
                f"attachment {path.name}: its name matches more than one voucher ({named}); "
                "name it by position (v<position>[_...]) instead"
            )
            continue
        if not _inside(path, [directory]):
            raise InputError(
                f"attachment {path.name} is a link to a file outside {directory}; copy the "
                "file in instead",
                path=path,
            )
        index = keys.get(file_key(path))
        if index is None:
            out.problems.append(
                f"attachment {path.name}: its name matches no voucher (expected "
                "<series>-<number>[_...] or v<position>[_...])"
            )
            continue
        try:
            found[index].append(attachment_ref(path, limit=limit))
        except InputError as exc:
            out.problems.append(f"voucher {vouchers[index].label}: {exc}")
    return found


def _duplicate_numbers(vouchers: list[Voucher]) -> list[str]:
    """Two input vouchers with the same series and number: which one a target's voucher, an
    attachment or a look-up means could not be told."""
    seen: dict[tuple[str, str], list[int]] = {}
    for n, v in enumerate(vouchers, start=1):
        if v.number:
            seen.setdefault((v.series, v.number), []).append(n)
    return [
        f"voucher {series} {number}: {len(at)} input vouchers carry this series and number "
        f"(vouchers {', '.join(f'#{i}' for i in at)}); number them apart"
        for (series, number), at in seen.items()
        if len(at) > 1
    ]


def read_push_input(
    path: Path, attach_dir: Path | None = None, *, max_attachment_bytes: int | None = None
) -> PushInput:
    """Read vouchers (SIE or JSON) and their attachments; compute each external reference.

    Malformed input raises :class:`InputError` (file and line); problems that concern single
    vouchers are returned in ``problems`` for validation to report with the rest. An
    attachment over ``max_attachment_bytes`` (the target's limit) is such a problem, found by
    its size alone.
    """
    if not path.is_file():
        raise InputError("no such file", path=path)
    out = PushInput()
    parsed = _read_sie(path, out) if _looks_like_sie(path) else _read_json(path, out)
    vouchers = [v for v, _ in parsed]
    out.problems.extend(_duplicate_numbers(vouchers))
    if attach_dir is not None:
        per_voucher = _directory_attachments(attach_dir, vouchers, out, max_attachment_bytes)
    else:
        per_voucher = [[] for _ in vouchers]
    roots = [path.parent] if attach_dir is None else [path.parent, attach_dir]
    for (voucher, names), extra in zip(parsed, per_voucher, strict=True):
        extra.extend(
            _named_attachments(path.parent, voucher, names, out, roots, max_attachment_bytes)
        )
    out.items = export_items(vouchers, origin=str(path), attachments=per_voucher)
    return out


def export_items(
    vouchers: Sequence[Voucher],
    *,
    origin: str = "",
    attachments: Sequence[Sequence[AttachmentRef]] | None = None,
) -> list[VoucherExport]:
    """The vouchers of one input, ready for export: each with its external reference
    (identical vouchers counted in order) and its documents (``attachments[i]`` for
    ``vouchers[i]``). ``origin`` names the input in messages."""
    documents = attachments if attachments is not None else [()] * len(vouchers)
    return [
        VoucherExport(voucher=voucher, attachments=tuple(atts), external_ref=ref, origin=origin)
        for voucher, atts, ref in zip(vouchers, documents, external_refs(vouchers), strict=True)
    ]
