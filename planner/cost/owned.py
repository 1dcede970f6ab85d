"""Owned capacity (colo / on-prem Kubernetes, owned GPU pools) as effective unit rates.

The estate's monthly cost, per node class ``k`` (count ``n_k``, capex ``C_k`` per node, power
``kW_k`` per node), with ``M`` depreciation months:

* capex: straight line ``n_k C_k / M``; or annuity ``n_k C_k r / (1 - (1 + r)^-M)`` with the
  monthly rate ``r = (1 + i)^(1/12) - 1`` from the annual discount rate ``i``;
* power: colo ``n_k kW_k x USD/kW-month`` (contracted IT kW, cooling included, so no PUE),
  or metered ``n_k kW_k x PUE x USD/kWh x 730 h`` (nameplate kW: an upper bound);
* support: ``n_k C_k x support % / 12``;
* space and labour: site totals, allocated to node classes by capex share.

``cost_basis: marginal`` keeps only the power term (spare capacity is already paid for;
capex, space, labour and support are sunk). For per-kW-month colo, power is contracted and
strictly sunk too; we keep it as a conservative proxy of the incremental cost.

**Split rule.** Each node class's monthly cost is split between CPU, memory and GPUs in
proportion to what the same resources cost on demand in the cloud: per-vCPU ``c`` and
per-GiB ``g`` hourly prices solve ``vcpu_G c + mem_G g = P_G`` and ``vcpu_M c + mem_M g = P_M``
for the catalogue's reference general-purpose and memory instances (m6i.xlarge, r6i.xlarge
in us-east-1 -> c = 0.033 USD/vCPU-h, g = 0.00375 USD/GiB-h, a vCPU weighs as 8.8 GiB), and a
GPU of type ``t`` weighs ``(P_t - vcpu_t c - mem_t g) / gpus_t`` from its reference instance
(p5.48xlarge for h100: 10.538 USD/GPU-h). On a **gpu-pool** site the whole cost of a GPU node
is put on its GPUs: host CPUs and memory cannot be rented out separately.

Effective rates divide each resource's share by the capacity used at the target
utilisation ``u`` (for a GPU pool: the realised utilisation if given):
``USD/core-h = cpu share / (cores x u x 730)``, and likewise per GiB-hour and GPU-hour.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from planner.catalogue import Catalogue
from planner.cost.common import H, check_site, item, num, price, raise_if, site_problem, total
from planner.errors import InputError, Problem
from planner.model import (
    Amortisation,
    CostBasis,
    GpuPoolMode,
    LineItem,
    NodeClass,
    OwnedCost,
    PowerBilling,
    Settings,
    Site,
    SiteKind,
)


@dataclass(frozen=True, slots=True)
class SplitWeights:
    """Reference on-demand USD per vCPU-hour, GiB-hour and GPU-hour (by type)."""

    usd_per_vcpu_hour: float
    usd_per_gib_hour: float
    usd_per_gpu_hour: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class OwnedRates:
    """Effective rates of one owned site, and the monthly estate cost behind them."""

    site: str
    basis: CostBasis
    utilisation: float
    usd_per_month: float
    """Monthly cost of the whole estate under ``basis`` (sum of ``items``)."""
    usd_per_core_hour: float
    usd_per_gib_hour: float
    usd_per_gpu_hour: Mapping[str, float]
    items: tuple[LineItem, ...]
    """The estate's monthly cost, line by line (capex, power, space, labour, support)."""
    capacity: Mapping[str, float]
    """Physical capacity from the node classes: ``cpu``, ``memory_gib``, ``gpus:<type>``."""
    shares: Mapping[str, float]
    """Monthly USD attributed to ``cpu``, ``memory_gib`` and ``gpus:<type>``."""
    node_classes: tuple[NodeClass, ...] = ()

    def usd_per_gpu_hour_at(self, utilisation: float, gpu_type: str) -> float:
        """The GPU rate if the pool ran at ``utilisation`` instead (rates scale as 1/u)."""
        return self.usd_per_gpu_hour[gpu_type] * self.utilisation / utilisation


