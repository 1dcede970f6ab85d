"""``hybridplan emit``: re-plan and (re)write, or check, only the Pulumi stacks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from planner import app as services
from planner.cli import console
from planner.cli.cmd_plan import render_plan
from planner.cli.common import Ending, guarded


def register(app: typer.Typer) -> None:
    @app.command("emit")
    @guarded
    def emit_cmd(
        project_dir: Annotated[
            Path, typer.Argument(help="Planning project folder (inventory.yaml, sites.yaml...).")
        ] = Path("."),
        out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("out"),
        stack_env: Annotated[
            str, typer.Option("--env", help="Pulumi stack name of the emitted stacks.")
        ] = "prod",
        check: Annotated[
            bool,
            typer.Option("--check", help="Write nothing; exit 3 if OUT/stacks would change."),
        ] = False,
        wave: Annotated[
            int | None,
            typer.Option(
                "--wave",
                help="Stacks for the plan after migration wave K: workloads of later waves "
                "stay where they run today (0: nothing moved yet).",
            ),
        ] = None,
    ) -> Ending:
        """Re-plan the project and write OUT/stacks/<site>/ (Pulumi programs) only.

        The files are byte-identical to those `hybridplan plan` writes for the same inputs
        (same header command), so `--check` in CI catches hand edits and stale stacks.
        With --wave K the stacks move only the workloads of waves 1..K (plan.json
        migration.waves), so a pipeline applies one wave at a time; their headers name the
        wave. Exit 0 when up to date or written, 2 on bad input (or a wave the plan does not
        have), 3 on drift with --check.

        Example: hybridplan emit examples/acme --out out --check

        Example: hybridplan emit examples/acme --out out --wave 1
        """
        expected = services.stack_files(render_plan(project_dir, out, stack_env, wave).files)
        stacks_dir = (out / services.STACKS).as_posix()
        if check:
            regenerate = services.reproduce_command("emit", project_dir, out, stack_env)
            if wave is not None:
                regenerate += f" --wave {wave}"
            drift = services.stack_drift(out, expected, command=regenerate)
            if drift is None:
                console.out.print(f"{stacks_dir}: up to date ({len(expected)} files)")
            return drift
        services.write_outputs(out, expected)
        sites = sorted({p.split("/")[1] for p in expected if p.count("/") >= 2})
        console.out.print(f"wrote {len(sites)} stack(s) to {stacks_dir}/: " + ", ".join(sites))
        return None
