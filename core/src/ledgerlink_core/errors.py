"""One error hierarchy for ledgerlink: every error a user can cause or meet, and every error a
plugin may raise, with the exit code the ``ledgerlink`` command gives it::

    LedgerlinkError                 1  base; str(err) is the one-line message
    ├── ConfigError                 3  settings missing or invalid
    ├── AuthenticationError         4  not logged in, bad or expired credentials
    ├── PermissionDenied            4  logged in, but a scope or licence is missing
    ├── BackendUnavailable          5  unreachable, kept failing (network, 5xx, rate limit)
    ├── BackendError                5  refused a request for a reason that is not the input
    ├── NotSupported                6  the backend lacks a capability (raised before any I/O)
    ├── BackendNotFound             7  no installed backend has that name
    ├── BackendLoadError            7  installed, but failed to import or is not a backend
    ├── InputError                  2  a file or value the user gave is malformed
    ├── WrongCompany                1  the input names another company than the target's
    ├── BatchIncomplete             8  a batch ran, and some company's part of it failed
    ├── ProblemsFound               1  the job's answer: problems found (check, reconcile, doctor,
    │                                  diff: the files differ)
    │   └── ValidationFailed        1  read fine, breaks the rules; carries every problem
    └── ExportError                 8  an export could not be completed
        ├── JournalError            8  the export journal is unusable or inconsistent
        │   └── ExportBusy          9  another push to the same target is running: nothing sent
        ├── ExportRefused           -  a sink's "no": the target certainly wrote nothing
        └── ExportAmbiguous         -  a sink's "don't know": the write may have happened

A sink raises :class:`ExportRefused` and :class:`ExportAmbiguous` and core's export engine
catches them (a refused voucher fails, an ambiguous one is looked up before it is sent again);
they reach a user only as the reason of a failed voucher. The CLI maps every other class to a
one-line message and its exit code (see ``EXIT_CODES``); anything else that escapes is a bug
and is shown as such.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path

__all__ = [
    "EXIT_CODES",
    "AuthenticationError",
    "BackendError",
    "BackendLoadError",
    "BackendNotFound",
    "BackendUnavailable",
    "BatchIncomplete",
    "ConfigError",
    "ExportAmbiguous",
    "ExportBusy",
    "ExportError",
    "ExportRefused",
    "InputError",
    "JournalError",
    "LedgerlinkError",
    "NotSupported",
    "PermissionDenied",
    "ProblemsFound",
    "ValidationFailed",
    "WrongCompany",
    "did_you_mean",
]


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``Did you mean 'x'?`` naming the closest of ``choices`` (difflib), else ``""``."""
    close = difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
    if not close:
        return ""
    return "Did you mean " + " or ".join(repr(c) for c in close) + "?"


class LedgerlinkError(Exception):
    """Base of every error ledgerlink raises on purpose. ``str(err)`` is the one-line message."""

    exit_code: int = 1


class ConfigError(LedgerlinkError):
    """Settings are missing or invalid. The message names every way to supply the value."""

    exit_code = 3


class AuthenticationError(LedgerlinkError):
    """Credentials are missing, invalid, expired or revoked; the message says how to log in."""

    exit_code = 4


class PermissionDenied(LedgerlinkError):
    """Authenticated, but not allowed: a missing scope or licence."""

    exit_code = 4


class BackendUnavailable(LedgerlinkError):
    """The backend could not be reached or kept failing (network, 5xx, rate limit)."""

    exit_code = 5


class BackendError(LedgerlinkError):
    """The backend refused a request for a reason that is not the user's input (a 4xx we did
    not expect, a malformed answer)."""

    exit_code = 5


class NotSupported(LedgerlinkError):
    """The selected backend lacks a capability. Raised before any I/O."""

    exit_code = 6

    def __init__(self, backend: str, missing: Sequence[str]) -> None:
        self.backend = backend
        self.missing = tuple(missing)
        names = ", ".join(self.missing)
        super().__init__(f"backend {backend!r} does not support {names}")


