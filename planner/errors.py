"""The PlannerError tree: every error says what went wrong, where, and how to fix it.

``exit_code`` is the one place that maps how a command ended to its exit code (README
"Exit codes"): done 0; a ``CheckFailedError`` (``InfeasibleError``, ``PolicyFailure``, a stack
that does not preview) 1; ``InputError``, ``UsageError``, ``SolverTimeoutError`` and any
other ``PlannerError`` 2;
``DriftError`` 3. ``from_exception`` turns what is not a ``PlannerError`` into one: an
``OSError``, a parse error or a numeric overflow is an input error (2), anything else an
``InternalError`` (70, a bug); an interrupt (Ctrl-C, ``planner.entry``) exits 130.
"""

from __future__ import annotations

import csv
import json
import zlib
from dataclasses import dataclass
from decimal import DecimalException
from enum import IntEnum

from planner.entry import INTERRUPTED_EXIT


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


class SolverTimeoutError(PlannerError):
    """The solver's time limit ran out before any plan was found, and nothing proved that
    no plan exists (the greedy baseline found none either). Not an infeasibility: exit
    code 2, like an input the settings cannot handle; the fix is a longer
    ``solver_time_limit_s``."""

    def render(self) -> str:
        fix = f"\nTo fix: {self.fix}" if self.fix else ""
        return f"no plan found in the time limit: {self.message}{fix}"


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


class InternalError(PlannerError):
    """A bug in hybridplan: an exception no input should cause. Exit code 70 (EX_SOFTWARE
    of BSD ``sysexits.h``); ``--debug`` shows its traceback."""

    def __init__(self, exc: BaseException) -> None:
        what = str(exc).splitlines()[0][:200] if str(exc) else ""
        super().__init__(
            f"internal error: {type(exc).__name__}{': ' if what else ''}{what}",
            fix="this is a bug in hybridplan; run again with --debug for the traceback, "
            "and report it with the command you ran",
        )

    def render(self) -> str:
        return f"{self.message}\nTo fix: {self.fix}"


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
    INTERNAL = 70
    """A bug in hybridplan (``InternalError``)."""
    INTERRUPTED = INTERRUPTED_EXIT
    """Interrupted (Ctrl-C, SIGINT): 128 + the signal number, as shells report it."""


def exit_code(failure: PlannerError | None) -> ExitCode:
    """The exit code of a command that ended with ``failure`` (``None``: it succeeded).
    This is the only mapping from outcomes and errors to exit codes."""
    if failure is None:
        return ExitCode.OK
    if isinstance(failure, DriftError):
        return ExitCode.DRIFT
    if isinstance(failure, CheckFailedError):
        return ExitCode.FAILED
    if isinstance(failure, InternalError):
        return ExitCode.INTERNAL
    return ExitCode.INPUT


_PARSE_ERRORS = (
    UnicodeError,
    json.JSONDecodeError,
    csv.Error,
    zlib.error,
    EOFError,
)
_NUMERIC_ERRORS = (OverflowError, FloatingPointError, ZeroDivisionError, DecimalException)


def from_exception(exc: Exception) -> PlannerError:
    """What an exception that is not a ``PlannerError`` means for the user: an ``OSError``
    is an input error located at its file, a parse error or numeric overflow an input
    error, anything else an ``InternalError``."""
    if isinstance(exc, PlannerError):
        return exc
    if isinstance(exc, OSError):
        where = str(exc.filename) if exc.filename else ""
        reason = exc.strerror or str(exc) or type(exc).__name__
        problem = Problem(where, 0, 0, "", reason, "check the path, its permissions and free space")
        return InputError([problem], message="cannot read or write a file")
    if isinstance(exc, _PARSE_ERRORS):
        line = getattr(exc, "lineno", 0) or 0
        problem = Problem("", line, 0, "", f"unreadable input: {exc}", "fix the file it names")
        return InputError([problem], message="cannot read an input")
    if isinstance(exc, _NUMERIC_ERRORS):
        problem = Problem(
            "",
            0,
            0,
            "",
            f"a number is out of range for the computation ({type(exc).__name__}: {exc})",
            "check the planning project's numbers against the maxima in `hybridplan schema KIND`",
        )
        return InputError([problem], message="numbers out of range")
    return InternalError(exc)