def split_weights(catalogue: Catalogue) -> SplitWeights:
    """Solve the reference prices for USD per vCPU-hour and per GiB-hour (see module doc)."""
    rule = catalogue.split
    region = rule.reference_region
    g_inst = catalogue.instances[rule.general]
    m_inst = catalogue.instances[rule.memory]
    p_g = catalogue.prices[f"{rule.general}.{region}.on-demand"].value
    p_m = catalogue.prices[f"{rule.memory}.{region}.on-demand"].value
    det = g_inst.vcpu * m_inst.memory_gib - m_inst.vcpu * g_inst.memory_gib
    if det == 0:  # parse_catalogue rejects this; kept for hand-built catalogues
        raise InputError(
            [
                Problem(
                    catalogue.origin or "catalogue",
                    0,
                    0,
                    "split.memory",
                    f"{rule.memory} has the same GiB per vCPU as {rule.general}, so CPU and "
                    f"memory prices cannot be told apart",
                    "name a memory-optimised instance (such as aws.r6i.xlarge) as split.memory",
                )
            ],
            message=f"invalid price catalogue {catalogue.origin}",
        )
    c = (p_g * m_inst.memory_gib - p_m * g_inst.memory_gib) / det
    g = (g_inst.vcpu * p_m - m_inst.vcpu * p_g) / det
    gpu: dict[str, float] = {}
    for gpu_type, ikey in rule.gpu.items():
        inst = catalogue.instances[ikey]
        p = catalogue.prices[f"{ikey}.{region}.on-demand"].value
        gpu[gpu_type] = max(p - inst.vcpu * c - inst.memory_gib * g, 0.0) / max(inst.gpus, 1)
    return SplitWeights(usd_per_vcpu_hour=c, usd_per_gib_hour=g, usd_per_gpu_hour=gpu)


def owned_inputs(site: Site) -> OwnedCost | None:
    """The owned-cost inputs of a site (kubernetes: ``cost.owned``; gpu-pool in owned mode:
    ``cost.gpu_pool.owned``)."""
    if site.kind is SiteKind.GPU_POOL:
        gp = site.gpu_pool_cost
        if gp is None:
            return OwnedCost()
        if gp.mode is not GpuPoolMode.OWNED:
            return None
        return gp.owned or OwnedCost()
    if site.kind is SiteKind.KUBERNETES:
        return site.owned_cost or OwnedCost()
    return None


def default_node_classes(site: Site, catalogue: Catalogue) -> tuple[NodeClass, ...]:
    """Node classes for a site that gives capacity but no node classes: GPU nodes of the
    catalogue's default shape per GPU type, then general-purpose nodes for the remaining
    cores (rounded up)."""
    cap = site.capacity
    if cap is None:
        raise InputError(
            [
                site_problem(
                    site,
                    "cost",
                    "owned site without node classes or capacity",
                    "list node_classes under cost.owned (or give capacity)",
                )
            ],
            message=f"cannot price owned site {site.name}",
        )
    out: list[NodeClass] = []
    cpu_left = cap.cpu
    for gpu_type, count in sorted(cap.gpus.items()):
        shape = next((n for n in catalogue.node_defaults.values() if n.gpu_type == gpu_type), None)
        if shape is None:
            raise InputError(
                [
                    site_problem(
                        site,
                        "capacity.gpus",
                        f"no default {gpu_type} node in catalogue {catalogue.version}",
                        "list node_classes under cost.owned",
                    )
                ],
                message=f"cannot price owned site {site.name}",
            )
        n = math.ceil(count / max(shape.gpus, 1))
        out.append(
            NodeClass(
                name=shape.name,
                count=n,
                cpu=shape.cpu,
                memory_gib=shape.memory_gib,
                capex_usd=price(
                    catalogue,
                    f"owned.node.{shape.name}.capex-usd",
                    site,
                    needed_for="default GPU node",
                ),
                power_kw=price(
                    catalogue,
                    f"owned.node.{shape.name}.power-kw",
                    site,
                    needed_for="default GPU node",
                ),
                gpus=shape.gpus,
                gpu_type=gpu_type,
            )
        )
        cpu_left -= n * shape.cpu
    gp_shape = catalogue.node_defaults.get("general-purpose")
    if cpu_left > 0 and gp_shape is not None:
        out.append(
            NodeClass(
                name=gp_shape.name,
                count=math.ceil(cpu_left / gp_shape.cpu),
                cpu=gp_shape.cpu,
                memory_gib=gp_shape.memory_gib,
                capex_usd=price(
                    catalogue,
                    "owned.node.general-purpose.capex-usd",
                    site,
                    needed_for="default node",
                ),
                power_kw=price(
                    catalogue,
                    "owned.node.general-purpose.power-kw",
                    site,
                    needed_for="default node",
                ),
            )
        )
    return tuple(out)


