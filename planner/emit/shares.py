"""The plan seen from one site: which sites get a stack, and each workload's assignments on a
site merged into one :class:`Share`."""

from __future__ import annotations

from dataclasses import dataclass

from planner.model import (
    MANAGED_KINDS,
    Assignment,
    Plan,
    PricingOption,
    Project,
    Site,
    SiteKind,
    Workload,
)
from planner.money import Money


@dataclass(frozen=True, slots=True)
class Share:
    """One workload's assignments on one site, merged."""

    workload: Workload
    replicas: int
    per_month: Money
    options: tuple[PricingOption, ...]
    assignments: tuple[Assignment, ...]

    @property
    def option(self) -> str:
        """The pricing options of the share, ``+``-joined (``on-demand+spot``)."""
        return "+".join(o.value for o in self.options)


def provider_managed(share: Share, site: Site) -> bool:
    """Whether ``site`` runs the share as its managed service (a managed-db, search or cache
    on a cloud site: RDS, OpenSearch Service, ElastiCache), which its stack does not create."""
    return site.kind is SiteKind.CLOUD and share.workload.kind in MANAGED_KINDS


def used_sites(plan: Plan) -> set[str]:
    """Sites holding at least one replica."""
    return {a.site for p in plan.placements for a in p.assignments if a.replicas > 0}


def stack_sites(plan: Plan, project: Project) -> tuple[str, ...]:
    """Sites that get a stack: those holding at least one assignment, in project order."""
    used = used_sites(plan)
    return tuple(s.name for s in project.sites if s.name in used)


def home_site(plan: Plan, project: Project, workload: str) -> str:
    """Where a training workload's Jobs live: its first owned site (GPU pool before
    Kubernetes), else its first cloud site; the others are MultiKueue burst targets."""
    placement = plan.placement(workload)
    if placement is None:
        raise KeyError(workload)
    order = {SiteKind.GPU_POOL: 0, SiteKind.KUBERNETES: 1, SiteKind.CLOUD: 2}
    sites = [project.site(n) for n in placement.sites]
    return min(sites, key=lambda s: (order[s.kind], s.name)).name


def gpu_type(w: Workload) -> str:
    """The workload's GPU type, ``gpu`` when it names none."""
    return w.resources.gpu_type or "gpu"
