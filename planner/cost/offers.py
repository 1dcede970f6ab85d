"""``offers_for``: every pricing option of one site for one workload, priced line by line.

An offer covers all ``workload.replicas`` at the per-replica ``request`` (the right-sized
request, or the declared one), or, for training, all ``gpu_hours_per_month`` plus fixed parts.
Training offers are linear in the GPU-hours: ``usd_per_month = fixed + hours x slope`` with
``usage["usd_per_gpu_hour"]`` = slope and ``usage["fixed_usd_per_month"]`` = fixed, so the
solver can split the hours between sites continuously.

Ineligible offers keep a ``reason``. Where the reason is a rule a user may relax (residency,
availability, pinning, spot for tier 1) the offer is still priced, so a diagnosis can say what
relaxing it would cost; physical impossibilities (GPU type absent, nothing fits) cost 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace

from planner.catalogue import Catalogue
from planner.cost.cloud import (
    INSTANCE_OPTIONS,
    choose,
    egress_items,
    layout,
    max_per_instance,
    packing,
    storage_key,
)
from planner.cost.common import (
    H,
    check_settings,
    check_site,
    item,
    memo_by_identity,
    num,
    price,
    raise_if,
    total,
)
from planner.cost.owned import OwnedRates, owned_rates
from planner.model import (
    GpuPoolMode,
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

SPOT_OVERHEAD_KEYS = (
    "spot.interruption-overhead-pct.training",
    "spot.interruption-overhead-pct.service",
)


@dataclass(frozen=True, slots=True)
class _Priced:
    items: tuple[LineItem, ...]
    instance_type: str | None = None
    usd_per_gpu_hour: float | None = None
    fixed_usd_per_month: float | None = None
    reason: str | None = None
    """Set when the option cannot be priced at all (nothing fits, GPU type absent)."""


# --------------------------------------------------------------------------- usage


def usage_of(workload: Workload, request: Resources) -> dict[str, float]:
    """Capacity a workload consumes on a site: all replicas; for training the average GPUs
    (``gpu_hours / 730``), with host CPU and memory in proportion, and the deadline peak."""
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
        out[f"gpus:{request.gpu_type}"] = float(workload.replicas * request.gpus)
    return out


# --------------------------------------------------------------------------- eligibility


def _site_reason(
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


def _physical_reason(request: Resources, site: Site) -> str | None:
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


def _option_reason(workload: Workload, request: Resources, option: PricingOption) -> str | None:
    if option is PricingOption.SPOT:
        if workload.tier == 1:
            return "spot is never offered to tier 1"
        if not workload.allow_spot:
            return "spot not allowed for this workload (allow_spot: false)"
    return None


# --------------------------------------------------------------------------- cloud


def _cloud(
    workload: Workload, request: Resources, site: Site, catalogue: Catalogue, option: PricingOption
) -> _Priced:
    tr = workload.training
    training = tr is not None and request.gpus > 0
    cap = None if training else max_per_instance(workload.replicas, workload.tier)
    chosen, why = choose(
        site, catalogue, request, option, replicas=None if training else workload.replicas, cap=cap
    )
    if chosen is None:
        return _Priced((), reason=why)
    inst = chosen.instance
    disc_pct = site.cloud_cost.discount_pct if site.cloud_cost is not None else 0.0
    items: list[LineItem] = []
    unit_txt = num(chosen.usd_per_hour)
    if chosen.discount_key:
        unit_txt = (
            f"({num(chosen.base_usd_per_hour)} x (1 - {num(chosen.discount_pct)} %) "
            f"= {num(chosen.usd_per_hour)})"
        )
    srcs = (chosen.key, *((chosen.discount_key,) if chosen.discount_key else ()))
    if training and tr is not None:
        per_gpu = chosen.usd_per_hour / inst.gpus
        compute = tr.gpu_hours_per_month * per_gpu
        items.append(
            item(
                f"GPU-hours ({inst.name}, {option.value})",
                compute,
                f"{num(tr.gpu_hours_per_month)} GPU-h x {unit_txt} USD/h / {inst.gpus} GPUs",
                *srcs,
            )
        )
    else:
        compute = chosen.count * H * chosen.usd_per_hour
        n = workload.replicas
        notes: list[str] = []
        if chosen.count < n:
            notes.append(
                f"{n} replicas as {layout(n, chosen.count)}: up to "
                f"{chosen.per_instance} per instance"
            )
            if chosen.count > math.ceil(n / chosen.per_instance):
                notes[-1] += ", never all on one instance"
        if cap is not None and packing(inst, request, n)[0] > cap:  # the tier-1 cap binds
            if chosen.count == n:
                notes.append(f"{n} replicas, one per instance")
            notes.append("tier 1: one per instance, so losing an instance loses one replica")
        packed = f" ({'; '.join(notes)})" if notes else ""
        items.append(
            item(
                f"compute ({inst.name}, {option.value})",
                compute,
                f"{chosen.count} x {inst.name} x 730 h x {unit_txt} USD/h{packed}",
                *srcs,
            )
        )
    slope_factor = 1.0
    if option is PricingOption.SPOT:
        key = SPOT_OVERHEAD_KEYS[0] if training else SPOT_OVERHEAD_KEYS[1]
        pct = price(catalogue, key, site, needed_for="spot")
        items.append(
            item(
                "spot interruption overhead",
                compute * pct / 100,
                f"{num(compute)} USD x {num(pct)} %",
                key,
            )
        )
        slope_factor *= 1 + pct / 100
    if disc_pct > 0:
        base = compute * slope_factor
        items.append(
            item(
                "negotiated discount",
                -base * disc_pct / 100,
                f"-{num(base)} USD x {num(disc_pct)} %",
                f"sites.{site.name}.cost.cloud.discount_pct",
            )
        )
        slope_factor *= 1 - disc_pct / 100
    fixed: list[LineItem] = []
    if request.storage_gib > 0:
        key = storage_key(site, "ebs.gp3")
        p = price(catalogue, key, site, needed_for="block storage")
        fixed.append(
            item(
                "storage (EBS gp3)",
                workload.replicas * request.storage_gib * p,
                f"{workload.replicas} x {num(request.storage_gib)} GiB x {num(p)} USD/GiB-month",
                key,
            )
        )
    if training and tr is not None and tr.checkpoint_gib > 0:
        key = storage_key(site, "s3.standard")
        p = price(catalogue, key, site, needed_for="checkpoints")
        fixed.append(
            item(
                "checkpoints (S3)",
                tr.checkpoint_gib * p,
                f"{num(tr.checkpoint_gib)} GiB x {num(p)} USD/GiB-month",
                key,
            )
        )
    fixed.extend(egress_items(site, catalogue, workload.data.egress_gib_per_month))
    items.extend(fixed)
    slope = chosen.usd_per_hour / inst.gpus * slope_factor if training else None
    return _Priced(
        tuple(items),
        instance_type=inst.name,
        usd_per_gpu_hour=slope,
        fixed_usd_per_month=total(fixed) if training else None,
    )


# --------------------------------------------------------------------------- owned

ZERO_OWNED_NOTES: Mapping[str, str] = {
    "owned.storage.usd-per-gib-month": (
        " (0: ASSUMPTION that node capex includes the disks; set price_overrides "
        "owned.storage.usd-per-gib-month if storage is bought separately)"
    ),
    "owned.egress.usd-per-gib": (
        " (0: ASSUMPTION of flat-rate transit inside space/labour; set price_overrides "
        "owned.egress.usd-per-gib if metered)"
    ),
}
"""Said beside an owned line priced at 0 USD, so a zero is never mistaken for a measured
cost (the catalogue defaults are 0 and unsourced, see their notes)."""


def _zero_note(key: str, value: float) -> str:
    return ZERO_OWNED_NOTES.get(key, "") if value == 0 else ""


def _owned(
    workload: Workload, request: Resources, site: Site, catalogue: Catalogue, rates: OwnedRates
) -> _Priced:
    s = f"owned_rates({site.name})"
    basis = f"{rates.basis.value} cost at utilisation {num(rates.utilisation)}"
    ovr = site.price_overrides
    items: list[LineItem] = []
    fixed: list[LineItem] = []
    tr = workload.training
    storage_p = catalogue.value("owned.storage.usd-per-gib-month", ovr)
    if tr is not None and request.gpus > 0 and request.gpu_type:
        t = request.gpu_type
        per_gpu_cpu = request.cpu / request.gpus
        per_gpu_mem = request.memory_gib / request.gpus
        slope = (
            rates.usd_per_gpu_hour.get(t, 0.0)
            + per_gpu_cpu * rates.usd_per_core_hour
            + per_gpu_mem * rates.usd_per_gib_hour
        )
        gpu_rate = rates.usd_per_gpu_hour.get(t, 0.0)
        formula = f"{num(tr.gpu_hours_per_month)} GPU-h x {num(gpu_rate)} USD/GPU-h"
        if rates.usd_per_core_hour > 0 or rates.usd_per_gib_hour > 0:
            formula += (
                f" + host {num(per_gpu_cpu)} cores x {num(rates.usd_per_core_hour)} "
                f"+ {num(per_gpu_mem)} GiB x {num(rates.usd_per_gib_hour)} per GPU-h"
            )
        items.append(item(f"GPU-hours ({t}, {basis})", tr.gpu_hours_per_month * slope, formula, s))
        if tr.checkpoint_gib > 0:
            fixed.append(
                item(
                    "checkpoints (owned storage)",
                    tr.checkpoint_gib * storage_p,
                    f"{num(tr.checkpoint_gib)} GiB x {num(storage_p)} USD/GiB-month"
                    + _zero_note("owned.storage.usd-per-gib-month", storage_p),
                    "owned.storage.usd-per-gib-month",
                )
            )
    else:
        slope = None
        n = workload.replicas
        if site.kind is not SiteKind.GPU_POOL:  # a pool's host CPU/memory is in its GPU rate
            items.append(
                item(
                    f"cpu ({basis})",
                    n * request.cpu * H * rates.usd_per_core_hour,
                    f"{n} x {num(request.cpu)} cores x 730 h x "
                    f"{num(rates.usd_per_core_hour)} USD/core-h",
                    s,
                )
            )
            items.append(
                item(
                    f"memory ({basis})",
                    n * request.memory_gib * H * rates.usd_per_gib_hour,
                    f"{n} x {num(request.memory_gib)} GiB x 730 h x "
                    f"{num(rates.usd_per_gib_hour)} USD/GiB-h",
                    s,
                )
            )
        if request.gpus > 0 and request.gpu_type:
            r = rates.usd_per_gpu_hour.get(request.gpu_type, 0.0)
            items.append(
                item(
                    f"GPUs ({request.gpu_type}, {basis})",
                    n * request.gpus * H * r,
                    f"{n} x {request.gpus} GPUs x 730 h x {num(r)} USD/GPU-h",
                    s,
                )
            )
    if request.storage_gib > 0:
        fixed.append(
            item(
                "storage (owned)",
                workload.replicas * request.storage_gib * storage_p,
                f"{workload.replicas} x {num(request.storage_gib)} GiB x "
                f"{num(storage_p)} USD/GiB-month"
                + _zero_note("owned.storage.usd-per-gib-month", storage_p),
                "owned.storage.usd-per-gib-month",
            )
        )
    egress = workload.data.egress_gib_per_month
    if egress > 0:
        p = catalogue.value("owned.egress.usd-per-gib", ovr)
        fixed.append(
            item(
                "egress (owned transit)",
                egress * p,
                f"{num(egress)} GiB x {num(p)} USD/GiB" + _zero_note("owned.egress.usd-per-gib", p),
                "owned.egress.usd-per-gib",
            )
        )
    items.extend(fixed)
    return _Priced(
        tuple(items),
        usd_per_gpu_hour=slope,
        fixed_usd_per_month=total(fixed) if slope is not None else None,
    )


def leased_usd_per_gpu_hour(
    site: Site, catalogue: Catalogue, gpu_type: str
) -> tuple[float | None, str]:
    """A leased / GPU-as-a-service pool's contract price, or the catalogue's GPU-cloud price
    (``gpuaas.<provider>.<type>``, then ``gpuaas.default.<type>``)."""
    gp = site.gpu_pool_cost
    if gp is not None and gp.usd_per_gpu_hour is not None:
        return gp.usd_per_gpu_hour, f"sites.{site.name}.cost.gpu_pool.usd_per_gpu_hour"
    for key in (f"gpuaas.{site.provider}.{gpu_type}", f"gpuaas.default.{gpu_type}"):
        if key in site.price_overrides or key in catalogue.prices:
            return catalogue.value(key, site.price_overrides), key
    return None, ""


def _leased(workload: Workload, request: Resources, site: Site, catalogue: Catalogue) -> _Priced:
    t = request.gpu_type or ""
    p, src = leased_usd_per_gpu_hour(site, catalogue, t)
    if p is None:
        return _Priced(
            (),
            reason=f"no contract price for GPU type {t} at site (set "
            f"cost.gpu_pool.usd_per_gpu_hour)",
        )
    gp = site.gpu_pool_cost
    note = ""
    if gp is not None and gp.min_gpu_hours_per_month > 0:
        note = (
            f"; the site's minimum of {num(gp.min_gpu_hours_per_month)} GPU-h/month is a "
            f"site-level fixed cost (pool_commitment_items)"
        )
    tr = workload.training
    fixed: list[LineItem] = []
    if tr is not None:
        items = [
            item(
                f"GPU-hours ({t}, contract)",
                tr.gpu_hours_per_month * p,
                f"{num(tr.gpu_hours_per_month)} GPU-h x {num(p)} USD/GPU-h{note}",
                src,
            )
        ]
        slope: float | None = p
    else:
        hours = workload.replicas * request.gpus * H
        items = [
            item(
                f"GPUs ({t}, contract)",
                hours * p,
                f"{workload.replicas} x {request.gpus} GPUs x 730 h x {num(p)} USD/GPU-h{note}",
                src,
            )
        ]
        slope = None
    egress = workload.data.egress_gib_per_month
    if egress > 0:
        ep = catalogue.value("owned.egress.usd-per-gib", site.price_overrides)
        fixed.append(
            item(
                "egress",
                egress * ep,
                f"{num(egress)} GiB x {num(ep)} USD/GiB"
                + _zero_note("owned.egress.usd-per-gib", ep),
                "owned.egress.usd-per-gib",
            )
        )
    items.extend(fixed)
    return _Priced(
        tuple(items),
        usd_per_gpu_hour=slope,
        fixed_usd_per_month=total(fixed) if slope is not None else None,
    )


def pool_commitment_items(site: Site, catalogue: Catalogue) -> tuple[LineItem, ...]:
    """The monthly minimum commitment of a leased / GPU-as-a-service pool: a site-level fixed
    cost, paid whether or not workloads use it (GPU-hours inside it are already paid for)."""
    gp = site.gpu_pool_cost
    if gp is None or gp.mode is GpuPoolMode.OWNED or gp.min_gpu_hours_per_month <= 0:
        return ()
    types = sorted(site.capacity.gpus) if site.capacity is not None else []
    p, src = leased_usd_per_gpu_hour(site, catalogue, types[0] if types else "")
    if p is None:
        return ()
    return (
        item(
            "minimum commitment",
            gp.min_gpu_hours_per_month * p,
            f"{num(gp.min_gpu_hours_per_month)} GPU-h x {num(p)} USD/GPU-h",
            f"sites.{site.name}.cost.gpu_pool.min_gpu_hours_per_month",
            src,
        ),
    )


# --------------------------------------------------------------------------- options


def site_options(site: Site) -> tuple[PricingOption, ...]:
    """The pricing options a site sells."""
    if site.kind is SiteKind.CLOUD:
        return site.cloud_cost.options if site.cloud_cost is not None else ()
    if site.kind is SiteKind.GPU_POOL:
        gp = site.gpu_pool_cost
        if gp is not None and gp.mode is not GpuPoolMode.OWNED:
            return (PricingOption.LEASED,)
    return (PricingOption.OWNED,)


def _price(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    *,
    settings: Settings,
    option: PricingOption,
    rates: Mapping[str, OwnedRates] | None,
) -> _Priced:
    if site.kind is SiteKind.CLOUD:
        return _cloud(workload, request, site, catalogue, option)
    if option is PricingOption.LEASED:
        return _leased(workload, request, site, catalogue)
    r = rates.get(site.name) if rates is not None else None
    if r is None:
        r = memo_by_identity(
            "owned_rates",
            (site, catalogue),
            (settings.discount_rate_pct,),
            lambda: owned_rates(site, catalogue, settings),
        )
    return _owned(workload, request, site, catalogue, r)


def price_on(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    *,
    settings: Settings,
    option: PricingOption,
    rates: Mapping[str, OwnedRates] | None = None,
) -> tuple[LineItem, ...]:
    """The line items of running ``workload`` on ``site`` with ``option``, ignoring
    eligibility (used for the current placement's cost). Empty when it cannot be priced."""
    if _physical_reason(request, site) is not None:
        return ()
    return _price(
        workload, request, site, catalogue, settings=settings, option=option, rates=rates
    ).items


# --------------------------------------------------------------------------- migration


def baseline_option(site: Site, current_option: PricingOption | None = None) -> PricingOption:
    """What a workload pays today at ``site``: its declared ``current_option`` when given,
    else on-demand in the cloud (the usual starting point of a review), owned or leased
    capacity elsewhere."""
    if current_option is not None:
        return current_option
    if site.kind is SiteKind.CLOUD:
        opts = site_options(site)
        return PricingOption.ON_DEMAND if PricingOption.ON_DEMAND in opts or not opts else opts[0]
    return site_options(site)[0]


def migration_items(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    settings: Settings,
    *,
    current: Site | None,
    rates: Mapping[str, OwnedRates] | None = None,
) -> tuple[LineItem, ...]:
    """One-off cost of moving ``workload`` from its current site to ``site``: dataset egress
    priced by the SOURCE site, engineering effort, and double running at the current cost
    (the declared size on the current site's baseline option, see ``baseline_option``)."""
    if workload.current_site is None or workload.current_site == site.name:
        return ()
    out: list[LineItem] = []
    gib = workload.data.dataset_gib
    if current is None:
        out.append(
            item(
                "dataset egress",
                0.0,
                f"not priced: current site {workload.current_site} not supplied",
            )
        )
    elif gib > 0:
        if current.kind is SiteKind.CLOUD:
            out.extend(
                egress_items(
                    current,
                    catalogue,
                    gib,
                    per="GiB once",
                    label=f"dataset egress from {current.name}",
                )
            )
        else:
            p = catalogue.value("owned.egress.usd-per-gib", current.price_overrides)
            out.append(
                item(
                    f"dataset egress from {current.name}",
                    gib * p,
                    f"{num(gib)} GiB x {num(p)} USD/GiB",
                    "owned.egress.usd-per-gib",
                )
            )
    out.append(
        item(
            "engineering",
            settings.engineering_usd_per_move,
            f"{num(settings.engineering_usd_per_move)} USD per move",
            "settings.engineering_usd_per_move",
        )
    )
    months = settings.double_running_months
    if current is not None and months > 0:
        opt = baseline_option(current, workload.current_option)
        # what runs there today: the declared size, not the right-sized request
        cur = current
        monthly = memo_by_identity(
            "current",
            (workload, cur, catalogue, settings),
            (),
            lambda: total(
                price_on(
                    workload,
                    workload.resources,
                    cur,
                    catalogue,
                    settings=settings,
                    option=opt,
                    rates=rates,
                )
            ),
        )
        out.append(
            item(
                "double running",
                months * monthly,
                f"{num(months)} months x {num(monthly)} USD/month at {current.name} ({opt.value})",
                "settings.double_running_months",
            )
        )
    return tuple(out)


# --------------------------------------------------------------------------- entry point


def offers_for(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    settings: Settings,
    *,
    current: Site | None = None,
    rates: Mapping[str, OwnedRates] | None = None,
) -> tuple[Offer, ...]:
    """Every pricing option of ``site`` for ``workload``, eligible or not (with a reason).

    ``request`` is the per-replica request; cost covers all replicas (or, for training, all
    ``gpu_hours_per_month``). ``current`` is the workload's current site, needed to price a
    move (egress of the dataset from it and double running there). ``rates`` may carry
    precomputed ``owned_rates`` by site name (a speed-up for large fleets)."""
    problems = check_settings(settings, catalogue) + check_site(site, catalogue)
    raise_if(problems, f"invalid cost inputs for site {site.name}")
    usage = usage_of(workload, request)
    site_reason = _site_reason(workload, request, site, settings)
    physical = _physical_reason(request, site)
    mig: tuple[LineItem, ...] | None = None
    offers: list[Offer] = []
    for option in site_options(site):
        base = Offer(
            workload=workload.name,
            site=site.name,
            option=option,
            usd_per_month=0.0,
            line_items=(),
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
        priced = _price(
            workload, request, site, catalogue, settings=settings, option=option, rates=rates
        )
        if priced.reason is not None:
            offers.append(replace(base, reason=priced.reason))
            continue
        if mig is None:
            mig = migration_items(
                workload, request, site, catalogue, settings, current=current, rates=rates
            )
        u = dict(usage)
        if priced.usd_per_gpu_hour is not None:
            u["usd_per_gpu_hour"] = priced.usd_per_gpu_hour
            u["fixed_usd_per_month"] = priced.fixed_usd_per_month or 0.0
        reason = site_reason or _option_reason(workload, request, option)
        offers.append(
            Offer(
                workload=workload.name,
                site=site.name,
                option=option,
                usd_per_month=total(priced.items),
                line_items=priced.items,
                migration_usd=total(mig),
                migration_items=mig,
                instance_type=priced.instance_type,
                eligible=reason is None,
                reason=reason,
                usage=u,
            )
        )
    return tuple(offers)


def owned_rates_by_site(
    sites: tuple[Site, ...], catalogue: Catalogue, settings: Settings
) -> dict[str, OwnedRates]:
    """``owned_rates`` of every owned site, to pass to ``offers_for(rates=...)``."""
    out: dict[str, OwnedRates] = {}
    for s in sites:
        if s.kind is SiteKind.CLOUD:
            continue
        if s.kind is SiteKind.GPU_POOL and site_options(s) != (PricingOption.OWNED,):
            continue
        out[s.name] = owned_rates(s, catalogue, settings)
    return out
