"""The PlannerError tree: every error says what went wrong, where, and how to fix it.

``exit_code`` is the one place that maps how a command ended to its exit code (README
"Exit codes"): done 0; a ``CheckFailedError`` (``InfeasibleError``, ``PolicyFailure``, a stack
that does not preview) 1; ``InputError``, ``UsageError`` and any other ``PlannerError`` 2;
``DriftError`` 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can.

    ``file`` is relative to the planning project when possible; ``line`` and ``column`` are
    1-based (0 when unknown); ``field`` is a dotted/indexed path such as
    ``workloads[3].resources.memory_gb``.
    """

    file: str
    line: int
    column: int
    field: str
    message: str
    fix: str = ""

    def location(self) -> str:
        """``file:line:column`` (or less, when line/column are unknown)."""
        if self.line <= 0:
            return self.file
        if self.column <= 0:
            return f"{self.file}:{self.line}"
        return f"{self.file}:{self.line}:{self.column}"

    def render(self) -> str:
        """One-line, grep-friendly rendering: ``file:line:col: field: message. To fix: ...``."""
        head = self.location()
        field = f" {self.field}:" if self.field else ""
        fix = f" To fix: {self.fix}" if self.fix else ""
        # Strip only the message's own final period: a global ".." -> "." replace would
        # corrupt quoted values such as a rejected name '../etc'.
        message = self.message.removesuffix(".")
        end = "" if message.endswith(("?", "!")) else "."
        return f"{head}:{field} {message}{end}{fix}"

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.field, self.message)


class PlannerError(Exception):
    """Base class. ``exit_code`` maps each kind to the code the CLI exits with."""

    def __init__(self, message: str, *, fix: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.fix = fix

    def render(self) -> str:
        fix = f"\nTo fix: {self.fix}" if self.fix else ""
        return f"{self.message}{fix}"


class InputError(PlannerError):
    """Bad input: a file is missing, malformed, or fails validation. Exit code 2.

    Carries every problem found in one pass, sorted by location.
    """

    def __init__(self, problems: list[Problem] | tuple[Problem, ...], *, message: str = "") -> None:
        ordered = tuple(sorted(problems, key=Problem.sort_key))
        count = len(ordered)
        head = message or f"{count} problem{'s' if count != 1 else ''} in the planning project"
        super().__init__(head)
        self.problems = ordered

    def render(self) -> str:
        lines = [f"error: {self.message}"]
        lines.extend(f"  {p.render()}" for p in self.problems)
        return "\n".join(lines)


class UsageError(PlannerError):
    """A command-line argument is wrong (unknown workload, bad --price expression). Exit 2."""


class CheckFailedError(PlannerError):
    """The inputs are valid but the result fails: no plan fits, an unwaived mandatory
    finding, a stack that does not preview cleanly. Exit code 1.

    Also the verdict of a run that completed (its report was shown) and failed, with the
    verdict's text as the message: services return it as their ``failure``.
    """


class InfeasibleError(CheckFailedError):
    """No plan satisfies the constraints. Exit code 1. ``diagnosis`` lists the conflict."""

    def __init__(self, message: str, *, diagnosis: tuple[str, ...] = (), fix: str = "") -> None:
        super().__init__(message, fix=fix)
        self.diagnosis = diagnosis

    def render(self) -> str:
        lines = [f"infeasible: {self.message}"]
        lines.extend(f"  - {d}" for d in self.diagnosis)
        if self.fix:
            lines.append(f"To fix: {self.fix}")
        return "\n".join(lines)


class PolicyFailure(CheckFailedError):  # noqa: N818 - a failed check, not a bug; name kept stable for callers
    """An unwaived mandatory policy finding. Exit code 1."""


class DriftError(PlannerError):
    """Emitted files differ from what the plan renders. Exit code 3."""

    def __init__(self, message: str, *, paths: tuple[str, ...] = (), fix: str = "") -> None:
        super().__init__(message, fix=fix)
        self.paths = paths

    def render(self) -> str:
        lines = [f"drift: {self.message}"]
        lines.extend(f"  {p}" for p in self.paths)
        if self.fix:
            lines.append(f"To fix: {self.fix}")
        return "\n".join(lines)


class ExitCode(IntEnum):
    """What ``hybridplan`` exits with (README "Exit codes")."""

    OK = 0
    """Done; advisory findings allowed."""
    FAILED = 1
    """Infeasible plan, unwaived mandatory finding, a stack that does not preview."""
    INPUT = 2
    """Usage or input error."""
    DRIFT = 3
    """Emitted files differ from what the plan renders (``emit --check``)."""


def exit_code(failure: PlannerError | None) -> ExitCode:
    """The exit code of a command that ended with ``failure`` (``None``: it succeeded).
    This is the only mapping from outcomes and errors to exit codes."""
    if failure is None:
        return ExitCode.OK
    if isinstance(failure, DriftError):
        return ExitCode.DRIFT
    if isinstance(failure, CheckFailedError):
        return ExitCode.FAILED
    return ExitCode.INPUT
