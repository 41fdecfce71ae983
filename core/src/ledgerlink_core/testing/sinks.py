"""A :class:`~ledgerlink_core.VoucherSink` over an in-memory target, with scripted answers.

In the spirit of ``httpx.MockTransport``: the target is real enough to hold what was written
(numbered per series, findable by reference), and each call can be told how to answer, so a
test can make the export engine meet every situation a remote API produces::

    sink = ScriptedSink()
    sink.script("post_voucher", ScriptedSink.DROPPED)   # written, but the answer is lost
    sink.script("find_voucher", ExportAmbiguous("timeout"))

Answers, consumed in order per method (when a method's queue is empty it answers ``OK``; the
four names are attributes of :class:`ScriptedSink`):

* ``OK``: do it and answer normally;
* an ``ExportRefused`` or ``ExportAmbiguous`` *instance*: raise it without doing anything (a
  refusal, or an answer lost before the target acted);
* ``DROPPED``: do it, then raise ``ExportAmbiguous`` (the connection dropped after commit);
* ``CRASH`` / ``CRASH_AFTER``: raise :class:`SimulatedCrash` before / after doing it, the way a
  killed process stops mid-run; the next run uses the same sink (the target survives).

``calls`` records every call as ``(method, voucher label)``; ``posted`` every voucher written,
so ``duplicates()`` shows a broken exactly-once at a glance.
"""

from __future__ import annotations

import threading
from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from ledgerlink_core.errors import ExportAmbiguous, ExportRefused
from ledgerlink_core.model import AttachmentRef, VoucherExport, VoucherRef
from ledgerlink_core.sinks import VoucherSink

__all__ = ["Answer", "ScriptedSink", "SimulatedCrash"]

Answer = str | ExportRefused | ExportAmbiguous
"""``ScriptedSink.OK``, ``.DROPPED``, ``.CRASH``, ``.CRASH_AFTER`` or an exception to raise."""

T = TypeVar("T")


class SimulatedCrash(Exception):
    """The process "died" here: nothing after this point of the run happens."""


class ScriptedSink(VoucherSink):
    """An in-memory target whose answers are scripted per call. Thread-safe."""

    OK = "ok"
    DROPPED = "dropped after commit"
    CRASH = "crash before"
    CRASH_AFTER = "crash after"

    def __init__(self, *, workers: int = 1) -> None:
        self.workers = workers
        self.calls: list[tuple[str, str]] = []
        self.posted: list[tuple[str, VoucherRef]] = []
        """Every voucher written: ``(external ref, placement)``."""
        self.files: dict[str, tuple[str, int]] = {}
        """Uploaded file id -> ``(external ref, attachment index)``."""
        self.connections: dict[str, VoucherRef] = {}
        """File id -> the voucher it is connected to."""
        self._answers: defaultdict[str, deque[Answer]] = defaultdict(deque)
        self._numbers: defaultdict[str, int] = defaultdict(int)
        self._lock = threading.RLock()

    def script(self, method: str, *answers: Answer) -> ScriptedSink:
        """Queue ``answers`` for the next calls of ``method``; returns the sink."""
        if not callable(getattr(self, method, None)):
            raise AttributeError(f"ScriptedSink has no method {method!r}")
        with self._lock:
            self._answers[method].extend(answers)
        return self

    def duplicates(self) -> dict[str, int]:
        """External references written more than once, with their count (empty is right)."""
        counts: defaultdict[str, int] = defaultdict(int)
        for ref, _ in self.posted:
            counts[ref] += 1
        return {ref: n for ref, n in counts.items() if n > 1}

    def _call(self, method: str, label: str, act: Callable[[], T]) -> T:
        with self._lock:
            self.calls.append((method, label))
            queue = self._answers[method]
            answer = queue.popleft() if queue else self.OK
            if isinstance(answer, ExportRefused | ExportAmbiguous):
                raise answer
            if answer == self.CRASH:
                raise SimulatedCrash(f"crashed before {method} reached the target")
            result = act()
            if answer == self.DROPPED:
                raise ExportAmbiguous(f"{method}: the connection dropped after the target acted")
            if answer == self.CRASH_AFTER:
                raise SimulatedCrash(f"crashed after {method} reached the target")
            if answer != self.OK:
                raise ValueError(f"unknown scripted answer {answer!r}")
            return result

    # --- vouchers -------------------------------------------------------------------------------

    def post_voucher(self, item: VoucherExport) -> VoucherRef:
        """Write the voucher with the next number of its series (year 1)."""

        def act() -> VoucherRef:
            series = item.voucher.series or "A"
            self._numbers[series] += 1
            placement = VoucherRef(series=series, number=str(self._numbers[series]), year=1)
            self.posted.append((item.external_ref, placement))
            return placement

        return self._call("post_voucher", item.voucher.label, act)

    def find_voucher(self, item: VoucherExport) -> VoucherRef | None:
        """The first placement written with the item's reference, or None."""

        def act() -> VoucherRef | None:
            return next((p for ref, p in self.posted if ref == item.external_ref), None)

        return self._call("find_voucher", item.voucher.label, act)

    def find_vouchers(
        self, items: Sequence[VoucherExport]
    ) -> Mapping[str, VoucherRef | ExportAmbiguous]:
        """One listing of the target: the first placement of each item's reference."""

        def act() -> Mapping[str, VoucherRef | ExportAmbiguous]:
            wanted = {item.external_ref for item in items}
            found: dict[str, VoucherRef | ExportAmbiguous] = {}
            for ref, placement in self.posted:
                if ref in wanted:
                    found.setdefault(ref, placement)
            return found

        return self._call("find_vouchers", f"{len(items)} vouchers", act)

    # --- attachments ----------------------------------------------------------------------------

    def upload_attachment(self, item: VoucherExport, idx: int, att: AttachmentRef) -> str:
        """Store the document under a new file id."""

        def act() -> str:
            file_id = f"file-{len(self.files) + 1}"
            self.files[file_id] = (item.external_ref, idx)
            return file_id

        return self._call("upload_attachment", item.voucher.label, act)

    def find_attachment(self, item: VoucherExport, idx: int, att: AttachmentRef) -> str | None:
        """The first file id stored for this document, or None."""

        def act() -> str | None:
            wanted = (item.external_ref, idx)
            return next((f for f, key in self.files.items() if key == wanted), None)

        return self._call("find_attachment", item.voucher.label, act)

    def find_connected(
        self, placement: VoucherRef, item: VoucherExport, idx: int, att: AttachmentRef
    ) -> str | None:
        """The file of this document connected to ``placement``, or None."""

        def act() -> str | None:
            wanted = (item.external_ref, idx)
            return next(
                (
                    f
                    for f, key in self.files.items()
                    if key == wanted and self.connections.get(f) == placement
                ),
                None,
            )

        return self._call("find_connected", item.voucher.label, act)

    def connect_attachment(self, placement: VoucherRef, file_id: str) -> None:
        """Connect the file; a file already connected elsewhere is refused, as Fortnox does."""

        def act() -> None:
            if file_id not in self.files:
                raise ExportRefused(f"no file {file_id}")
            current = self.connections.get(file_id)
            if current is not None and current != placement:
                raise ExportRefused(f"file {file_id} is connected to another voucher")
            self.connections[file_id] = placement

        self._call("connect_attachment", f"{placement.series} {placement.number}", act)

    def is_connected(self, placement: VoucherRef, file_id: str) -> bool:
        """Whether the file is connected to ``placement``."""
        return self._call(
            "is_connected",
            f"{placement.series} {placement.number}",
            lambda: self.connections.get(file_id) == placement,
        )
