"""Property: what the rules hand the solver and what they check agree. On small random
worlds, a plan solved under ``constraints_for`` never breaks a mandatory rule that
constrains the solver (budgets, cloud share, residency, spot, availability, spread)."""

from __future__ import annotations

from datetime import date

import pytest
from cost_world import usd
from hypothesis import HealthCheck, given, settings
from strategies import World, worlds

from planner.errors import InfeasibleError
from planner.model import Level, Plan, PolicyConfig, Project, RuleConfig
from planner.policy import constraints_for, evaluate_plan, mandatory_failures
from planner.solve import solve_offers
from planner.solve.candidates import prune_offer
from policies.registry import RULES

TODAY = date(2026, 11, 27)
CONSTRAINING = {
    "HP-COST-001",
    "HP-COST-002",
    "HP-COST-003",
    "HP-COST-004",
    "HP-SLA-002",
    "HP-SLA-003",
    "HP-SLA-004",
    "HP-RES-001",
}


def _project(world: World) -> Project:
    """The world's sites and workloads, with its budgets and cloud share as mandatory rules."""
    c = world.constraints
    rules = [
        RuleConfig(
            "HP-COST-001",
            None,
            {
                "budgets_usd_per_month": {
                    t: float(b.to_decimal()) for t, b in c.team_budget_per_month.items()
                }
            },
        ),
        RuleConfig("HP-COST-003", None, {"budgets_usd_per_month": {"colo-0": 2500.0}}),
        RuleConfig("HP-COST-004", Level.MANDATORY, {"max_share": c.max_cloud_share}),
        RuleConfig("HP-SLA-002", None, {"min_failure_domains": c.min_failure_domains_tier1}),
    ]
    return Project(
        root="property",
        workloads=world.workloads,
        sites=world.sites,
        policies=PolicyConfig(rules=tuple(rules)),
        settings=world.settings,
    )


@settings(
    max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(worlds(budgets=True))
def test_solved_plans_pass_the_constraining_rules(world: World) -> None:
    """Solving under the rules' constraints yields no mandatory finding of those rules."""
    project = _project(world)
    constraints = constraints_for(project, today=TODAY, rules=RULES)
    offers = {
        name: tuple(prune_offer(o, constraints.prunes) for o in os)
        for name, os in world.offers.items()
    }
    try:
        result = solve_offers(world.workloads, world.sites, offers, constraints, world.settings)
    except InfeasibleError:
        return
    plan = Plan(
        placements=result.placements,
        site_usage=result.site_usage,
        classifications=(),
        solver=result.solver,
    )
    failing = [
        f
        for f in mandatory_failures(evaluate_plan(project, plan, today=TODAY, rules=RULES))
        if f.rule_id in CONSTRAINING
    ]
    assert failing == [], [f.message for f in failing]


@pytest.mark.parametrize("share", [0.25, None], ids=["cap", "no-cap"])
def test_property_project_builder(share: float | None) -> None:
    """The builder turns the world's limits into rule params (sanity of the property)."""
    from strategies import site, workload

    world = World(workloads=(workload("w0", team="a"),), sites=(site("colo-0"),), offers={})
    world = World(
        world.workloads,
        world.sites,
        {},
        constraints=world.constraints.__class__(
            team_budget_per_month={"a": usd(10)}, max_cloud_share=share
        ),
    )
    c = constraints_for(_project(world), rules=RULES)
    assert c.team_budget_per_month == {"a": usd(10)}
    assert c.site_budget_per_month == {"colo-0": usd(2500)}
    assert c.max_cloud_share == share
