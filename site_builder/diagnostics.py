"""Diagnostics: the one currency every stage uses to report problems.

Stages never print or raise for user mistakes; they return `Diagnostic`s so a run can report
every problem at once (Zola stops at the first broken page; we do not). Only `cli.py` prints.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """A problem tied to a file (relative POSIX path) and, where known, a 1-based line."""

    path: str
    line: int | None
    severity: Severity
    message: str
    hint: str | None = None
    rule: str | None = None

    def format(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        label = f"{self.severity}[{self.rule}]" if self.rule else self.severity
        text = f"{where}: {label}: {self.message}"
        if self.hint:
            text += f"\n    hint: {self.hint}"
        return text

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class UserError(Exception):
    """A problem the user can fix (bad config, bad paths); printed without a traceback."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = tuple(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def error(path: str, line: int | None, message: str, hint: str | None = None) -> Diagnostic:
    return Diagnostic(path, line, "error", message, hint)


def warning(
    path: str, line: int | None, message: str, hint: str | None = None, rule: str | None = None
) -> Diagnostic:
    return Diagnostic(path, line, "warning", message, hint, rule)


def sort_key(d: Diagnostic) -> tuple[str, int, str, str]:
    return (d.path, d.line or 0, d.severity, d.message)


def sorted_diagnostics(diags: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deterministic order: by path, then line, so output reads like a compiler's."""
    return sorted(set(diags), key=sort_key)


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.is_error for d in diags)


def summary(diags: Iterable[Diagnostic]) -> str:
    """`3 errors, 1 warning in 2 files` (or `no problems`)."""
    items = list(diags)
    errors = sum(1 for d in items if d.is_error)
    warnings = len(items) - errors
    if not items:
        return "no problems"
    files = len({d.path for d in items})
    return (
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)} "
        f"in {files} file{'s' * (files != 1)}"
    )
