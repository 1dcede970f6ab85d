"""HP-HYG-012: Ensure no HorizontalPodAutoscaler's minimum exceeds its maximum."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import resources as rs
from planner.policy.rule import ResourceContext, Rule, Violation

HPA_TYPES = frozenset(
    {
        "kubernetes:autoscaling/v1:HorizontalPodAutoscaler",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
    }
)


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    for r in ctx.resources:
        if r.type not in HPA_TYPES:
            continue
        low, high = rs.get(r.props, "spec.minReplicas"), rs.get(r.props, "spec.maxReplicas")
        if rs.is_unknown(low) or rs.is_unknown(high):
            yield Violation(
                "resource",
                r.name,
                f"minReplicas or maxReplicas of {r.name} unknown",
                rs.subject(r),
                cannot_evaluate=True,
            )
            continue
        # Kubernetes defaults minReplicas to 1.
        least, most = _number(1 if low is None else low), _number(high)
        if least is not None and most is not None and least > most:
            yield Violation(
                "resource",
                r.name,
                f"{r.name}: minReplicas {int(least)} > maxReplicas {int(most)}",
                {**rs.subject(r), "min_replicas": int(least), "max_replicas": int(most)},
            )


RULE = Rule(
    id="HP-HYG-012",
    name="Ensure no HorizontalPodAutoscaler's minimum exceeds its maximum",
    category=Category.HYGIENE,
    level=Level.MANDATORY,
    description="The API server rejects a HorizontalPodAutoscaler whose minReplicas exceeds "
    "its maxReplicas, so the workload is left without autoscaling.",
    fix="Set minReplicas at most maxReplicas.",
    check_resources=check_resources,
)
