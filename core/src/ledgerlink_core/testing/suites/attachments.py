"""Attachments import: documents exported with their vouchers come back byte for byte under
the ``<series>-<number>_<name>`` rule, and a second import downloads nothing.

The documents are put there by ``ledgerlink push`` (the kit cannot add files to a backend any
other way), so the test needs ``export.vouchers`` and ``export.attachments`` as well; a backend
that imports attachments but cannot export them is skipped with that reason and should test
its import against its own data.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from ledgerlink_core.backend import BookkeepingRequest
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.jobs.attachments import AttachmentsReport, import_attachments
from ledgerlink_core.model import Bookkeeping, ExportStatus, VoucherRef
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.testing.suites.base import KitBase, requires

__all__ = [
    "AttachmentImportTests",
]

_PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n"
_PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
#: Per exported voucher: (file name, bytes). Names with a space and Swedish letters, as
#: people name their receipts; the contents differ, so each one can be told apart.
_DOCUMENTS: tuple[tuple[tuple[str, bytes], ...], ...] = (
    (("kvitto 1.pdf", _PDF + b"%kit one\n%%EOF\n"), ("Faktura åäö.png", _PNG + b"kit two")),
    (("underlag.pdf", _PDF + b"%kit three" + bytes(range(256)) * 8 + b"\n%%EOF\n"),),
)


class AttachmentImportTests(KitBase):
    """``import.attachments``: what was exported with a voucher is imported back, whole."""

    def _import(
        self,
        runtime: Runtime,
        backend_name: str,
        settings: dict[str, str],
        transport: Any,
        selector: BookkeepingRequest,
        directory: Path,
    ) -> AttachmentsReport:
        with runtime.open_backend(
            backend_name, settings, require=[Capability.IMPORT_ATTACHMENTS], transport=transport
        ) as backend:
            return import_attachments(runtime, backend, selector, directory)

    @requires(
        Capability.IMPORT_ATTACHMENTS, Capability.EXPORT_VOUCHERS, Capability.EXPORT_ATTACHMENTS
    )
    def test_exported_attachments_come_back_byte_for_byte(
        self,
        runtime: Runtime,
        backend_name: str,
        export_settings: dict[str, str],
        kit_transport: Any,
        sample: Bookkeeping,
        tmp_path: Path,
    ) -> None:
        from ledgerlink_core.jobs import PushRequest, push

        folder = tmp_path / "push"
        folder.mkdir()
        items = self.export_items(sample, count=len(_DOCUMENTS))
        assert len(items) == len(_DOCUMENTS), "the sample needs vouchers in two series"
        vouchers = []
        for item, documents in zip(items, _DOCUMENTS, strict=True):
            names = []
            for name, content in documents:
                (folder / name).write_bytes(content)
                names.append(name)
            data = item.voucher.model_dump(mode="json", exclude_defaults=True)
            vouchers.append({**data, "attachments": names})
        source = folder / "vouchers.json"
        source.write_text(json.dumps({"vouchers": vouchers}, ensure_ascii=False), "utf-8")
        report = push(
            runtime,
            PushRequest(backend=backend_name, source=source, overrides=export_settings),
            transport=kit_transport,
        )
        assert report.ok, [o.error for o in report.outcomes if o.error]
        assert [o.status for o in report.outcomes] == [ExportStatus.CREATED] * len(items)
        placements = [o.placement for o in report.outcomes]
        assert all(p is not None for p in placements), "say where each voucher went"

        selector = BookkeepingRequest(on_date=items[0].voucher.date)
        target = tmp_path / "imported"
        first = self._import(
            runtime, backend_name, export_settings, kit_transport, selector, target
        )
        assert first.ok, [f"{f.voucher}: {f.filename}: {f.message}" for f in first.failed]
        for placement, documents in zip(placements, _DOCUMENTS, strict=True):
            assert placement is not None
            got = _contents(target, placement)
            want = Counter(data for _, data in documents)
            assert got == want, (
                f"voucher {placement.series} {placement.number}: imported "
                f"{sorted(_names(target, placement))}, expected the {len(documents)} exported "
                f"document(s) byte for byte"
            )
        before = {p.name: p.read_bytes() for p in target.iterdir()}

        # A second import finds everything there: nothing is downloaded, nothing changes.
        second = self._import(
            runtime, backend_name, export_settings, kit_transport, selector, target
        )
        assert second.ok and second.downloaded == [], (
            f"a second import downloaded {second.downloaded}"
        )
        assert set(second.kept) == set(first.downloaded) | set(first.kept)
        assert {p.name: p.read_bytes() for p in target.iterdir()} == before

        # A file that went missing is the only one downloaded again.
        assert placements[0] is not None
        gone = sorted(_names(target, placements[0]))[0]
        (target / gone).unlink()
        third = self._import(
            runtime, backend_name, export_settings, kit_transport, selector, target
        )
        assert third.downloaded == [gone], third.downloaded
        assert {p.name: p.read_bytes() for p in target.iterdir()} == before


def _names(directory: Path, placement: VoucherRef) -> list[str]:
    prefix = f"{placement.series}-{placement.number}_"
    return [p.name for p in directory.iterdir() if p.name.startswith(prefix)]


def _contents(directory: Path, placement: VoucherRef) -> Counter[bytes]:
    return Counter((directory / name).read_bytes() for name in _names(directory, placement))
