"""The line items of a workload on an owned site (at its effective rates, see
``planner.cost.owned``) or a leased / GPU-as-a-service pool (at its contract price), and a
leased pool's minimum commitment. Each line is rounded to the cent once."""

from __future__ import annotations

import functools
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from planner.catalogue import Catalogue
from planner.cost.common import HOURS, item, num, total, unit_price
from planner.cost.owned import OwnedRates
from planner.cost.priced import Priced
from planner.model import GpuPoolMode, LineItem, Resources, Site, SiteKind, Workload
from planner.money import Money, decimal_of, round_to_cents

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

_ZERO = Decimal(0)


def _zero_note(key: str, value: Decimal) -> str:
    return ZERO_OWNED_NOTES.get(key, "") if value == 0 else ""


def _egress_line(
    workload: Workload, site: Site, catalogue: Catalogue, label: str
) -> list[LineItem]:
    egress = workload.data.egress_gib_per_month
    if egress <= 0:
        return []
    p = catalogue.value("owned.egress.usd-per-gib", site.price_overrides)
    return [_egress_item(label, egress, p, str(p), catalogue.currency)]


@functools.lru_cache(maxsize=1 << 12)
def _egress_item(label: str, egress: float, p: Decimal, _p_text: str, currency: str) -> LineItem:
    """Owned transit of ``egress`` GiB a month at ``p`` (memoised: a pure function of its
    arguments, and a fleet repeats volumes on every owned site; ``p`` also as ``str``
    writes it, which the formula keeps and equal Decimals do not tell apart)."""
    return item(
        label,
        Money.of(decimal_of(egress) * p, currency),
        f"{num(egress)} GiB x {unit_price(p)}/GiB" + _zero_note("owned.egress.usd-per-gib", p),
        "owned.egress.usd-per-gib",
    )


@dataclass(frozen=True, slots=True)
class OwnedSite:
    """What ``owned_lines`` writes alike for every workload on one owned site at its rates
    (built once per site by a fleet pricer, per call otherwise)."""

    source: str
    basis: str
    storage_p: Decimal
    per_core_hour: str
    """The CPU rate as the formula writes it (``0.0123 USD/core-h``); likewise memory."""
    per_gib_hour: str
    cpu_name: str
    """The CPU line's name (``cpu (<basis>)``); likewise memory."""
    memory_name: str
    per_storage: str
    """What the storage formula writes after the GiB: the price and its zero note."""


def _per_storage(storage_p: Decimal) -> str:
    return f"{unit_price(storage_p)}/GiB-month" + _zero_note(
        "owned.storage.usd-per-gib-month", storage_p
    )


def owned_site(site: Site, catalogue: Catalogue, rates: OwnedRates) -> OwnedSite:
    """``OwnedSite`` of ``site`` at ``rates``."""
    basis = f"{rates.basis.value} cost at utilisation {num(rates.utilisation)}"
    storage_p = catalogue.value("owned.storage.usd-per-gib-month", site.price_overrides)
    return OwnedSite(
        source=f"owned_rates({site.name})",
        basis=basis,
        storage_p=storage_p,
        per_core_hour=f"{unit_price(rates.usd_per_core_hour)}/core-h",
        per_gib_hour=f"{unit_price(rates.usd_per_gib_hour)}/GiB-h",
        cpu_name=f"cpu ({basis})",
        memory_name=f"memory ({basis})",
        per_storage=_per_storage(storage_p),
    )


@dataclass(frozen=True, slots=True)
class OwnedShape:
    """What ``owned_lines`` computes alike for one workload's request on every owned site:
    core- and GiB-hours a month (``replicas x request x 730 h``, exact) and the formulas'
    quantities."""

    core_hours: Decimal
    gib_hours: Decimal
    cores_text: str
    """``3 x 0.5 cores x 730 h x ``; likewise ``gib_text``."""
    gib_text: str


def owned_shape(workload: Workload, request: Resources) -> OwnedShape:
    """``OwnedShape`` of ``workload`` at ``request``."""
    n = workload.replicas
    return OwnedShape(
        core_hours=n * decimal_of(request.cpu) * HOURS,
        gib_hours=n * decimal_of(request.memory_gib) * HOURS,
        cores_text=f"{n} x {num(request.cpu)} cores x 730 h x ",
        gib_text=f"{n} x {num(request.memory_gib)} GiB x 730 h x ",
    )


