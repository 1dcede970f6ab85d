"""``hybridplan what-if [DIR]``: re-plan with changed inputs and show the delta."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from planner import app as services
from planner.catalogue import load_default_catalogue
from planner.cli import console
from planner.cli.common import Ending, guarded, print_warnings
from planner.errors import UsageError
from planner.fx import CODE, USD

if TYPE_CHECKING:
    from planner.whatif import Outcome, SweepResult


class WhatIfFormat(StrEnum):
    TABLE = "table"
    MD = "md"
    JSON = "json"


def _print_outcome(outcome: Any) -> None:
    from planner.report.shown import shown  # the report package loads when used

    console.out.print("changes:", markup=False)
    for note in outcome.notes:
        console.out.print(f"  - {note}", markup=False)
    rate = outcome.plan.currency if outcome.plan is not None else USD
    d, u = shown(outcome.diff, rate), rate.code  # amounts in the project currency
    b, h, t = d["base"], d["head"], d["totals"]
    pct = "" if t["delta_pct"] is None else f" ({t['delta_pct']:+.1f} %)"
    console.table(
        "What-if vs the base plan",
        ("", "base", "what-if", "delta"),
        [
            (
                f"monthly cost {u}/month",
                b["usd_per_month"].format(unit=False),
                h["usd_per_month"].format(unit=False),
                t["delta_usd_per_month"].format(unit=False, sign=True) + pct,
            ),
            (
                f"one-off migration {u}",
                b["migration_usd"].format(unit=False),
                h["migration_usd"].format(unit=False),
                t["delta_migration_usd"].format(unit=False, sign=True),
            ),
            (
                f"horizon TCO {u} ({h['horizon_months']} months)",
                b["horizon_tco_usd"].format(unit=False),
                h["horizon_tco_usd"].format(unit=False),
                t["delta_horizon_tco_usd"].format(unit=False, sign=True),
            ),
            ("break-even month", str(b["break_even_month"]), str(h["break_even_month"]), ""),
            (
                "break-even month moving in waves",
                str(b["break_even_month_waves"]),
                str(h["break_even_month_waves"]),
                "",
            ),
            ("migration waves", str(b["waves"]), str(h["waves"]), ""),
        ],
    )
    moves = [*d["moves"], *d["cost_changes"]]
    if moves:
        console.table(
            f"Workloads that change ({u}/month)",
            (
                "workload",
                "team",
                "base",
                "what-if",
                f"base {u}/month",
                f"what-if {u}/month",
                f"delta {u}/month",
            ),
            [
                (
                    m["name"],
                    m["team"],
                    f"{' + '.join(m['base_sites'])} ({m['base_option']})",
                    f"{' + '.join(m['head_sites'])} ({m['head_option']})",
                    m["base_usd_per_month"].format(unit=False),
                    m["head_usd_per_month"].format(unit=False),
                    m["delta_usd_per_month"].format(unit=False, sign=True),
                )
                for m in moves
            ],
        )
    else:
        console.out.print("no workload changes site, option or cost", markup=False)
    for key, title in (("findings_added", "Findings added"), ("findings_resolved", "Resolved")):
        if d[key]:
            console.table(
                title,
                ("level", "rule", "scope", "message"),
                [
                    (f["level"], f["rule_id"], f"{f['scope_kind']} {f['scope']}", f["message"])
                    for f in d[key]
                ],
            )


def register(app: typer.Typer) -> None:
    @app.command("what-if")
    @guarded
    def whatif_cmd(
        *,
        project_dir: Annotated[
            Path, typer.Argument(help="Planning project folder (inventory.yaml, sites.yaml...).")
        ] = Path("."),
        moves: Annotated[
            list[str] | None,
            typer.Option("--move", help="Pin a workload to a site: W=SITE (repeatable)."),
        ] = None,
        prices: Annotated[
            list[str] | None,
            typer.Option(
                "--price",
                help="Change a price: KEY=-45% or KEY=55.04; KEY is a catalogue key, prefix "
                "(aws.p5), glob, or SITE.power|capex|labour|space|gpu-hour (repeatable).",
            ),
        ] = None,
        capacities: Annotated[
            list[str] | None,
            typer.Option(
                "--capacity",
                help="Change owned capacity: SITE.gpus.h100=+64, SITE.cpu=+20% (repeatable).",
            ),
        ] = None,
        horizon: Annotated[
            int | None, typer.Option("--horizon", help="Planning horizon in months.")
        ] = None,
        growth: Annotated[
            str | None, typer.Option("--growth", help="Demand growth, e.g. 20%.")
        ] = None,
        waves: Annotated[
            int | None,
            typer.Option(
                "--waves",
                help="Spread the moves over about N migration waves (the move limit per "
                "wave becomes ceil(moves / N)).",
            ),
        ] = None,
        max_moves_per_wave: Annotated[
            int | None,
            typer.Option("--max-moves-per-wave", help="Move at most K workloads per wave."),
        ] = None,
        scenario: Annotated[
            Path | None,
            typer.Option("--scenario", help="YAML list of changes (- price: aws.p5=-45%)."),
        ] = None,
        sweep: Annotated[
            str | None,
            typer.Option(
                "--sweep",
                help="Re-plan for each value: KEY=FROM..TO:STEP (aws.p5=-60%..0%:10%, "
                "horizon=12..60:12, growth=0%..50%:10%); prints a break-even table.",
            ),
        ] = None,
        watch: Annotated[
            list[str] | None,
            typer.Option("--watch", help="With --sweep: also show where this workload lands."),
        ] = None,
        fmt: Annotated[
            WhatIfFormat, typer.Option("--format", help="table, md or json.")
        ] = WhatIfFormat.TABLE,
    ) -> Ending:
        """Re-plan with changed inputs and print the delta against the base plan: cost,
        moves, findings. Telemetry is classified once and reused by every scenario. Changes
        apply in order: the --scenario file, then --move, --price, --capacity, --horizon,
        --growth, --waves, --max-moves-per-wave (how payback changes moving slower). With
        --sweep, one plan per value and a break-even table: at which price a workload (e.g.
        the training) moves. Exit 0, 1 if the scenario is infeasible, 2 on
        bad input or flags.

        Example: hybridplan what-if examples/acme --price aws.p5=-45% --horizon 60

        Example: hybridplan what-if examples/acme --sweep aws.p5=-60%..0%:10%

        Example: hybridplan what-if examples/acme --max-moves-per-wave 1
        """
        from planner.whatif import parse_sweep

        changes = services.collect_changes(
            scenario=scenario,
            moves=moves or [],
            prices=prices or [],
            capacities=capacities or [],
            horizon=horizon,
            growth=growth,
            waves=waves,
            max_moves_per_wave=max_moves_per_wave,
        )
        parsed_sweep = parse_sweep(sweep) if sweep is not None else None
        if not changes and parsed_sweep is None:
            raise UsageError(
                "nothing to change",
                fix="give --move, --price, --capacity, --horizon, --growth, --waves, "
                "--max-moves-per-wave, --scenario or --sweep (see hybridplan what-if --help)",
            )
        steps = len(services.LOAD_STEPS) + len(services.WORLD_STEPS)
        if parsed_sweep is not None:
            with console.progress("planning", total=steps + len(parsed_sweep.values)) as step:
                world = _load_world(project_dir, step)
                result = services.what_if_sweep(
                    world, parsed_sweep, changes=changes, watch=watch or [], progress=step
                )
            _render_sweep(result, fmt)
            return None
        with console.progress("planning", total=steps + 1) as step:
            outcome = services.what_if(_load_world(project_dir, step), changes, progress=step)
        _render_scenario(outcome, fmt)
        return services.scenario_failure(outcome)


def _load_world(project_dir: Path, step: services.Progress) -> services.World:
    """The project loaded (telemetry warnings shown), classified and planned once."""
    inputs = services.load_inputs(project_dir, progress=step)
    print_warnings(inputs.warnings)
    world = services.load_world(
        inputs, catalogue=load_default_catalogue(), today=date.today(), progress=step
    )
    console.show_in(world.base.currency)
    return world


def _render_sweep(result: SweepResult, fmt: WhatIfFormat) -> None:
    from planner.whatif import sweep_table, sweep_to_dict

    if fmt is WhatIfFormat.JSON:
        console.emit_json(sweep_to_dict(result))
        return
    header, rows = sweep_table(result)
    if fmt is WhatIfFormat.MD:
        from planner.report import md_table

        lines = [f"## What-if sweep `{result.sweep.text}`", ""]
        lines += md_table(header, rows, "l" + "r" * 3 + "l" * len(result.watched))
        lines += ["", *(f"- {t}" for t in result.transitions)]
        console.echo("\n".join(lines).rstrip() + "\n")
        return
    console.table(f"Sweep {result.sweep.text} ({CODE}/month)", header, rows)
    for t in result.transitions or ("no watched workload changes site in this range",):
        console.out.print(t, markup=False)


def _render_scenario(outcome: Outcome, fmt: WhatIfFormat) -> None:
    from planner.report import render_diff_md
    from planner.whatif import outcome_to_dict

    if fmt is WhatIfFormat.JSON:
        console.emit_json(outcome_to_dict(outcome))
    elif outcome.diff is not None and fmt is WhatIfFormat.MD:
        title = "What-if: " + "; ".join(c.describe() for c in outcome.changes)
        notes = "".join(f"- {n}\n" for n in outcome.notes)
        rate = outcome.plan.currency if outcome.plan is not None else USD
        md = render_diff_md(outcome.diff, title=title, rate=rate)
        console.echo(md + "\nChanges:\n\n" + notes)
    elif outcome.diff is not None:
        _print_outcome(outcome)