def _site_total(value: float, fld: str, what: str) -> str:
    """Formula of a site-level monthly total; a 0 (the default when the site gives none) says
    so, because there is no catalogue default for space or labour."""
    if value == 0:
        return f"0 USD/month (none given: set {fld} for {what})"
    return f"{num(value)} USD/month"


def _monthly_rate(annual_pct: float) -> float:
    return float((1 + annual_pct / 100) ** (1 / 12) - 1)


def amortised_usd_per_month(
    capex_usd: float, months: int, amortisation: Amortisation, discount_rate_pct: float
) -> float:
    """Monthly capital charge: ``capex / months`` (straight line) or the annuity payment."""
    if amortisation is Amortisation.ANNUITY:
        r = _monthly_rate(discount_rate_pct)
        if r > 0:
            return capex_usd * r / (1 - (1 + r) ** -months)
    return capex_usd / months


def owned_rates(
    site: Site,
    catalogue: Catalogue,
    settings: Settings | None = None,
    *,
    utilisation: float | None = None,
) -> OwnedRates:
    """Effective USD per core-hour, GiB-hour and GPU-hour of an owned site.

    ``utilisation`` overrides the site's (target or realised) utilisation, for what-if and
    break-even curves. Raises ``InputError`` for bad inputs (negative prices, 0 months, a
    utilisation outside (0, 1])."""
    raise_if(check_site(site, catalogue), f"invalid cost inputs for site {site.name}")
    oc = owned_inputs(site)
    if oc is None:
        raise InputError(
            [
                site_problem(
                    site,
                    "kind",
                    "not an owned site",
                    "owned rates need a kubernetes site or a gpu-pool in owned mode",
                )
            ],
            message=f"site {site.name} has no owned capacity",
        )
    u = utilisation if utilisation is not None else site.target_utilisation
    if site.kind is SiteKind.GPU_POOL and utilisation is None and site.gpu_pool_cost is not None:
        u = site.gpu_pool_cost.realised_utilisation or u
    if not 0 < u <= 1:
        raise InputError(
            [
                site_problem(
                    site,
                    "target_utilisation",
                    f"utilisation {u:g} is outside (0, 1]",
                    "give a fraction such as 0.75",
                )
            ],
            message=f"invalid utilisation for site {site.name}",
        )
    part = "gpu_pool.owned" if site.kind is SiteKind.GPU_POOL else "owned"
    s = f"sites.{site.name}.cost.{part}"
    ovr = site.price_overrides

    def param(value: float | None, key: str, fld: str) -> tuple[float, str]:
        if value is not None:
            return float(value), f"{s}.{fld}"
        return catalogue.value(key, ovr), key

    classes = oc.node_classes or default_node_classes(site, catalogue)
    months_f, months_src = param(
        float(oc.depreciation_months) if oc.depreciation_months is not None else None,
        "owned.depreciation-months",
        "depreciation_months",
    )
    months = round(months_f)
    if months < 1:
        raise InputError(
            [
                site_problem(
                    site,
                    "cost.owned.depreciation_months",
                    f"depreciation of {months} months",
                    "amortise over at least 1 month",
                )
            ],
            message=f"invalid cost inputs for site {site.name}",
        )
    rate_default = settings.discount_rate_pct if settings is not None else None
    if oc.discount_rate_pct is not None:
        rate_pct, rate_src = oc.discount_rate_pct, f"{s}.discount_rate_pct"
    elif rate_default is not None:
        rate_pct, rate_src = rate_default, "settings.discount_rate_pct"
    else:
        rate_pct, rate_src = (
            catalogue.value("owned.discount-rate-pct", ovr),
            "owned.discount-rate-pct",
        )
    support_pct, support_src = param(
        oc.support_pct_of_capex_per_year,
        "owned.support-pct-of-capex-per-year",
        "support_pct_of_capex_per_year",
    )
    if oc.power_billing is PowerBilling.PER_KW_MONTH:
        kw_price, kw_src = param(
            oc.colo_usd_per_kw_month, "owned.colo-usd-per-kw-month", "colo_usd_per_kw_month"
        )
        pue, pue_src, kwh_price, kwh_src = 1.0, "", 0.0, ""
    else:
        pue, pue_src = param(oc.pue, "owned.pue", "pue")
        kwh_price, kwh_src = param(oc.usd_per_kwh, "owned.usd-per-kwh", "usd_per_kwh")
        kw_price, kw_src = 0.0, ""

    capex_total = math.fsum(nc.count * nc.capex_usd for nc in classes)
    kw_total = math.fsum(nc.count * nc.power_kw for nc in classes)
    annuity = oc.amortisation is Amortisation.ANNUITY

    def power_of(kw: float) -> float:
        if oc.power_billing is PowerBilling.PER_KW_MONTH:
            return kw * kw_price
        return kw * pue * kwh_price * H

    marginal = oc.cost_basis is CostBasis.MARGINAL
    per_class: list[float] = []
    for nc in classes:
        capex_k = nc.count * nc.capex_usd
        cost_k = power_of(nc.count * nc.power_kw)
        if not marginal:
            share = capex_k / capex_total if capex_total > 0 else 1 / len(classes)
            cost_k += amortised_usd_per_month(capex_k, months, oc.amortisation, rate_pct)
            cost_k += capex_k * support_pct / 100 / 12
            cost_k += (oc.space_usd_per_month + oc.labour_usd_per_month) * share
        per_class.append(cost_k)

    # --- the estate's monthly cost, line by line
    capex_usd = amortised_usd_per_month(capex_total, months, oc.amortisation, rate_pct)
    power_usd = power_of(kw_total)
    classes_txt = " + ".join(f"{nc.count} x {num(nc.capex_usd)} USD ({nc.name})" for nc in classes)
    kw_txt = " + ".join(f"{nc.count} x {num(nc.power_kw)} kW" for nc in classes)
    if annuity:
        capex_formula = (
            f"annuity of ({classes_txt}) = {num(capex_total)} USD over {months} "
            f"months at {num(rate_pct)} %/yr"
        )
    else:
        capex_formula = f"({classes_txt}) = {num(capex_total)} USD / {months} months"
    if oc.power_billing is PowerBilling.PER_KW_MONTH:
        power_formula = f"({kw_txt}) = {num(kw_total)} kW x {num(kw_price)} USD/kW-month"
        if oc.pue is not None:
            power_formula += " (PUE not applied: the colo kW price includes cooling)"
        power_src: tuple[str, ...] = (f"{s}.node_classes", kw_src)
    else:
        power_formula = (
            f"({kw_txt}) = {num(kw_total)} kW x PUE {num(pue)} x {num(kwh_price)} USD/kWh x 730 h"
        )
        power_src = (f"{s}.node_classes", pue_src, kwh_src)
    zero = "0 (sunk under cost_basis: marginal)"
    items = (
        item(
            "capex (amortised)",
            0.0 if marginal else capex_usd,
            zero if marginal else capex_formula,
            f"{s}.node_classes",
            months_src,
            *((rate_src,) if annuity else ()),
        ),
        item("power", power_usd, power_formula, *power_src),
        item(
            "space",
            0.0 if marginal else oc.space_usd_per_month,
            zero
            if marginal
            else _site_total(
                oc.space_usd_per_month, "space_usd_per_month", "racks, cross-connects or rent"
            ),
            f"{s}.space_usd_per_month",
        ),
        item(
            "labour",
            0.0 if marginal else oc.labour_usd_per_month,
            zero
            if marginal
            else _site_total(
                oc.labour_usd_per_month,
                "labour_usd_per_month",
                "the staff share that runs the site",
            ),
            f"{s}.labour_usd_per_month",
        ),
        item(
            "support",
            0.0 if marginal else capex_total * support_pct / 100 / 12,
            zero if marginal else f"{num(capex_total)} USD x {num(support_pct)} %/yr / 12",
            support_src,
        ),
    )

    # --- split each class's cost into resources, then divide by used capacity
    weights = split_weights(catalogue)
    gpu_pool = site.kind is SiteKind.GPU_POOL
    shares: dict[str, float] = {"cpu": 0.0, "memory_gib": 0.0}
    capacity: dict[str, float] = {"cpu": 0.0, "memory_gib": 0.0}
    for nc, cost_k in zip(classes, per_class, strict=True):
        capacity["cpu"] += nc.count * nc.cpu
        capacity["memory_gib"] += nc.count * nc.memory_gib
        w_cpu = nc.cpu * weights.usd_per_vcpu_hour
        w_mem = nc.memory_gib * weights.usd_per_gib_hour
        w_gpu = 0.0
        gkey = ""
        if nc.gpus > 0 and nc.gpu_type:
            gkey = f"gpus:{nc.gpu_type}"
            capacity[gkey] = capacity.get(gkey, 0.0) + nc.count * nc.gpus
            shares.setdefault(gkey, 0.0)
            if gpu_pool:
                w_cpu = w_mem = 0.0
                w_gpu = 1.0
            else:
                ref = weights.usd_per_gpu_hour.get(nc.gpu_type)
                if ref is None:
                    raise InputError(
                        [
                            site_problem(
                                site,
                                "cost.owned.node_classes",
                                f"no reference cloud price for GPU type {nc.gpu_type!r} "
                                f"to split node cost by",
                                "add the type under `split.gpu` in the catalogue",
                            )
                        ],
                        message=f"cannot price owned site {site.name}",
                    )
                w_gpu = nc.gpus * ref
        w_sum = w_cpu + w_mem + w_gpu
        if w_sum <= 0:
            continue
        shares["cpu"] += cost_k * w_cpu / w_sum
        shares["memory_gib"] += cost_k * w_mem / w_sum
        if gkey:
            shares[gkey] += cost_k * w_gpu / w_sum

    def rate(res: str) -> float:
        cap = capacity.get(res, 0.0)
        return shares.get(res, 0.0) / (cap * u * H) if cap > 0 else 0.0

    return OwnedRates(
        site=site.name,
        basis=oc.cost_basis,
        utilisation=u,
        usd_per_month=total(items),
        usd_per_core_hour=rate("cpu"),
        usd_per_gib_hour=rate("memory_gib"),
        usd_per_gpu_hour={
            k.split(":", 1)[1]: rate(k) for k in sorted(capacity) if k.startswith("gpus:")
        },
        items=items,
        capacity=capacity,
        shares=shares,
        node_classes=tuple(classes),
    )


