"""What an importer does with a SIE file: judge it by ``ledgerlink check``'s rules, then load it.

One rule set for ``check`` and ``pull``: a file that ``check`` calls clean is never refused by
an import, and a file an import takes is never called unclean by ``check``. The load and the
check see different things on their way through a file (the check sums per-account movements
in summary mode, the load builds models), so rather than keep two copies of the rules in step,
an import runs the streaming check first (about half the time of the load, bounded memory) and
takes its verdict and its problems.
"""

from __future__ import annotations

from collections.abc import Callable

from ledgerlink_core.errors import ValidationFailed
from ledgerlink_core.sie.check import CheckReport, check_sie
from ledgerlink_core.sie.document import SieDocument
from ledgerlink_core.sie.reader import Source, read_sie

__all__ = ["load_checked"]

#: How many of the errors a refusal lists (``ValidationFailed.problems``); the count is exact.
LISTED = 20


def load_checked(
    source: Source,
    *,
    name: str | None = None,
    refuse: bool = True,
    hint: str | None = None,
    on_read: Callable[[int], None] | None = None,
) -> SieDocument:
    """Check ``source`` as ``ledgerlink check`` does, then load it (leniently).

    The document's ``problems`` are the check's. With ``refuse``, a file with errors raises
    :class:`~ledgerlink_core.errors.ValidationFailed`: one line with the exact count, the first
    error and its line, then ``hint`` (what to do next); the first errors are listed in its
    ``problems``. ``on_read`` is told the size of each block read, in both passes.
    """
    report = check_sie(source, name=name, on_read=on_read)
    if refuse and not report.clean:
        raise _refusal(report, hint)
    document = read_sie(source, strict=False, name=name, on_read=on_read)
    return document.model_copy(update={"problems": report.problems})


def _refusal(report: CheckReport, hint: str | None) -> ValidationFailed:
    errors = [p for p in report.problems if p.severity == "error"]
    first = errors[0] if errors else None
    message = f"{report.file}: {report.errors} error(s) in the SIE file"
    if first is not None:
        where = f" (line {first.line})" if first.line else ""
        message += f", the first{where}: {first.message}"
    if hint:
        message += f"; {hint}"
    listed = [f"{report.file}:{p.line}: {p.message}" if p.line else p.message for p in errors]
    return ValidationFailed(message, listed[:LISTED])
