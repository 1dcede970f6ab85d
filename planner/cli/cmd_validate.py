"""``hybridplan validate``: check a planning project and report every problem at once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from planner import app as services
from planner.catalogue import load_default_catalogue
from planner.cli import console
from planner.cli.common import Ending, OutputFormat, Shown, guarded, print_warnings
from planner.errors import InputError, Problem
from planner.model import Project


def _problem_json(p: Problem) -> dict[str, Any]:
    return {
        "file": p.file,
        "line": p.line,
        "column": p.column,
        "field": p.field,
        "message": p.message,
        "fix": p.fix,
    }


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def summary(project: Project) -> dict[str, Any]:
    """Counts describing a loaded project (what ``validate`` prints on success)."""
    return {
        "ok": True,
        "root": project.root,
        "workloads": len(project.workloads),
        "sites": len(project.sites),
        "teams": len({w.team for w in project.workloads}),
        "rules": len(project.policies.rules),
        "waivers": len(project.policies.waivers),
        "telemetry_files": len(project.telemetry_files),
    }


def register(app: typer.Typer) -> None:
    @app.command("validate")
    @guarded
    def validate_cmd(
        project_dir: Annotated[
            Path, typer.Argument(help="Planning project folder (inventory.yaml, sites.yaml...).")
        ] = Path("."),
        fmt: Annotated[
            OutputFormat, typer.Option("--format", help="Output format: table or json.")
        ] = OutputFormat.TABLE,
        telemetry: Annotated[
            bool,
            typer.Option(
                "--telemetry/--no-telemetry",
                help="Read the telemetry files too (as plan does); --no-telemetry is faster.",
            ),
        ] = True,
    ) -> Ending:
        """Validate a planning project as `plan` reads it: YAML syntax, the JSON Schemas,
        names and cross-references, the telemetry files (unless --no-telemetry) and the
        cost inputs against the price catalogue. Prints a summary and exits 0, or lists
        every problem of every file as file:line:column: field: message. To fix: ... and
        exits 2.

        Example: hybridplan validate examples/acme
        """
        try:
            checked = services.validate_inputs(
                project_dir, catalogue=load_default_catalogue(), telemetry=telemetry
            )
        except InputError as exc:
            if fmt is OutputFormat.JSON:
                console.emit_json(
                    {"ok": False, "problems": [_problem_json(p) for p in exc.problems]}
                )
                return Shown(exc)
            raise
        print_warnings(checked.warnings)
        project = checked.project
        info = summary(project)
        if fmt is OutputFormat.JSON:
            console.emit_json(info)
            return None
        counts = ", ".join(
            _plural(int(info[key]), noun)
            for key, noun in (
                ("workloads", "workload"),
                ("teams", "team"),
                ("sites", "site"),
                ("rules", "rule override"),
                ("waivers", "waiver"),
                ("telemetry_files", "telemetry file"),
            )
        )
        read = "" if telemetry or not project.telemetry_files else " (telemetry not read)"
        console.out.print(f"ok: {project.root}: {counts}{read}", markup=False)
        return None
