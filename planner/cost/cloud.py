"""Cloud cost: the cheapest instance that fits, per pricing option, plus storage and egress.

For a pricing option ``o`` the hourly price of instance ``i`` in the site's price region is

* on-demand: ``P_i``;
* commit-1y / commit-3y: ``P_i x (1 - d_o)`` with the catalogue's commitment discount
  ``aws.discount.<o>-pct`` (an assumption, see the catalogue), billed every hour of the
  term: for training, whole instances for 730 h a month
  (``ceil(gpu_hours / (730 x GPUs per instance))``), whatever share of them the job uses;
  the solver's slope is that bill over the GPU-hours used (a split share scales it);
* spot: ``S_i`` (mean of the sampled spot prices) plus an interruption overhead
  ``spot.interruption-overhead-pct.<training|service>`` shown as its own line; never offered
  to tier 1 or to workloads with ``allow_spot: false``;
* capacity-block: ``B_i``, GPU instances only.

A negotiated ``discount_pct`` of the site applies to compute, shown as a negative line.

Services: ``instances x 730 h x price``. Replicas are packed ``k`` to an instance (``k`` is
the tightest of vCPUs, memory and GPUs of the requested type over the per-replica request),
``instances = max(ceil(replicas / k), min(replicas, 2))`` - never all replicas on one
instance, which would be a single point of failure - and the instance type with the lowest
total is chosen (ties by name). Tier 1 puts one replica per instance (the hostname
anti-affinity of an HA database): losing an instance loses one replica, so a 3-replica
tier-1 database gets 3 instances, never 2 + 1, which would lose its quorum with one
instance. (A quorum cap such as ``(replicas - 1) // 2`` per instance would let 5 replicas
cost less than 4; one per instance keeps cost monotone in replicas.) The compute line says
how the replicas are laid out (e.g. ``3 replicas as 2 + 1``) and when the tier-1 rule binds.

Training: ``gpu_hours_per_month x price / GPUs per instance`` - linear in the hours so the
solver can split them; ``usage["usd_per_gpu_hour"]``
is that slope and ``usage["fixed_usd_per_month"]`` the rest (storage, checkpoints, egress).

Storage: ``replicas x storage_gib x aws.ebs.gp3.<region>`` (USD/GiB-month); training
checkpoints at ``aws.s3.standard.<region>``. Egress: the monthly volume through the
provider's internet tiers, as if the workload were alone on the account (so each workload
gets the free first tier: a slight underestimate for large accounts).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from planner.catalogue import Catalogue, InstanceType
from planner.cost.common import PCT, item, num, price, site_problem, through_tiers
from planner.errors import InputError
from planner.fx import CODE
from planner.model import LineItem, PricingOption, Resources, Site
from planner.money import Money

if TYPE_CHECKING:
    from planner.cost.cache import PriceCache

INSTANCE_OPTIONS: Mapping[PricingOption, str] = {
    PricingOption.ON_DEMAND: "on-demand",
    PricingOption.COMMIT_1Y: "on-demand",
    PricingOption.COMMIT_3Y: "on-demand",
    PricingOption.SPOT: "spot",
    PricingOption.CAPACITY_BLOCK: "capacity-block",
}


@dataclass(frozen=True, slots=True)
class CloudPrice:
    """The chosen instance and its hourly price for one option (before site discount)."""

    instance: InstanceType
    base_usd_per_hour: Decimal
    usd_per_hour: Decimal
    key: str
    discount_key: str | None = None
    discount_pct: Decimal = Decimal(0)
    count: int = 1
    """Instances needed for all replicas (services); 1 for training."""
    per_instance: int = 1


def fits(inst: InstanceType, request: Resources) -> bool:
    if request.gpus > 0:
        if inst.gpu_type != request.gpu_type or inst.gpus < request.gpus:
            return False
    elif inst.gpus > 0:
        return False
    return inst.vcpu >= request.cpu and inst.memory_gib >= request.memory_gib


def region_instances(site: Site, catalogue: Catalogue) -> tuple[InstanceType, ...]:
    """Instances priced in the site's region; an ``InputError`` naming the site and the
    families when there are none (a missing price is an input error, not a fallback)."""
    region = price_region(site)
    out = catalogue.instances_in(site.provider, region)
    if not any(i.gpus == 0 for i in out):
        fams = ", ".join(f for f in catalogue.families(site.provider)) or "none"
        raise InputError(
            [
                site_problem(
                    site,
                    "cost.cloud.price_region",
                    f"no prices for instance families {fams} in {site.provider} region "
                    f"{region!r} (catalogue {catalogue.version})",
                    "use a priced region, or add prices for the family to the site's "
                    "price_overrides or the catalogue",
                )
            ],
            message=f"missing instance prices for site {site.name}",
        )
    return out


def max_per_instance(replicas: int, tier: int) -> int:
    """The most replicas one instance may hold: all of them, except one for tier 1."""
    return 1 if tier == 1 else replicas


def packing(
    inst: InstanceType, request: Resources, replicas: int, cap: int | None = None
) -> tuple[int, int]:
    """(replicas per instance, instances) for ``replicas`` of ``request`` on ``inst``, at
    most ``cap`` replicas per instance (see ``max_per_instance``)."""
    limits = [
        inst.vcpu / request.cpu if request.cpu > 0 else math.inf,
        inst.memory_gib / request.memory_gib if request.memory_gib > 0 else math.inf,
    ]
    if request.gpus > 0:
        limits.append(inst.gpus / request.gpus)
    fit = min(limits)
    k = replicas if math.isinf(fit) else max(1, min(replicas, int(fit + 1e-9)))
    if cap is not None:
        k = max(1, min(k, cap))
    return k, max(math.ceil(replicas / k), min(replicas, 2))


def layout(replicas: int, count: int) -> str:
    """How ``replicas`` spread over ``count`` instances as evenly as possible: '2 + 1'."""
    base, extra = divmod(replicas, count)
    parts = [base + 1] * extra + [base] * (count - extra)
    return " + ".join(str(p) for p in parts if p > 0)


def choose(
    site: Site,
    catalogue: Catalogue,
    request: Resources,
    option: PricingOption,
    *,
    replicas: int | None = None,
    cap: int | None = None,
    cache: PriceCache | None = None,
) -> tuple[CloudPrice | None, str]:
    """The cheapest fitting instance under ``option``, or ``None`` and the reason.

    With ``replicas`` (services) instances are ranked by the total for all replicas after
    packing at most ``cap`` per instance; without (training) by the price per GPU (or per
    instance for CPU work). With a ``cache``, memoised on everything the answer depends on
    (a pure function; fleets repeat shapes)."""
    if cache is None:
        return _choose(site, catalogue, request, option, replicas=replicas, cap=cap)
    key = choice_key(site, catalogue, request, option, replicas=replicas, cap=cap, cache=cache)
    return cache.cloud_choice(
        key, lambda: _choose(site, catalogue, request, option, replicas=replicas, cap=cap)
    )


def choice_key(
    site: Site,
    catalogue: Catalogue,
    request: Resources,
    option: PricingOption,
    *,
    replicas: int | None,
    cap: int | None,
    cache: PriceCache,
) -> Hashable:
    """The content key of one instance choice in a ``PriceCache``: everything ``choose``'s
    answer depends on (``planner.cost.choose_batch`` fills the same keys)."""
    return (
        catalogue.digest,
        site.provider,
        price_region(site),
        cache.overrides_key(site),
        request,
        option,
        replicas,
        cap,
    )


def _choose(
    site: Site,
    catalogue: Catalogue,
    request: Resources,
    option: PricingOption,
    *,
    replicas: int | None,
    cap: int | None = None,
) -> tuple[CloudPrice | None, str]:
    region = price_region(site)
    insts = region_instances(site, catalogue)
    fitting = [i for i in insts if fits(i, request)]
    if not fitting:
        if request.gpus > 0:
            have = sorted({f"{i.family} ({i.gpu_type})" for i in insts if i.gpus > 0})
            if not any(i.gpu_type == request.gpu_type for i in insts):
                fams = sorted(
                    {
                        i.family
                        for i in catalogue.instances.values()
                        if i.gpu_type == request.gpu_type
                    }
                )
                fam = "/".join(fams) or "no family"
                return None, (
                    f"GPU type {request.gpu_type} absent: no {fam} price in "
                    f"{site.provider} {region} (has {', '.join(have) or 'no GPUs'})"
                )
            return None, (
                f"no {request.gpu_type} instance in {region} fits {request.gpus} GPUs, "
                f"{num(request.cpu)} vCPU, {num(request.memory_gib)} GiB per replica"
            )
        biggest = max((i for i in insts if i.gpus == 0), key=lambda i: (i.memory_gib, i.vcpu))
        return None, (
            f"no instance type in {region} fits {num(request.cpu)} vCPU / "
            f"{num(request.memory_gib)} GiB per replica (largest: {biggest.name}, "
            f"{num(biggest.vcpu)} vCPU / {num(biggest.memory_gib)} GiB)"
        )
    suffix = INSTANCE_OPTIONS[option]
    discount_key, discount = option_discount(site, catalogue, option)
    best: CloudPrice | None = None
    for inst in fitting:
        key = catalogue.instance_price_key(inst, region, suffix)
        if key not in site.price_overrides and key not in catalogue.prices:
            continue
        cand = cloud_price(
            site,
            catalogue,
            inst,
            key,
            request=request,
            discount=(discount_key, discount),
            replicas=replicas,
            cap=cap,
        )
        services = replicas is not None
        if best is None or (rank(cand, request, services=services), inst.key) < (
            rank(best, request, services=services),
            best.instance.key,
        ):
            best = cand
    if best is None:
        names = ", ".join(i.name for i in fitting[:4])
        return None, f"no {suffix} price in {region} for the instances that fit ({names})"
    return best, ""


def cloud_price(
    site: Site,
    catalogue: Catalogue,
    inst: InstanceType,
    key: str,
    *,
    request: Resources,
    discount: tuple[str | None, Decimal],
    replicas: int | None,
    cap: int | None,
) -> CloudPrice:
    """``inst`` priced under ``key`` with the option's ``(discount key, discount %)``; with
    ``replicas`` (services) packed at most ``cap`` per instance."""
    discount_key, pct = discount
    base = price(catalogue, key, site, needed_for=inst.name)
    unit = base * (1 - pct / PCT)
    if replicas is not None:
        k, count = packing(inst, request, replicas, cap)
        return CloudPrice(inst, base, unit, key, discount_key, pct, count, k)
    return CloudPrice(inst, base, unit, key, discount_key, pct)


def option_discount(
    site: Site, catalogue: Catalogue, option: PricingOption
) -> tuple[str | None, Decimal]:
    """The commitment discount of ``option`` (key and %), ``(None, 0)`` for other options."""
    if option in (PricingOption.COMMIT_1Y, PricingOption.COMMIT_3Y):
        key = f"{site.provider}.discount.{option.value}-pct"
        return key, price(catalogue, key, site, needed_for=option.value)
    return None, Decimal(0)


def rank(c: CloudPrice, request: Resources, *, services: bool) -> Decimal:
    """Services pay for whole instances, so they rank by the total for all replicas (a
    1-replica GPU service on the cheapest-per-GPU 8-GPU instance would pay for 8 GPUs);
    training pays per GPU-hour (per instance-hour for CPU work)."""
    if services:
        return c.count * c.usd_per_hour
    return c.usd_per_hour / c.instance.gpus if request.gpus > 0 else c.usd_per_hour


def egress_items(
    site: Site,
    catalogue: Catalogue,
    gib: float,
    *,
    label: str = "egress",
    per: str = "GiB/month",
    cache: PriceCache | None = None,
) -> tuple[LineItem, ...]:
    """Internet egress of ``gib`` per month through the provider's tiers (a site's owned
    egress is a flat ``owned.egress.usd-per-gib``); one line, rounded once. With a
    ``cache``, memoised on what the line depends on (the provider's tiers in the catalogue,
    the site's overrides, the volume and the wording): every cloud option of every site of
    a provider prices a workload's egress alike."""
    if gib <= 0:
        return ()
    if cache is not None and catalogue.egress_tiers(site.provider):
        key = (catalogue.digest, site.provider, cache.overrides_key(site), gib, label, per)
        return cache.egress(key, lambda: _egress_items(site, catalogue, gib, label, per))
    return _egress_items(site, catalogue, gib, label, per)


def _egress_items(
    site: Site, catalogue: Catalogue, gib: float, label: str, per: str
) -> tuple[LineItem, ...]:
    tiers = catalogue.egress_tiers(site.provider)
    if not tiers:
        raise InputError(
            [
                site_problem(
                    site,
                    "provider",
                    f"no egress tiers for provider {site.provider!r}",
                    f"add {site.provider}.egress.internet.tier-<n> to the catalogue",
                )
            ],
            message=f"missing egress prices for site {site.name}",
        )
    t = through_tiers(
        gib, tiers, lambda tier: price(catalogue, tier.key, site, needed_for="egress")
    )
    formula = f"{num(gib)} {per} by tier: " + " + ".join(t.parts) + f" {CODE}/GiB"
    return (item(label, Money.of(t.usd, catalogue.currency), formula, *t.keys),)


def price_region(site: Site) -> str:
    """The catalogue region a cloud site is priced from."""
    if site.cloud_cost is None:
        raise InputError(
            [
                site_problem(
                    site,
                    "cost.cloud",
                    "cloud site without cost inputs",
                    "add `cost: {cloud: {price_region: ...}}`",
                )
            ],
            message=f"cannot price cloud site {site.name}",
        )
    return site.cloud_cost.price_region


def storage_key(site: Site, kind: str) -> str:
    return f"{site.provider}.{kind}.{price_region(site)}"
