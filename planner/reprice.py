"""What-if re-pricing reuse: price again only the workload x site pairs a scenario touches.

A plan run can record its prices (:class:`PriceTable`: the candidates it built, after
prunes and pins, with the workloads, requests, sites, settings, catalogue, owned-site rates
and baseline estimates that produced them). A later run given that table prices a workload
x site pair again only when something ``planner.cost.offers_for`` reads changed:

- everything, when a setting pricing reads changed (``horizon_months`` aside, below), or
  the catalogue's instance shapes, managed classes, node defaults, split rule or currency;
- a site, when the site changed (``price_overrides``, capacity, parameters), its owned
  rates changed (the split rule's reference prices feed them), or a catalogue price it may
  read changed: a regional cloud key (``aws.*.<region>.*``) touches that provider's sites
  priced from that region (``cost.cloud.price_region``, and those priced from a region the
  catalogue does not know); a provider-wide cloud key every site of that provider; any
  other key (``owned.*``, ``spot.*``, ...) every site;
- only the pairs whose workload could fit the instance, when the change is the value of one
  instance's price (``<instance>.<region>.<option>``, present before and after): the cloud
  choice (``cost.cloud.choose``) reads an instance's price only for requests it fits;
- a site whose options include a commitment term longer than the shorter of the old and
  new horizon, when ``horizon_months`` changed (an offer's term is checked against it);
- a workload, when it or its per-replica request changed or it is new; when only its pair
  with its current site is touched (a *mover*: its migration and baseline are priced from
  there), that pair, and on every other site its recorded offers with their migration
  priced again (``cost.migration``: the same items to any site but the current one).

Every other pair reuses the recorded offers, a workload with no touched pair and the same
prunes its whole recorded candidate entry, and a workload whose current site pair is
untouched its recorded baseline estimate. Conservative by construction: a pair that might
change is priced again; ``test_reprice`` checks that reuse gives the same candidates and
plan as pricing everything. Pure: nothing here reads files or the clock.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from planner.catalogue import Catalogue
from planner.cost import PriceCache, owned_rates_by_site
from planner.cost.choose_batch import Query, prime_cloud_choices, queries_for
from planner.cost.common import total
from planner.cost.fleet import FleetPricer
from planner.cost.migration import migration_items
from planner.cost.owned import OwnedRates
from planner.model import (
    Constraints,
    LineItem,
    Offer,
    Placement,
    Project,
    Prune,
    Resources,
    Settings,
    Site,
    SiteKind,
    Workload,
)
from planner.money import Money
from planner.reprice_touch import UNPRICED_SETTINGS, Touch, touched
from planner.solve.basis import KeyedBasis
from planner.solve.candidates import Candidates, WorkloadOffers, candidates_from_offers

__all__ = [
    "UNPRICED_SETTINGS",
    "PriceTable",
    "Reuse",
    "Touch",
    "price_table",
    "reprice_candidates",
    "reusable_constraints",
    "reusable_estimates",
    "touched",
]


@dataclass(frozen=True, slots=True)
class PriceTable:
    """One run's candidates and everything that priced them (the base of a what-if)."""

    candidates: Candidates
    workloads: Mapping[str, tuple[Workload, Resources]]
    """Per workload, the workload and the per-replica request it was priced with."""
    sites: Mapping[str, Site]
    settings: Settings
    catalogue: Catalogue
    prunes: Mapping[str, tuple[Prune, ...]] = field(default_factory=dict)
    rates: Mapping[str, OwnedRates] = field(default_factory=dict)
    """Owned-site rates (``planner.cost.owned_rates_by_site``)."""
    estimates: Mapping[str, Money] = field(default_factory=dict)
    """What each workload pays today (``pipeline.baseline_costs``)."""
    placements: Mapping[str, Placement] = field(default_factory=dict)
    """The plan's placements: a later run's warm start (``planner.whatif.warm``)."""
    basis: KeyedBasis | None = None
    """The plan's LP basis (LP + repair): a later run's LP starts from it
    (``planner.solve.basis``)."""
    classes: Mapping[str, str] = field(default_factory=dict)
    """Per workload, the class its offers' usage holds the headroom of."""
    constrained: tuple[Project, date] | None = None
    """The project (batch duty hours set) and date ``constraints`` were derived from."""
    constraints: Constraints | None = None
    """The solver's constraints from the policy rules: a later run of the same project
    and date reuses them (``reusable_constraints``)."""

    @property
    def offers(self) -> dict[tuple[str, str], tuple[Offer, ...]]:
        """Offers per (workload, site), after prunes and pins."""
        out: dict[tuple[str, str], list[Offer]] = defaultdict(list)
        for wo in self.candidates.workloads:
            for o in wo.offers:
                out[(wo.workload, o.site)].append(o)
        return {k: tuple(v) for k, v in out.items()}


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
    instances: tuple[str, ...] = ()
    """Instances whose price changed: pairs whose workload fits one are priced again."""
    estimates_reused: int = 0
    """Baseline estimates (what a workload pays today) reused."""
    movers: int = 0
    """Workloads of ``workloads`` priced again only on their current site (and the pairs a
    re-priced instance fits): elsewhere their offers were kept, their migration re-priced."""
    constraints_reused: bool = False
    """The policy rules' solver constraints were the base's (the same project and date)."""
    repriced: frozenset[str] = frozenset()
    """Workloads with a pair priced again (or a new candidate entry): a what-if's repair
    frees only their blocks (``planner.solve.focus``)."""

    def describe(self) -> str:
        """One line for the what-if notes."""
        if self.everything is not None:
            return f"re-priced every workload x site ({self.everything})"
        shown = ", ".join(self.sites[:5]) + (", ..." if len(self.sites) > 5 else "")
        names = ", ".join(self.workloads[:5]) + (", ..." if len(self.workloads) > 5 else "")
        text = (
            f"re-priced {self.pairs_total - self.pairs_reused} of {self.pairs_total} "
            f"workload x site pairs, reused {self.pairs_reused}: "
            f"{len(self.sites)} site(s) touched ({shown or 'none'}), "
            f"{len(self.workloads)} workload(s) touched ({names or 'none'})"
        )
        if self.movers:
            text += (
                f" ({self.movers} of them only where their current site's prices reach: "
                "elsewhere their offers kept, their migration re-priced)"
            )
        if self.instances:
            inst = ", ".join(self.instances[:3]) + (", ..." if len(self.instances) > 3 else "")
            text += f", pairs that fit {len(self.instances)} re-priced instance(s) ({inst})"
        if self.constraints_reused:
            text += "; the policy rules' solver constraints reused"
        return text