def breakeven_utilisation(
    site: Site,
    catalogue: Catalogue,
    rent_usd_per_gpu_hour: float,
    *,
    gpu_type: str | None = None,
    settings: Settings | None = None,
) -> float:
    """The utilisation at which owning a GPU costs as much per used GPU-hour as renting it.

    Owned USD/GPU-h at utilisation ``u`` is ``S / (N x u x 730)`` (GPU share ``S`` of the
    monthly cost, ``N`` GPUs), so it equals the rent ``R`` at ``u* = S / (N x 730 x R)``.
    Above ``u*`` owning is cheaper. A result above 1 means renting always wins."""
    rates = owned_rates(site, catalogue, settings, utilisation=1.0)
    types = sorted(rates.usd_per_gpu_hour)
    if not types:
        raise InputError(
            [
                site_problem(
                    site, "capacity.gpus", "site has no GPUs", "break-even needs GPU node classes"
                )
            ],
            message=f"no GPUs at site {site.name}",
        )
    t = gpu_type or types[0]
    if t not in rates.usd_per_gpu_hour:
        raise InputError(
            [
                site_problem(
                    site, "capacity.gpus", f"no {t} GPUs at site", f"pick one of {', '.join(types)}"
                )
            ],
            message=f"no {t} GPUs at site {site.name}",
        )
    if rent_usd_per_gpu_hour <= 0:
        return math.inf
    return rates.usd_per_gpu_hour[t] / rent_usd_per_gpu_hour
