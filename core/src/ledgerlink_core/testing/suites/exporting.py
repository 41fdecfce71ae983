"""Export: invalid vouchers are refused before any write, a dry run writes nothing, exported
vouchers come back on import, and a repeated export writes nothing new.

Every export goes through :func:`ledgerlink_core.jobs.push`, exactly what ``ledgerlink push``
runs: capability check, input reading, validation (with the ``ledgerlink_validate_export``
hook), the export journal and the backend's sink. Most tests push a file, as a user does; the
repeated export is also run with ready items, as a library caller does.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from ledgerlink_core.backend import BookkeepingRequest
from ledgerlink_core.capabilities import Capabilities, Capability
from ledgerlink_core.errors import ValidationFailed
from ledgerlink_core.model import Bookkeeping, ExportReport, ExportStatus, Voucher, VoucherExport
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.testing.noio import IORecord, RequestLog, watch_io
from ledgerlink_core.testing.suites.base import KitBase, content_key, requires

__all__ = [
    "PDF",
    "SAFE_METHODS",
    "ExportTests",
    "is_write_request",
]

#: HTTP methods that only read.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: A tiny but real PDF, for attachment tests.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Count 0/Kids[]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def is_write_request(method: str, url: str) -> bool:
    """True for an HTTP request that changes the target. Refreshing an OAuth token (a POST to
    ``.../token``) changes nothing in the bookkeeping and does not count."""
    return method.upper() not in SAFE_METHODS and not url.split("?")[0].rstrip("/").endswith(
        "/token"
    )


def _voucher_json(v: Voucher, attachments: list[str] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = v.model_dump(mode="json", exclude_defaults=True)
    if attachments:
        data["attachments"] = attachments
    return data


class ExportTests(KitBase):
    """``export.*``: the promises a target makes, checked through ``ledgerlink push``."""

    # --- helpers --------------------------------------------------------------------------------

    def push_input(self, directory: Path, vouchers: list[dict[str, Any]]) -> Path:
        """Write vouchers as a ``ledgerlink push`` JSON input file and return its path."""
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "vouchers.json"
        path.write_text(json.dumps({"vouchers": vouchers}, ensure_ascii=False), encoding="utf-8")
        return path

    def push(
        self,
        runtime: Runtime,
        backend_name: str,
        source: Path,
        overrides: dict[str, str],
        transport: Any,
        *,
        dry_run: bool = False,
        valid: bool = True,
    ) -> ExportReport:
        """Run ``ledgerlink push`` in-process. With ``valid`` (vouchers the target should
        accept), a validation failure fails the test listing every problem."""
        from ledgerlink_core.jobs import PushRequest, push

        request = PushRequest(
            backend=backend_name, source=source, dry_run=dry_run, overrides=overrides
        )
        if not valid:
            return push(runtime, request, transport=transport)
        try:
            return push(runtime, request, transport=transport)
        except ValidationFailed as exc:
            pytest.fail(f"the target refused the kit's valid vouchers: {exc}: {exc.problems}")

    def target_vouchers(
        self,
        runtime: Runtime,
        backend_name: str,
        capabilities: Capabilities,
        export_settings: dict[str, str],
        transport: Any,
    ) -> Counter[tuple[Any, ...]] | None:
        """The vouchers of the export target's current year, or None without import."""
        if Capability.IMPORT_BOOKKEEPING not in capabilities:
            return None
        with runtime.open_backend(backend_name, export_settings, transport=transport) as b:
            book = b.import_bookkeeping(BookkeepingRequest())
        return Counter(map(content_key, book.vouchers))

    def assert_no_writes(self, io: IORecord, http_log: RequestLog, what: str) -> None:
        """Fail when ``io`` saw a write or ``http_log`` a request that changes the target."""
        assert not io, f"{what} wrote:\n{io.summary()}"
        writes = [(m, u) for m, u in http_log.requests if is_write_request(m, u)]
        assert not writes, f"{what} sent writes: {writes}"

    # --- tests ----------------------------------------------------------------------------------

    @requires(Capability.EXPORT_VOUCHERS)
    def test_invalid_vouchers_are_refused_before_any_write(
        self,
        runtime: Runtime,
        backend_name: str,
        capabilities: Capabilities,
        export_settings: dict[str, str],
        kit_transport: Any,
        http_log: RequestLog,
        sample: Bookkeeping,
        tmp_path: Path,
    ) -> None:
        before = self.target_vouchers(
            runtime, backend_name, capabilities, export_settings, kit_transport
        )
        good = self.export_items(sample, count=1)[0].voucher
        unbalanced = _voucher_json(good)
        unbalanced["rows"][0]["amount"] = "1.00"
        unbalanced["text"] = "unbalanced (kit)"
        one_row = _voucher_json(good)
        one_row["rows"] = [{"account": good.rows[0].account, "amount": "0.00"}]
        one_row["text"] = "one row (kit)"
        source = self.push_input(tmp_path / "push", [_voucher_json(good), unbalanced, one_row])
        http_log.clear()
        with watch_io((), network=False) as io, pytest.raises(ValidationFailed) as caught:
            self.push(runtime, backend_name, source, export_settings, kit_transport, valid=False)
        self.assert_no_writes(io, http_log, "an export of invalid vouchers")
        problems = " | ".join(caught.value.problems)
        assert "unbalanced" in problems, problems
        assert "one row" in problems, problems
        after = self.target_vouchers(
            runtime, backend_name, capabilities, export_settings, kit_transport
        )
        assert after == before, "a refused export changed the target"

    @requires(Capability.EXPORT_VOUCHERS)
    def test_dry_run_writes_nothing(
        self,
        runtime: Runtime,
        backend_name: str,
        capabilities: Capabilities,
        export_settings: dict[str, str],
        kit_transport: Any,
        http_log: RequestLog,
        sample: Bookkeeping,
        tmp_path: Path,
    ) -> None:
        before = self.target_vouchers(
            runtime, backend_name, capabilities, export_settings, kit_transport
        )
        items = self.export_items(sample)
        source = self.push_input(tmp_path / "push", [_voucher_json(i.voucher) for i in items])
        http_log.clear()
        with watch_io((), network=False) as io:
            report = self.push(
                runtime, backend_name, source, export_settings, kit_transport, dry_run=True
            )
        self.assert_no_writes(io, http_log, "a dry run")
        assert report.dry_run
        assert [o.status for o in report.outcomes] == [ExportStatus.WOULD_CREATE] * len(items)
        after = self.target_vouchers(
            runtime, backend_name, capabilities, export_settings, kit_transport
        )
        assert after == before, "a dry run changed the target"

    @requires(Capability.EXPORT_VOUCHERS, Capability.IMPORT_BOOKKEEPING)
    def test_export_then_import_gives_the_same_vouchers(
        self,
        runtime: Runtime,
        backend_name: str,
        capabilities: Capabilities,
        export_settings: dict[str, str],
        kit_transport: Any,
        sample: Bookkeeping,
        tmp_path: Path,
    ) -> None:
        before = self.target_vouchers(
            runtime, backend_name, capabilities, export_settings, kit_transport
        )
        assert before is not None
        items = self.export_items(sample)
        source = self.push_input(tmp_path / "push", [_voucher_json(i.voucher) for i in items])
        report = self.push(runtime, backend_name, source, export_settings, kit_transport)
        assert report.ok, [o.error for o in report.outcomes if o.error]
        assert [o.status for o in report.outcomes] == [ExportStatus.CREATED] * len(items)
        assert all(o.placement is not None for o in report.outcomes), "say where each voucher went"
        after = self.target_vouchers(
            runtime, backend_name, capabilities, export_settings, kit_transport
        )
        assert after is not None
        added = after - before
        expected = Counter(content_key(i.voucher) for i in items)
        assert added == expected, (
            f"after export the target gained {sorted(added.elements())[:3]}, "
            f"expected {sorted(expected.elements())[:3]}"
        )
        assert not (before - after), "export removed or changed vouchers that were there"

    @requires(Capability.EXPORT_VOUCHERS, Capability.IMPORT_BOOKKEEPING)
    def test_export_keeps_what_the_target_held(
        self,
        runtime: Runtime,
        backend_name: str,
        export_settings: dict[str, str],
        kit_transport: Any,
        sample: Bookkeeping,
        tmp_path: Path,
    ) -> None:
        def current() -> Bookkeeping:
            with runtime.open_backend(backend_name, export_settings, transport=kit_transport) as b:
                return b.import_bookkeeping(BookkeepingRequest())

        before = current()
        items = self.export_items(sample)
        source = self.push_input(tmp_path / "push", [_voucher_json(i.voucher) for i in items])
        report = self.push(runtime, backend_name, source, export_settings, kit_transport)
        assert report.ok, [o.error for o in report.outcomes if o.error]
        after = current()
        # Adding vouchers must not lose the company, the years, the chart, the dimensions
        # or the opening balances the target already had.
        assert (after.company.name, after.company.org_nr) == (
            before.company.name,
            before.company.org_nr,
        ), "export changed the target's company"
        assert {(y.index, y.start, y.end) for y in after.fiscal_years} >= {
            (y.index, y.start, y.end) for y in before.fiscal_years
        }, "export lost fiscal years"
        lost = sorted({a.number for a in before.accounts} - {a.number for a in after.accounts})
        assert not lost, f"export lost accounts {lost[:10]}"
        assert {(o.dimension, o.number) for o in after.objects} >= {
            (o.dimension, o.number) for o in before.objects
        }, "export lost dimension objects"
        assert set(after.opening_balances) >= set(before.opening_balances), (
            "export changed or lost opening balances"
        )

    def assert_repeat_writes_nothing(
        self,
        export: Callable[[], ExportReport],
        runtime: Runtime,
        backend_name: str,
        capabilities: Capabilities,
        export_settings: dict[str, str],
        kit_transport: Any,
        http_log: RequestLog,
    ) -> None:
        """Run ``export`` twice: the first creates every voucher; the second reports them all
        ``already-there`` at the same place, sends no write, writes no file but core's journal
        and leaves the target as it was."""
        first = export()
        assert first.ok, [o.error for o in first.outcomes if o.error]
        assert {o.status for o in first.outcomes} == {ExportStatus.CREATED}
        between = self.target_vouchers(
            runtime, backend_name, capabilities, export_settings, kit_transport
        )
        http_log.clear()
        with watch_io((), network=False) as io:
            second = export()
        assert [o.status for o in second.outcomes] == [ExportStatus.ALREADY_THERE] * len(
            first.outcomes
        )
        assert [o.placement for o in second.outcomes] == [o.placement for o in first.outcomes]
        writes = [(m, u) for m, u in http_log.requests if is_write_request(m, u)]
        assert not writes, f"the repeated export sent writes: {writes}"
        # Core's own state (the journal in the data directory) is not the target's.
        # Neither is a lock beside the target (coordination, not content), nor a mkdir of a
        # folder that exists.
        target_writes = [
            e
            for e in io.events
            if str(runtime.data_dir) not in e
            and not e.endswith(".lock")
            and not (e.startswith("os.mkdir: ") and Path(e[10:].strip("'")).is_dir())
        ]
        assert not target_writes, f"the repeated export wrote: {target_writes}"
        after = self.target_vouchers(
            runtime, backend_name, capabilities, export_settings, kit_transport
        )
        assert after == between, "the repeated export changed the target"

    @requires(Capability.EXPORT_VOUCHERS, Capability.EXPORT_IDEMPOTENT)
    def test_repeated_export_writes_nothing_new(
        self,
        runtime: Runtime,
        backend_name: str,
        capabilities: Capabilities,
        export_settings: dict[str, str],
        kit_transport: Any,
        http_log: RequestLog,
        sample: Bookkeeping,
        tmp_path: Path,
    ) -> None:
        """The same file pushed twice, as ``ledgerlink push`` does."""
        items = self.export_items(sample)
        source = self.push_input(tmp_path / "push", [_voucher_json(i.voucher) for i in items])
        self.assert_repeat_writes_nothing(
            lambda: self.push(runtime, backend_name, source, export_settings, kit_transport),
            runtime,
            backend_name,
            capabilities,
            export_settings,
            kit_transport,
            http_log,
        )

    @requires(Capability.EXPORT_VOUCHERS, Capability.EXPORT_IDEMPOTENT)
    def test_repeated_library_export_writes_nothing_new(
        self,
        runtime: Runtime,
        backend_name: str,
        capabilities: Capabilities,
        export_settings: dict[str, str],
        kit_transport: Any,
        http_log: RequestLog,
        sample: Bookkeeping,
    ) -> None:
        """The same vouchers exported twice from Python (``PushRequest(items=...)``: no file,
        no CLI), as a library caller does."""
        from ledgerlink_core.jobs import PushRequest, push

        items: tuple[VoucherExport, ...] = tuple(self.export_items(sample))
        request = PushRequest(backend=backend_name, items=items, overrides=export_settings)
        self.assert_repeat_writes_nothing(
            lambda: push(runtime, request, transport=kit_transport),
            runtime,
            backend_name,
            capabilities,
            export_settings,
            kit_transport,
            http_log,
        )

    @requires(Capability.EXPORT_VOUCHERS, Capability.EXPORT_ATTACHMENTS)
    def test_attachments_are_exported(
        self,
        runtime: Runtime,
        backend_name: str,
        capabilities: Capabilities,
        export_settings: dict[str, str],
        kit_transport: Any,
        http_log: RequestLog,
        sample: Bookkeeping,
        tmp_path: Path,
    ) -> None:
        folder = tmp_path / "push"
        folder.mkdir()
        (folder / "kvitto.pdf").write_bytes(PDF)
        item = self.export_items(sample, count=1)[0]
        source = self.push_input(folder, [_voucher_json(item.voucher, ["kvitto.pdf"])])
        report = self.push(runtime, backend_name, source, export_settings, kit_transport)
        assert report.ok, [o.error for o in report.outcomes if o.error]
        assert [(o.status, o.attachments) for o in report.outcomes] == [(ExportStatus.CREATED, 1)]
        limit = capabilities.max_attachment_bytes
        if limit is not None:
            (folder / "big.pdf").write_bytes(PDF + b"%" * (limit + 1))
            big = item.voucher.model_copy(update={"text": f"{item.voucher.text} (too big)"})
            source = self.push_input(folder, [_voucher_json(big, ["big.pdf"])])
            http_log.clear()
            with watch_io((), network=False) as io, pytest.raises(ValidationFailed):
                self.push(
                    runtime, backend_name, source, export_settings, kit_transport, valid=False
                )
            self.assert_no_writes(io, http_log, "an export with an oversized attachment")

    @requires(Capability.EXPORT_VOUCHERS, Capability.LOCKED_PERIODS)
    def test_export_into_a_locked_period_is_refused(
        self,
        runtime: Runtime,
        backend_name: str,
        export_settings: dict[str, str],
        kit_transport: Any,
        http_log: RequestLog,
        sample: Bookkeeping,
        locked_date: dt.date | None,
        tmp_path: Path,
    ) -> None:
        assert locked_date is not None, (
            "the backend declares locked_periods: provide a `locked_date` fixture, a date in "
            "a locked period of the export target"
        )
        item = self.export_items(sample, count=1)[0]
        locked = item.voucher.model_copy(update={"date": locked_date, "text": "locked (kit)"})
        source = self.push_input(tmp_path / "push", [_voucher_json(locked)])
        http_log.clear()
        with watch_io((), network=False) as io, pytest.raises(ValidationFailed) as caught:
            self.push(runtime, backend_name, source, export_settings, kit_transport, valid=False)
        self.assert_no_writes(io, http_log, "an export into a locked period")
        assert "lock" in " ".join(caught.value.problems).lower(), caught.value.problems
