"""HP-COST-001: Ensure each team's monthly spend stays within its budget."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.money import DEFAULT_CURRENCY
from planner.policy import facts
from planner.policy import params as pm
from planner.policy.rule import (
    ConstraintPart,
    Param,
    ParamKind,
    PlanContext,
    ProjectContext,
    Rule,
    Violation,
)

BUDGETS = "budgets_usd_per_month"


def check(ctx: PlanContext) -> Iterator[Violation]:
    spend = facts.spend_by_team(ctx.project, ctx.plan)
    budgets = pm.money_map(ctx.params, BUDGETS, ctx.plan.per_month.currency)
    yield from pm.over_budget("team", spend, budgets, "spends")


def constrain(ctx: ProjectContext) -> ConstraintPart:
    currency = DEFAULT_CURRENCY  # budgets are max_usd_per_month: USD in any project currency
    return ConstraintPart(team_budget_per_month=pm.money_map(ctx.params, BUDGETS, currency))


RULE = Rule(
    id="HP-COST-001",
    name="Ensure each team's monthly spend stays within its budget",
    category=Category.COST,
    level=Level.MANDATORY,
    description="Each team's planned run rate (sum of its workloads' placements) must not "
    "exceed the monthly budget finance set for it.",
    fix="Raise the team's budget in policies.yaml, shrink or retire workloads, or allow "
    "cheaper sites or pricing options.",
    params=(Param(BUDGETS, ParamKind.NUMBER_MAP, {}, "Monthly budget in USD by team name."),),
    check_plan=check,
    constrain=constrain,
)