def owned_lines(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    rates: OwnedRates,
    *,
    facts: OwnedSite | None = None,
    shape: OwnedShape | None = None,
) -> Priced:
    """CPU, memory and GPUs at the site's effective rates (GPU-hours for training), owned
    storage and transit. ``facts``: ``owned_site(site, catalogue, rates)``, and ``shape``:
    ``owned_shape(workload, request)``, when known."""
    cur = catalogue.currency
    if facts is None:
        facts = owned_site(site, catalogue, rates)
    s, basis, storage_p = facts.source, facts.basis, facts.storage_p
    items: list[LineItem] = []
    fixed: list[LineItem] = []
    tr = workload.training
    slope: Decimal | None = None
    if tr is not None and request.gpus > 0 and request.gpu_type:
        t = request.gpu_type
        per_gpu_cpu = decimal_of(request.cpu) / request.gpus
        per_gpu_mem = decimal_of(request.memory_gib) / request.gpus
        gpu_rate = rates.usd_per_gpu_hour.get(t, _ZERO)
        slope = (
            gpu_rate + per_gpu_cpu * rates.usd_per_core_hour + per_gpu_mem * rates.usd_per_gib_hour
        )
        formula = f"{num(tr.gpu_hours_per_month)} GPU-h x {unit_price(gpu_rate)}/GPU-h"
        if rates.usd_per_core_hour > 0 or rates.usd_per_gib_hour > 0:
            formula += (
                f" + host {num(per_gpu_cpu)} cores x {num(rates.usd_per_core_hour)} "
                f"+ {num(per_gpu_mem)} GiB x {num(rates.usd_per_gib_hour)} per GPU-h"
            )
        hours = decimal_of(tr.gpu_hours_per_month)
        items.append(item(f"GPU-hours ({t}, {basis})", Money.of(hours * slope, cur), formula, s))
        if tr.checkpoint_gib > 0:
            fixed.append(
                item(
                    "checkpoints (owned storage)",
                    Money.of(decimal_of(tr.checkpoint_gib) * storage_p, cur),
                    f"{num(tr.checkpoint_gib)} GiB x {unit_price(storage_p)}/GiB-month"
                    + _zero_note("owned.storage.usd-per-gib-month", storage_p),
                    "owned.storage.usd-per-gib-month",
                )
            )
    else:
        n = workload.replicas
        if site.kind is not SiteKind.GPU_POOL:  # a pool's host CPU/memory is in its GPU rate
            if shape is None:
                shape = owned_shape(workload, request)
            items.append(_cpu_item(shape, facts, rates, cur))
            items.append(_memory_item(shape, facts, rates, cur))
        if request.gpus > 0 and request.gpu_type:
            items.append(_gpu_item(n, request, facts, rates, cur))
    if request.storage_gib > 0:
        fixed.append(_storage_item(workload.replicas, request.storage_gib, facts, cur))
    fixed.extend(_egress_line(workload, site, catalogue, "egress (owned transit)"))
    items.extend(fixed)
    return Priced(
        tuple(items),
        usd_per_gpu_hour=slope,
        fixed_per_month=total(fixed, cur) if slope is not None else None,
    )


def shared_owned_lines(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    rates: OwnedRates,
    *,
    facts: OwnedSite,
    shape: OwnedShape,
    memo: dict[Hashable, Any],
) -> Priced:
    """``owned_lines(workload, request, site, catalogue, rates, facts=facts, shape=shape)``
    with each line built once per distinct quantity it reads (replicas and cores, memory,
    GPUs or storage per replica; egress volume) and shared through ``memo``: one per site
    at ``rates`` and ``catalogue``, kept by a fleet pricer (a fleet repeats these on every
    owned site). Training GPU-hours are built per call."""
    if workload.training is not None and request.gpus > 0 and request.gpu_type:
        return owned_lines(workload, request, site, catalogue, rates, facts=facts, shape=shape)
    cur = catalogue.currency
    n = workload.replicas
    items: list[LineItem] = []
    # keys hold values, not texts: num() writes 6 significant digits, and equal values
    # (2 and 2.0) write the same text and round to the same cents
    if site.kind is not SiteKind.GPU_POOL:  # a pool's host CPU/memory is in its GPU rate
        key: Hashable = (0, n, request.cpu)
        got = memo.get(key)
        if got is None:
            got = memo[key] = _cpu_item(shape, facts, rates, cur)
        items.append(got)
        key = (1, n, request.memory_gib)
        got = memo.get(key)
        if got is None:
            got = memo[key] = _memory_item(shape, facts, rates, cur)
        items.append(got)
    if request.gpus > 0 and request.gpu_type:
        key = (2, n, request.gpus, request.gpu_type)
        got = memo.get(key)
        if got is None:
            got = memo[key] = _gpu_item(n, request, facts, rates, cur)
        items.append(got)
    if request.storage_gib > 0:
        key = (3, n, request.storage_gib)
        got = memo.get(key)
        if got is None:
            got = memo[key] = _storage_item(n, request.storage_gib, facts, cur)
        items.append(got)
    egress = workload.data.egress_gib_per_month
    if egress > 0:
        key = (4, egress)
        lines = memo.get(key)
        if lines is None:
            lines = memo[key] = _egress_line(workload, site, catalogue, "egress (owned transit)")
        items.extend(lines)
    return Priced(tuple(items))


