"""Cloud instance choices for a whole fleet at once, as array work (numpy).

``prime_cloud_choices`` answers, for every workload x cloud site x pricing option, the
question ``planner.cost.cloud.choose`` answers one call at a time - the cheapest fitting
instance under the option, ranked as ``cloud.rank`` ranks (services by the total for all
replicas after packing, training by the price per GPU) - and stores each answer in the run's
``PriceCache`` under ``choose``'s own content key, so the scalar pricing path then finds it
there. The answer is the scalar one, not an approximation:

* fit, packing (replicas per instance, instances) and the ranking are computed for a
  request x instance matrix per (provider, price region, overrides, option) group, in the
  same IEEE float operations ``cloud.packing`` performs;
* the float rank only preselects: every instance within a relative 1e-9 of the row's
  float minimum (the exact minimum is always among them: a product of two floats is off by
  at most a few ulps) is ranked again exactly (``Decimal``, ``cloud.rank``, ties by instance
  key); the chosen instance's price is ``cloud.cloud_price``'s, with the packing computed
  in the matrix (the same float operations);
* rows the scalar path answers with a reason (nothing fits, no price for what fits) and
  groups whose prices raise an ``InputError`` are left out: ``choose`` computes those
  itself, with its messages.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal

import numpy as np

from planner.catalogue import Catalogue
from planner.cost.cache import PriceCache
from planner.cost.cloud import (
    INSTANCE_OPTIONS,
    CloudPrice,
    choice_key,
    cloud_price,
    option_discount,
    price_region,
    rank,
    region_instances,
)
from planner.cost.cloud_lines import choice_args
from planner.cost.managed import SERVICES
from planner.cost.priced import site_options
from planner.errors import InputError
from planner.model import PricingOption, Project, Resources, Site, SiteKind, Workload

REL_TIE = 1e-9
"""Float ranks within this relative distance of a row's minimum are ranked again exactly."""


@dataclass(frozen=True, slots=True)
class Query:
    """One ``choose`` call: a request (with replicas and cap for services) on a site."""

    site: Site
    request: Resources
    option: PricingOption
    replicas: int | None
    cap: int | None


def queries_for(workload: Workload, request: Resources, sites: Iterable[Site]) -> tuple[Query, ...]:
    """The ``choose`` calls pricing ``workload`` at ``request`` on the cloud ``sites`` makes
    (as ``planner.cost.pricing`` routes it: managed services and object stores choose no
    instance)."""
    if workload.kind in SERVICES or workload.objects is not None:
        return ()
    _, replicas, cap = choice_args(workload, request)
    out: list[Query] = []
    for site in sites:
        if site.kind is not SiteKind.CLOUD:
            continue
        for option in site_options(site):
            if option not in INSTANCE_OPTIONS:
                continue
            if option is PricingOption.CAPACITY_BLOCK and request.gpus == 0:
                continue
            out.append(Query(site, request, option, replicas, cap))
    return tuple(out)


def prime_cloud_choices(queries: Iterable[Query], catalogue: Catalogue, cache: PriceCache) -> int:
    """Answer ``queries`` with arrays and store each answer in ``cache`` (see the module
    docstring); returns how many answers were stored."""
    groups: dict[Hashable, tuple[Query, dict[Hashable, Query]]] = {}
    for q in queries:
        key = choice_key(
            q.site, catalogue, q.request, q.option, replicas=q.replicas, cap=q.cap, cache=cache
        )
        if cache.has_cloud_choice(key):
            continue
        gkey = (q.site.provider, price_region(q.site), cache.overrides_key(q.site), q.option)
        group = groups.setdefault(gkey, (q, {}))
        group[1].setdefault(key, q)
    stored = 0
    for first, rows in groups.values():
        try:
            answers = choose_group(first.site, first.option, list(rows.values()), catalogue)
        except InputError:
            continue  # the scalar path raises it again, located
        for key, answer in zip(rows, answers, strict=True):
            if answer is not None:
                cache.store_cloud_choice(key, (answer, ""))
                stored += 1
    return stored


