"""Problems found in a SIE file, and the error raised for them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from ledgerlink_core.errors import InputError

__all__ = ["Problem", "Problems", "Severity", "SieError"]

Severity = Literal["error", "warning"]


class SieError(InputError):
    """A SIE file cannot be read, or (in strict mode) breaks a rule.

    ``str(err)`` is ``FILE:LINE: what is wrong, and what was expected``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        code: str = "unreadable",
    ) -> None:
        self.code = code
        super().__init__(message, path=path, line=line)


class Problem(BaseModel):
    """One thing wrong with a file: where (``line``, when one applies), how bad, what."""

    model_config = ConfigDict(frozen=True)

    line: int | None = None
    severity: Severity
    code: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line is not None else ""
        return f"{where}{self.severity}: {self.message}"


class Problems:
    """Collects problems while reading. In strict mode the first error raises ``SieError``.

    At most ``limit`` problems are kept (so memory stays bounded on a huge bad file); the
    number left out is in ``dropped``.
    """

    def __init__(self, name: str, *, strict: bool, limit: int = 10_000) -> None:
        self.name = name
        self.strict = strict
        self.limit = limit
        self.items: list[Problem] = []
        self.dropped = 0
        self.errors = 0
        self.warnings = 0

    def error(self, line: int | None, code: str, message: str) -> None:
        """Record an error (raise it in strict mode)."""
        self.errors += 1
        if self.strict:
            raise SieError(message, path=self.name, line=line, code=code)
        self._add(Problem(line=line, severity="error", code=code, message=message))

    def warn(self, line: int | None, code: str, message: str) -> None:
        """Record a warning; never raises."""
        self.warnings += 1
        self._add(Problem(line=line, severity="warning", code=code, message=message))

    def fatal(self, line: int | None, message: str, code: str = "unreadable") -> SieError:
        """The error for input that cannot be read at all (raised in every mode)."""
        return SieError(message, path=self.name, line=line, code=code)

    def _add(self, problem: Problem) -> None:
        if len(self.items) < self.limit:
            self.items.append(problem)
        else:
            self.dropped += 1
