"""Candidates: every offer of every workload on every site, eligible or with its reason.

A thin layer over ``planner.cost.offers_for``: it prices each workload x site, then applies
the policy prunes of ``Constraints`` (a pruned offer stays, ineligible, with the reason
"pruned by HP-RES-001: ...") and pins ("pinned to colo-eu"). Nothing is dropped, so
explanations and the infeasibility diagnosis can say why an offer was not used.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from operator import attrgetter
from typing import TYPE_CHECKING, Any

from planner.model import Constraints, Offer, Project, Prune, Resources, Settings, Site, Workload

if TYPE_CHECKING:
    from planner.catalogue import Catalogue
    from planner.cost import PriceCache
else:  # pragma: no cover - the catalogue module is optional for the solver core
    Catalogue = Any

OffersFor = Callable[..., tuple[Offer, ...]]


def offer_order(o: Offer) -> tuple[str, str, str]:
    """Deterministic order of a workload's offers: site, option, instance type."""
    # PricingOption is a StrEnum: members compare as their values
    return (o.site, o.option, o.instance_type or "")


@dataclass(frozen=True, slots=True)
class WorkloadOffers:
    """One workload's offers, split into eligible and ineligible (each with its reason);
    ``offers`` holds both, in ``offer_order``."""

    workload: str
    eligible: tuple[Offer, ...]
    ineligible: tuple[Offer, ...]
    offers: tuple[Offer, ...] = ()


@dataclass(frozen=True, slots=True)
class Candidates:
    """Offers per workload, sorted by workload name."""

    workloads: tuple[WorkloadOffers, ...]

    def get(self, name: str) -> WorkloadOffers:
        """One workload's offers (binary search: ``workloads`` is sorted by name)."""
        i = bisect.bisect_left(self.workloads, name, key=lambda w: w.workload)
        if i < len(self.workloads) and self.workloads[i].workload == name:
            return self.workloads[i]
        raise KeyError(name)

    def all_offers(self) -> dict[str, tuple[Offer, ...]]:
        """Workload name -> every offer (eligible and not), in ``offer_order``."""
        return {w.workload: w.offers for w in self.workloads}

    def __len__(self) -> int:
        return len(self.workloads)


def prune_offer(offer: Offer, prunes: Iterable[Prune]) -> Offer:
    """The offer, made ineligible by the first prune that matches it (if any)."""
    if not offer.eligible:
        return offer
    for p in prunes:
        if (
            p.workload == offer.workload
            and p.site == offer.site
            and (p.option is None or p.option is offer.option)
        ):
            return replace(offer, eligible=False, reason=f"pruned by {p.rule_id}: {p.reason}")
    return offer


def pin_offer(offer: Offer, workload: Workload) -> Offer:
    """Offers off a pinned workload's site become ineligible ("pinned to ...")."""
    if offer.eligible and workload.pinned_site is not None and offer.site != workload.pinned_site:
        return replace(offer, eligible=False, reason=f"pinned to {workload.pinned_site}")
    return offer


_fields_order = attrgetter("site", "option", "instance_type")


def _in_order(offers: list[Offer]) -> list[Offer]:
    """``sorted(offers, key=offer_order)``, with the fields as they are for keys (a C
    getter, no Python call per offer): the same order unless an instance type ``None`` is
    compared with a name (a ``TypeError``), which ``offer_order`` then sorts from the
    original order (the failed sort left a copy part-sorted)."""
    try:
        return sorted(offers, key=_fields_order)
    except TypeError:
        return sorted(offers, key=offer_order)


