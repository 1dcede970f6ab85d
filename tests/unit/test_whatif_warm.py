"""planner.whatif.warm: a what-if starts the solver from the base plan, and its answer is
the from-scratch answer (exact MILP) or within the solver gap of the same LP bound."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from world.scenario import plan_scenario

from planner.catalogue import Catalogue, load_default_catalogue
from planner.classify import classify_project
from planner.ingest import TelemetrySet, load_telemetry
from planner.load import load_project
from planner.model import Classification, Project
from planner.pipeline import PlanBundle
from planner.report import render_plan_json
from planner.solve import model_for
from planner.solve.blocks import latency_dependencies
from planner.solve.greedy import solve_greedy
from planner.solve.problem import Model, first_violation
from planner.solve.repair import NO_REPAIR, NOT_POLISHED, WARM_KEPT
from planner.whatif.warm import warm_start

TODAY = date(2026, 11, 27)

SCENARIOS = {
    "p5-cut": [("price", "aws.p5=-45%")],
    "site-power": [("price", "gpu-pool-us.power=+20%")],
    "capacity": [("capacity", "gpu-pool-us.gpus.h100=+64")],
    "capacity-cut": [("capacity", "colo-us.cpu=-30%")],
    "move": [("move", "foundation-finetune=aws-us-east-1")],
    "horizon": [("horizon", "60")],
    "growth": [("growth", "20%")],
}

World = tuple[Project, Catalogue, TelemetrySet, tuple[Classification, ...]]


@pytest.fixture(scope="module")
def world(acme_dir: Path) -> World:
    """examples/acme loaded and classified once."""
    project = load_project(acme_dir)
    telemetry = load_telemetry(project)
    return project, load_default_catalogue(), telemetry, tuple(classify_project(project, telemetry))


def _plan(world: World, spec: list[tuple[str, str]], **kw: object) -> tuple[Project, PlanBundle]:
    return plan_scenario(*world, spec, today=TODAY, **kw)


def _base_model(project: Project, base: PlanBundle) -> Model:
    """The solver's model of the base plan (its candidates, constraints and settings)."""
    return model_for(
        project.workloads,
        project.sites,
        base.candidates.all_offers(),
        base.constraints,
        project.settings,
    )


def test_base_plan_is_a_plan_of_its_own_model(world: World) -> None:
    """The base placements, as column values of the base's model completed by the greedy (as
    the solver does), are the base plan: the cost the solver reported (nothing was bought,
    so every block maps)."""
    project, base = _plan(world, [], method="lp+repair")
    assert not base.plan.purchases
    model = _base_model(project, base)
    x = warm_start({p.workload: p for p in base.plan.placements})(model)
    done = solve_greedy(
        model,
        clock=time.perf_counter,
        dependencies=latency_dependencies(project.workloads),
        guide=x,
    )
    assert done.ok
    assert first_violation(model, done.x) == ""
    assert np.array_equal(done.x[x > 0], x[x > 0])
    assert done.objective == pytest.approx(base.plan.solver.objective_usd, abs=0.01)


def test_unplaced_blocks_are_left_to_the_greedy(world: World) -> None:
    """A workload the base never placed (or whose units changed) gets no warm values."""
    project, base = _plan(world, [], method="lp+repair")
    model = _base_model(project, base)
    dropped = base.plan.placements[0].workload
    kept = {p.workload: p for p in base.plan.placements if p.workload != dropped}
    x = warm_start(kept)(model)
    block = next(b for b in model.blocks if dropped in b.members)
    cols = [j for j, c in enumerate(model.columns) if c.block == block.index]
    assert cols
    assert not np.any(x[cols])
    assert np.any(x)


@pytest.mark.parametrize("name", list(SCENARIOS), ids=list(SCENARIOS))
def test_milp_what_if_equals_scratch(world: World, name: str) -> None:
    """With the exact MILP (acme's size) the what-if's plan, reusing prices and given the
    base plan, is the from-scratch plan byte for byte."""
    _, base = _plan(world, [], record_prices=True)
    project, fresh = _plan(world, SCENARIOS[name])
    _, reused = _plan(world, SCENARIOS[name], reuse=base.prices)
    assert reused.plan.solver.method == "milp"
    text = render_plan_json(fresh.plan, project, command="x")
    assert render_plan_json(reused.plan, project, command="x") == text


@pytest.mark.parametrize("name", list(SCENARIOS), ids=list(SCENARIOS))
def test_lp_repair_what_if_within_the_gap(world: World, name: str) -> None:
    """With LP + repair (big fleets) the warm-started what-if has the from-scratch model's
    LP bound and a plan within the solver gap of it."""
    _, base = _plan(world, [], method="lp+repair", record_prices=True)
    _, fresh = _plan(world, SCENARIOS[name], method="lp+repair")
    _, reused = _plan(world, SCENARIOS[name], method="lp+repair", reuse=base.prices)
    a, b = reused.plan.solver, fresh.plan.solver
    assert a.lp_bound_usd == b.lp_bound_usd
    assert a.gap is not None
    assert a.gap <= world[0].settings.solver_gap + 1e-9
    assert a.objective_usd * (1 - world[0].settings.solver_gap) <= b.objective_usd + 0.01


def test_warm_plan_within_the_gap_skips_the_repair(world: World) -> None:
    """A change answered within the gap without a repair (a longer horizon) says so."""
    _, base = _plan(world, [], method="lp+repair", record_prices=True)
    _, reused = _plan(world, [("horizon", "37")], method="lp+repair", reuse=base.prices)
    note = reused.plan.solver.note
    # the LP completed (planner.solve.repair's skip rule) or the base plan's warm mix
    assert NO_REPAIR in note or WARM_KEPT in note
    assert reused.plan.solver.gap is not None
    assert reused.plan.solver.gap <= world[0].settings.solver_gap + 1e-9


def test_what_if_notes_say_what_the_solver_reused(world: World) -> None:
    """The what-if notes say whether the base plan answered the scenario (LP + repair),
    that its LP started from the base's basis, and that the polish rule kept the plan
    unpolished; nothing for the exact MILP, which solves from scratch."""
    from planner.app.whatif import solver_notes

    _, base = _plan(world, [], method="lp+repair", record_prices=True)
    _, kept = _plan(world, [("horizon", "37")], method="lp+repair", reuse=base.prices)
    assert kept.plan.solver.note.split("; ")[0].endswith(NO_REPAIR)
    assert solver_notes(kept.plan) == (
        "solver: the LP relaxation completed is within the solver gap of its bound: "
        "the base plan was not needed",
        "solver: the LP relaxation started from the base plan's LP basis",
    )
    warm = replace(kept.plan.solver, note=f"the LP's whole blocks ...: {WARM_KEPT}; 62 blocks")
    assert solver_notes(replace(kept.plan, solver=warm)) == (
        f"solver: warm start from the base plan; kept the LP's whole blocks ...: {WARM_KEPT}",
    )
    rule = f"gap 0.64% to the LP bound, above the 0.50% target but within 1.00%: {NOT_POLISHED}"
    unpolished = replace(kept.plan.solver, note=f"LP relaxation fixed 9 of 10 blocks; {rule}")
    assert solver_notes(replace(kept.plan, solver=unpolished)) == (
        "solver: warm start from the base plan; no plan from it was within the solver gap "
        "of the LP bound: LP + repair as from scratch",
        f"solver: {rule}",
    )
    _, milp = _plan(world, [("horizon", "37")], reuse=base.prices)
    assert solver_notes(milp.plan) == ()
