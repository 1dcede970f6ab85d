"""HP-COST-006: Ensure interruptible GPU work does not run on on-demand capacity."""

from __future__ import annotations

from collections.abc import Iterator

from planner.model import (
    Category,
    Level,
    PricingOption,
    Prune,
    Site,
    Workload,
    WorkloadClass,
)
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

KINDS = "kinds"
CLASSES = "classes"


def _alternatives(w: Workload, site: Site) -> tuple[str, ...]:
    """Cheaper options than on-demand the site sells and the workload accepts."""
    if site.cloud_cost is None:
        return ()
    offered = set(site.cloud_cost.options)
    alts = []
    if w.allow_spot and PricingOption.SPOT in offered:
        alts.append(PricingOption.SPOT.value)
    if PricingOption.CAPACITY_BLOCK in offered:
        alts.append(PricingOption.CAPACITY_BLOCK.value)
    return tuple(alts)


def _interruptible(
    w: Workload, cls: WorkloadClass | None, kinds: tuple[str, ...], classes: tuple[str, ...]
) -> bool:
    if w.resources.gpus <= 0:
        return False
    return w.kind.value in kinds or (cls is not None and cls.value in classes)


def check(ctx: PlanContext) -> Iterator[Violation]:
    kinds, classes = pm.strings(ctx.params, KINDS), pm.strings(ctx.params, CLASSES)
    cls_of = {c.workload: c.cls for c in ctx.plan.classifications}
    sites = {s.name: s for s in ctx.project.sites}
    for p in ctx.plan.placements:
        w = facts.workload_of(ctx.project, p.workload)
        if w is None or not _interruptible(w, cls_of.get(w.name), kinds, classes):
            continue
        for a in p.assignments:
            site = sites.get(a.site)
            if a.option is not PricingOption.ON_DEMAND or site is None:
                continue
            alts = _alternatives(w, site)
            if alts:
                yield Violation(
                    "workload",
                    w.name,
                    f"{w.name} runs {w.resources.gpus} GPUs on-demand on {a.site}, which also "
                    f"sells {' and '.join(alts)}, and the workload tolerates it",
                    {
                        **facts.workload_evidence(w, w.name),
                        "site": a.site,
                        "alternatives": list(alts),
                        "usd_per_month": a.per_month,
                    },
                )


def constrain(ctx: ProjectContext) -> ConstraintPart:
    kinds, classes = pm.strings(ctx.params, KINDS), pm.strings(ctx.params, CLASSES)
    prunes = [
        Prune(
            w.name,
            s.name,
            PricingOption.ON_DEMAND,
            "HP-COST-006",
            f"GPU work of kind {w.kind.value} may use {' or '.join(_alternatives(w, s))}",
        )
        for w in ctx.project.workloads
        if _interruptible(w, None, kinds, classes)
        for s in ctx.project.sites
        if _alternatives(w, s)
    ]
    return ConstraintPart(prunes=tuple(prunes))


RULE = Rule(
    id="HP-COST-006",
    name="Ensure interruptible GPU work does not run on on-demand capacity",
    category=Category.COST,
    level=Level.ADVISORY,
    description="Checkpointed training and batch GPU work tolerates spot interruptions or "
    "runs in reserved capacity blocks, both far cheaper than on-demand GPUs.",
    fix="Use spot (allow_spot) or capacity blocks for the workload, or mark it allow_spot: "
    "false if it cannot be interrupted and no capacity block fits.",
    params=(
        Param(
            KINDS,
            ParamKind.STRING_LIST,
            ["training", "batch"],
            "Workload kinds whose GPU work is interruptible.",
        ),
        Param(
            CLASSES,
            ParamKind.STRING_LIST,
            ["ai-training", "batch"],
            "Classifier classes whose GPU work is interruptible.",
        ),
    ),
    check_plan=check,
    constrain=constrain,
)
