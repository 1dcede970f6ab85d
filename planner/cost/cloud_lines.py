"""The line items of a workload on a cloud site under one pricing option (the model is in
``planner.cost.cloud``'s docstring). Each line is rounded to the cent once."""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from planner.catalogue import Catalogue
from planner.cost.cache import PriceCache
from planner.cost.cloud import (
    CloudPrice,
    choose,
    egress_items,
    layout,
    max_per_instance,
    packing,
    storage_key,
)
from planner.cost.common import HOURS, PCT, item, num, pnum, price, total, unit_price
from planner.cost.priced import Priced
from planner.fx import CODE
from planner.model import LineItem, PricingOption, Resources, Site, Workload
from planner.money import Money, decimal_of

SPOT_OVERHEAD_KEYS = (
    "spot.interruption-overhead-pct.training",
    "spot.interruption-overhead-pct.service",
)


def _service_notes(
    chosen: CloudPrice, workload: Workload, request: Resources, cap: int | None
) -> str:
    """How the replicas are laid out on the instances, and when the tier-1 rule binds."""
    n = workload.replicas
    notes: list[str] = []
    if chosen.count < n:
        notes.append(
            f"{n} replicas as {layout(n, chosen.count)}: up to {chosen.per_instance} per instance"
        )
        if chosen.count > math.ceil(n / chosen.per_instance):
            notes[-1] += ", never all on one instance"
    if cap is not None and packing(chosen.instance, request, n)[0] > cap:  # tier-1 cap binds
        if chosen.count == n:
            notes.append(f"{n} replicas, one per instance")
        notes.append("tier 1: one per instance, so losing an instance loses one replica")
    return f" ({'; '.join(notes)})" if notes else ""


def choice_args(workload: Workload, request: Resources) -> tuple[bool, int | None, int | None]:
    """(training, replicas, cap) of ``workload``'s instance choice (``cloud.choose``):
    training by the GPU-hour, anything else all replicas packed at most ``cap`` to an
    instance."""
    if workload.training is not None and request.gpus > 0:
        return True, None, None
    return False, workload.replicas, max_per_instance(workload.replicas, workload.tier)


def cloud_lines(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    option: PricingOption,
    *,
    cache: PriceCache | None = None,
) -> Priced:
    """Compute (or GPU-hours), spot overhead, negotiated discount, storage and egress."""
    _, replicas, cap = choice_args(workload, request)
    chosen, why = choose(site, catalogue, request, option, replicas=replicas, cap=cap, cache=cache)
    if chosen is None:
        return Priced((), reason=why)
    return chosen_lines(
        workload, request, site, catalogue, option=option, chosen=chosen, cache=cache
    )


def chosen_lines(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    *,
    option: PricingOption,
    chosen: CloudPrice,
    cache: PriceCache | None = None,
) -> Priced:
    """``cloud_lines`` once the instance is chosen (``cloud.choose``, or a batch answer
    equal to it)."""
    cur = catalogue.currency
    training = choice_args(workload, request)[0]
    head = compute_lines(workload, request, site, catalogue, option=option, chosen=chosen)
    fixed = fixed_lines(workload, request, site, catalogue, training=training, cache=cache)
    inst = chosen.instance
    return Priced(
        (*head.items, *fixed),
        instance_type=inst.name,
        usd_per_gpu_hour=(
            chosen.usd_per_hour / inst.gpus * head.committed * head.slope_factor
            if training
            else None
        ),
        fixed_per_month=total(fixed, cur) if training else None,
        billed_gpu_hours=head.billed_gpu_hours,
    )


@dataclass(frozen=True, slots=True)
class ComputeLines:
    """The lines of a cloud offer that scale with its compute: compute (or GPU-hours), spot
    overhead and negotiated discount; for training, what the GPU-hour slope is made of."""

    items: tuple[LineItem, ...]
    slope_factor: Decimal
    """(1 + spot overhead) x (1 - discount), as a factor of the hourly price."""
    committed: Decimal
    """Billed GPU-hours / used GPU-hours (a commitment: >= 1; else 1)."""
    billed_gpu_hours: Decimal | None


