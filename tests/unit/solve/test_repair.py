"""LP + repair (planner.solve.repair) and twin columns (planner.solve.twins): the repair MILP
is skipped only when the LP's greedy completion is within the target gap of the LP bound,
and the bound reported is always one no plan beats."""

from __future__ import annotations

import random

import pytest
from cost_world import usd
from strategies import offer, site, standard_offers, workload

from planner.model import Constraints, Offer, PricingOption, Settings, Site, SiteKind, Workload
from planner.solve import model_for, solve_offers
from planner.solve.greedy import solve_greedy
from planner.solve.highs import Solution
from planner.solve.milp import solve_lp, solve_milp
from planner.solve.problem import ColKind, FloatArray, Model, first_violation
from planner.solve.repair import NO_REPAIR, WARM_KEPT, solve_lp_repair, within_gap
from planner.solve.twins import distinct_columns


def fleet(n: int = 80) -> tuple[list[Workload], list[Site], dict[str, tuple[Offer, ...]]]:
    """Three tight colos and a cloud with on-demand and spot offers (twins of each other)."""
    rnd = random.Random(11)
    sites = [site(f"colo-{i}", cpu=30.0 + 11 * i, memory_gib=300.0) for i in range(3)]
    sites.append(site("cloud", kind=SiteKind.CLOUD))
    ws = [workload(f"w{i:03d}", cpu=float(rnd.randint(1, 9))) for i in range(n)]
    prices = {
        (w.name, s.name): float(rnd.randint(50, 300) if s.capacity else rnd.randint(400, 600))
        for w in ws
        for s in sites
    }
    return ws, sites, standard_offers(ws, sites, prices)


def exact_optimum(model: Model) -> float:
    sol = solve_milp(model, time_limit_s=60.0, gap=0.0, clock=lambda: 0.0)
    assert sol.status == "optimal"
    return sol.objective


def fixed(plan: Solution) -> object:
    """A completion that ignores the LP and returns ``plan``."""

    def complete(_x: FloatArray) -> Solution:
        return plan

    return complete


def test_a_completion_within_the_gap_skips_the_repair() -> None:
    """Given a completion within the target gap of the LP bound, that plan is the answer:
    status optimal, gap <= target, and the bound is the LP's (no plan is cheaper)."""
    ws, sites, offers = fleet()
    model = model_for(ws, sites, offers, Constraints())
    best = exact_optimum(model)
    plan = solve_milp(model, time_limit_s=60.0, gap=0.0, clock=lambda: 0.0)
    lp = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0)
    assert lp.bound is not None
    target = (best - lp.bound) / best + 1e-4
    sol = solve_lp_repair(
        model, time_limit_s=60.0, gap=target, clock=lambda: 0.0, complete=fixed(plan)
    )
    assert "no repair MILP" in sol.note
    assert sol.status == "optimal"
    assert sol.x is plan.x
    assert sol.bound == pytest.approx(lp.bound)
    assert sol.bound is not None
    assert sol.bound <= best + 1e-6
    assert sol.gap is not None
    assert sol.gap <= target


def test_a_completion_above_the_gap_goes_to_the_repair() -> None:
    """A completion further from the bound than the target (the plain greedy, target 0) is
    not the answer by itself: the repair MILP runs and its plan is no dearer."""
    ws, sites, offers = fleet()
    model = model_for(ws, sites, offers, Constraints())
    greedy = solve_greedy(model, clock=lambda: 0.0)
    lp = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0)
    assert greedy.ok
    assert not within_gap(greedy.objective, lp.bound, 0.0)
    sol = solve_lp_repair(
        model, time_limit_s=60.0, gap=0.0, clock=lambda: 0.0, complete=fixed(greedy)
    )
    assert "no repair MILP" not in sol.note
    assert "finished by MILP" in sol.note
    assert sol.ok
    assert first_violation(model, sol.x) == ""
    assert sol.objective <= greedy.objective + 1e-6
    assert sol.bound is not None
    assert sol.bound <= exact_optimum(model) + 1e-6


