"""What-if re-pricing reuse: price again only the workloads and sites a scenario touches.

A plan run can record its prices (:class:`PriceTable`: every workload x site's offers as
``planner.cost.offers_for`` returned them, before prunes and pins, with the workload,
request, site, settings and catalogue that produced them). A later run given that table
re-prices a workload x site pair only when something ``offers_for`` reads changed:

- everything, when the settings, the instance shapes or the managed classes changed;
- a site, when the site changed (``price_overrides``, capacity, parameters), or a
  catalogue price it may read changed: a regional cloud key (``aws.*.<region>.*``) touches
  that provider's sites priced from that region (``cost.cloud.price_region``, and those
  priced from a region the catalogue does not know); a provider-wide cloud key every site
  of that provider; any other key (``owned.*``, ``spot.*``, ...) every site;
- a workload, when it or its per-replica request changed, it is new, or its current site is
  touched (its migration cost is priced from there).

Every other pair reuses the recorded offers. Conservative by construction: a pair that might
change is priced again; ``test_reprice`` checks that reuse gives the same plan as pricing
everything. Pure: nothing here reads files or the clock.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from planner.catalogue import Catalogue
from planner.cost import PriceCache, owned_rates_by_site
from planner.cost import offers_for as cost_offers_for
from planner.cost.fleet import FleetPricer
from planner.model import Offer, Project, Resources, Settings, Site, SiteKind, Workload

OffersFor = Callable[..., tuple[Offer, ...]]


@dataclass(frozen=True, slots=True)
class PriceTable:
    """One run's offers per (workload, site), before prunes and pins, and their inputs."""

    offers: Mapping[tuple[str, str], tuple[Offer, ...]]
    workloads: Mapping[str, tuple[Workload, Resources]]
    """Per workload, the workload and the per-replica request it was priced with."""
    sites: Mapping[str, Site]
    settings: Settings
    catalogue: Catalogue


@dataclass(frozen=True, slots=True)
class Reuse:
    """What a run given a ``PriceTable`` priced again and what it reused."""

    everything: str | None
    """Why every pair was priced again (``None`` when some were reused)."""
    sites: tuple[str, ...]
    """Sites priced again for every workload."""
    workloads: tuple[str, ...]
    """Workloads priced again on every site."""
    pairs_total: int
    pairs_reused: int

    def describe(self) -> str:
        """One line for the what-if notes."""
        if self.everything is not None:
            return f"re-priced every workload x site ({self.everything})"
        shown = ", ".join(self.sites[:5]) + (", ..." if len(self.sites) > 5 else "")
        names = ", ".join(self.workloads[:5]) + (", ..." if len(self.workloads) > 5 else "")
        return (
            f"re-priced {self.pairs_total - self.pairs_reused} of {self.pairs_total} "
            f"workload x site pairs, reused {self.pairs_reused}: "
            f"{len(self.sites)} site(s) touched ({shown or 'none'}), "
            f"{len(self.workloads)} workload(s) touched ({names or 'none'})"
        )


def _key_sites(
    key: str, sites: tuple[Site, ...], regions: Mapping[str, tuple[str, ...]]
) -> set[str]:
    """The sites whose offers may read catalogue price ``key`` (module docstring)."""
    provider = key.split(".", 1)[0]
    cloud = [s for s in sites if s.kind is SiteKind.CLOUD and s.provider == provider]
    if not cloud:
        return {s.name for s in sites}
    known = set(regions.get(provider, ()))
    in_key = known.intersection(key.split("."))
    if not in_key:
        return {s.name for s in cloud}
    priced_from = {s.name: s.cloud_cost.price_region if s.cloud_cost else None for s in cloud}
    return {n for n, r in priced_from.items() if r is None or r in in_key or r not in known}


