"""HP-SLA-004: Ensure each workload's sites meet its tier's availability target."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import Category, Level, Prune
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

TARGETS = "availability_pct_by_tier"


def check(ctx: PlanContext) -> Iterator[Violation]:
    targets = pm.tier_map(ctx.params, TARGETS)
    sites = {s.name: s for s in ctx.project.sites}
    for p in ctx.plan.placements:
        w = facts.workload_of(ctx.project, p.workload)
        if w is None or w.tier not in targets:
            continue
        target = targets[w.tier]
        for name in p.sites:
            site = sites.get(name)
            if site is not None and site.availability_pct < target:
                yield Violation(
                    "workload",
                    w.name,
                    f"{w.name} (tier {w.tier}) runs on {name}, whose availability "
                    f"{site.availability_pct:g}% is below the tier-{w.tier} target of "
                    f"{target:g}%",
                    {
                        **facts.workload_evidence(w, w.name),
                        "site": name,
                        "tier": w.tier,
                        "availability_pct": site.availability_pct,
                        "target_pct": target,
                    },
                )


def constrain(ctx: ProjectContext) -> ConstraintPart:
    targets = pm.tier_map(ctx.params, TARGETS)
    sites = ctx.project.sites
    # the sites below a tier's target and their reasons, worked out once per tier
    barred: dict[int, tuple[tuple[str, str], ...]] = {}
    prunes: list[Prune] = []
    for w in ctx.project.workloads:
        if w.tier not in targets:
            continue
        known = barred.get(w.tier)
        if known is None:
            target = targets[w.tier]
            known = barred[w.tier] = tuple(
                (
                    s.name,
                    f"availability {s.availability_pct:g}% < tier-{w.tier} target {target:g}%",
                )
                for s in sites
                if s.availability_pct < target
            )
        prunes.extend(Prune(w.name, name, None, "HP-SLA-004", reason) for name, reason in known)
    return ConstraintPart(prunes=tuple(prunes))


RULE = Rule(
    id="HP-SLA-004",
    name="Ensure each workload's sites meet its tier's availability target",
    category=Category.SLA,
    level=Level.MANDATORY,
    description="A workload can be no more available than the site it runs on: every site "
    "of a placement must reach the availability target of the workload's tier.",
    fix="Place the workload on a more available site, or lower its tier.",
    params=(
        Param(
            TARGETS,
            ParamKind.NUMBER_MAP,
            {"1": 99.95, "2": 99.9, "3": 99.0},
            "Availability target in percent by tier (default: settings.tier_availability_pct).",
            from_settings=lambda s: dict(s.tier_availability_pct),
        ),
    ),
    check_plan=check,
    constrain=constrain,
)