def reusable_constraints(table: PriceTable, project: Project, today: date) -> Constraints | None:
    """``table``'s constraints when it derived them from this project (after batch duty
    hours) on this date: the rules read nothing else (``constraints_for``); else ``None``."""
    if table.constraints is None or table.constrained is None:
        return None
    base, day = table.constrained
    same = day == today and (base is project or base == project)
    return table.constraints if same else None


def prunes_by_workload(constraints: Constraints) -> dict[str, tuple[Prune, ...]]:
    """The policy prunes of each workload, in the order ``candidates_from_offers`` applies
    them."""
    out: dict[str, list[Prune]] = defaultdict(list)
    for p in sorted(constraints.prunes, key=lambda p: (p.workload, p.site, p.rule_id)):
        out[p.workload].append(p)
    return {k: tuple(v) for k, v in out.items()}


def price_table(
    project: Project,
    requests: Mapping[str, Resources],
    catalogue: Catalogue,
    constraints: Constraints,
    *,
    candidates: Candidates,
    estimates: Mapping[str, Money],
    placements: Iterable[Placement],
    cache: PriceCache,
    basis: KeyedBasis | None = None,
    classes: Mapping[str, str] | None = None,
    today: date | None = None,
) -> PriceTable:
    """This run's prices, for a later run's ``reuse`` (``classes``: as priced; ``today``:
    the date ``constraints`` were derived on, kept with them for a later run's reuse)."""
    return PriceTable(
        candidates=candidates,
        workloads={w.name: (w, requests.get(w.name, w.resources)) for w in project.workloads},
        sites={s.name: s for s in project.sites},
        settings=project.settings,
        catalogue=catalogue,
        prunes=prunes_by_workload(constraints),
        rates=owned_rates_by_site(project.sites, catalogue, project.settings, cache=cache),
        estimates=dict(estimates),
        placements={p.workload: p for p in placements},
        basis=basis,
        classes=dict(classes or {}),
        constrained=None if today is None else (project, today),
        constraints=None if today is None else constraints,
    )


def _prime(
    jobs: Iterable[tuple[Workload, Resources, list[Site]]],
    sites: Mapping[str, Site],
    catalogue: Catalogue,
    cache: PriceCache,
) -> None:
    """The cloud instance choices of the pairs to price, at once as array work
    (``planner.cost.choose_batch``, as ``build_candidates`` primes a whole fleet)."""
    queries: list[Query] = []
    for w, request, on in jobs:
        queries.extend(queries_for(w, request, on))
        current = sites.get(w.current_site) if w.current_site is not None else None
        if current is not None:
            queries.extend(queries_for(w, w.resources, (current,)))
    prime_cloud_choices(queries, catalogue, cache)


