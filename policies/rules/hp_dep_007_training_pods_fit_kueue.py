"""HP-DEP-007: Ensure every training Job's pod fits the Kueue capacity of the owned sites it
runs on."""

from __future__ import annotations

import math
from collections.abc import Iterator

from planner.headroom import gpu_type_of, kueue_capacity, plan_others_held_gpus
from planner.model import Category, Level, SiteKind, WorkloadKind
from planner.policy import facts
from planner.policy.rule import PlanContext, Rule, Violation


def check(ctx: PlanContext) -> Iterator[Violation]:
    sites = {s.name: s for s in ctx.project.sites}
    held: dict[str, dict[str, int]] = {}
    for p in ctx.plan.placements:
        w = facts.workload_of(ctx.project, p.workload)
        if w is None or w.kind is not WorkloadKind.TRAINING or w.resources.gpus <= 0:
            continue
        gpu, pod = gpu_type_of(w), w.resources.gpus
        for name in sorted({a.site for a in p.assignments if a.replicas > 0}):
            site = sites.get(name)
            if site is None or site.kind is SiteKind.CLOUD or site.capacity is None:
                continue
            if name not in held:
                held[name] = plan_others_held_gpus(ctx.plan, ctx.project, name)
            others = held[name].get(gpu, 0)
            capacity = kueue_capacity(site, gpu, others)
            if pod <= capacity:
                continue
            usable = math.floor(site.capacity.gpus.get(gpu, 0) * site.target_utilisation)
            yield Violation(
                "workload",
                w.name,
                f"{w.name} runs pods of {pod} {gpu} GPUs on {name}, whose Kueue capacity is "
                f"{capacity} GPUs ({usable} usable less {others} its other workloads may hold "
                "with their HPA and surge headroom): no pod would ever be admitted there",
                {
                    **facts.workload_evidence(w, w.name),
                    "site": name,
                    "gpu_type": gpu,
                    "pod_gpus": pod,
                    "usable_gpus": usable,
                    "others_gpus": others,
                    "capacity_gpus": capacity,
                },
            )


RULE = Rule(
    id="HP-DEP-007",
    name="Ensure every training Job's pod fits the Kueue capacity of the owned sites it runs on",
    category=Category.DEPLOY,
    level=Level.MANDATORY,
    description="On an owned site the emitted Kueue flavor holds the usable GPUs (physical x "
    "target utilisation, rounded down) less what the site's other workloads may hold: their "
    "replicas, HPA ceiling and rolling-update surge pod. A training Job whose pod asks for "
    "more than that is never admitted, so `pulumi up` creates a Job that never starts "
    "(HP-DEP-050 finds it at preview; this finds it in the plan).",
    fix="Plan again (the solver keeps one pod of room beside the other workloads' headroom "
    "wherever training runs), move GPU services off the site, or buy GPUs there.",
    check_plan=check,
)
