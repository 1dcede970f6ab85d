"""Figures several plan rules need, computed one way only.

Spend is the plan's run rate: the sum of ``Assignment.per_month`` (one-off migration cost
excluded), exact ``Money``. A placement without assignments contributes its ``per_month``
to its team and the total but to no site.
"""

from __future__ import annotations

from collections import defaultdict

from planner.model import Placement, Plan, Project, SiteKind, Workload
from planner.money import Money


def placement_spend(p: Placement) -> Money:
    """Monthly run rate of one placement."""
    if p.assignments:
        return Money.total((a.per_month for a in p.assignments), p.per_month.currency)
    return p.per_month


def total_spend(plan: Plan) -> Money:
    return Money.total((placement_spend(p) for p in plan.placements), plan.per_month.currency)


def spend_by_team(project: Project, plan: Plan) -> dict[str, Money]:
    teams = {w.name: w.team for w in project.workloads}
    out: dict[str, list[Money]] = defaultdict(list)
    for p in plan.placements:
        out[teams.get(p.workload, "")].append(placement_spend(p))
    return {k: Money.total(v, plan.per_month.currency) for k, v in out.items()}


def spend_by_site(plan: Plan) -> dict[str, Money]:
    out: dict[str, list[Money]] = defaultdict(list)
    for p in plan.placements:
        for a in p.assignments:
            out[a.site].append(a.per_month)
    return {k: Money.total(v, plan.per_month.currency) for k, v in out.items()}


def cloud_spend(project: Project, plan: Plan) -> Money:
    cloud = {s.name for s in project.sites if s.kind is SiteKind.CLOUD}
    return Money.total(
        (v for site, v in spend_by_site(plan).items() if site in cloud), plan.per_month.currency
    )


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