def candidates_from_offers(
    offers: Mapping[str, Iterable[Offer]],
    constraints: Constraints,
    workloads: Iterable[Workload] = (),
) -> Candidates:
    """Candidates from already-priced offers (tests and benchmarks use this directly)."""
    by_workload: dict[str, list[Prune]] = {}
    for p in sorted(constraints.prunes, key=lambda p: (p.workload, p.site, p.rule_id)):
        by_workload.setdefault(p.workload, []).append(p)
    wl = {w.name: w for w in workloads}
    out: list[WorkloadOffers] = []
    for name in sorted(offers):
        prunes = by_workload.get(name, [])
        if prunes:
            pruned = {p.site for p in prunes}  # prune_offer matches only offers on these sites
            priced = [prune_offer(o, prunes) if o.site in pruned else o for o in offers[name]]
        else:
            priced = list(offers[name])
        w = wl.get(name)
        if w is not None and w.pinned_site is not None:
            priced = [pin_offer(o, w) for o in priced]
        priced = _in_order(priced)
        out.append(
            WorkloadOffers(
                workload=name,
                eligible=tuple(o for o in priced if o.eligible),
                ineligible=tuple(o for o in priced if not o.eligible),
                offers=tuple(priced),
            )
        )
    return Candidates(workloads=tuple(out))


_shape = attrgetter(
    *(f.name for f in fields(Workload) if f.compare and f.name not in ("name", "depends_on"))
)
"""A workload's compared fields but its name and dependencies: equal for two workloads
exactly when ``replace(w, name="", depends_on=())`` is (without building that copy)."""


def build_candidates(
    project: Project,
    requests: Mapping[str, Resources],
    catalogue: Catalogue,
    constraints: Constraints,
    *,
    offers_for: OffersFor | None = None,
    memo: bool | None = None,
    cache: PriceCache | None = None,
    classes: Mapping[str, str] | None = None,
) -> Candidates:
    """Price every workload on every site with ``planner.cost.offers_for`` (through
    ``planner.cost.fleet.FleetPricer``, which gives the same offers with the per-site work
    done once) or the ``offers_for`` passed in, then apply prunes and pins. ``cache`` is the
    run's ``PriceCache`` (a new one when not given).

    ``memo`` (default: on for ``planner.cost.offers_for``, off for one passed in) prices
    workloads that differ only by name and dependencies once and relabels the offers:
    the cost model reads neither (``test_memo_changes_nothing`` guards it). Fleets of
    replicas and per-tenant copies then cost one pricing per distinct shape.

    ``classes``: each workload's class (``planner.headroom.workload_class``; the declared
    profile when missing), whose HPA and surge headroom its offers' usage holds."""
    classes = classes or {}
    sites: dict[str, Site] = {s.name: s for s in project.sites}
    settings: Settings = project.settings
    if memo is None:
        memo = offers_for is None
    offers_on: Callable[..., list[Offer]] | None = None
    if offers_for is None:
        from planner.cost import PriceCache
        from planner.cost.fleet import FleetPricer

        # one cache and pricer for the run, dropped with it: owned-site rates and every
        # cloud instance choice of the fleet at once (any input error of an owned site
        # raised up front), each site validated once
        pricer = FleetPricer(
            project, requests, catalogue, cache=cache if cache is not None else PriceCache()
        )
        offers_for = pricer.offers_for
        offers_on = pricer.offers_on
    priced: dict[str, list[Offer]] = {}
    seen: dict[tuple[tuple[object, ...], Resources, str | None], list[Offer]] = {}
    ordered = [sites[name] for name in sorted(sites)]
    for w in sorted(project.workloads, key=lambda w: w.name):
        request = requests.get(w.name, w.resources)
        cls = classes.get(w.name)
        key = (_shape(w), request, cls)
        if memo and key in seen:
            priced[w.name] = [replace(o, workload=w.name) for o in seen[key]]
            continue
        current = sites.get(w.current_site) if w.current_site is not None else None
        if offers_on is not None:  # the pricer's offers_for on every site in one call
            got = offers_on(w, request, ordered, catalogue, settings, current=current, cls=cls)
        else:
            got = []
            for site in ordered:
                got.extend(
                    offers_for(w, request, site, catalogue, settings, current=current, cls=cls)
                )
        priced[w.name] = got
        if memo:
            seen[key] = got
    return candidates_from_offers(priced, constraints, project.workloads)