def choose_group(
    site: Site, option: PricingOption, rows: Sequence[Query], catalogue: Catalogue
) -> list[CloudPrice | None]:
    """The chosen instance of each row on one (provider, region, overrides, option); ``None``
    where the scalar path gives a reason instead."""
    return choose_group_packed(site, option, rows, catalogue)[0]


def choose_group_packed(
    site: Site, option: PricingOption, rows: Sequence[Query], catalogue: Catalogue
) -> tuple[list[CloudPrice | None], list[int]]:
    """``choose_group``, and for each row the replicas per chosen instance before the cap
    (``cloud.packing`` without ``cap``; where nothing is chosen, -1 when no instance fits,
    whatever the option, and 0 when those that fit have no price). Equal answers are one
    ``CloudPrice``."""
    return choose_rows(
        site,
        option,
        catalogue,
        requests=[q.request for q in rows],
        replicas=[q.replicas for q in rows],
        caps=[q.cap for q in rows],
    )


def choose_rows(
    site: Site,
    option: PricingOption,
    catalogue: Catalogue,
    *,
    requests: Sequence[Resources],
    replicas: Sequence[int | None],
    caps: Sequence[int | None],
) -> tuple[list[CloudPrice | None], list[int]]:
    """``choose_group_packed`` of the rows given as columns: each row's request, replicas
    and cap (``None``: training, or no cap)."""
    region = price_region(site)
    insts = region_instances(site, catalogue)
    suffix = INSTANCE_OPTIONS[option]
    discount = option_discount(site, catalogue, option)
    keys = [catalogue.instance_price_key(i, region, suffix) for i in insts]
    priced = np.array([k in site.price_overrides or k in catalogue.prices for k in keys])
    exact: list[CloudPrice | None] = [None] * len(insts)
    unit = np.full(len(insts), np.inf)
    for j, inst in enumerate(insts):
        if priced[j]:
            # the hourly price after the commitment discount, as the scalar path computes
            # it (the replicas do not change it)
            c = cloud_price(
                site,
                catalogue,
                inst,
                keys[j],
                request=Resources(1, 1),
                discount=discount,
                replicas=None,
                cap=None,
            )
            exact[j] = c
            unit[j] = float(c.usd_per_hour)
    vcpu = np.array([i.vcpu for i in insts], dtype=float)
    mem = np.array([i.memory_gib for i in insts], dtype=float)
    gpus = np.array([i.gpus for i in insts], dtype=float)
    types = sorted({i.gpu_type for i in insts if i.gpu_type} | _types(requests))
    tid = {t: n for n, t in enumerate(types)}
    itype = np.array([tid.get(i.gpu_type or "", -1) for i in insts])

    r_cpu = np.array([q.cpu for q in requests], dtype=float)[:, None]
    r_mem = np.array([q.memory_gib for q in requests], dtype=float)[:, None]
    r_gpus = np.array([q.gpus for q in requests], dtype=float)[:, None]
    r_type = np.array([tid.get(q.gpu_type or "", -1) for q in requests])[:, None]
    fits = np.where(r_gpus > 0, (itype == r_type) & (gpus >= r_gpus), gpus == 0)
    fits &= (vcpu >= r_cpu) & (mem >= r_mem)
    ok = fits & priced

    services = np.array([n is not None for n in replicas])[:, None]
    reps = np.array([n or 1 for n in replicas], dtype=float)[:, None]
    cap = np.array([c if c is not None else np.inf for c in caps])[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        lim = np.minimum(
            np.where(r_cpu > 0, vcpu / r_cpu, np.inf), np.where(r_mem > 0, mem / r_mem, np.inf)
        )
        lim = np.minimum(lim, np.where(r_gpus > 0, gpus / r_gpus, np.inf))
        fit = np.where(np.isinf(lim), reps, np.maximum(1, np.minimum(reps, np.floor(lim + 1e-9))))
        k = np.maximum(1, np.minimum(fit, cap))
        count = np.maximum(np.ceil(reps / k), np.minimum(reps, 2))
        per_gpu = np.where(r_gpus > 0, unit / gpus, unit)
    score = np.where(services, count * unit, per_gpu)
    score = np.where(ok, score, np.inf)
    best = score.min(axis=1, keepdims=True)
    near = ok & (score <= best * (1 + REL_TIE))
    counts = near.sum(axis=1)
    n_near = counts.tolist()
    none_fit = (~fits.any(axis=1)).tolist()
    chosen = near.argmax(axis=1)
    ranks: dict[tuple[int, int], tuple[Decimal, str]] = {}

    def exact_rank(r: int, i: int, services: bool) -> tuple[Decimal, str]:
        """(``cloud.rank`` of instance ``i``'s price for row ``r``, instance key): a
        service's total for all replicas (its instance count x hourly price), else the
        price per GPU (per instance without GPUs); one value per instance and count (or
        GPU use)."""
        key = (i, int(count[r, i]) if services else -1 - (requests[r].gpus > 0))
        hit = ranks.get(key)
        if hit is None:
            c = exact[i]
            assert c is not None  # preselected instances are priced
            value = key[1] * c.usd_per_hour if services else rank(c, requests[r], services=False)
            hit = ranks[key] = (value, insts[i].key)
        return hit

    # near ties: ranked again exactly (cloud.rank, then instance key); the tied instances
    # of every such row at once, row by row
    tied = counts > 1
    if tied.any():
        cols = np.nonzero(near[tied])[1].tolist()
        at = 0
        for r, m in zip(np.flatnonzero(tied).tolist(), counts[tied].tolist(), strict=True):
            by_total = replicas[r] is not None
            chosen[r] = min(cols[at : at + m], key=lambda i: exact_rank(r, i, by_total))
            at += m
    # the packing of each row's chosen instance (rows with no choice read instance 0)
    every = np.arange(len(replicas))
    with np.errstate(invalid="ignore"):
        counts_at = count[every, chosen].astype(np.int64).tolist()
        per_at = k[every, chosen].astype(np.int64).tolist()
        fit_at = fit[every, chosen].astype(np.int64).tolist()
    shared: dict[tuple[int, int, int], CloudPrice] = {}
    out: list[CloudPrice | None] = []
    packed: list[int] = []
    for r, (n, j) in enumerate(zip(replicas, chosen.tolist(), strict=True)):
        if n_near[r] == 0:
            out.append(None)  # nothing fits, or no price for what fits: the scalar reason
            packed.append(-1 if none_fit[r] else 0)
            continue
        unpacked = exact[j]
        assert unpacked is not None  # preselected instances are priced
        if n is None:
            out.append(unpacked)
            packed.append(1)
            continue
        # cloud.cloud_price of instance j for a service row: its hourly price, with the
        # packing computed above (the same float operations); one value per distinct answer
        key = (j, counts_at[r], per_at[r])
        hit = shared.get(key)
        if hit is None:
            hit = shared[key] = replace(unpacked, count=key[1], per_instance=key[2])
        out.append(hit)
        packed.append(fit_at[r])
    return out, packed


def _types(requests: Sequence[Resources]) -> set[str]:
    return {q.gpu_type for q in requests if q.gpu_type}


def prime_fleet(
    project: Project, requests: Mapping[str, Resources], catalogue: Catalogue, cache: PriceCache
) -> int:
    """``prime_cloud_choices`` for every workload of ``project`` at its request (``requests``,
    else its declared resources) on every cloud site, and at its declared resources on its
    current site (what it pays today, priced for the baseline and double running)."""
    sites = {s.name: s for s in project.sites}
    queries: list[Query] = []
    for w in project.workloads:
        queries.extend(queries_for(w, requests.get(w.name, w.resources), project.sites))
        current = sites.get(w.current_site) if w.current_site is not None else None
        if current is not None:
            queries.extend(queries_for(w, w.resources, (current,)))
    return prime_cloud_choices(queries, catalogue, cache)
