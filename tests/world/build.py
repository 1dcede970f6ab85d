"""The shared test world's builders (see ``world``): each makes one model value with
defaults, then applies keyword ``changes`` to any field."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from planner.model import (
    Assignment,
    Capacity,
    Classification,
    CloudCost,
    Placement,
    Plan,
    PricingOption,
    Project,
    Residency,
    Resources,
    Site,
    SiteKind,
    SolverInfo,
    Workload,
    WorkloadClass,
    WorkloadKind,
)


def site(name: str, kind: SiteKind = SiteKind.KUBERNETES, **changes: Any) -> Site:
    """A site with defaults by kind, then ``changes``."""
    cloud = kind is SiteKind.CLOUD
    base = Site(
        name=name,
        kind=kind,
        provider="aws" if cloud else "self",
        region=name,
        jurisdiction=Residency.EU,
        failure_domains=(f"{name}-a",),
        availability_pct=99.9,
        capacity=None if cloud else Capacity(cpu=512, memory_gib=4096),
        cloud_cost=CloudCost(price_region=changes.get("region", name)) if cloud else None,
    )
    return replace(base, **changes)


def workload(name: str, kind: WorkloadKind = WorkloadKind.SERVICE, **changes: Any) -> Workload:
    """A workload with small defaults, then ``changes``."""
    base = Workload(
        name=name,
        team="team-a",
        kind=kind,
        tier=2,
        replicas=1,
        resources=Resources(cpu=1, memory_gib=2),
    )
    return replace(base, **changes)


def project(workloads: Iterable[Workload], sites: Iterable[Site], **changes: Any) -> Project:
    """A project of these workloads and sites (root ``tests/data/world``), then ``changes``."""
    base = Project(root="tests/data/world", workloads=tuple(workloads), sites=tuple(sites))
    return replace(base, **changes)


def assignment(
    site_name: str,
    option: PricingOption,
    replicas: int,
    usd_per_month: float,
    **changes: Any,
) -> Assignment:
    """Part of a placement: ``replicas`` on ``site_name`` bought as ``option``."""
    return replace(Assignment(site_name, option, replicas, usd_per_month), **changes)


def placement(workload_name: str, assignments: Iterable[Assignment], **changes: Any) -> Placement:
    """A placement whose monthly cost is its assignments' sum, no migration, new workload."""
    parts = tuple(assignments)
    base = Placement(
        workload=workload_name,
        assignments=parts,
        usd_per_month=sum(a.usd_per_month for a in parts),
        migration_usd=0.0,
        previous_site=None,
    )
    return replace(base, **changes)


def classification(
    workload_name: str, cls: WorkloadClass, *reasons: str, **changes: Any
) -> Classification:
    """A verdict on one workload, certain unless ``confidence`` says otherwise."""
    return replace(Classification(workload_name, cls, 1.0, reasons), **changes)


def plan(placements: Iterable[Placement], **changes: Any) -> Plan:
    """A plan whose monthly and migration totals are its placements' sums; no usage,
    classifications or findings; an optimal MILP at that objective."""
    parts = tuple(placements)
    usd = sum(p.usd_per_month for p in parts)
    base = Plan(
        placements=parts,
        site_usage=(),
        classifications=(),
        solver=SolverInfo("milp", "optimal", usd, usd, 0.0, 0.0),
        usd_per_month=usd,
        migration_usd=sum(p.migration_usd for p in parts),
    )
    return replace(base, **changes)
