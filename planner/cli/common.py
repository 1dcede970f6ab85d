"""Shared CLI plumbing: the error-to-exit-code mapping, applied to every command."""

from __future__ import annotations

import functools
from collections.abc import Callable
from enum import StrEnum
from typing import Any, TypeVar

import typer

from planner.cli import console
from planner.errors import PlannerError

F = TypeVar("F", bound=Callable[..., Any])

state: dict[str, bool] = {"debug": False}


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


def guarded(fn: F) -> F:
    """Run a command; render a PlannerError (no traceback unless --debug) and exit with its
    code: 1 infeasible/mandatory finding, 2 input or usage error, 3 drift."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PlannerError as exc:
            if state["debug"]:
                raise
            console.err.print(exc.render(), markup=False)
            raise typer.Exit(exc.exit_code) from None

    return wrapper  # type: ignore[return-value]
