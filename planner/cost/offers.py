"""``offers_for``: every pricing option of one site for one workload, priced line by line.

An offer covers all ``workload.replicas`` at the per-replica ``request`` (the right-sized
request, or the declared one), or, for training, all ``gpu_hours_per_month`` plus fixed parts.
Training offers are linear in the GPU-hours: ``per_month = fixed + hours x slope`` (up to the
rounding of each line) with ``Offer.usd_per_gpu_hour`` the slope and ``Offer.fixed_per_month``
the fixed part, so the solver can split the hours between sites continuously.

Ineligible offers keep a ``reason``. Where the reason is a rule a user may relax (residency,
availability, pinning, spot for tier 1) the offer is still priced, so a diagnosis can say what
relaxing it would cost; physical impossibilities (GPU type absent, nothing fits) cost 0.
"""

from __future__ import annotations

from dataclasses import replace

from planner.catalogue import Catalogue
from planner.cost.cache import PriceCache
from planner.cost.cloud import INSTANCE_OPTIONS
from planner.cost.common import H, check_settings, check_site, num, raise_if, total
from planner.cost.migration import migration_items
from planner.cost.owned import OwnedRates
from planner.cost.priced import physical_reason, site_options
from planner.cost.pricing import price_option
from planner.headroom import held_gpus, surge_pods, workload_class
from planner.model import (
    LineItem,
    Offer,
    PricingOption,
    Residency,
    Resources,
    Settings,
    Site,
    SiteKind,
    Workload,
)
from planner.money import Money

# --------------------------------------------------------------------------- usage


def usage_of(workload: Workload, request: Resources, cls: str | None = None) -> dict[str, float]:
    """Capacity a workload consumes on a site: all replicas; for training the average GPUs
    (``gpu_hours / 730``), with host CPU and memory in proportion, and the deadline peak.

    A long-running GPU workload's ``gpus:<type>`` also holds its headroom
    (``planner.headroom.held_gpus`` for its class ``cls``, the declared profile when
    ``None``): the HPA and surge pods emit keeps out of the training quota. Of that,
    ``surge_gpus:<type>`` is the part paid once per site (split replicas pay it on each)."""
    tr = workload.training
    if tr is not None and request.gpus > 0 and request.gpu_type:
        avg = tr.gpu_hours_per_month / H
        per_gpu = 1 / request.gpus
        out = {
            "cpu": avg * request.cpu * per_gpu,
            "memory_gib": avg * request.memory_gib * per_gpu,
            f"gpus:{request.gpu_type}": avg,
        }
        if tr.deadline_days:
            out[f"peak_gpus:{request.gpu_type}"] = tr.gpu_hours_per_month / (
                min(tr.deadline_days, H / 24) * 24
            )
        return out
    out = {
        "cpu": workload.replicas * request.cpu,
        "memory_gib": workload.replicas * request.memory_gib,
    }
    if request.gpus > 0 and request.gpu_type:
        if cls is None:
            cls = workload_class(workload, None)
        held = held_gpus(workload.kind, cls, workload.replicas, request.gpus)
        out[f"gpus:{request.gpu_type}"] = float(held)
        surge = surge_pods(workload.kind)
        if surge:
            out[f"surge_gpus:{request.gpu_type}"] = float(surge * request.gpus)
    return out


# --------------------------------------------------------------------------- eligibility


def site_reason(
    workload: Workload, request: Resources, site: Site, settings: Settings
) -> str | None:
    """A relaxable rule that excludes the whole site (the offer is still priced)."""
    if workload.pinned_site is not None and workload.pinned_site != site.name:
        return f"pinned to {workload.pinned_site}"
    res = workload.data.residency
    if res is not Residency.ANY and site.jurisdiction is not res:
        return f"residency: data must stay in {res.value}, site is in {site.jurisdiction.value}"
    target = settings.tier_availability_pct.get(workload.tier)
    if target is not None and site.availability_pct < target:
        return (
            f"availability {num(site.availability_pct)} % below the tier {workload.tier} "
            f"target {num(target)} %"
        )
    return None


