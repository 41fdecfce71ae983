"""Supporting documents connected to vouchers at seed time (tests of attachments import,
benchmarks): PDF, JPEG and PNG files of varied sizes and names, as a company's archive holds.

:func:`attach_documents` gives ``count`` files to the vouchers of one fiscal year, one voucher
after another in (series, number) order; every fourth voucher gets two files, and when there
are more files than vouchers the round starts again. The bytes come from a generator seeded
with ``seed``, so the same call gives the same files.
"""

from __future__ import annotations

import random
import uuid

from ledgerlink_fortnox_emulator.state import EmulatorState, FileConnection, InboxFile

__all__ = [
    "KINDS",
    "attach_documents",
    "document_bytes",
]

#: Suffix -> (content type, magic bytes at the start of such a file).
KINDS: dict[str, tuple[str, bytes]] = {
    ".pdf": ("application/pdf", b"%PDF-1.4\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
}
#: File names as people give them: spaces, Swedish letters, capitals; ``{n}`` keeps them apart.
_NAMES = (
    "kvitto {n}.pdf",
    "Faktura Åkesson & Söner {n}.pdf",
    "skärmdump_{n}.png",
    "IMG_{n}.jpg",
    "underlag-{n}.pdf",
    "Kvittens öl {n}.JPG",
    "bild {n}.png",
)
#: Sizes to pick from, in bytes: a small receipt to a scanned page.
_SIZES = (180, 1_500, 12_000, 48_000, 150_000, 600_000)


def document_bytes(suffix: str, size: int, rng: random.Random) -> bytes:
    """``size`` bytes that start like a ``suffix`` file (``.pdf``, ``.jpg``, ``.png``)."""
    _, magic = KINDS[suffix.lower()]
    body = rng.randbytes(max(0, size - len(magic)))
    return magic + body


def _new_id(rng: random.Random, state: EmulatorState) -> str:
    """A file id from ``rng`` (repeatable) that no stored file has (two calls with one seed
    must not overwrite each other's files)."""
    while True:
        file_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        if file_id not in state.files:
            return file_id


def attach_documents(
    state: EmulatorState,
    count: int,
    *,
    seed: int = 0,
    year_id: int | None = None,
    max_size: int | None = None,
) -> list[InboxFile]:
    """Store ``count`` documents in the archive, each connected to a voucher of ``year_id``
    (default: the preselected year); returns them in the order they were connected.

    ``max_size`` caps the sizes (a benchmark that measures requests, not bytes)."""
    rng = random.Random(seed)
    with state.lock:
        year = state.year(year_id) if year_id is not None else state.default_year()
        if year is None:
            raise ValueError(f"no fiscal year {year_id}")
        vouchers = state.vouchers(year=year.id)
        if count and not vouchers:
            raise ValueError(f"fiscal year {year.id} has no vouchers to attach documents to")
        slots = [
            v for i, v in enumerate(vouchers) for _ in range(2 if i % 4 == 3 else 1)
        ] or vouchers
        stored: list[InboxFile] = []
        for n in range(count):
            voucher = slots[n % len(slots)]
            name = _NAMES[n % len(_NAMES)].format(n=n + 1)
            suffix = "." + name.rsplit(".", 1)[-1].lower()
            size = _SIZES[rng.randrange(len(_SIZES))] + rng.randrange(1000)
            if max_size is not None:
                size = min(size, max_size)
            content_type, _ = KINDS[suffix]
            file_id = _new_id(rng, state)
            f = InboxFile(
                file_id,
                name,
                "root",
                document_bytes(suffix, size, rng),
                content_type,
                str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            )
            state.files[f.id] = f
            state.file_connections[f.id] = FileConnection(
                f.id, voucher.series, voucher.number, year.id
            )
            stored.append(f)
        return stored
