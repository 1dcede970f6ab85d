"""HP-COST-003: Ensure each site's monthly spend stays within its budget."""

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
    spend = facts.spend_by_site(ctx.plan)
    budgets = pm.money_map(ctx.params, BUDGETS, ctx.plan.per_month.currency)
    yield from pm.over_budget("site", spend, budgets, "costs")


def constrain(ctx: ProjectContext) -> ConstraintPart:
    currency = DEFAULT_CURRENCY  # budgets are max_usd_per_month: USD in any project currency
    return ConstraintPart(site_budget_per_month=pm.money_map(ctx.params, BUDGETS, currency))


RULE = Rule(
    id="HP-COST-003",
    name="Ensure each site's monthly spend stays within its budget",
    category=Category.COST,
    level=Level.MANDATORY,
    description="The run rate placed on a site (sum of its assignments) must not exceed the "
    "site's monthly budget (e.g. a cloud account's committed spend cap).",
    fix="Raise the site's budget in policies.yaml or let the solver use other sites.",
    params=(Param(BUDGETS, ParamKind.NUMBER_MAP, {}, "Monthly budget in USD by site name."),),
    check_plan=check,
    constrain=constrain,
)
