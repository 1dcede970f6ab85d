"""Price one workload on one site under one pricing option: cloud, owned or leased lines."""

from __future__ import annotations

from dataclasses import replace

from planner.catalogue import Catalogue
from planner.cost.cache import PriceCache
from planner.cost.cdn import cdn_items
from planner.cost.cloud_lines import cloud_lines
from planner.cost.managed import SERVICES, managed_cloud_lines
from planner.cost.object_store import object_store_cloud_lines, storage_array_lines
from planner.cost.owned import owned_rates
from planner.cost.owned_lines import leased_lines, owned_lines
from planner.cost.priced import Priced, physical_reason
from planner.model import (
    LineItem,
    PricingOption,
    Resources,
    Settings,
    Site,
    SiteKind,
    Workload,
    WorkloadKind,
)


def price_option(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    *,
    settings: Settings,
    option: PricingOption,
    cache: PriceCache | None = None,
) -> Priced:
    """The line items of ``option`` on ``site`` (or the reason it cannot be priced), with the
    workload's CDN egress (``planner.cost.cdn``) added to any priced non-training offer."""
    priced = _price_option(
        workload, request, site, catalogue, settings=settings, option=option, cache=cache
    )
    gib = workload.data.cdn_egress_gib_per_month
    if priced.reason is not None or gib <= 0 or workload.kind is WorkloadKind.TRAINING:
        return priced
    cdn = cdn_items(site, catalogue, gib)
    if isinstance(cdn, str):
        return Priced((), reason=cdn)
    return replace(priced, items=priced.items + cdn)


def _price_option(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    *,
    settings: Settings,
    option: PricingOption,
    cache: PriceCache | None = None,
) -> Priced:
    """The line items of ``option`` on ``site`` (or the reason it cannot be priced); owned
    rates come from ``cache`` when one is passed. An object store (``workload.objects``) is
    priced by ``planner.cost.object_store``: S3 on a cloud site, a storage array plus its
    gateway on an owned one. A managed kind (managed-db, search, cache) is priced as the
    managed service on a cloud site (``planner.cost.managed``) and as pods elsewhere."""
    objects = workload.objects
    if site.kind is SiteKind.CLOUD:
        if workload.kind in SERVICES:
            if workload.managed is None:
                return Priced((), reason=f"a {workload.kind.value} workload needs a managed block")
            return managed_cloud_lines(workload, workload.managed, site, catalogue, option)
        if objects is not None:
            return object_store_cloud_lines(workload, objects, site, catalogue, option)
        return cloud_lines(workload, request, site, catalogue, option, cache=cache)
    if option is PricingOption.LEASED:
        if objects is not None:
            return Priced((), reason="object storage is priced on owned storage arrays")
        return leased_lines(workload, request, site, catalogue)
    rates = (
        cache.owned_rates(site, catalogue, settings)
        if cache is not None
        else owned_rates(site, catalogue, settings)
    )
    gateway = owned_lines(workload, request, site, catalogue, rates)
    if objects is None:
        return gateway
    array = storage_array_lines(objects, site, catalogue)
    if array.reason is not None:
        return array
    return Priced(array.items + gateway.items)


def price_on(
    workload: Workload,
    request: Resources,
    site: Site,
    catalogue: Catalogue,
    *,
    settings: Settings,
    option: PricingOption,
    cache: PriceCache | None = None,
) -> tuple[LineItem, ...]:
    """The line items of running ``workload`` on ``site`` with ``option``, ignoring
    eligibility. Empty when it cannot be priced."""
    if physical_reason(request, site) is not None:
        return ()
    return price_option(
        workload, request, site, catalogue, settings=settings, option=option, cache=cache
    ).items
