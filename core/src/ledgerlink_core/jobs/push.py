"""``push``: vouchers (and their documents) into a backend, exactly once.

read -> check capabilities -> validate -> journal -> send. Nothing is written anywhere (target
or journal) until validation has passed; a dry run stops right after it and reports what would
be sent. The vouchers come from a file (``source``: SIE or canonical JSON, with ``attach_dir``)
or, for a library caller, as ready ``items`` (``export_items(vouchers)``); both take the same
path from there, so two runs with the same vouchers write them once.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledgerlink_core.backend import AccountingBackend, ExportConstraints
from ledgerlink_core.capabilities import Capability
from ledgerlink_core.errors import NotSupported, WrongCompany
from ledgerlink_core.export.engine import dry_run, run_export
from ledgerlink_core.export.inputs import PushInput, read_push_input
from ledgerlink_core.export.journal import FILENAME, ExportJournal, journal_key
from ledgerlink_core.export.normalise import normalise
from ledgerlink_core.export.validate import Charts, validate_export, year_of
from ledgerlink_core.model import ExportReport, TextChange, VoucherExport, VoucherOutcome
from ledgerlink_core.runtime import Runtime
from ledgerlink_core.sinks import BatchSink, ExportSink

__all__ = ["PushRequest", "push"]


class PushRequest(BaseModel):
    """What to push where: the vouchers of ``source`` (with documents from ``attach_dir``),
    or ``items`` built by the caller (:func:`~ledgerlink_core.export.inputs.export_items`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: str
    source: Path | None = None
    """A SIE 4I/4E or canonical JSON file of vouchers."""
    items: tuple[VoucherExport, ...] = ()
    """Vouchers ready for export, instead of ``source``."""
    attach_dir: Path | None = None
    """Documents named by the attachment rule (``A-12.pdf``, ``v3_scan.png``); with ``source``."""
    series: str | None = None
    """Put every voucher in this series instead of its own."""
    dry_run: bool = False
    """Validate and report what would be sent; send and record nothing."""
    normalise_text: bool = False
    """Replace characters the target refuses by look-alikes it takes, and cut texts over its
    limits; the originals go into the voucher's note and each change into the report."""
    overrides: dict[str, str] = Field(default_factory=dict)
    """Backend settings for this run (``--set``), over environment and config file."""

    @model_validator(mode="after")
    def _one_input(self) -> PushRequest:
        if self.source is not None and self.items:
            raise ValueError("push either the vouchers of a source file or items, not both")
        if self.attach_dir is not None and self.source is None:
            raise ValueError("attach_dir names documents for a source file's vouchers")
        return self


def push(runtime: Runtime, request: PushRequest, *, transport: Any = None) -> ExportReport:
    """Run one push and return its report (also sent to ``ledgerlink_export_finished``).

    Raises :class:`~ledgerlink_core.errors.NotSupported` (before any I/O),
    :class:`~ledgerlink_core.errors.InputError` for unreadable input and
    :class:`~ledgerlink_core.errors.ValidationFailed` with every problem found.
    """
    caps = runtime.registry.backend_class(request.backend).capabilities()
    needs = [Capability.EXPORT_VOUCHERS]
    if request.attach_dir is not None:
        needs.append(Capability.EXPORT_ATTACHMENTS)
    caps.require(request.backend, *needs)

    if request.source is not None:
        pushed = read_push_input(
            request.source, request.attach_dir, max_attachment_bytes=caps.max_attachment_bytes
        )
    else:
        pushed = PushInput(items=list(request.items))
    if any(item.attachments for item in pushed.items):
        needs.append(Capability.EXPORT_ATTACHMENTS)
    changes: list[TextChange] = []
    with runtime.open_backend(
        request.backend, request.overrides, require=needs, transport=transport
    ) as backend:
        if pushed.org_nr:
            same_company(pushed.org_nr, backend, what=str(request.source or "the input"))
        constraints = backend.export_constraints()
        items = pushed.items
        if request.normalise_text and constraints.text is not None:
            items, changes = normalise(items, constraints.text)
        validate_export(
            items,
            target=request.backend,
            capabilities=caps,
            charts=_charts(backend, items, constraints),
            constraints=constraints,
            hook=runtime.registry.hook,
            series_override=request.series,
            input_problems=pushed.problems,
        )
        key = journal_key(request.backend, backend.target_id())
        if request.dry_run:
            outcomes = dry_run(
                backend.export_sink(),
                items,
                journal_path=runtime.data_dir / FILENAME,
                key=key,
                series=request.series,
            )
        else:
            outcomes = _send(runtime, backend.export_sink(), items, key, request)
    report = ExportReport(
        target=request.backend,
        dry_run=request.dry_run,
        outcomes=tuple(outcomes),
        text_changes=tuple(changes),
    )
    runtime.notify("ledgerlink_export_finished", report=report)
    return report


def same_company(org_nr: str, backend: AccountingBackend, *, what: str) -> None:
    """Raise :class:`WrongCompany` when the target holds another company than ``org_nr``
    (both known, compared by their digits)."""
    from ledgerlink_core.connections import org_key

    target = backend.target_company()
    if target and org_key(target) and org_key(org_nr) and org_key(target) != org_key(org_nr):
        raise WrongCompany(what, org_nr, target, backend.name)


def _charts(
    backend: AccountingBackend, items: list[VoucherExport], constraints: ExportConstraints
) -> Charts:
    """The target's chart of each fiscal year the vouchers fall in (one look-up per year)."""
    if constraints.fiscal_years is None:
        return {None: backend.chart_of_accounts(None)}
    wanted = {year_of(item.voucher.date, constraints) for item in items}
    return {
        year.index: backend.chart_of_accounts(year)
        for year in constraints.fiscal_years
        if year.index in wanted
    }


def _send(
    runtime: Runtime, sink: ExportSink, items: list[VoucherExport], key: str, request: PushRequest
) -> list[VoucherOutcome]:
    if isinstance(sink, BatchSink) and any(item.attachments for item in items):
        # A batch target writes vouchers only; its backend must not declare attachments.
        raise NotSupported(request.backend, [Capability.EXPORT_ATTACHMENTS])
    outcomes: list[VoucherOutcome] = []
    with ExportJournal.open(runtime.data_dir) as journal:
        journal.acquire(key)
        with runtime.progress.task(f"pushing to {request.backend}", total=len(items)) as task:
            for outcome in run_export(sink, items, journal=journal, key=key, series=request.series):
                outcomes.append(outcome)
                task.advance()
    return outcomes
