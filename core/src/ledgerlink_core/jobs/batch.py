"""``batch``: one operation over many companies (``ledgerlink batch pull|ledgers|reconcile``).

The unit of work is **one company, one operation**: the same job a person runs for one
company (``pull``, ``subledgers``, ``reconcile``) on a runtime whose ``--company`` is that
company's connection, writing one file, ``<out>/<org nr>/bookkeeping.se`` (``ledgers.json``,
``reconcile.json``), atomically (a temporary file renamed into place), and then a small
state file beside it, ``.batch-<operation>.json``, naming the operation's parameters. A
re-run skips every company whose state file names the same parameters and whose output is
there (``force`` redoes them), so a batch that was stopped, or in which some companies
failed, finishes by being run again.

Companies run concurrently on a local thread pool (``jobs`` at a time). Each company's
backend has its own client and so its own rate budget (Fortnox counts 25 requests per 5 s
per integration and company, and the Fortnox backend shares that budget with other
processes on the same company); a failure of one company (a revoked login, an outage) is
its outcome, never the batch's end. The report lists every company's outcome; the CLI exits
8 (:class:`~ledgerlink_core.errors.BatchIncomplete`) when any failed.

This is deliberately the only scheduler: a platform that outgrows one machine puts the same
units on an existing queue (see ``docs/batch.md``).
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ledgerlink_core._files import write_private
from ledgerlink_core.backend import BookkeepingRequest
from ledgerlink_core.connections import Connection
from ledgerlink_core.errors import ConfigError, InputError, LedgerlinkError
from ledgerlink_core.progress import NullProgress, Progress
from ledgerlink_core.runtime import Runtime

__all__ = [
    "OUTPUTS",
    "BatchReport",
    "BatchRequest",
    "CompanyOutcome",
    "batch",
]

Operation = Literal["pull", "ledgers", "reconcile"]
Kind = Literal["customer", "supplier"]

#: The file each operation writes in ``<out>/<org nr>/``.
OUTPUTS: dict[str, str] = {
    "pull": "bookkeeping.se",
    "ledgers": "ledgers.json",
    "reconcile": "reconcile.json",
}
INTERNAL_ERROR = 70


class BatchRequest(BaseModel):
    """One operation for many companies of one backend."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    operation: Operation
    backend: str
    out: Path
    """The folder: one sub-folder per company, named by its organisation number."""
    companies: tuple[str, ...] = ()
    """Organisation numbers or aliases of connections; empty: every connection."""
    jobs: int = Field(default=4, ge=1, le=256)
    """Companies at a time."""
    force: bool = False
    """Redo companies already done with the same parameters."""
    overrides: dict[str, str] = Field(default_factory=dict)
    selector: BookkeepingRequest = Field(default_factory=BookkeepingRequest)
    """``pull``: the fiscal year."""
    as_of: dt.date | None = None
    """``ledgers`` and ``reconcile``: the date."""
    kinds: tuple[Kind, ...] = ("customer", "supplier")

    @model_validator(mode="after")
    def _date_when_needed(self) -> BatchRequest:
        if self.operation in ("ledgers", "reconcile") and self.as_of is None:
            raise InputError(f"batch {self.operation} needs the date (--date)")
        return self

    def parameters(self) -> dict[str, Any]:
        """What makes two runs of a company the same: recorded in its state file."""
        params: dict[str, Any] = {"operation": self.operation, "backend": self.backend}
        if self.operation == "pull":
            params["selector"] = self.selector.model_dump(mode="json")
        else:
            params["as_of"] = self.as_of.isoformat() if self.as_of else None
            params["kinds"] = list(self.kinds)
        params["overrides"] = dict(sorted(self.overrides.items()))
        return params


class CompanyOutcome(BaseModel):
    """What happened to one company."""

    model_config = ConfigDict(frozen=True)

    org_nr: str
    company: str = ""
    alias: str | None = None
    status: Literal["done", "skipped", "failed"]
    """``done`` this run, ``skipped`` (done before with the same parameters), ``failed``."""
    output: Path | None = None
    detail: str = ""
    """What was done (``67 vouchers``, ``agrees``) or the one-line error."""
    exit_code: int = 0
    """For a failure: the exit code the single command would have given."""
    seconds: float = 0.0


