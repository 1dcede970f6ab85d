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
from planner.money import Money


def usd(amount: str | float | Money) -> Money:
    """An amount in USD as the cost model gives it, rounded to the cent by the rule
    (``"1234.5678"`` -> 1,234.57): exact from a string; a float at its shortest digits."""
    if isinstance(amount, Money):
        return amount
    if isinstance(amount, float):
        return Money.from_float(amount, "USD")
    return Money.of(amount, "USD")


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
    per_month: str | float | Money,
    **changes: Any,
) -> Assignment:
    """Part of a placement: ``replicas`` on ``site_name`` bought as ``option``, costing
    ``usd(per_month)`` a month."""
    return replace(Assignment(site_name, option, replicas, usd(per_month)), **changes)


def placement(workload_name: str, assignments: Iterable[Assignment], **changes: Any) -> Placement:
    """A placement whose monthly cost is its assignments' sum, no migration, new workload."""
    parts = tuple(assignments)
    base = Placement(
        workload=workload_name,
        assignments=parts,
        per_month=Money.total((a.per_month for a in parts), "USD"),
        migration=Money.zero("USD"),
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
    total = Money.total((p.per_month for p in parts), "USD")
    objective = total.lp_float()  # the solver's figure is a float
    base = Plan(
        placements=parts,
        site_usage=(),
        classifications=(),
        solver=SolverInfo("milp", "optimal", objective, objective, 0.0, 0.0),
        per_month=total,
        migration=Money.total((p.migration for p in parts), "USD"),
    )
    return replace(base, **changes)
