"""HP-COST-005: Ensure training pays at most the maximum price per GPU-hour."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from planner.fx import CODE, said_number
from planner.model import Category, GpuPoolMode, Level, Prune, Workload, WorkloadKind
from planner.money import decimal_of
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

MAX = "max_usd_per_gpu_hour"
# Default: AWS EC2 Capacity Blocks, p5.48xlarge us-east-1, $39.33/h for 8x H100 = $4.916 per
# GPU-hour (AWS "Amazon EC2 Capacity Blocks for ML" pricing page, prices effective
# 2025-01-01). Anything dearer than a reserved cloud block is on-demand-class pricing that a
# training budget should not pay by default.
DEFAULT_MAX = 5.0
_4DP = Decimal("0.0001")


def _price(rate: Decimal | float) -> str:
    """A price per GPU-hour to the cent, marked for the project currency (``planner.fx``)."""
    return f"{said_number(rate, f'{rate:.2f}')} {CODE}"


def _is_training(w: Workload) -> bool:
    return w.kind is WorkloadKind.TRAINING or w.training is not None


def check(ctx: PlanContext) -> Iterator[Violation]:
    limit = pm.number(ctx.params, MAX)
    if limit is None:
        return
    for p in ctx.plan.placements:
        w = facts.workload_of(ctx.project, p.workload)
        if w is None or not _is_training(w) or w.resources.gpus <= 0:
            continue
        evidence = facts.workload_evidence(w, p.workload)
        unpriced: list[str] = []
        over: list[tuple[str, str, Decimal]] = []
        for a in p.assignments:
            hours = a.gpu_hours_per_month
            if hours is None and len(p.assignments) == 1 and w.training is not None:
                hours = w.training.gpu_hours_per_month
            if not hours:
                unpriced.append(f"{a.site} ({a.option.value})")
                continue
            rate = a.per_month.to_decimal() / decimal_of(hours)  # exact to 28 digits
            if rate - decimal_of(limit) > Decimal("1e-6"):
                over.append((a.site, a.option.value, rate))
        if over:
            where = ", ".join(
                f"{_price(rate)}/GPU-hour on {site} ({opt})" for site, opt, rate in over
            )
            yield Violation(
                "workload",
                w.name,
                f"{w.name} pays {where}, above the maximum of {_price(limit)}/GPU-hour",
                {
                    **evidence,
                    "sites": sorted({site for site, _, _ in over}),
                    "usd_per_gpu_hour": {f"{s}/{o}": r.quantize(_4DP) for s, o, r in over},
                    "max_usd_per_gpu_hour": limit,
                },
            )
        elif unpriced:
            yield Violation(
                "workload",
                w.name,
                f"{w.name} has no GPU-hours to price on {', '.join(unpriced)}",
                evidence,
                cannot_evaluate=True,
            )


def constrain(ctx: ProjectContext) -> ConstraintPart:
    """Prune GPU pools whose contract price per GPU-hour is known and too high (cloud prices
    come from the catalogue and are checked on the plan)."""
    limit = pm.number(ctx.params, MAX)
    if limit is None:
        return ConstraintPart()
    prunes: list[Prune] = []
    for s in ctx.project.sites:
        cost = s.gpu_pool_cost
        if cost is None or cost.mode is GpuPoolMode.OWNED or cost.usd_per_gpu_hour is None:
            continue
        if cost.usd_per_gpu_hour <= limit:
            continue
        for w in ctx.project.workloads:
            if _is_training(w) and w.resources.gpus > 0:
                prunes.append(
                    Prune(
                        w.name,
                        s.name,
                        None,
                        "HP-COST-005",
                        f"{s.name} charges {_price(cost.usd_per_gpu_hour)}/GPU-hour, above the "
                        f"maximum of {said_number(limit, f'{limit:.2f}')}",
                    )
                )
    return ConstraintPart(prunes=tuple(prunes))


RULE = Rule(
    id="HP-COST-005",
    name="Ensure training pays at most the maximum price per GPU-hour",
    category=Category.COST,
    level=Level.ADVISORY,
    description="Training GPU-hours are the largest variable cost; each assignment's price "
    "per GPU-hour must not exceed the cap.",
    fix="Run training on the owned pool, spot or capacity blocks, or raise max_usd_per_gpu_hour.",
    params=(
        Param(
            MAX,
            ParamKind.NUMBER,
            DEFAULT_MAX,
            "Maximum USD per GPU-hour for training (null: no cap).",
            nullable=True,
        ),
    ),
    check_plan=check,
    constrain=constrain,
)