class BatchReport(BaseModel):
    """Every company's outcome, in the order of the connections."""

    model_config = ConfigDict(frozen=True)

    operation: Operation
    backend: str
    out: Path
    outcomes: tuple[CompanyOutcome, ...]
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no company failed."""
        return all(o.status != "failed" for o in self.outcomes)

    @property
    def failed(self) -> list[CompanyOutcome]:
        """The companies that failed."""
        return [o for o in self.outcomes if o.status == "failed"]

    def counts(self) -> dict[str, int]:
        """How many companies ended in each status."""
        counts = {"done": 0, "skipped": 0, "failed": 0}
        for o in self.outcomes:
            counts[o.status] += 1
        return counts

    def document(self) -> dict[str, Any]:
        """The JSON answer of ``ledgerlink batch ... --json``."""
        return {
            "ok": self.ok,
            "operation": self.operation,
            "backend": self.backend,
            "out": str(self.out),
            "counts": self.counts(),
            "seconds": round(self.seconds, 3),
            "companies": [o.model_dump(mode="json") for o in self.outcomes],
        }


def batch(
    runtime: Runtime,
    request: BatchRequest,
    *,
    transport: Any = None,
    progress_for: Callable[[Connection], Progress] | None = None,
    on_outcome: Callable[[CompanyOutcome], None] | None = None,
) -> BatchReport:
    """Run ``request.operation`` for every chosen company, ``request.jobs`` at a time.

    Raises :class:`~ledgerlink_core.errors.ConfigError` before anything runs when a named
    company has no connection or the backend has none at all. Each company's failure is
    its outcome. ``progress_for(connection)`` gives the progress a company's job draws on
    (default: none); ``on_outcome`` hears of each company as it ends (from worker threads,
    one at a time).
    """
    chosen = _choose(runtime, request)
    started = time.monotonic()
    request.out.mkdir(parents=True, exist_ok=True)
    results: dict[str, CompanyOutcome] = {}
    lock = threading.Lock()

    def run(conn: Connection) -> CompanyOutcome:
        progress = progress_for(conn) if progress_for is not None else NullProgress()
        outcome = _one(runtime, request, conn, progress, transport)
        with lock:
            results[conn.key] = outcome
            if on_outcome is not None:
                on_outcome(outcome)
        return outcome

    workers = max(1, min(request.jobs, len(chosen)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ledgerlink-batch") as pool:
        futures = [pool.submit(run, conn) for conn in chosen]
        for future in as_completed(futures):
            future.result()  # _one never raises; a bug here should surface
    report = BatchReport(
        operation=request.operation,
        backend=request.backend,
        out=request.out,
        outcomes=tuple(results[c.key] for c in chosen),
        seconds=time.monotonic() - started,
    )
    return report


def _choose(runtime: Runtime, request: BatchRequest) -> list[Connection]:
    index = runtime.connections
    known = index.listed(request.backend)
    if not known:
        raise ConfigError(
            f"no {request.backend} connections: log in to each company with `ledgerlink "
            f"{request.backend} login` (`ledgerlink connections` lists them)"
        )
    wanted = [c.strip() for c in request.companies if c.strip() and c.strip() != "all"]
    if not wanted:
        return known
    chosen: list[Connection] = []
    for selector in wanted:
        conn = index.find(request.backend, selector)
        if conn not in chosen:
            chosen.append(conn)
    return chosen


def _state_path(folder: Path, operation: str) -> Path:
    return folder / f".batch-{operation}.json"


def _already_done(folder: Path, request: BatchRequest) -> bool:
    try:
        state = json.loads(_state_path(folder, request.operation).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    output = folder / OUTPUTS[request.operation]
    return (
        isinstance(state, dict)
        and state.get("parameters") == request.parameters()
        and output.is_file()
    )


def _one(
    runtime: Runtime,
    request: BatchRequest,
    conn: Connection,
    progress: Progress,
    transport: Any,
) -> CompanyOutcome:
    folder = request.out / conn.org_nr
    output = folder / OUTPUTS[request.operation]
    base = {"org_nr": conn.org_nr, "company": conn.company, "alias": conn.alias}
    if not request.force and _already_done(folder, request):
        return CompanyOutcome(**base, status="skipped", output=output, detail="done before")
    started = time.monotonic()
    child = runtime.for_company(conn.org_nr, progress=progress)
    try:
        with progress.task(f"{conn.org_nr} {request.operation}", total=None):
            detail = _operate(child, request, folder, output, transport)
        write_private(  # the folder exists: the job's own file was written into it
            _state_path(folder, request.operation),
            json.dumps(
                {
                    "parameters": request.parameters(),
                    "finished_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                    "output": output.name,
                    "detail": detail,
                },
                indent=2,
            ),
        )
    except LedgerlinkError as exc:
        return CompanyOutcome(
            **base,
            status="failed",
            detail=str(exc),
            exit_code=exc.exit_code,
            seconds=time.monotonic() - started,
        )
    except Exception as exc:  # a bug in one company's run must not end the others
        return CompanyOutcome(
            **base,
            status="failed",
            detail=f"internal error: {type(exc).__name__}: {exc}",
            exit_code=INTERNAL_ERROR,
            seconds=time.monotonic() - started,
        )
    return CompanyOutcome(
        **base,
        status="done",
        output=output,
        detail=detail,
        seconds=time.monotonic() - started,
    )


def _operate(
    runtime: Runtime, request: BatchRequest, folder: Path, output: Path, transport: Any
) -> str:
    """Run the company's job and write its file; return a one-line summary."""
    if request.operation == "pull":
        from ledgerlink_core.jobs.pull import PullRequest, pull
        from ledgerlink_core.sie import write_sie

        result = pull(
            runtime,
            PullRequest(
                backend=request.backend, overrides=request.overrides, selector=request.selector
            ),
            transport=transport,
        )
        book = result.book
        folder.mkdir(parents=True, exist_ok=True)
        write_sie(book, output, sie_type="4E")  # atomic: a temporary file renamed
        return f"{len(book.vouchers)} vouchers"
    assert request.as_of is not None
    as_of = {
        "backend": request.backend,
        "overrides": request.overrides,
        "as_of": request.as_of,
        "kinds": request.kinds,
    }
    if request.operation == "ledgers":
        from ledgerlink_core.jobs.subledgers import SubledgersRequest, subledgers

        found = subledgers(runtime, SubledgersRequest(**as_of), transport=transport)
        document = found.document()
        detail = ", ".join(f"{len(v)} {k}" for k, v in found.items.items()) + " open"
    else:
        from ledgerlink_core.jobs.reconcile import ReconcileRequest, reconcile

        report = reconcile(runtime, ReconcileRequest(**as_of), transport=transport)
        document = report.document()
        differ = [line.kind for line in report.lines if not line.agrees]
        detail = "agrees" if not differ else f"differs: {', '.join(differ)}"
    folder.mkdir(parents=True, exist_ok=True)
    # The document ``--json`` prints, without its indentation: the indenting encoder is pure
    # Python and was a quarter of a batch's CPU.
    text = json.dumps(document, ensure_ascii=False, default=str) + "\n"
    write_private(output, text)
    return detail
