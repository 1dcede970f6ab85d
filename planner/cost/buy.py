"""Servers a site may buy (``Site.buy``), priced per unit as ``BuyOffer``s for the solver.

One unit costs what one more server of the site's estate would (``planner.cost.owned``
with that server alone): its capex amortised over the site's depreciation months (straight
line or annuity), its power under the site's power billing, and support as a share of its
capex. Space and labour are site totals, already in the estate; the unit adds none. The
cost basis is always ``average`` here: a server not yet bought is not sunk. Usable capacity
is the physical capacity of one unit x the site's target utilisation (GPU-hours: GPUs x
730 h x that utilisation), the same rule as the estate's capacity.
"""

from __future__ import annotations

from dataclasses import replace

from planner.catalogue import Catalogue
from planner.cost.nodes import owned_inputs
from planner.cost.owned import owned_rates
from planner.model import (
    HOURS_PER_MONTH,
    BuyableClass,
    BuyOffer,
    Capacity,
    CostBasis,
    GpuPoolCost,
    NodeClass,
    Settings,
    Site,
    SiteKind,
)
from planner.money import Money, decimal_of


def _alone(site: Site, bc: BuyableClass) -> Site:
    """``site`` as if its estate were one unit of ``bc`` (no space or labour)."""
    oc = owned_inputs(site)
    assert oc is not None  # callers only price owned sites
    node = NodeClass(
        name=bc.name,
        count=1,
        cpu=bc.cpu,
        memory_gib=bc.memory_gib,
        capex_usd=bc.capex_usd,
        power_kw=bc.power_kw,
        gpus=bc.gpus,
        gpu_type=bc.gpu_type,
    )
    unit = replace(
        oc,
        node_classes=(node,),
        space_usd_per_month=0.0,
        labour_usd_per_month=0.0,
        cost_basis=CostBasis.AVERAGE,
    )
    gpus = {bc.gpu_type: bc.gpus} if bc.gpus > 0 and bc.gpu_type else {}
    capacity = Capacity(cpu=bc.cpu, memory_gib=bc.memory_gib, gpus=gpus)
    if site.kind is SiteKind.GPU_POOL:
        pool = site.gpu_pool_cost or GpuPoolCost()
        return replace(site, capacity=capacity, gpu_pool_cost=replace(pool, owned=unit), buy=())
    return replace(site, capacity=capacity, owned_cost=unit, buy=())


def unit_capacity(site: Site, bc: BuyableClass) -> dict[str, float]:
    """Usable capacity of one unit: physical x the site's target utilisation."""
    u = site.target_utilisation
    out = {"cpu": bc.cpu * u, "memory_gib": bc.memory_gib * u}
    if bc.gpus > 0 and bc.gpu_type:
        out[f"gpus:{bc.gpu_type}"] = bc.gpus * u
        out[f"gpu_hours:{bc.gpu_type}"] = bc.gpus * HOURS_PER_MONTH * u
    return out


def buy_offers(site: Site, catalogue: Catalogue, settings: Settings) -> tuple[BuyOffer, ...]:
    """The site's server models to buy, each priced per unit, in name order (none for a
    site that is not owned)."""
    if not site.buy or owned_inputs(site) is None:
        return ()
    cur = catalogue.currency
    out: list[BuyOffer] = []
    for bc in sorted(site.buy, key=lambda b: b.name):
        rates = owned_rates(_alone(site, bc), catalogue, settings)
        out.append(
            BuyOffer(
                site=site.name,
                node_class=bc.name,
                max_units=bc.max_units,
                lead_time_months=bc.lead_time_months,
                depreciation_months=rates.depreciation_months,
                capex=Money.of(decimal_of(bc.capex_usd), cur),
                capex_per_month=rates.capex_per_month,
                run_per_month=rates.run_per_month,
                capacity=unit_capacity(site, bc),
                line_items=rates.items,
            )
        )
    return tuple(out)


def project_buy_offers(
    sites: tuple[Site, ...], catalogue: Catalogue, settings: Settings
) -> tuple[BuyOffer, ...]:
    """``buy_offers`` of every site, by (site, node class)."""
    return tuple(
        o for s in sorted(sites, key=lambda s: s.name) for o in buy_offers(s, catalogue, settings)
    )
