"""Shared CLI plumbing: the one error boundary (``guarded``), applied to every command."""

from __future__ import annotations

import functools
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import ParamSpec

import typer

from planner.cli import console
from planner.entry import INTERRUPTED_LINE, Interrupted, interrupted
from planner.errors import ExitCode, PlannerError, Problem, exit_code, from_exception
from planner.fx import USD

P = ParamSpec("P")

state: dict[str, bool] = {"debug": False}


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@dataclass(frozen=True, slots=True)
class Shown:
    """A failure the command has already shown in its output (``validate --format json``
    lists the problems as JSON): exit with its code, print nothing more."""

    failure: PlannerError


Ending = PlannerError | Shown | None
"""What a command returns: the failure it ends with after showing its report (an unwaived
mandatory finding, an infeasible scenario, drift...), or ``None`` when it succeeded."""


def guarded(fn: Callable[P, Ending]) -> Callable[P, None]:
    """The one error boundary. Run a command; a ``PlannerError`` it raises or the failure it
    returns is printed to stderr and the command exits with ``planner.errors.exit_code``
    of it: 0 done (advisory findings allowed), 1 infeasible or mandatory finding, 2 input
    or usage error, 3 drift. Any other exception is mapped by ``errors.from_exception``: an
    OSError, parse error or numeric overflow exits 2, a bug 70 with a short message. An
    interrupt (Ctrl-C) prints one line and exits 130. No traceback unless ``--debug``,
    which prints it before the same exit code (never Click's 1)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        console.show_in(USD)  # until the command knows its project's currency
        try:
            ending = fn(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except (KeyboardInterrupt, Interrupted):
            console.err.print(INTERRUPTED_LINE, markup=False)
            raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
        except Exception as exc:  # the one boundary: every error gets an exit code
            if interrupted(exc):  # an import that Ctrl-C stopped, wrapped as ImportError
                console.err.print(INTERRUPTED_LINE, markup=False)
                raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
            if state["debug"]:
                traceback.print_exc()
            ending = from_exception(exc)
        if isinstance(ending, Shown):
            raise typer.Exit(int(exit_code(ending.failure)))
        if ending is not None:
            console.err.print(ending.render(), markup=False)
            raise typer.Exit(int(exit_code(ending)))

    return wrapper


def print_warnings(warnings: Iterable[Problem]) -> None:
    """Show non-fatal input problems on stderr, one ``warning: ...`` line each."""
    for warning in warnings:
        console.err.print(f"warning: {warning.render()}", markup=False)
