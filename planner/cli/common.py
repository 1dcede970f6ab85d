"""Shared CLI plumbing: the one error boundary (``guarded``), applied to every command."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import ParamSpec

import typer

from planner.cli import console
from planner.errors import PlannerError, Problem, exit_code

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
    returns is printed to stderr (no traceback unless --debug; a raised one only) and the
    command exits with ``planner.errors.exit_code`` of it: 0 done (advisory findings
    allowed), 1 infeasible or mandatory finding, 2 input or usage error, 3 drift."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            ending = fn(*args, **kwargs)
        except PlannerError as exc:
            if state["debug"]:
                raise
            ending = exc
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
