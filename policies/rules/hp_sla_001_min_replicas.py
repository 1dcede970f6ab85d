"""HP-SLA-001: Ensure each workload runs at least the minimum replicas for its tier."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level
from planner.policy import facts
from planner.policy import params as pm
from planner.policy import resources as rs
from planner.policy.rule import (
    Param,
    ParamKind,
    PlanContext,
    ResourceContext,
    Rule,
    Violation,
)

MIN = "min_replicas_by_tier"
KINDS = "kinds"


def check(ctx: PlanContext) -> Iterator[Violation]:
    minimum = pm.tier_map(ctx.params, MIN)
    kinds = pm.strings(ctx.params, KINDS)
    for p in ctx.plan.placements:
        w = facts.workload_of(ctx.project, p.workload)
        if w is None or w.kind.value not in kinds or w.tier not in minimum:
            continue
        need = int(minimum[w.tier])
        have = sum(a.replicas for a in p.assignments)
        if have < need:
            yield Violation(
                "workload",
                w.name,
                f"{w.name} (tier {w.tier}) runs {have} replica(s); tier {w.tier} needs at "
                f"least {need}",
                {
                    **facts.workload_evidence(w, w.name),
                    "tier": w.tier,
                    "replicas": have,
                    "min_replicas": need,
                    "sites": list(p.sites),
                },
            )


def check_resources(ctx: ResourceContext) -> Iterator[Violation]:
    minimum = pm.tier_map(ctx.params, MIN)
    for r in ctx.resources:
        if r.type not in rs.K8S_REPLICATED:
            continue
        tier_label = rs.labels(r).get(rs.LABEL_TIER)
        try:
            tier = int(str(tier_label))
        except ValueError:
            continue
        if tier not in minimum:
            continue
        need = int(minimum[tier])
        replicas = rs.get(r.props, "spec.replicas")
        evidence = {**rs.subject(r), "tier": tier, "min_replicas": need}
        if rs.is_unknown(replicas):
            yield Violation(
                "resource",
                r.name,
                f"spec.replicas of {r.name} is unknown",
                evidence,
                cannot_evaluate=True,
            )
            continue
        have = 1 if replicas is None else int(float(str(replicas)))
        split = rs.split_over_sites(r)
        if have < need and split is not None and split[0] >= need:
            continue  # this site's share of a workload split over sites; the whole is enough
        if have < need:
            yield Violation(
                "resource",
                r.name,
                f"{r.name} (tier {tier}) has spec.replicas {have}; tier {tier} needs at least "
                f"{need}",
                {**evidence, "replicas": have},
            )


RULE = Rule(
    id="HP-SLA-001",
    name="Ensure each workload runs at least the minimum replicas for its tier",
    category=Category.SLA,
    level=Level.MANDATORY,
    description="A tier's availability target assumes redundancy: long-running workloads "
    "need the tier's minimum number of replicas, in the plan and in the emitted objects.",
    fix="Raise the workload's replicas in inventory.yaml (or the object's spec.replicas).",
    params=(
        Param(
            MIN,
            ParamKind.NUMBER_MAP,
            {"1": 3, "2": 2, "3": 1},
            "Minimum replicas by tier (default: settings.min_replicas_by_tier).",
            from_settings=lambda s: dict(s.min_replicas_by_tier),
        ),
        Param(
            KINDS,
            ParamKind.STRING_LIST,
            ["service", "database", "inference"],
            "Workload kinds the rule applies to (jobs are not replicated).",
        ),
    ),
    check_plan=check,
    check_resources=check_resources,
)
