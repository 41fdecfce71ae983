"""Undeclared capabilities are refused with ``NotSupported`` before any I/O."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest

from ledgerlink_core.backend import AccountingBackend, BookkeepingRequest, SubledgerRequest
from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.errors import NotSupported
from ledgerlink_core.model import Bookkeeping, VoucherAttachment
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.testing.noio import RequestLog, watch_io
from ledgerlink_core.testing.suites.base import KitBase

__all__ = [
    "CapabilityTests",
]


Call = Callable[[AccountingBackend], object]


def _calls() -> dict[Capability, tuple[Call, ...]]:
    """For each capability with methods of its own, the calls that must raise NotSupported."""
    day = dt.date(2025, 12, 31)
    document = VoucherAttachment(series="A", number="1", filename="kvitto.pdf", ref="kit")
    return {
        Capability.IMPORT_BOOKKEEPING: (lambda b: b.import_bookkeeping(BookkeepingRequest()),),
        Capability.IMPORT_SUBLEDGER_CUSTOMER: (
            lambda b: b.import_subledger_history(SubledgerRequest(kind="customer", as_of=day)),
        ),
        Capability.IMPORT_SUBLEDGER_SUPPLIER: (
            lambda b: b.import_subledger_history(SubledgerRequest(kind="supplier", as_of=day)),
        ),
        Capability.IMPORT_ATTACHMENTS: (
            lambda b: list(b.list_attachments(BookkeepingRequest())),
            lambda b: b.download_attachment(document, BytesIO()),
        ),
        Capability.EXPORT_VOUCHERS: (lambda b: b.export_sink(),),
    }


class CapabilityTests(KitBase):
    """The other half of capability gating: what is not declared is refused, early."""

    def test_undeclared_capabilities_raise_not_supported(
        self,
        runtime: Runtime,
        backend_name: str,
        settings: dict[str, str],
        capabilities: Capabilities,
        forbidding_transport: Any,
        sample: Bookkeeping,
        sample_dir: Path,
        http_log: RequestLog,
    ) -> None:
        undeclared = [c for c in Capability if c not in capabilities]
        calls = _calls()
        runtime.file_config  # noqa: B018 -- core's config file is not the backend's I/O
        for cap in undeclared:
            # Core refuses a job needing it before settings are even read...
            with watch_io([sample_dir]) as io, pytest.raises(NotSupported) as caught:
                runtime.open_backend(
                    backend_name, settings, require=[cap], transport=forbidding_transport
                )
            assert str(cap) in caught.value.missing
            assert not io, f"refusing {cap} did I/O:\n{io.summary()}"
            # ...and the backend's own methods refuse it too, without touching anything.
            for call in calls.get(cap, ()):
                with runtime.open_backend(
                    backend_name, settings, transport=forbidding_transport
                ) as opened:
                    with watch_io([sample_dir]) as io, pytest.raises(NotSupported) as caught:
                        call(opened)
                    assert not io, f"{cap} was refused only after I/O:\n{io.summary()}"
                assert caught.value.backend == backend_name
        assert not http_log.requests, f"requests were sent: {http_log.requests}"

    def test_attachments_are_refused_where_undeclared(
        self,
        runtime: Runtime,
        backend_name: str,
        settings: dict[str, str],
        capabilities: Capabilities,
        forbidding_transport: Any,
        sample: Bookkeeping,
        tmp_path: Path,
        http_log: RequestLog,
    ) -> None:
        """``ledgerlink push`` of a voucher with a document to a backend that exports but
        does not declare ``export.attachments`` fails with NotSupported before any write."""
        if Capability.EXPORT_VOUCHERS not in capabilities:
            pytest.skip(
                f"{backend_name} does not declare export.vouchers "
                "(test_undeclared_capabilities_raise_not_supported covers it)"
            )
        if Capability.EXPORT_ATTACHMENTS in capabilities:
            pytest.skip(
                f"{backend_name} declares export.attachments "
                "(test_attachments_are_exported covers it)"
            )
        from ledgerlink_core.jobs import PushRequest, push

        folder = tmp_path / "push"
        folder.mkdir()
        (folder / "kvitto.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
        voucher = self.export_items(sample, count=1)[0].voucher
        data = voucher.model_dump(mode="json", exclude_defaults=True)
        data["attachments"] = ["kvitto.pdf"]
        source = folder / "vouchers.json"
        source.write_text(json.dumps({"vouchers": [data]}), encoding="utf-8")
        request = PushRequest(backend=backend_name, source=source, overrides=settings)
        with watch_io((), network=False) as io, pytest.raises(NotSupported) as caught:
            push(runtime, request, transport=forbidding_transport)
        assert str(Capability.EXPORT_ATTACHMENTS) in caught.value.missing
        assert not io, f"refusing attachments wrote:\n{io.summary()}"
        assert not http_log.requests, f"requests were sent: {http_log.requests}"
