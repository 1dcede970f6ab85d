"""``hybridplan plan``: the whole pipeline, written atomically to OUT."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from planner import app as services
from planner.catalogue import load_default_catalogue
from planner.cli import console
from planner.cli.common import Ending, OutputFormat, guarded, print_warnings


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
        prometheus: Annotated[
            str | None,
            typer.Option(
                "--prometheus",
                metavar="URL",
                help="Read telemetry from this Prometheus-API server instead of telemetry "
                "files; overrides prometheus.url of project.yaml.",
            ),
        ] = None,
    ) -> Ending:
        """Plan placements for a planning project and write OUT/plan.json, OUT/plan.md and
        OUT/stacks/<site>/ (Pulumi programs).

        Outputs are rendered in memory and moved into OUT only when all succeed: a failed
        run leaves OUT untouched. Exit 0 when planned (advisory findings allowed), 1 when
        infeasible or an unwaived mandatory policy fails (outputs are still written so the
        report can be reviewed), 2 on bad input.

        Example: hybridplan plan examples/acme --out out
        """
        from planner.report import plan_to_dict, summary_rows

        outcome = render_plan(project_dir, out, stack_env, prometheus_url=prometheus)
        services.write_outputs(out, outcome.files)
        console.show_in(outcome.plan.currency)
        if fmt is OutputFormat.JSON:
            console.emit_json(plan_to_dict(outcome.plan, outcome.project))
        else:
            header, rows = summary_rows(outcome.plan)
            console.table(f"Plan summary ({outcome.plan.currency.code}/month)", header, rows)
            console.out.print(f"wrote {out / 'plan.json'}, {out / 'plan.md'} and {out / 'stacks'}/")
        return outcome.failure


def render_plan(
    project_dir: Path,
    out: Path,
    stack_env: str,
    wave: int | None = None,
    *,
    prometheus_url: str | None = None,
) -> services.PlanOutcome:
    """Load and plan the project and render its outputs (as ``plan`` writes them), with a
    progress bar and the telemetry warnings on stderr; telemetry from the Prometheus server
    at ``prometheus_url`` when given; stacks with the moves of waves 1..``wave`` only when
    given (``emit --wave``)."""
    steps = (*services.LOAD_STEPS, *services.PLAN_STEPS)
    with console.progress("planning", total=len(steps)) as step:
        inputs = services.load_inputs(project_dir, prometheus_url=prometheus_url, progress=step)
        print_warnings(inputs.warnings)
        return services.render_plan_files(
            inputs,
            catalogue=load_default_catalogue(),
            today=date.today(),
            out=out,
            stack_env=stack_env,
            progress=step,
            wave=wave,
        )
