"""What-if: the base world loaded once, scenario changes read, scenarios and sweeps run."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from planner.app.inputs import Inputs, Progress, no_progress
from planner.app.plan import plan_project
from planner.catalogue import Catalogue
from planner.errors import CheckFailedError, InputError, Problem
from planner.model import Classification, Plan, Project

if TYPE_CHECKING:
    from planner.reprice import PriceTable
    from planner.whatif import Change, Outcome, Replanned, Sweep, SweepResult

WORLD_STEPS = ("classifying", "planning the base")
"""What ``load_world`` reports."""


@dataclass(frozen=True, slots=True)
class World:
    """Everything a what-if run re-uses across scenarios (loaded, classified and planned
    once): telemetry is classified once, since no change touches it."""

    inputs: Inputs
    catalogue: Catalogue
    today: date
    classifications: tuple[Classification, ...]
    base: Plan
    """The base plan, what each scenario is compared with."""
    prices: PriceTable | None = None
    """The base plan's prices: a scenario prices again only what it touches."""

    def plan(
        self, project: Project, catalogue: Catalogue, classifications: tuple[Classification, ...]
    ) -> Replanned:
        """Plan a changed project with this world's telemetry and date (a ``PlanFn``),
        reusing the base's prices where the change leaves them alone (and saying so)."""
        from planner.whatif import Replanned

        changed = replace(self.inputs, project=project)
        bundle = plan_project(  # the cycle collector frozen and paused there
            changed,
            catalogue=catalogue,
            today=self.today,
            classifications=classifications,
            reuse=self.prices,
        )
        notes = (bundle.reuse.describe(),) if bundle.reuse is not None else ()
        return Replanned(bundle.plan, (*notes, *solver_notes(bundle.plan)))


def solver_notes(plan: Plan) -> tuple[str, ...]:
    """What the scenario's solve reused: LP + repair starts its LP from the base plan's LP
    basis, starts from the base plan and keeps a plan within the solver gap of the LP bound
    without a repair, or focuses its repair on the blocks the change touched; and whether
    the polish rule kept the plan unpolished (the exact MILP, for small projects, solves
    from scratch and needs no note)."""
    from planner.solve.basis import BASIS_NOTE
    from planner.solve.focus import FOCUS_TAIL, FOCUSED
    from planner.solve.repair import NO_REPAIR, NOT_POLISHED, WARM_KEPT

    if plan.solver.method != "lp+repair":
        return ()
    parts = plan.solver.note.split("; ")
    more = [f"solver: {p}" for p in parts if p.endswith(NOT_POLISHED)]
    if BASIS_NOTE in parts:
        more.insert(0, "solver: the LP relaxation started from the base plan's LP basis")
    for part in parts:
        if part.endswith(NO_REPAIR):
            return (
                "solver: the LP relaxation completed is within the solver gap of its bound: "
                "the base plan was not needed",
                *more,
            )
        if part.endswith(WARM_KEPT):
            return (f"solver: warm start from the base plan; kept {part}", *more)
        if part.endswith(FOCUSED):
            return (f"solver: repair focused on the blocks the change touched: {part}", *more)
        if part.endswith(FOCUS_TAIL):
            return (
                "solver: warm start from the base plan; no plan from it was within the solver "
                f"gap of the LP bound: repair focused on the blocks the change touched: {part}",
                *more,
            )
    return (
        "solver: warm start from the base plan; no plan from it was within the solver gap "
        "of the LP bound: LP + repair as from scratch",
        *more,
    )


def load_world(
    inputs: Inputs, *, catalogue: Catalogue, today: date, progress: Progress = no_progress
) -> World:
    """Classify the project's telemetry once and plan the base as of ``today``."""
    from planner.classify import classify_project
    from planner.ingest.csv_fast import scan_threads

    progress(WORLD_STEPS[0])
    # on the cores this process may use; the classes do not depend on it
    classifications = tuple(
        classify_project(inputs.project, inputs.telemetry, threads=scan_threads())
    )
    progress(WORLD_STEPS[1])
    bundle = plan_project(
        inputs,
        catalogue=catalogue,
        today=today,
        classifications=classifications,
        record_prices=True,
    )
    return World(inputs, catalogue, today, classifications, bundle.plan, bundle.prices)


