"""Figures several plan rules need, computed one way only.

Spend is the plan's run rate: the sum of ``Assignment.usd_per_month`` (one-off migration
cost excluded). A placement without assignments contributes its ``usd_per_month`` to its
team and the total but to no site.
"""

from __future__ import annotations

from collections import defaultdict

from planner.model import Placement, Plan, Project, SiteKind, Workload


def placement_usd(p: Placement) -> float:
    """Monthly run rate of one placement."""
    if p.assignments:
        return sum(a.usd_per_month for a in p.assignments)
    return p.usd_per_month


def total_usd(plan: Plan) -> float:
    return sum(placement_usd(p) for p in plan.placements)


def usd_by_team(project: Project, plan: Plan) -> dict[str, float]:
    teams = {w.name: w.team for w in project.workloads}
    out: dict[str, float] = defaultdict(float)
    for p in plan.placements:
        out[teams.get(p.workload, "")] += placement_usd(p)
    return dict(out)


def usd_by_site(plan: Plan) -> dict[str, float]:
    out: dict[str, float] = defaultdict(float)
    for p in plan.placements:
        for a in p.assignments:
            out[a.site] += a.usd_per_month
    return dict(out)


def cloud_usd(project: Project, plan: Plan) -> float:
    cloud = {s.name for s in project.sites if s.kind is SiteKind.CLOUD}
    return sum(v for site, v in usd_by_site(plan).items() if site in cloud)


def workload_of(project: Project, name: str) -> Workload | None:
    for w in project.workloads:
        if w.name == name:
            return w
    return None


def workload_evidence(w: Workload | None, name: str) -> dict[str, object]:
    """Evidence naming a workload and its team (so team waivers cover it)."""
    if w is None:
        return {"workload": name}
    return {"workload": w.name, "team": w.team}