def _cpu_item(shape: OwnedShape, facts: OwnedSite, rates: OwnedRates, cur: str) -> LineItem:
    return LineItem(
        facts.cpu_name,
        Money(round_to_cents(shape.core_hours * rates.usd_per_core_hour), cur),
        shape.cores_text + facts.per_core_hour,
        (facts.source,),
    )


def _memory_item(shape: OwnedShape, facts: OwnedSite, rates: OwnedRates, cur: str) -> LineItem:
    return LineItem(
        facts.memory_name,
        Money(round_to_cents(shape.gib_hours * rates.usd_per_gib_hour), cur),
        shape.gib_text + facts.per_gib_hour,
        (facts.source,),
    )


def _gpu_item(
    n: int, request: Resources, facts: OwnedSite, rates: OwnedRates, cur: str
) -> LineItem:
    gpus, gpu_type = request.gpus, request.gpu_type
    r = rates.usd_per_gpu_hour.get(gpu_type or "", _ZERO)
    return item(
        f"GPUs ({gpu_type}, {facts.basis})",
        Money.of(n * gpus * HOURS * r, cur),
        f"{n} x {gpus} GPUs x 730 h x {unit_price(r)}/GPU-h",
        facts.source,
    )


def _storage_item(n: int, storage_gib: float, facts: OwnedSite, cur: str) -> LineItem:
    return LineItem(
        "storage (owned)",
        Money(round_to_cents(n * decimal_of(storage_gib) * facts.storage_p), cur),
        f"{n} x {num(storage_gib)} GiB x " + facts.per_storage,
        ("owned.storage.usd-per-gib-month",),
    )


def leased_usd_per_gpu_hour(
    site: Site, catalogue: Catalogue, gpu_type: str
) -> tuple[Decimal | None, str]:
    """A leased / GPU-as-a-service pool's contract price, or the catalogue's GPU-cloud price
    (``gpuaas.<provider>.<type>``, then ``gpuaas.default.<type>``)."""
    gp = site.gpu_pool_cost
    if gp is not None and gp.usd_per_gpu_hour is not None:
        src = f"sites.{site.name}.cost.gpu_pool.usd_per_gpu_hour"
        return decimal_of(gp.usd_per_gpu_hour), src
    for key in (f"gpuaas.{site.provider}.{gpu_type}", f"gpuaas.default.{gpu_type}"):
        if key in site.price_overrides or key in catalogue.prices:
            return catalogue.value(key, site.price_overrides), key
    return None, ""


def leased_lines(
    workload: Workload, request: Resources, site: Site, catalogue: Catalogue
) -> Priced:
    """GPU-hours (training) or whole GPUs at the pool's contract price, and egress."""
    cur = catalogue.currency
    t = request.gpu_type or ""
    p, src = leased_usd_per_gpu_hour(site, catalogue, t)
    if p is None:
        return Priced(
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
    slope: Decimal | None = None
    if tr is not None:
        items = [
            item(
                f"GPU-hours ({t}, contract)",
                Money.of(decimal_of(tr.gpu_hours_per_month) * p, cur),
                f"{num(tr.gpu_hours_per_month)} GPU-h x {unit_price(p)}/GPU-h{note}",
                src,
            )
        ]
        slope = p
    else:
        hours = workload.replicas * request.gpus * HOURS
        items = [
            item(
                f"GPUs ({t}, contract)",
                Money.of(hours * p, cur),
                f"{workload.replicas} x {request.gpus} GPUs x 730 h x {unit_price(p)}/GPU-h{note}",
                src,
            )
        ]
    fixed = _egress_line(workload, site, catalogue, "egress")
    items.extend(fixed)
    return Priced(
        tuple(items),
        usd_per_gpu_hour=slope,
        fixed_per_month=total(fixed, cur) if slope is not None else None,
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
            Money.of(decimal_of(gp.min_gpu_hours_per_month) * p, catalogue.currency),
            f"{num(gp.min_gpu_hours_per_month)} GPU-h x {unit_price(p)}/GPU-h",
            f"sites.{site.name}.cost.gpu_pool.min_gpu_hours_per_month",
            src,
        ),
    )
