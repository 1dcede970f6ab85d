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
strictly sunk too; we keep it as a conservative proxy of the incremental cost. The basis
changes what a workload is charged, never what the estate costs: the plan's totals carry
the whole estate (``planner.cost.estates``), the uncharged rest as idle owned capacity.

``racks_and_power_paid``: the servers go into racks and contracted power already paid for,
so space and per-kW-month power are 0 (metered per-kWh energy is still incremental).

**Split rule** (``planner.cost.split``). Each node class's monthly cost is split between CPU,
memory and GPUs in proportion to what the same resources cost on demand in the cloud. On a
**gpu-pool** site the whole cost of a GPU node is put on its GPUs: host CPUs and memory
cannot be rented out separately.

Effective rates divide each resource's share by the capacity used at the target
utilisation ``u`` (for a GPU pool: the realised utilisation if given):
``USD/core-h = cpu share / (cores x u x 730)``, and likewise per GiB-hour and GPU-hour.

Exact: rates are ``Decimal``; each line of the estate's cost is rounded to the cent once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from planner.catalogue import Catalogue
from planner.cost.common import (
    HOURS,
    PCT,
    check_site,
    raise_if,
    site_problem,
    total,
)
from planner.cost.estate import (
    CAPEX_LINE,
    MONTHS_PER_YEAR,
    amortised_usd_per_month,
    estate_items,
    power_formula,
)
from planner.cost.nodes import node_classes, owned_inputs
from planner.cost.split import split_weights
from planner.errors import InputError
from planner.model import (
    Amortisation,
    CostBasis,
    LineItem,
    NodeClass,
    PowerBilling,
    Settings,
    Site,
    SiteKind,
)
from planner.money import Money, decimal_of


@dataclass(frozen=True, slots=True)
class OwnedRates:
    """Effective rates of one owned site, and the monthly estate cost behind them."""

    site: str
    basis: CostBasis
    utilisation: float
    per_month: Money
    """Monthly cost of the whole estate under ``basis`` (sum of ``items``)."""
    usd_per_core_hour: Decimal
    usd_per_gib_hour: Decimal
    usd_per_gpu_hour: Mapping[str, Decimal]
    items: tuple[LineItem, ...]
    """The estate's monthly cost, line by line (capex, power, space, labour, support)."""
    capacity: Mapping[str, float]
    """Physical capacity from the node classes: ``cpu``, ``memory_gib``, ``gpus:<type>``."""
    shares: Mapping[str, Decimal]
    """Monthly USD attributed to ``cpu``, ``memory_gib`` and ``gpus:<type>`` (unrounded: the
    numerators of the rates)."""
    node_classes: tuple[NodeClass, ...] = ()
    depreciation_months: int = 0
    """Months the hardware is amortised over (the site's, else the catalogue's)."""

    @property
    def capex_per_month(self) -> Money:
        """The amortised capital charge among ``items`` (0 on the marginal basis)."""
        cur = self.per_month.currency
        return Money.total((i.amount for i in self.items if i.name == CAPEX_LINE), cur)

    @property
    def run_per_month(self) -> Money:
        """Everything but the capital charge: power, space, labour, support."""
        return self.per_month - self.capex_per_month

    def usd_per_gpu_hour_at(self, utilisation: float, gpu_type: str) -> Decimal:
        """The GPU rate if the pool ran at ``utilisation`` instead (rates scale as 1/u)."""
        return (
            self.usd_per_gpu_hour[gpu_type] * decimal_of(self.utilisation) / decimal_of(utilisation)
        )