def compute_lines(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    *,
    option: PricingOption,
    chosen: CloudPrice,
) -> ComputeLines:
    """The compute, spot overhead and discount lines of ``chosen`` (see ``ComputeLines``).
    For a service they read, of the workload, only its replicas, cap (``choice_args``),
    hours and name (``billed_hours``, the hours source) and, when the tier-1 cap binds
    (``cap < replicas``), the request's packing on the instance."""
    cur = catalogue.currency
    tr = workload.training
    training, _, cap = choice_args(workload, request)
    inst = chosen.instance
    disc_pct = decimal_of(site.cloud_cost.discount_pct if site.cloud_cost is not None else 0)
    items: list[LineItem] = []
    unit_txt = pnum(chosen.usd_per_hour)
    if chosen.discount_key:
        unit_txt = (
            f"({pnum(chosen.base_usd_per_hour)} x (1 - {num(chosen.discount_pct)} %) "
            f"= {pnum(chosen.usd_per_hour)})"
        )
    srcs = (chosen.key, *((chosen.discount_key,) if chosen.discount_key else ()))
    committed = Decimal(1)  # billed GPU-hours / used GPU-hours (a commitment: >= 1)
    billed_gpu_h = decimal_of(tr.gpu_hours_per_month) if training and tr is not None else None
    if training and tr is not None and option.term_months:
        # a commitment bills every hour of its term: whole instances, 730 h each
        used = decimal_of(tr.gpu_hours_per_month)
        n = max(1, math.ceil(used / (HOURS * inst.gpus)))
        compute = Money.of(n * HOURS * chosen.usd_per_hour, cur)
        committed = n * HOURS * inst.gpus / used if used > 0 else Decimal(1)
        billed_gpu_h = n * HOURS * inst.gpus
        items.append(
            item(
                f"GPU-hours ({inst.name}, {option.value})",
                compute,
                f"{n} x {inst.name} x 730 h x {unit_txt} {CODE}/h: a commitment bills every "
                f"hour ({num(n * HOURS * inst.gpus)} GPU-h committed for "
                f"{num(tr.gpu_hours_per_month)} used)",
                *srcs,
            )
        )
    elif training and tr is not None:
        compute = Money.of(
            decimal_of(tr.gpu_hours_per_month) * chosen.usd_per_hour / inst.gpus, cur
        )
        items.append(
            item(
                f"GPU-hours ({inst.name}, {option.value})",
                compute,
                f"{num(tr.gpu_hours_per_month)} GPU-h x {unit_txt} {CODE}/h / {inst.gpus} GPUs",
                *srcs,
            )
        )
    else:
        hours, hours_txt = billed_hours(workload, option)
        compute = Money.of(chosen.count * hours * chosen.usd_per_hour, cur)
        packed = _service_notes(chosen, workload, request, cap)
        items.append(
            item(
                f"compute ({inst.name}, {option.value})",
                compute,
                f"{chosen.count} x {inst.name} x {hours_txt} x {unit_txt} {CODE}/h{packed}",
                *srcs,
                *(
                    (f"workloads.{workload.name}.hours_per_month",)
                    if hours != HOURS and not workload.hours_source
                    else ()
                ),
            )
        )
    slope_factor = Decimal(1)
    base = compute
    if option is PricingOption.SPOT:
        key = SPOT_OVERHEAD_KEYS[0] if training else SPOT_OVERHEAD_KEYS[1]
        pct = price(catalogue, key, site, needed_for="spot")
        overhead = compute.times(pct / PCT)
        items.append(
            item(
                "spot interruption overhead",
                overhead,
                f"{unit_price(compute.to_decimal())} x {num(pct)} %",
                key,
            )
        )
        slope_factor *= 1 + pct / PCT
        base = compute + overhead
    if disc_pct > 0:
        items.append(
            item(
                "negotiated discount",
                -base.times(disc_pct / PCT),
                f"-{unit_price(base.to_decimal())} x {num(disc_pct)} %",
                f"sites.{site.name}.cost.cloud.discount_pct",
            )
        )
        slope_factor *= 1 - disc_pct / PCT
    return ComputeLines(tuple(items), slope_factor, committed, billed_gpu_h)


def fixed_lines(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    *,
    training: bool,
    cache: PriceCache | None = None,
) -> list[LineItem]:
    """Block storage, training checkpoints and egress: the lines that do not scale with a
    training job's GPU-hours."""
    cur = catalogue.currency
    fixed: list[LineItem] = list(
        storage_lines(workload.replicas, request.storage_gib, site, catalogue)
    )
    tr = workload.training
    if training and tr is not None and tr.checkpoint_gib > 0:
        key = storage_key(site, "s3.standard")
        p = price(catalogue, key, site, needed_for="checkpoints")
        fixed.append(
            item(
                "checkpoints (S3)",
                Money.of(decimal_of(tr.checkpoint_gib) * p, cur),
                f"{num(tr.checkpoint_gib)} GiB x {unit_price(p)}/GiB-month",
                key,
            )
        )
    fixed.extend(egress_items(site, catalogue, workload.data.egress_gib_per_month, cache=cache))
    return fixed


def storage_lines(
    replicas: int, storage_gib: float, site: Site, catalogue: Catalogue
) -> tuple[LineItem, ...]:
    """The block storage line of ``fixed_lines`` (none without storage)."""
    if storage_gib <= 0:
        return ()
    key = storage_key(site, "ebs.gp3")
    p = price(catalogue, key, site, needed_for="block storage")
    return (
        item(
            "storage (EBS gp3)",
            Money.of(replicas * decimal_of(storage_gib) * p, catalogue.currency),
            f"{replicas} x {num(storage_gib)} GiB x {unit_price(p)}/GiB-month",
            key,
        ),
    )


BY_THE_HOUR: frozenset[PricingOption] = frozenset({PricingOption.ON_DEMAND, PricingOption.SPOT})
"""Options billed for the hours used; a commitment bills every hour of its term."""


def billed_hours(workload: Workload, option: PricingOption) -> tuple[Decimal, str]:
    """Hours a month an instance of ``workload`` is billed on ``option`` and how the
    formula says it: the declared ``hours_per_month`` (duty cycle) for capacity bought by
    the hour, else 730 h."""
    h = workload.hours_per_month
    if h is None or option not in BY_THE_HOUR or decimal_of(h) >= HOURS:
        return HOURS, "730 h"
    said = workload.hours_source or "hours_per_month"
    return decimal_of(h), f"{num(h)} h ({said}; 730 h if always on)"
