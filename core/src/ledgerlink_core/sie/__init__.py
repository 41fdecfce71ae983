"""The SIE codec: read SIE 1, 2, 3, 4E and 4I; write SIE 4E and 4I; check a file.

Public API::

    read_sie(source, *, strict=True, name=None) -> SieDocument      # full load
    iter_sie(source, *, strict=True, name=None) -> SieReader        # streaming
    check_sie(source, *, name=None) -> CheckReport                  # streaming validation
    load_checked(source, *, name=None, refuse=True) -> SieDocument  # check's rules, then load
    write_sie(book, path, *, sie_type="4E", ksumma=False) -> None   # atomic
    dumps_sie(book, *, sie_type="4E", ksumma=False) -> bytes

``SieKind`` is the type of what the writer writes (``"4E"`` or ``"4I"``). Every error is a
:class:`SieError` (an ``InputError``) naming the file and line. ``__all__`` is the codec's
whole public surface; the modules behind it (``reader``, ``document``, ``check``,
``writer``...) carry their own ``__all__``, and those named with a leading underscore are the
reader's private parts.
"""

from ledgerlink_core.sie.check import CheckReport, check_sie
from ledgerlink_core.sie.document import SieDocument, SieFileInfo
from ledgerlink_core.sie.importing import load_checked
from ledgerlink_core.sie.problems import Problem, SieError
from ledgerlink_core.sie.reader import SieReader, iter_sie, read_sie
from ledgerlink_core.sie.records import SieRecord
from ledgerlink_core.sie.voucher import SieVoucher
from ledgerlink_core.sie.writer import SieKind, dumps_sie, write_sie

__all__ = [
    "CheckReport",
    "Problem",
    "SieDocument",
    "SieError",
    "SieFileInfo",
    "SieKind",
    "SieReader",
    "SieRecord",
    "SieVoucher",
    "check_sie",
    "dumps_sie",
    "iter_sie",
    "load_checked",
    "read_sie",
    "write_sie",
]