def read_scenario(path: Path) -> object:
    """Parse a scenario YAML file; an unreadable or invalid file is an ``InputError`` that
    names the scenario."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(
            [
                Problem(
                    path.as_posix(),
                    0,
                    0,
                    "",
                    f"cannot read the scenario: {exc.strerror or exc}",
                    "pass a YAML list of changes, e.g. `- price: aws.p5=-45%`",
                )
            ],
            message=f"cannot read the scenario {path.as_posix()}",
        ) from None
    try:
        data: object = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        why = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            [
                Problem(
                    path.as_posix(),
                    line,
                    col,
                    "",
                    f"YAML syntax error: {why}",
                    "write a YAML list such as `- price: aws.p5=-45%`",
                )
            ],
            message=f"the scenario {path.as_posix()} is not valid YAML",
        ) from None
    return data


def collect_changes(
    *,
    scenario: Path | None,
    moves: Sequence[str],
    prices: Sequence[str],
    capacities: Sequence[str],
    horizon: int | None,
    growth: str | None,
    waves: int | None = None,
    max_moves_per_wave: int | None = None,
) -> tuple[Change, ...]:
    """Scenario file changes first, then the flags: moves, prices, capacity, horizon, growth,
    waves, moves per wave."""
    from planner.whatif import parse_change, parse_scenario

    changes: list[Change] = []
    if scenario is not None:
        changes.extend(parse_scenario(read_scenario(scenario), source=scenario.as_posix()))
    changes += [parse_change("move", m) for m in moves]
    changes += [parse_change("price", p) for p in prices]
    changes += [parse_change("capacity", c) for c in capacities]
    if horizon is not None:
        changes.append(parse_change("horizon", str(horizon)))
    if growth is not None:
        changes.append(parse_change("growth", growth))
    if waves is not None:
        changes.append(parse_change("waves", str(waves)))
    if max_moves_per_wave is not None:
        changes.append(parse_change("max-moves-per-wave", str(max_moves_per_wave)))
    return tuple(changes)


def scenario_failure(outcome: Outcome) -> CheckFailedError | None:
    """A scenario no plan fits fails the run (the diagnosis as its text); ``None`` else."""
    return None if outcome.infeasible is None else CheckFailedError(outcome.infeasible)


def what_if(
    world: World, changes: Sequence[Change], *, progress: Progress = no_progress
) -> Outcome:
    """Apply ``changes`` to the world, re-plan and diff against the base plan."""
    from planner.whatif import run_scenario

    progress("planning the scenario")
    return run_scenario(
        world.inputs.project,
        world.catalogue,
        changes,
        plan_fn=world.plan,
        classifications=world.classifications,
        base=world.base,
    )


def what_if_sweep(
    world: World,
    sweep: Sweep,
    *,
    changes: Sequence[Change] = (),
    watch: Sequence[str] = (),
    progress: Progress = no_progress,
) -> SweepResult:
    """Re-plan once per value of ``sweep`` (after ``changes``), reporting each plan."""
    from planner.whatif import run_sweep

    count = itertools.count(1)

    def plan_fn(
        project: Project, catalogue: Catalogue, classifications: tuple[Classification, ...]
    ) -> Replanned:
        progress(f"planning {next(count)} of {len(sweep.values)}")
        return world.plan(project, catalogue, classifications)

    return run_sweep(
        world.inputs.project,
        world.catalogue,
        sweep,
        changes=changes,
        plan_fn=plan_fn,
        classifications=world.classifications,
        base=world.base,
        watch=watch,
    )