def _not_owned(site: Site) -> InputError:
    return InputError(
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


def _utilisation(site: Site, utilisation: float | None) -> float:
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
    return u


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
        raise _not_owned(site)
    u = _utilisation(site, utilisation)
    cur = catalogue.currency
    part = "gpu_pool.owned" if site.kind is SiteKind.GPU_POOL else "owned"
    s = f"sites.{site.name}.cost.{part}"
    ovr = site.price_overrides

    def param(value: float | None, key: str, fld: str) -> tuple[Decimal, str]:
        if value is not None:
            return decimal_of(value), f"{s}.{fld}"
        return catalogue.value(key, ovr), key

    classes = node_classes(site, oc, catalogue)
    months_d, months_src = param(
        oc.depreciation_months, "owned.depreciation-months", "depreciation_months"
    )
    months = round(months_d)
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
        rate_pct, rate_src = decimal_of(oc.discount_rate_pct), f"{s}.discount_rate_pct"
    elif rate_default is not None:
        rate_pct, rate_src = decimal_of(rate_default), "settings.discount_rate_pct"
    else:
        rate_pct = catalogue.value("owned.discount-rate-pct", ovr)
        rate_src = "owned.discount-rate-pct"
    support_pct, support_src = param(
        oc.support_pct_of_capex_per_year,
        "owned.support-pct-of-capex-per-year",
        "support_pct_of_capex_per_year",
    )
    zero = Decimal(0)
    if oc.power_billing is PowerBilling.PER_KW_MONTH:
        kw_price, kw_src = param(
            oc.colo_usd_per_kw_month, "owned.colo-usd-per-kw-month", "colo_usd_per_kw_month"
        )
        pue, pue_src, kwh_price, kwh_src = Decimal(1), "", zero, ""
    else:
        pue, pue_src = param(oc.pue, "owned.pue", "pue")
        kwh_price, kwh_src = param(oc.usd_per_kwh, "owned.usd-per-kwh", "usd_per_kwh")
        kw_price, kw_src = zero, ""
    space, labour = decimal_of(oc.space_usd_per_month), decimal_of(oc.labour_usd_per_month)
    if oc.racks_and_power_paid:
        # the servers go into racks and contracted power already paid: not charged to them
        space = zero
        if oc.power_billing is PowerBilling.PER_KW_MONTH:
            kw_price, kw_src = zero, f"{s}.racks_and_power_paid"

    capex_total = sum((nc.count * decimal_of(nc.capex_usd) for nc in classes), zero)
    kw_total = sum((nc.count * decimal_of(nc.power_kw) for nc in classes), zero)
    annuity = oc.amortisation is Amortisation.ANNUITY

    def power_of(kw: Decimal) -> Decimal:
        if oc.power_billing is PowerBilling.PER_KW_MONTH:
            return kw * kw_price
        return kw * pue * kwh_price * HOURS

    marginal = oc.cost_basis is CostBasis.MARGINAL
    per_class: list[Decimal] = []
    for nc in classes:
        capex_k = nc.count * decimal_of(nc.capex_usd)
        cost_k = power_of(nc.count * decimal_of(nc.power_kw))
        if not marginal:
            share = capex_k / capex_total if capex_total > 0 else Decimal(1) / len(classes)
            cost_k += amortised_usd_per_month(capex_k, months, oc.amortisation, rate_pct)
            cost_k += capex_k * support_pct / PCT / MONTHS_PER_YEAR
            cost_k += (space + labour) * share
        per_class.append(cost_k)

    items = estate_items(
        s=s,
        classes=classes,
        marginal=marginal,
        annuity=annuity,
        capex=(
            capex_total,
            amortised_usd_per_month(capex_total, months, oc.amortisation, rate_pct),
        ),
        months=(months, months_src),
        rate=(rate_pct, rate_src),
        power=(
            power_of(kw_total),
            power_formula(
                oc, classes, kw_total=kw_total, kw_price=kw_price, pue=pue, kwh_price=kwh_price
            ),
        ),
        power_src=(
            (f"{s}.node_classes", kw_src)
            if oc.power_billing is PowerBilling.PER_KW_MONTH
            else (f"{s}.node_classes", pue_src, kwh_src)
        ),
        space=space,
        labour=labour,
        support=(support_pct, support_src),
        currency=cur,
    )
    shares, capacity = _split(site, classes, per_class, catalogue)
    uu = decimal_of(u)

    def rate(res: str) -> Decimal:
        cap = capacity.get(res, 0.0)
        return shares.get(res, zero) / (decimal_of(cap) * uu * HOURS) if cap > 0 else zero

    return OwnedRates(
        site=site.name,
        basis=oc.cost_basis,
        utilisation=u,
        per_month=total(items, cur),
        usd_per_core_hour=rate("cpu"),
        usd_per_gib_hour=rate("memory_gib"),
        usd_per_gpu_hour={
            k.split(":", 1)[1]: rate(k) for k in sorted(capacity) if k.startswith("gpus:")
        },
        items=items,
        capacity=capacity,
        shares=shares,
        node_classes=classes,
        depreciation_months=months,
    )


def _split(
    site: Site, classes: tuple[NodeClass, ...], per_class: list[Decimal], catalogue: Catalogue
) -> tuple[dict[str, Decimal], dict[str, float]]:
    """Each class's monthly cost split into resources (the split rule), and the physical
    capacity of the classes."""
    weights = split_weights(catalogue)
    gpu_pool = site.kind is SiteKind.GPU_POOL
    zero = Decimal(0)
    shares: dict[str, Decimal] = {"cpu": zero, "memory_gib": zero}
    capacity: dict[str, float] = {"cpu": 0.0, "memory_gib": 0.0}
    for nc, cost_k in zip(classes, per_class, strict=True):
        capacity["cpu"] += nc.count * nc.cpu
        capacity["memory_gib"] += nc.count * nc.memory_gib
        w_cpu = decimal_of(nc.cpu) * weights.usd_per_vcpu_hour
        w_mem = decimal_of(nc.memory_gib) * weights.usd_per_gib_hour
        w_gpu = zero
        gkey = ""
        if nc.gpus > 0 and nc.gpu_type:
            gkey = f"gpus:{nc.gpu_type}"
            capacity[gkey] = capacity.get(gkey, 0.0) + nc.count * nc.gpus
            shares.setdefault(gkey, zero)
            if gpu_pool:
                w_cpu = w_mem = zero
                w_gpu = Decimal(1)
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
    return shares, capacity


def breakeven_utilisation(
    site: Site,
    catalogue: Catalogue,
    rent_usd_per_gpu_hour: Decimal | float,
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
    rent = decimal_of(rent_usd_per_gpu_hour)
    if rent <= 0:
        return math.inf
    return float(rates.usd_per_gpu_hour[t] / rent)  # a utilisation, not money