def option_reason(
    workload: Workload, site: Site, option: PricingOption, settings: Settings
) -> str | None:
    if option is PricingOption.SPOT:
        if workload.tier == 1:
            return "spot is never offered to tier 1"
        if not workload.allow_spot:
            return "spot not allowed for this workload (allow_spot: false)"
    held = workload.current_site == site.name and workload.current_option is option
    if option.term_months > settings.horizon_months and not held:
        # a new commitment bills every hour of its term: past the horizon the plan
        # would not count months it commits to
        return (
            f"{option.value} bills every hour of its {option.term_months}-month term, past "
            f"the {settings.horizon_months}-month horizon"
        )
    return None


# --------------------------------------------------------------------------- entry point


def offers_for(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    settings: Settings,
    *,
    current: Site | None = None,
    cache: PriceCache | None = None,
    cls: str | None = None,
) -> tuple[Offer, ...]:
    """Every pricing option of ``site`` for ``workload``, eligible or not (with a reason).

    ``request`` is the per-replica request; cost covers all replicas (or, for training, all
    ``gpu_hours_per_month``). ``current`` is the workload's current site, needed to price a
    move (egress of the dataset from it and double running there). ``cache`` memoises
    instance choices and owned rates over a run (a speed-up for large fleets). ``cls`` is
    the workload's class (``planner.headroom.workload_class``): its headroom in ``usage``."""
    problems = check_settings(settings, catalogue) + check_site(site, catalogue)
    raise_if(problems, f"invalid cost inputs for site {site.name}")
    cur = catalogue.currency
    usage = usage_of(workload, request, cls)
    excluded = site_reason(workload, request, site, settings)
    physical = physical_reason(request, site)
    mig: tuple[LineItem, ...] | None = None
    offers: list[Offer] = []
    nil = Money.zero(cur)
    for option in site_options(site):
        base = Offer(
            workload=workload.name,
            site=site.name,
            option=option,
            per_month=nil,
            line_items=(),
            migration=nil,
            eligible=False,
            usage=dict(usage),
        )
        if site.kind is SiteKind.CLOUD and option not in INSTANCE_OPTIONS:
            offers.append(replace(base, reason=f"cloud sites do not sell {option.value} capacity"))
            continue
        if option is PricingOption.CAPACITY_BLOCK and request.gpus == 0:
            offers.append(replace(base, reason="capacity blocks are sold for GPU instances only"))
            continue
        if physical is not None:
            offers.append(replace(base, reason=physical))
            continue
        priced = price_option(
            workload, request, site, catalogue, settings=settings, option=option, cache=cache
        )
        if priced.reason is not None:
            offers.append(replace(base, reason=priced.reason))
            continue
        if mig is None:
            mig = migration_items(workload, site, catalogue, settings, current=current, cache=cache)
        reason = excluded or option_reason(workload, site, option, settings)
        offers.append(
            Offer(
                workload=workload.name,
                site=site.name,
                option=option,
                per_month=total(priced.items, cur),
                line_items=priced.items,
                migration=total(mig, cur),
                migration_items=mig,
                instance_type=priced.instance_type,
                eligible=reason is None,
                reason=reason,
                usage=dict(usage),
                usd_per_gpu_hour=priced.usd_per_gpu_hour,
                fixed_per_month=priced.fixed_per_month,
                billed_gpu_hours=priced.billed_gpu_hours,
            )
        )
    return tuple(offers)


def owned_rates_by_site(
    sites: tuple[Site, ...],
    catalogue: Catalogue,
    settings: Settings,
    *,
    cache: PriceCache | None = None,
) -> dict[str, OwnedRates]:
    """``owned_rates`` of every owned site (through ``cache`` when given, which then holds
    them for ``offers_for``); raises the first site's ``InputError``."""
    from planner.cost.owned import owned_rates

    out: dict[str, OwnedRates] = {}
    for s in sites:
        if s.kind is SiteKind.CLOUD:
            continue
        if s.kind is SiteKind.GPU_POOL and site_options(s) != (PricingOption.OWNED,):
            continue
        out[s.name] = (
            cache.owned_rates(s, catalogue, settings)
            if cache is not None
            else owned_rates(s, catalogue, settings)
        )
    return out