def touched(
    table: PriceTable,
    project: Project,
    requests: Mapping[str, Resources],
    catalogue: Catalogue,
) -> tuple[str | None, set[str], set[str]]:
    """``(why everything, sites, workloads)`` to price again against ``table``."""
    base = table.catalogue
    if project.settings != table.settings:
        return "the settings changed", set(), set()
    if catalogue is not base and (
        catalogue.instances != base.instances
        or catalogue.managed_classes != base.managed_classes
        or catalogue.node_defaults != base.node_defaults
        or catalogue.split != base.split
        or catalogue.currency != base.currency
    ):
        return "the catalogue's shapes changed", set(), set()
    sites = {s.name for s in project.sites if table.sites.get(s.name) != s}
    if catalogue is not base:
        keys = set(catalogue.prices) | set(base.prices)
        regions = catalogue.index.regions
        for k in sorted(keys):
            if catalogue.prices.get(k) != base.prices.get(k):
                sites |= _key_sites(k, project.sites, regions)
    workloads = {
        w.name
        for w in project.workloads
        if table.workloads.get(w.name) != (w, requests.get(w.name, w.resources))
        or (w.current_site is not None and w.current_site in sites)
    }
    return None, sites, workloads


def pricing(
    project: Project,
    requests: Mapping[str, Resources],
    catalogue: Catalogue,
    *,
    cache: PriceCache,
    reuse: PriceTable | None,
) -> tuple[OffersFor, Callable[[], PriceTable], Reuse | None]:
    """An ``offers_for`` for ``build_candidates`` (with ``memo=False``: it memoises workloads
    that differ only by name and dependencies itself, as ``build_candidates`` does), a
    function returning the ``PriceTable`` it recorded, and what it reuses from ``reuse``."""
    owned_rates_by_site(project.sites, catalogue, project.settings, cache=cache)
    why: str | None = "no recorded prices"
    sites: set[str] = set()
    workloads: set[str] = set()
    if reuse is not None:
        why, sites, workloads = touched(reuse, project, requests, catalogue)
    # pricing everything: the fleet pricer (the same offers, per-site work done once)
    price: OffersFor = (
        FleetPricer(project, requests, catalogue, cache=cache).offers_for
        if why is not None
        else functools.partial(cost_offers_for, cache=cache)
    )
    recorded: dict[tuple[str, str], tuple[Offer, ...]] = {}
    shapes: dict[str, Any] = {}
    memo: dict[tuple[Any, str], tuple[Offer, ...]] = {}

    def offers_for(
        w: Workload, request: Resources, site: Site, cat: Catalogue, settings: Settings, **kw: Any
    ) -> tuple[Offer, ...]:
        pair = (w.name, site.name)
        if reuse is not None and why is None and w.name not in workloads and site.name not in sites:
            got = reuse.offers.get(pair)
            if got is not None:
                recorded[pair] = got
                return got
        shape = shapes.get(w.name)
        if shape is None:
            shape = shapes[w.name] = (replace(w, name="", depends_on=()), request)
        hit = memo.get((shape, site.name))
        if hit is None:
            hit = memo[(shape, site.name)] = price(w, request, site, cat, settings, **kw)
            got = hit
        else:
            got = tuple(replace(o, workload=w.name) for o in hit)
        recorded[pair] = got
        return got

    def table() -> PriceTable:
        return PriceTable(
            offers=dict(recorded),
            workloads={w.name: (w, requests.get(w.name, w.resources)) for w in project.workloads},
            sites={s.name: s for s in project.sites},
            settings=project.settings,
            catalogue=catalogue,
        )

    info = None
    if reuse is not None:
        total = len(project.workloads) * len(project.sites)
        if why is None:
            fresh = len(workloads) * len(project.sites) + len(sites) * (
                len(project.workloads) - len(workloads)
            )
            info = Reuse(None, tuple(sorted(sites)), tuple(sorted(workloads)), total, total - fresh)
        else:
            info = Reuse(why, (), (), total, 0)
    return offers_for, table, info
