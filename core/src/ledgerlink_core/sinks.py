"""What a backend supplies for export: a sink. Core drives it.

A backend's :meth:`~ledgerlink_core.backend.AccountingBackend.export_sink` returns one of two
shapes, after the Singer SDK's record and batch sinks:

* :class:`VoucherSink`, for targets written one voucher at a time (a REST API): post a voucher,
  find one, upload a document, find it, connect it, tell whether it is connected;
* :class:`BatchSink`, for targets written whole in one atomic step (a file): say what the
  target holds, then write every new voucher at once.

Core owns everything around the sink, the same way for every backend: validation, the dry
run, the export journal (each step recorded before it is tried), the look-up after an
ambiguous answer, concurrency, ordering and the outcomes. A sink only talks to its target and
says how each write went: it returns on success, raises
:class:`~ledgerlink_core.errors.ExportRefused` when the target certainly wrote nothing, and
:class:`~ledgerlink_core.errors.ExportAmbiguous` when it cannot tell. Any other error (lost
credentials, a bug) stops the run; the journal then holds every voucher's true state.

Vouchers reach a sink as :class:`~ledgerlink_core.model.VoucherExport` items whose voucher is
already *placed*: its series is the one to write it in (a ``--series`` override applied).
``ledgerlink_core.testing.ScriptedSink`` is a :class:`VoucherSink` whose answers are scripted
per call, for testing the engine and for comparing a sink against it.
"""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import NamedTuple

from ledgerlink_core.errors import ExportAmbiguous
from ledgerlink_core.model import AttachmentRef, Voucher, VoucherExport, VoucherRef

__all__ = ["BatchSink", "ExportSink", "HeldVoucher", "VoucherSink"]


class VoucherSink(abc.ABC):
    """A target written one voucher at a time. Must be thread-safe when ``workers > 1``.

    The attachment methods are needed only by backends that declare
    ``export.attachments``; core calls them for vouchers that carry documents.
    """

    workers: int = 1
    """How many vouchers core exports at a time (each on its own thread)."""

    @abc.abstractmethod
    def post_voucher(self, item: VoucherExport) -> VoucherRef:
        """Create the voucher in the target, with ``item.external_ref`` written into it so
        :meth:`find_voucher` can find it again; return where it was placed."""

    @abc.abstractmethod
    def find_voucher(self, item: VoucherExport) -> VoucherRef | None:
        """Where an earlier post of ``item`` was placed, looked up by its external reference;
        None only when it is certainly absent. Raise ``ExportAmbiguous`` when the target
        cannot be asked (core then sends nothing and keeps the voucher for the next run)."""

    def find_vouchers(
        self, items: Sequence[VoucherExport]
    ) -> Mapping[str, VoucherRef | ExportAmbiguous]:
        """Which of ``items`` the target already holds, by external reference: a placement for
        each one found, an ``ExportAmbiguous`` for one whose presence cannot be told (core
        then sends nothing for it), nothing for one certainly absent.

        Core calls it once per run, before the first post, with every voucher its journal has
        not seen confirmed: the target is the truth and the journal a cache, so a lost or
        foreign journal costs look-ups, never duplicates. Raise ``ExportAmbiguous`` when the
        target cannot be asked at all (core then sends none of ``items``). Override it with
        one listing per series and year indexed by reference; the default asks
        :meth:`find_voucher` for each item.
        """
        found: dict[str, VoucherRef | ExportAmbiguous] = {}
        for item in items:
            placement = self.find_voucher(item)
            if placement is not None:
                found[item.external_ref] = placement
        return found

    def upload_attachment(self, item: VoucherExport, idx: int, att: AttachmentRef) -> str:
        """Upload document ``idx`` of ``item``; return the target's id for the file."""
        raise NotImplementedError("declare export.attachments and implement upload_attachment")

    def find_attachment(self, item: VoucherExport, idx: int, att: AttachmentRef) -> str | None:
        """The file id of an earlier upload of this document, or None when it is absent."""
        raise NotImplementedError("declare export.attachments and implement find_attachment")

    def find_connected(
        self, placement: VoucherRef, item: VoucherExport, idx: int, att: AttachmentRef
    ) -> str | None:
        """The file id of document ``idx`` of ``item`` when an earlier run (perhaps with
        another journal) connected it to the voucher at ``placement`` already; None when it
        is not, or the target cannot tell (the default). Core asks for vouchers it found in
        the target rather than posted, before uploading their documents."""
        return None

    def connect_attachment(self, placement: VoucherRef, file_id: str) -> None:
        """Connect the uploaded file ``file_id`` to the voucher at ``placement``."""
        raise NotImplementedError("declare export.attachments and implement connect_attachment")

    def is_connected(self, placement: VoucherRef, file_id: str) -> bool:
        """Whether ``file_id`` is connected to the voucher at ``placement`` already."""
        raise NotImplementedError("declare export.attachments and implement is_connected")


class HeldVoucher(NamedTuple):
    """A voucher a batch target holds, and where."""

    placement: VoucherRef
    voucher: Voucher


class BatchSink(abc.ABC):
    """A target written whole, in one atomic step (a file replaced by a rename).

    Core calls :meth:`held` once, decides which vouchers are new, records them in the journal
    and then calls :meth:`write_all` at most once per run.
    """

    def locked(self) -> AbstractContextManager[object]:
        """Hold the target for one run, from :meth:`held` to :meth:`write_all`, against any
        other writer (another data directory, another machine). Raise ``ExportRefused`` or an
        ``InputError`` when it is busy. The default holds nothing."""
        return contextlib.nullcontext()

    @abc.abstractmethod
    def held(self) -> Sequence[HeldVoucher]:
        """Every voucher the target holds now, with its placement (read once per run)."""

    @abc.abstractmethod
    def write_all(self, vouchers: Sequence[Voucher]) -> Sequence[VoucherRef]:
        """Add ``vouchers`` to what the target holds, keeping everything else, in ONE atomic
        step: afterwards the target holds all of them or, after a failure, none. Return the
        placement of each, in order."""


#: What :meth:`~ledgerlink_core.backend.AccountingBackend.export_sink` returns.
ExportSink = VoucherSink | BatchSink
