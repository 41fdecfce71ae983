"""``ledgerlink push`` as a function: read -> check capabilities -> validate -> journal -> send.

Nothing is written anywhere (target or journal) until validation has passed; ``dry_run``
stops right after it and reports what would be sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ledgerlink_core.backend import ExportOptions
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.export.inputs import read_push_input
from ledgerlink_core.export.journal import FILENAME, ExportJournal
from ledgerlink_core.export.validate import validate_export
from ledgerlink_core.model import ExportReport, ExportStatus, VoucherOutcome
from ledgerlink_core.progress import NullProgress, Progress
from ledgerlink_core.runtime import Runtime


@dataclass(frozen=True)
class PushRequest:
    """What to push where."""

    backend: str
    source: Path
    attach_dir: Path | None = None
    series: str | None = None
    dry_run: bool = False
    overrides: Mapping[str, str] | None = None


def push(
    runtime: Runtime,
    request: PushRequest,
    *,
    progress: Progress | None = None,
    transport: Any = None,
) -> ExportReport:
    """Run one push and return its report (also sent to ``ledgerlink_export_finished``).

    Raises :class:`~ledgerlink_core.errors.NotSupported` (before any I/O),
    :class:`~ledgerlink_core.errors.InputError` for unreadable input and
    :class:`~ledgerlink_core.errors.ValidationFailed` with every problem found.
    """
    progress = progress or NullProgress()
    cls = runtime.registry.backend_class(request.backend)
    caps = cls.capabilities()
    needs = [Capability.EXPORT_VOUCHERS]
    if request.attach_dir is not None:
        needs.append(Capability.EXPORT_ATTACHMENTS)
    caps.require(request.backend, *needs)

    pushed = read_push_input(request.source, request.attach_dir)
    if any(item.attachments for item in pushed.items):
        needs.append(Capability.EXPORT_ATTACHMENTS)
    with runtime.open_backend(
        request.backend,
        request.overrides,
        require=needs,
        progress=progress,
        transport=transport,
    ) as backend:
        chart = backend.chart_of_accounts()
        constraints = backend.export_constraints()
        target = backend.export_target()
        validate_export(
            pushed.items,
            target=request.backend,
            capabilities=caps,
            chart=chart,
            constraints=constraints,
            hook=runtime.registry.hook,
            series_override=request.series,
            input_problems=pushed.problems,
        )
        if request.dry_run:
            report = _dry_run(runtime, target, request.backend, pushed.items)
        else:
            journal = ExportJournal.open(runtime.data_dir)
            try:
                journal.acquire()
                for item in pushed.items:
                    journal.register(target, item)
                options = ExportOptions(series=request.series, journal=journal)
                outcomes: list[VoucherOutcome] = []
                with progress.task(f"pushing to {request.backend}", total=len(pushed.items)) as t:
                    for outcome in backend.export_vouchers(pushed.items, options):
                        outcomes.append(outcome)
                        t.advance()
            finally:
                journal.close()
            report = ExportReport(target=request.backend, outcomes=tuple(outcomes))
    runtime.notify("ledgerlink_export_finished", report=report)
    return report


def _dry_run(runtime: Runtime, target: str, backend: str, items: list[Any]) -> ExportReport:
    """What a real run would do: vouchers the journal has confirmed are already there."""
    known: dict[str, Any] = {}
    path = runtime.data_dir / FILENAME
    if path.exists():
        with ExportJournal(path) as journal:
            known = {e.ref: e for e in journal.entries(target)}
    outcomes = []
    for item in items:
        entry = known.get(item.external_ref)
        where = entry.voucher_ref if entry is not None else None
        confirmed = where is not None
        outcomes.append(
            VoucherOutcome(
                external_ref=item.external_ref,
                voucher=item.voucher.label,
                status=ExportStatus.ALREADY_THERE if confirmed else ExportStatus.WOULD_CREATE,
                target=where,
                attachments=len(item.attachments),
            )
        )
    return ExportReport(target=backend, dry_run=True, outcomes=tuple(outcomes))
