"""HP-SLA-003: Ensure tier-1 workloads never run on spot capacity."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level, PricingOption, Prune
from planner.policy import facts
from planner.policy import params as pm
from planner.policy import resources as rs
from planner.policy.rule import (
    ConstraintPart,
    Param,
    ParamKind,
    PlanContext,
    ProjectContext,
    ResourceContext,
    Rule,
    Violation,
)

TIERS = "tiers"
# Node labels that select interruptible capacity (Karpenter, EKS managed node groups, GKE).
SPOT_SELECTORS = {
    "karpenter.sh/capacity-type": "spot",
    "eks.amazonaws.com/capacityType": "SPOT",
    "cloud.google.com/gke-spot": "true",
}


def check(ctx: PlanContext) -> Iterator[Violation]:
    tiers = pm.integers(ctx.params, TIERS)
    for p in ctx.plan.placements:
        w = facts.workload_of(ctx.project, p.workload)
        if w is None or w.tier not in tiers:
            continue
        spot = sorted({a.site for a in p.assignments if a.option is PricingOption.SPOT})
        if spot:
            yield Violation(
                "workload",
                w.name,
                f"{w.name} (tier {w.tier}) runs on spot capacity on {', '.join(spot)}",
                {**facts.workload_evidence(w, w.name), "tier": w.tier, "sites": spot},
            )


def _spot_selection(spec: object) -> str | None:
    """How a pod spec selects spot nodes (node selector, required affinity or toleration)."""
    selector = rs.as_mapping(rs.get(spec, "nodeSelector"))
    for key, value in SPOT_SELECTORS.items():
        if str(selector.get(key, "")).lower() == value.lower():
            return f"nodeSelector {key}={selector[key]}"
    required = rs.get(spec, "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution")
    for term in rs.as_list(rs.get(required, "nodeSelectorTerms")):
        for expr in rs.as_list(rs.get(term, "matchExpressions")):
            key = str(rs.get(expr, "key"))
            values = [str(v).lower() for v in rs.as_list(rs.get(expr, "values"))]
            if (
                key in SPOT_SELECTORS
                and rs.get(expr, "operator") == "In"
                and values == [SPOT_SELECTORS[key].lower()]
            ):
                return f"node affinity {key} In {values}"
    return None


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    tiers = pm.integers(ctx.params, TIERS)
    for r in ctx.resources:
        path = rs.pod_spec_path(r.type)
        if path is None:
            continue
        try:
            tier = int(str(rs.labels(r).get(rs.LABEL_TIER)))
        except ValueError:
            continue
        if tier not in tiers:
            continue
        spec = rs.get(r.props, path)
        evidence = {**rs.subject(r), "tier": tier}
        if rs.is_unknown(spec):
            yield Violation(
                "resource",
                r.name,
                f"the pod spec of {r.name} is unknown",
                evidence,
                cannot_evaluate=True,
            )
            continue
        how = _spot_selection(spec)
        if how:
            yield Violation(
                "resource",
                r.name,
                f"{r.name} (tier {tier}) is scheduled on spot nodes ({how})",
                evidence,
            )


def constrain(ctx: ProjectContext) -> ConstraintPart:
    tiers = pm.integers(ctx.params, TIERS)
    spot = tuple(
        s.name
        for s in ctx.project.sites
        if s.cloud_cost is not None and PricingOption.SPOT in s.cloud_cost.options
    )
    reasons = {t: f"tier {t} never runs on spot" for t in tiers}
    prunes = [
        Prune(w.name, name, PricingOption.SPOT, "HP-SLA-003", reasons[w.tier])
        for w in ctx.project.workloads
        if w.tier in tiers
        for name in spot
    ]
    return ConstraintPart(prunes=tuple(prunes))


RULE = Rule(
    id="HP-SLA-003",
    name="Ensure tier-1 workloads never run on spot capacity",
    category=Category.SLA,
    level=Level.MANDATORY,
    description="Spot capacity can be reclaimed at two minutes' notice; tier-1 workloads "
    "must run on capacity that is not interruptible.",
    fix="Use on-demand, committed or owned capacity for the workload, and remove spot node "
    "selectors from its pods.",
    params=(Param(TIERS, ParamKind.INTEGER_LIST, [1], "Tiers that must not use spot."),),
    check_plan=check,
    check_resources=check_resources,
    constrain=constrain,
)
