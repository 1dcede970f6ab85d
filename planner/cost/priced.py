"""What pricing one option of one site gives (``Priced``), and the facts every pricer
shares: the options a site sells and the physical impossibilities that leave an offer
unpriced."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from planner.model import GpuPoolMode, LineItem, PricingOption, Resources, Site, SiteKind
from planner.money import Money


@dataclass(frozen=True, slots=True)
class Priced:
    """The line items of one workload on one site and option (their sum is the offer's
    monthly cost). Training offers are linear in the GPU-hours: ``usd_per_gpu_hour`` is the
    slope and ``fixed_per_month`` the rest."""

    items: tuple[LineItem, ...]
    instance_type: str | None = None
    usd_per_gpu_hour: Decimal | None = None
    fixed_per_month: Money | None = None
    reason: str | None = None
    """Set when the option cannot be priced at all (nothing fits, GPU type absent)."""
    billed_gpu_hours: Decimal | None = None
    """Training offers: the GPU-hours billed a month (a commitment: whole instances every
    hour of the month; otherwise the GPU-hours used)."""


def site_options(site: Site) -> tuple[PricingOption, ...]:
    """The pricing options a site sells."""
    if site.kind is SiteKind.CLOUD:
        return site.cloud_cost.options if site.cloud_cost is not None else ()
    if site.kind is SiteKind.GPU_POOL:
        gp = site.gpu_pool_cost
        if gp is not None and gp.mode is not GpuPoolMode.OWNED:
            return (PricingOption.LEASED,)
    return (PricingOption.OWNED,)


def physical_reason(request: Resources, site: Site) -> str | None:
    """A physical impossibility on an owned site (the offer is not priced)."""
    if site.kind is SiteKind.GPU_POOL and request.gpus == 0:
        return "gpu-pool sites host GPU workloads only"
    if request.gpus > 0 and site.kind is not SiteKind.CLOUD:
        gpus = site.capacity.gpus if site.capacity is not None else {}
        if not gpus:
            return f"GPU type {request.gpu_type} absent: site has no GPUs"
        if gpus.get(request.gpu_type or "", 0) <= 0:
            return f"GPU type {request.gpu_type} absent: site has {', '.join(sorted(gpus))}"
    return None
