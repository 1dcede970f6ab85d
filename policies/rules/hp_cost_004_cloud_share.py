"""HP-COST-004: Ensure the cloud share of monthly spend stays below the maximum."""

from __future__ import annotations

from collections.abc import Iterator

from planner.fx import said
from planner.model import Category, Level
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

MAX = "max_share"


def check(ctx: PlanContext) -> Iterator[Violation]:
    limit = pm.number(ctx.params, MAX)
    total = facts.total_spend(ctx.plan)
    if limit is None or total.sign <= 0:
        return
    cloud = facts.cloud_spend(ctx.project, ctx.plan)
    share = float(cloud.ratio(total))  # a fraction of spend, not money
    if share - limit > 1e-9:
        yield Violation(
            "plan",
            "cloud-share",
            f"{share:.1%} of monthly spend ({said(cloud)} of {said(total)}) is in "
            f"the cloud, above the maximum of {limit:.1%}",
            {
                "cloud_usd_per_month": cloud,
                "usd_per_month": total,
                "share": round(share, 4),
                "max_share": limit,
            },
        )


def constrain(ctx: ProjectContext) -> ConstraintPart:
    return ConstraintPart(max_cloud_share=pm.number(ctx.params, MAX))


RULE = Rule(
    id="HP-COST-004",
    name="Ensure the cloud share of monthly spend stays below the maximum",
    category=Category.COST,
    level=Level.ADVISORY,
    description="Caps concentration risk and keeps owned capacity used: at most max_share "
    "(0-1) of the run rate may be spent on cloud sites.",
    fix="Move workloads to owned sites, add owned capacity, or raise max_share.",
    params=(
        Param(
            MAX,
            ParamKind.NUMBER,
            None,
            "Maximum fraction 0-1 of spend in the cloud (null: no limit).",
            nullable=True,
        ),
    ),
    check_plan=check,
    constrain=constrain,
)