@pytest.mark.parametrize("gap", [0.0, 0.005, 0.05], ids=["exact", "half-percent", "5-percent"])
def test_lp_repair_reports_a_valid_bound_and_its_gap(gap: float) -> None:
    """Through solve_offers: whatever the path (skip or repair), the bound is at most the
    exact optimum, the plan at least it, and the gap reported is the plan's against the
    bound; a skip only ever happens within the target."""
    ws, sites, offers = fleet()
    r = solve_offers(ws, sites, offers, Constraints(), Settings(solver_gap=gap), method="lp+repair")
    best = exact_optimum(model_for(ws, sites, offers, Constraints()))
    s = r.solver
    assert s.lp_bound_usd is not None
    assert s.gap is not None
    assert s.lp_bound_usd <= best + 0.01 <= s.objective_usd + 0.02
    assert s.gap == pytest.approx((s.objective_usd - s.lp_bound_usd) / s.objective_usd, abs=1e-6)
    if "no repair MILP" in s.note:
        assert s.status == "optimal"
        assert s.gap <= gap
    assert r.greedy_objective_usd is not None
    assert s.objective_usd <= r.greedy_objective_usd


def test_twins_are_the_dearer_same_site_options() -> None:
    """On a cloud with no spend rows, a block's on-demand and spot offers are the same
    column but for cost: only the cheaper is kept; owned sites' columns all stay."""
    ws, sites, offers = fleet(6)
    model = model_for(ws, sites, offers, Constraints())
    kept = set(distinct_columns(model).tolist())
    for j, c in enumerate(model.columns):
        if c.kind is not ColKind.OFFER or model.sites[c.site].kind is not SiteKind.CLOUD:
            assert j in kept
            continue
        o = model.blocks[c.block].offers[c.offer]
        assert (j in kept) == (o.option is PricingOption.SPOT)  # spot is 0.4 x on-demand
    full = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0)
    fewer = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0, cols=distinct_columns(model))
    assert fewer.objective == pytest.approx(full.objective)


def test_a_spend_row_makes_the_options_distinct() -> None:
    """With a total budget the options' monthly spend is a coefficient too: no twins."""
    ws, sites, offers = fleet(6)
    model = model_for(ws, sites, offers, Constraints(total_budget_per_month=usd(100_000)))
    assert distinct_columns(model).tolist() == list(range(model.n_cols))


def test_equal_twins_keep_the_first() -> None:
    """Two same-priced options on one cloud: the first column is kept, once."""
    cloud = site("cloud", kind=SiteKind.CLOUD)
    w = workload("w")
    offers = {
        "w": (
            offer(w, cloud, 100.0, option=PricingOption.ON_DEMAND),
            offer(w, cloud, 100.0, option=PricingOption.SPOT),
        )
    }
    model = model_for([w], [cloud], offers, Constraints())
    assert distinct_columns(model).tolist() == [0]


def test_a_warm_start_within_the_gap_skips_the_repair() -> None:
    """A what-if's warm start: when the LP completed is above the target gap, the LP's whole
    blocks with the base plan for the rest, completed, is the answer if it is within the gap
    (status optimal, the LP's bound), and the note says so."""
    ws, sites, offers = fleet()
    model = model_for(ws, sites, offers, Constraints())
    best = solve_milp(model, time_limit_s=60.0, gap=0.0, clock=lambda: 0.0)
    greedy = solve_greedy(model, clock=lambda: 0.0)
    lp = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0)
    assert lp.bound is not None
    target = (best.objective - lp.bound) / best.objective + 1e-4
    assert not within_gap(greedy.objective, lp.bound, target)
    calls: list[FloatArray] = []

    def complete(x: FloatArray) -> Solution:
        calls.append(x)
        return greedy if len(calls) == 1 else best  # the LP completed, then the warm mix

    sol = solve_lp_repair(
        model, time_limit_s=60.0, gap=target, clock=lambda: 0.0, complete=complete, warm=best.x
    )
    assert len(calls) == 2
    assert sol.note.endswith(WARM_KEPT)
    assert NO_REPAIR not in sol.note
    assert sol.status == "optimal"
    assert sol.x is best.x
    assert sol.bound == pytest.approx(lp.bound)
    assert sol.gap is not None
    assert sol.gap <= target
    # a warm start outside the gap changes nothing: the repair runs as without one
    calls.clear()
    worse = solve_lp_repair(
        model,
        time_limit_s=60.0,
        gap=0.0,
        clock=lambda: 0.0,
        complete=lambda _x: greedy,
        warm=greedy.x,
    )
    assert WARM_KEPT not in worse.note
    assert worse.objective <= greedy.objective + 1e-6
