"""HP-COST-002: Ensure the total monthly spend stays within the total budget."""

from __future__ import annotations

from collections.abc import Iterator

from planner.fx import said
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

MAX = "max_usd_per_month"


def check(ctx: PlanContext) -> Iterator[Violation]:
    budget = pm.money(ctx.params, MAX, ctx.plan.per_month.currency)
    if budget is None:
        return
    used = facts.total_spend(ctx.plan)
    if used > budget:
        yield Violation(
            "plan",
            "total",
            f"the plan spends {said(used)}/month, over the total budget of "
            f"{said(budget)}/month by {said(used - budget)}",
            {"usd_per_month": used, "budget_usd_per_month": budget},
        )


def constrain(ctx: ProjectContext) -> ConstraintPart:
    # max_usd_per_month is USD whatever the project currency (planner.fx)
    return ConstraintPart(total_budget_per_month=pm.money(ctx.params, MAX, DEFAULT_CURRENCY))


RULE = Rule(
    id="HP-COST-002",
    name="Ensure the total monthly spend stays within the total budget",
    category=Category.COST,
    level=Level.MANDATORY,
    description="The plan's total run rate must not exceed the organisation's monthly budget.",
    fix="Raise max_usd_per_month in policies.yaml, or reduce or move workloads.",
    params=(
        Param(
            MAX, ParamKind.NUMBER, None, "Total monthly budget in USD (null: none).", nullable=True
        ),
    ),
    check_plan=check,
    constrain=constrain,
)