def reprice_candidates(
    project: Project,
    requests: Mapping[str, Resources],
    catalogue: Catalogue,
    constraints: Constraints,
    *,
    cache: PriceCache,
    reuse: PriceTable,
    classes: Mapping[str, str] | None = None,
) -> tuple[Candidates, Touch, Reuse]:
    """The candidates ``build_candidates`` would build (with ``classes``), pricing only the
    pairs ``reuse`` does not hold (``touched``); what was reused."""
    classes = classes or {}
    rates = owned_rates_by_site(project.sites, catalogue, project.settings, cache=cache)
    touch = touched(reuse, project, requests, catalogue, rates, classes=classes)
    sites = {s.name: s for s in project.sites}
    names = sorted(sites)
    prunes = prunes_by_workload(constraints)
    base = {wo.workload: wo for wo in reuse.candidates.workloads}
    kept: dict[str, WorkloadOffers] = {}
    jobs: list[tuple[Workload, Resources, list[Site]]] = []
    total = len(project.workloads) * len(names)
    fresh = 0
    for w in project.workloads:
        request = requests.get(w.name, w.resources)
        old = base.get(w.name)
        on = [sites[n] for n in (names if old is None else touch.sites_of(w, request, names))]
        same_prunes = prunes.get(w.name, ()) == reuse.prunes.get(w.name, ())
        if old is not None and not on and same_prunes and w.name not in touch.movers:
            kept[w.name] = old
            continue
        if not same_prunes:
            on = [sites[n] for n in names]
        fresh += len(on)
        jobs.append((w, request, on))
    _prime(
        ((w, r, [s for s in on if s.kind is SiteKind.CLOUD]) for w, r, on in jobs),
        sites,
        catalogue,
        cache,
    )
    price = _pricer(project, requests, catalogue, cache=cache, touch=touch, jobs=jobs)
    memo: dict[tuple[Any, str], tuple[Offer, ...]] = {}
    priced: dict[str, list[Offer]] = {}
    for w, request, on in jobs:
        current = sites.get(w.current_site) if w.current_site is not None else None
        shape = (replace(w, name="", depends_on=()), request, classes.get(w.name))
        fresh_sites = {s.name for s in on}
        got: list[Offer] = []
        old = base.get(w.name)
        moved = _migration_again(
            w,
            current=current,
            catalogue=catalogue,
            settings=project.settings,
            cache=cache,
            touch=touch,
            sites=sites,
        )
        for n in names:
            if n not in fresh_sites:
                assert old is not None  # only workloads priced before reuse a site
                got.extend(moved(o) for o in old.offers if o.site == n)
                continue
            hit = memo.get((shape, n))
            if hit is None:
                hit = memo[(shape, n)] = price(
                    w,
                    request,
                    sites[n],
                    catalogue,
                    project.settings,
                    current=current,
                    cls=classes.get(w.name),
                )
                got.extend(hit)
            else:
                got.extend(replace(o, workload=w.name) for o in hit)
        priced[w.name] = got
    rebuilt = {
        wo.workload: wo
        for wo in candidates_from_offers(priced, constraints, (j[0] for j in jobs)).workloads
    }
    out = tuple(kept.get(n) or rebuilt[n] for n in sorted({*kept, *rebuilt}))
    info = Reuse(
        touch.everything,
        tuple(sorted(touch.sites)) if touch.everything is None else (),
        tuple(sorted(touch.workloads)) if touch.everything is None else (),
        total,
        total - fresh,
        tuple(sorted({i.key for v in touch.fits.values() for i in v})),
        repriced=frozenset(rebuilt),
        movers=len(touch.movers),
    )
    return Candidates(workloads=out), touch, info


def _pricer(
    project: Project,
    requests: Mapping[str, Resources],
    catalogue: Catalogue,
    *,
    cache: PriceCache,
    touch: Touch,
    jobs: list[tuple[Workload, Resources, list[Site]]],
) -> Callable[..., tuple[Offer, ...]]:
    """``offers_for`` for the pairs to price: the fleet pricer (the same offers, per-site
    work done once), over the whole project when everything is priced again, else over the
    workloads and sites of ``jobs`` (its array work done for those pairs only)."""
    if touch.everything is not None:
        return FleetPricer(project, requests, catalogue, cache=cache).offers_for
    names = {s.name for _, _, on in jobs for s in on}
    sub = replace(
        project,
        workloads=tuple(w for w, _, _ in jobs),
        sites=tuple(s for s in project.sites if s.name in names),
    )
    return FleetPricer(sub, requests, catalogue, cache=cache).offers_for


def _migration_again(
    w: Workload,
    *,
    current: Site | None,
    catalogue: Catalogue,
    settings: Settings,
    cache: PriceCache,
    touch: Touch,
    sites: Mapping[str, Site],
) -> Callable[[Offer], Offer]:
    """A kept offer of ``w`` as it is, or, for a mover (``Touch.movers``), with its
    migration priced again (an offer with migration items: priced, not on the current
    site; the items are the same to every other site)."""
    if w.name not in touch.movers:
        return lambda o: o
    items: list[tuple[LineItem, ...]] = []

    def moved(o: Offer) -> Offer:
        if not o.migration_items:
            return o
        if not items:
            items.append(
                migration_items(w, sites[o.site], catalogue, settings, current=current, cache=cache)
            )
        return replace(o, migration=total(items[0], catalogue.currency), migration_items=items[0])

    return moved


def reusable_estimates(
    project: Project, requests: Mapping[str, Resources], table: PriceTable, touch: Touch
) -> dict[str, Money | None]:
    """The base's baseline estimates still valid (``None``: still no baseline) for the
    workloads whose pair with their current site ``touch`` leaves alone."""
    out: dict[str, Money | None] = {}
    if touch.everything is not None:
        return out
    for w in project.workloads:
        if w.current_site is None or w.name in touch.workloads or w.name not in table.workloads:
            continue
        if not touch.pair(w, requests.get(w.name, w.resources), w.current_site):
            out[w.name] = table.estimates.get(w.name)
    return out
