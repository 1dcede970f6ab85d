"""``hybridplan plan``: the whole pipeline, written atomically to OUT."""

from __future__ import annotations

import json
import shlex
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from planner.cli import console
from planner.cli.common import OutputFormat, guarded
from planner.model import Level, Plan, Project


def reproduce_command(verb: str, project_dir: Path, out: Path, stack_env: str) -> str:
    """The shell-quoted ``hybridplan <verb> DIR --out OUT [--env ENV]`` that regenerates
    these outputs; the default env is left out so the usual command stays short."""
    parts = [f"hybridplan {verb}", shlex.quote(project_dir.as_posix())]
    parts.append(f"--out {shlex.quote(out.as_posix())}")
    if stack_env != "prod":
        parts.append(f"--env {shlex.quote(stack_env)}")
    return " ".join(parts)


def plan_files(
    project_dir: Path, out: Path, stack_env: str, today: date
) -> tuple[dict[str, str], Plan, Project]:
    """Run the pipeline and render every output file in memory (nothing is written)."""
    from planner.catalogue import load_default_catalogue
    from planner.emit import default_environment, render_stacks
    from planner.ingest import load_telemetry
    from planner.load import load_project
    from planner.pipeline import build_plan
    from planner.policy import pack_config
    from planner.report import render_plan_json, render_plan_md
    from policies.registry import RULES

    with console.progress("planning", total=4) as bar:
        project = load_project(project_dir)
        bar.advance(description="reading telemetry")
        telemetry = load_telemetry(project)
        for warning in telemetry.warnings:
            console.err.print(f"warning: {warning.render()}", markup=False)
        bar.advance(description="solving")
        catalogue = load_default_catalogue()
        bundle = build_plan(project, catalogue=catalogue, telemetry=telemetry, today=today)
        bar.advance(description="rendering")
        plan = bundle.plan
        command = reproduce_command("plan", project_dir, out, stack_env)
        files: dict[str, str] = {
            "plan.json": render_plan_json(plan, project, command=command),
            "plan.md": render_plan_md(
                plan, project, command=command, project_dir=project_dir.as_posix()
            ),
        }
        stacks = render_stacks(
            plan, project, default_environment(), stack_env=stack_env, command=command
        )
        files.update(stacks)
        config = json.dumps(pack_config(project, rules=RULES), indent=2, sort_keys=True) + "\n"
        stack_dirs = {p.rsplit("/", 1)[0] for p in stacks if p.endswith("/Pulumi.yaml")}
        for site_dir in sorted(stack_dirs):
            files[f"{site_dir}/policy-config.json"] = config
        bar.advance()
    return files, plan, project


def register(app: typer.Typer) -> None:
    @app.command("plan")
    @guarded
    def plan_cmd(
        project_dir: Annotated[
            Path, typer.Argument(help="Planning project folder (inventory.yaml, sites.yaml...).")
        ] = Path("."),
        out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
        stack_env: Annotated[
            str, typer.Option("--env", help="Pulumi stack name of the emitted stacks.")
        ] = "prod",
        fmt: Annotated[
            OutputFormat, typer.Option("--format", help="Summary format: table or json.")
        ] = OutputFormat.TABLE,
    ) -> None:
        """Plan placements for a planning project and write OUT/plan.json, OUT/plan.md and
        OUT/stacks/<site>/ (Pulumi programs).

        Outputs are rendered in memory and moved into OUT only when all succeed: a failed
        run leaves OUT untouched. Exit 0 when planned (advisory findings allowed), 1 when
        infeasible or an unwaived mandatory policy fails (outputs are still written so the
        report can be reviewed), 2 on bad input.

        Example: hybridplan plan examples/acme --out out
        """
        from planner.fs import write_tree
        from planner.report import plan_to_dict, summary_rows

        files, plan_obj, project = plan_files(project_dir, out, stack_env, date.today())
        write_tree(out, files, subdirs=("stacks",), keep=("venv",))
        if fmt is OutputFormat.JSON:
            console.emit_json(plan_to_dict(plan_obj, project))
        else:
            header, rows = summary_rows(plan_obj)
            console.table("Plan summary (USD/month)", header, rows)
            console.out.print(f"wrote {out / 'plan.json'}, {out / 'plan.md'} and {out / 'stacks'}/")
        blocking = [f for f in plan_obj.findings if f.level is Level.MANDATORY and not f.waived]
        if blocking:
            for f in blocking:
                console.err.print(f"mandatory: {f.rule_id} {f.scope_kind}={f.scope}: {f.message}")
            raise typer.Exit(1)