class BackendNotFound(LedgerlinkError):
    """No installed backend has that name."""

    exit_code = 7

    def __init__(self, name: str, installed: Sequence[str]) -> None:
        self.name = name
        self.installed = tuple(installed)
        choices = ", ".join(self.installed) or "none"
        hint = did_you_mean(name, self.installed)
        hint = f" {hint}" if hint else ""
        super().__init__(f"no backend {name!r}.{hint} Installed: {choices}")


class BackendLoadError(LedgerlinkError):
    """The named backend is installed but its code failed to import or is not a backend."""

    exit_code = 7

    def __init__(self, name: str, cause: BaseException | str) -> None:
        self.name = name
        reason = cause if isinstance(cause, str) else f"{type(cause).__name__}: {cause}"
        super().__init__(f"backend {name!r} failed to load: {reason}")


class InputError(LedgerlinkError):
    """A user's input file or value is malformed. Carries the file and line where known."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | Path | None = None, line: int | None = None):
        self.path = str(path) if path is not None else None
        self.line = line
        self.reason = message
        where = ""
        if self.path is not None:
            where = f"{self.path}:{line}: " if line is not None else f"{self.path}: "
        super().__init__(f"{where}{message}")


class WrongCompany(LedgerlinkError):
    """The input belongs to another company than the target (its #ORGNR or
    ``company.org_nr`` is not the target's): nothing was read or written. The message names
    both."""

    exit_code = 1

    def __init__(self, what: str, input_org: str, target_org: str, target: str = "") -> None:
        self.input_org = input_org
        self.target_org = target_org
        where = f" ({target})" if target else ""
        super().__init__(
            f"{what} is for company {input_org}, but the target{where} is company "
            f"{target_org}; choose the right one with --company, or check the file"
        )


class BatchIncomplete(LedgerlinkError):
    """A batch ran to the end, but one or more companies failed; the summary names them and
    a re-run does only those."""

    exit_code = 8


class ProblemsFound(LedgerlinkError):
    """The job ran and its answer is: problems found (a SIE file that is not clean,
    subledgers that differ from their accounts, a failed health check). ``str(err)`` sums
    them up in one line; the job's report holds the details."""

    exit_code = 1


class ValidationFailed(ProblemsFound):
    """Input was read but breaks the rules (unbalanced voucher, unknown account...).

    ``problems`` holds every problem found, so they can all be reported at once.
    """

    def __init__(self, message: str, problems: Sequence[str] = ()) -> None:
        self.problems = tuple(problems)
        super().__init__(message)


class ExportError(LedgerlinkError):
    """An export could not be completed; the journal records what was and was not done."""

    exit_code = 8


class JournalError(ExportError):
    """The export journal cannot be used: it is unreadable, or it lacks an entry it should
    hold. Nothing more is sent until it is resolved."""


class ExportBusy(JournalError):
    """Another push to the same target holds its lock (the journal's lock for that target, or
    a lock a sink holds on the target itself): nothing was attempted, so running the same
    push again once the other has finished is safe. Its own exit code tells a script "wait
    and retry" apart from "some vouchers failed"."""

    exit_code = 9


class ExportRefused(ExportError):
    """Raised by a sink: the target answered "no" and certainly wrote nothing (a validation
    answer). ``str()`` is the reason, shown with the failed voucher."""


class ExportAmbiguous(ExportError):
    """Raised by a sink: the target's answer was lost (timeout, dropped connection, a 5xx on a
    write), so the write may or may not have happened. Core looks the voucher up before it
    may send it again."""


#: Exit codes of the ``ledgerlink`` command, documented in the README.
EXIT_CODES: dict[int, str] = {
    0: "success (for `check`: the file is clean; for `diff`: the files are equal)",
    1: "problems found (`check`, `reconcile`, `doctor`, export validation; `diff`: they differ;"
    " `push`, `pull`: the input is another company's)",
    2: "unreadable or malformed input, or bad command-line usage",
    3: "configuration error (also: several connections and no --company)",
    4: "authentication or permission error",
    5: "backend unavailable or failing",
    6: "capability not supported by the selected backend",
    7: "backend not found or failed to load",
    8: "export incomplete; for `batch`: one or more companies failed (a re-run redoes them)",
    9: "busy: another push to the same target is running; nothing was sent (run it again later)",
    70: "internal error (a bug: run with --traceback and report it)",
}
