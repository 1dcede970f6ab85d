"""HP-COST-008: Ensure a workload kept off a cheaper owned site by full capacity says so."""

from __future__ import annotations

from collections.abc import Iterator

from planner.headroom import headroom_pods, workload_class
from planner.model import HOURS_PER_MONTH, Category, Level, Resources, SiteKind, WorkloadKind
from planner.policy import facts
from planner.policy.rule import PlanContext, Rule, Violation

CAPACITY = "capacity "
"""How ``Placement.binding`` names a full capacity row: ``capacity <site> <resource>``."""


def _needs(request: Resources, replicas: int, resource: str, pods: int) -> float | None:
    """What the whole workload needs of ``resource`` (its per-replica request x replicas;
    GPUs for ``pods``: its replicas with their headroom, as the solver counts them)."""
    if resource == "cpu":
        return request.cpu * replicas
    if resource == "memory_gib":
        return request.memory_gib * replicas
    kind, _, gpu_type = resource.partition(":")
    if gpu_type != request.gpu_type or not request.gpus:
        return None
    if kind == "gpus":
        return float(request.gpus * pods)
    if kind == "gpu_hours":
        return request.gpus * pods * HOURS_PER_MONTH
    return None


def check(ctx: PlanContext) -> Iterator[Violation]:
    sites = {s.name: s for s in ctx.project.sites}
    usage = {u.site: u for u in ctx.plan.site_usage}
    sized = {c.workload: c.rightsized for c in ctx.plan.classifications if c.rightsized}
    classified = {c.workload: c for c in ctx.plan.classifications}
    for p in ctx.plan.placements:
        full = []
        for label in p.binding:
            if not label.startswith(CAPACITY):
                continue
            site, _, resource = label.removeprefix(CAPACITY).partition(" ")
            if site in p.sites or site not in sites or sites[site].kind is SiteKind.CLOUD:
                continue
            full.append((site, resource))
        if not full:
            continue
        w = facts.workload_of(ctx.project, p.workload)
        request = sized.get(p.workload) or (w.resources if w is not None else None)
        replicas = w.replicas if w is not None else 1
        pods = replicas
        if w is not None and w.kind is not WorkloadKind.TRAINING:
            cls = workload_class(w, classified.get(w.name))
            pods += headroom_pods(w.kind, cls, replicas)
        parts = []
        evidence_sites: dict[str, dict[str, object]] = {}
        for site, resource in full:
            u = usage.get(site)
            cap = u.capacity.get(resource) if u is not None else None
            used = u.used.get(resource, 0.0) if u is not None else None
            need = _needs(request, replicas, resource, pods) if request is not None else None
            text = f"{site} {resource}"
            if cap is not None and used is not None and need is not None:
                free = max(0.0, cap - used)
                text += f": needs {need:g}, {free:g} of {cap:g} free"
                evidence_sites[f"{site} {resource}"] = {
                    "needs": round(need, 3),
                    "free": round(free, 3),
                    "usable": round(cap, 3),
                }
            parts.append(text)
        stays = ", ".join(p.sites) or "nowhere"
        why = (
            "its GPU-hours could be split over sites, but there is no room left"
            if w is not None and w.kind is WorkloadKind.TRAINING
            else "a workload moves whole or not at all"
        )
        yield Violation(
            "workload",
            p.workload,
            f"{p.workload} ({replicas} replica{'s' if replicas != 1 else ''}) runs on {stays}: "
            f"a cheaper owned site is full ({'; '.join(parts)}), and {why}",
            {**facts.workload_evidence(w, p.workload), "full": evidence_sites},
        )


RULE = Rule(
    id="HP-COST-008",
    name="Ensure a workload kept off a cheaper owned site by full capacity is reported",
    category=Category.COST,
    level=Level.ADVISORY,
    description="When an owned site that would run a workload for less is full, the "
    "workload stays where it is (or goes elsewhere) as a whole; the plan says what did not "
    "fit, how much it needs and how much is free, instead of leaving it silently in place.",
    fix="Buy servers at the site (sites.yaml `buy`: the solver decides how many), free "
    "capacity there, raise its target utilisation, or split the workload into smaller ones "
    "so part of it can move.",
    check_plan=check,
)
