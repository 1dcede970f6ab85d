"""The CLI's console helpers: the only module that imports rich."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from rich.console import Console, ConsoleDimensions
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from planner.fx import USD, FxRate, render_text


class _Console(Console):
    """A Console that honours ``COLUMNS`` when it is printed to, not only when it is built
    (tests and wrappers set it per invocation), and shows the amounts marked in the text it
    prints in the project currency (``show_in``; ``planner.fx.render_text``)."""

    rate: FxRate = USD

    def print(self, *objects: Any, **kwargs: Any) -> None:
        shown = (render_text(o, self.rate) if isinstance(o, str) else o for o in objects)
        super().print(*shown, **kwargs)

    @property
    def size(self) -> ConsoleDimensions:
        dims = super().size
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return ConsoleDimensions(int(columns), dims.height)
        return dims

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


out = _Console(soft_wrap=True, highlight=False)
err = _Console(stderr=True, soft_wrap=True, highlight=False)


def show_in(rate: FxRate) -> None:
    """Show the amounts the core marks in its text (findings, formulas, a diagnosis) in
    ``rate.code`` from now on, in every output of this command (the error boundary sets USD
    before each command: a USD text is the marked text without its marks)."""
    out.rate = err.rate = rate


def table(title: str, columns: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a table for people. Columns holding numbers are right-aligned."""
    cells = [[render_text(str(v), out.rate) for v in r] for r in rows]
    t = Table(title=render_text(title, out.rate), title_justify="left")
    for i, c in enumerate(render_text(c, out.rate) for c in columns):
        values = [r[i] for r in cells if i < len(r)]
        numeric = bool(values) and all(_NUMBER.fullmatch(v) for v in values)
        t.add_column(c, justify="right" if numeric else "left")
    for r in cells:
        t.add_row(*r)
    out.print(t)


_NUMBER = re.compile(r"[+-]?[0-9][0-9,]*(\.[0-9]+)? ?%?|-|")


def json_text(data: Any) -> str:
    """Machine-readable JSON: indented, sorted keys (stable), money exact
    (``planner.money.json_text``), a trailing newline; a NaN or infinity is a ValueError (a
    bug, exit 70), never invalid JSON."""
    from planner.money import json_text as exact_json

    return render_text(exact_json(data) + "\n", out.rate)


def echo(text: str) -> None:
    """Write ``text`` (Markdown, a report) to stdout as it is, its marked amounts shown
    in the project currency."""
    sys.stdout.write(render_text(text, out.rate))


def emit_json(data: Any) -> None:
    """Print ``json_text(data)`` to stdout."""
    sys.stdout.write(json_text(data))


@contextmanager
def progress(description: str, total: int | None = None) -> Iterator[Callable[[str], None]]:
    """A progress bar on stderr (hidden when stderr is not a terminal) over ``total``
    steps. Yields a ``planner.app.Progress`` callback: each call names the step that starts,
    counting the ones before it as done."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(description, total=total)
        started = 0

        def step(name: str) -> None:
            nonlocal started
            bar.update(task, completed=started, description=name)
            started += 1

        yield step
