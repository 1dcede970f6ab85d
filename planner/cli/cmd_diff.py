"""``hybridplan diff BASE HEAD``: what changed between two plan.json files."""

from __future__ import annotations

import json
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import typer

from planner.cli import console
from planner.cli.common import guarded
from planner.errors import InputError, Problem


class DiffFormat(StrEnum):
    MD = "md"
    JSON = "json"


def plan_schema() -> dict[str, Any]:
    """The published plan.json schema (``planner/schemas/plan.json``)."""
    text = resources.files("planner").joinpath("schemas/plan.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def read_plan_json(path: Path) -> dict[str, Any]:
    """Read and validate one plan.json; every problem is reported with its location."""
    # jsonschema ships no type information; types-jsonschema is not a project dependency.
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    label = path.as_posix()
    if path.is_dir() and (path / "plan.json").is_file():
        path = path / "plan.json"
        label = path.as_posix()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    label,
                    0,
                    0,
                    "",
                    f"cannot read the plan: {exc.strerror or exc}",
                    "pass a plan.json written by `hybridplan plan DIR --out OUT` "
                    "(or the OUT folder)",
                )
            ],
            message=f"cannot read {label}",
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            [
                Problem(
                    label,
                    exc.lineno,
                    exc.colno,
                    "",
                    f"not JSON: {exc.msg}",
                    "pass a plan.json written by `hybridplan plan DIR --out OUT`",
                )
            ],
            message=f"{label} is not a valid plan.json",
        ) from None
    validator = Draft202012Validator(plan_schema())
    problems = [
        Problem(
            label,
            0,
            0,
            "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path).lstrip(
                "."
            ),
            e.message,
            "regenerate it with the same hybridplan version as the other plan",
        )
        for e in validator.iter_errors(data)
    ]
    if problems:
        raise InputError(problems[:20], message=f"{label} is not a valid plan.json")
    result: dict[str, Any] = data
    return result


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
    ) -> None:
        """Compare two plans: moves, cost delta per site and team, workloads added or
        removed, policy findings added or resolved. Money is USD/month; a negative delta is
        a saving. Exit 0 (a diff is information, not a verdict), 2 if a file is not a valid
        plan.json.

        Example: hybridplan diff base/plan.json out/plan.json --format md
        """
        from planner.report import diff_plans, render_diff_md

        result = diff_plans(read_plan_json(base), read_plan_json(head))
        if fmt is DiffFormat.JSON:
            text = json.dumps(result, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        else:
            text = render_diff_md(result)
        if output is None:
            typer.echo(text, nl=False)
        else:
            from planner.fs import write_files

            write_files({output: text})
            console.err.print(f"wrote {output}", markup=False)
