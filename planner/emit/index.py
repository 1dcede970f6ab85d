"""The lookups emit needs, built once per render: every site's shares, who calls whom, the
placed workloads and the classifications by name. Rendering one stack per site used to scan
every placement per site and every workload per workload (its callers); with the index each
is a dict lookup, so emit grows linearly with the fleet (issue #18)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

from planner.emit.shares import Share
from planner.model import Assignment, Classification, Plan, Project, Workload
from planner.money import Money


@dataclass(frozen=True, slots=True)
class EmitIndex:
    """One plan's shares by site, callers by workload and classifications by workload."""

    shares_by_site: Mapping[str, tuple[Share, ...]]
    """Per site, every workload's share of it, by workload name (as ``shares`` returns)."""
    placed: frozenset[str]
    """Workloads holding at least one replica somewhere."""
    callers_by_workload: Mapping[str, tuple[Workload, ...]]
    """Per workload, the placed workloads that depend on it, in inventory order."""
    classifications: Mapping[str, Classification]

    def shares(self, site: str) -> list[Share]:
        """Every workload's share of ``site``, by workload name."""
        return list(self.shares_by_site.get(site, ()))

    def callers(self, workload: str) -> list[Workload]:
        """The placed workloads that depend on ``workload``, in inventory order."""
        return list(self.callers_by_workload.get(workload, ()))

    def classification(self, workload: str) -> Classification | None:
        return self.classifications.get(workload)


def emit_index(plan: Plan, project: Project) -> EmitIndex:
    """Build the index of ``plan`` over ``project`` (one pass over placements and workloads)."""
    by_site: dict[str, list[Share]] = defaultdict(list)
    for p in sorted(plan.placements, key=lambda p: p.workload):
        here: dict[str, list[Assignment]] = defaultdict(list)
        for a in p.assignments:
            if a.replicas > 0:
                here[a.site].append(a)
        if not here:
            continue
        w = project.workload(p.workload)
        for site, assignments in here.items():
            by_site[site].append(
                Share(
                    workload=w,
                    replicas=sum(a.replicas for a in assignments),
                    per_month=Money.total((a.per_month for a in assignments), p.per_month.currency),
                    options=tuple(sorted({a.option for a in assignments})),
                    assignments=tuple(assignments),
                )
            )
    placed = frozenset(
        p.workload for p in plan.placements if any(a.replicas for a in p.assignments)
    )
    callers: dict[str, list[Workload]] = defaultdict(list)
    for v in project.workloads:
        if v.name not in placed:
            continue
        for dep in dict.fromkeys(d.name for d in v.depends_on):
            callers[dep].append(v)
    classes: dict[str, Classification] = {}
    for c in plan.classifications:
        classes.setdefault(c.workload, c)  # the first, as a scan would find it
    return EmitIndex(
        shares_by_site={s: tuple(v) for s, v in by_site.items()},
        placed=placed,
        callers_by_workload={k: tuple(v) for k, v in callers.items()},
        classifications=classes,
    )
