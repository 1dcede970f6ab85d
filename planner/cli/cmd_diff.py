"""``hybridplan diff BASE HEAD``: what changed between two plan.json files."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from planner import app as services
from planner.cli import console
from planner.cli.common import Ending, guarded


class DiffFormat(StrEnum):
    MD = "md"
    JSON = "json"


def register(app: typer.Typer) -> None:
    @app.command("diff")
    @guarded
    def diff_cmd(
        base: Annotated[Path, typer.Argument(help="The base plan.json (or its OUT folder).")],
        head: Annotated[Path, typer.Argument(help="The new plan.json (or its OUT folder).")],
        fmt: Annotated[
            DiffFormat, typer.Option("--format", help="md (pull-request comment) or json.")
        ] = DiffFormat.MD,
        output: Annotated[
            Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
        ] = None,
    ) -> Ending:
        """Compare two plans: moves, cost delta per site and team, workloads added or
        removed, policy findings added or resolved. Money is per month, in the head
        plan's project currency (JSON: USD); a negative delta is a saving. Reads plan.json
        schema 1 and 2. Exit 0 (a diff is information, not a verdict), 2 if a file is not a valid
        plan.json.

        Example: hybridplan diff base/plan.json out/plan.json --format md
        """
        from planner.report import render_diff_md

        result = services.diff_plan_files(base, head)
        console.show_in(services.head_rate(head))
        if fmt is DiffFormat.JSON:
            text = console.json_text(result)  # amounts in USD, as in plan.json
        else:
            text = render_diff_md(result, rate=services.head_rate(head))
        if output is None:
            console.echo(text)
        else:
            from planner.fs import write_files

            write_files({output: text})
            console.err.print(f"wrote {output}", markup=False)
        return None
