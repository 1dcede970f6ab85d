"""Which workload x site pairs a what-if prices again (``planner.reprice``'s docstring has
the rules): ``touched`` compares a project, catalogue and owned rates with a ``PriceTable``.
Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import TYPE_CHECKING

from planner.catalogue import Catalogue, InstanceType
from planner.cost.cloud import fits
from planner.cost.owned import OwnedRates
from planner.cost.priced import site_options
from planner.model import Project, Resources, Settings, Site, SiteKind, Workload

if TYPE_CHECKING:
    from planner.reprice import PriceTable

UNPRICED_SETTINGS = frozenset(
    {
        "headroom",
        "classify",
        "solver_time_limit_s",
        "solver_gap",
        "min_replicas_by_tier",
        "waves",
        "currency_source",
    }
)
"""``Settings`` fields ``planner.cost`` never reads (``test_reprice`` scans it): changing
them re-prices nothing."""


@dataclass(frozen=True, slots=True)
class Touch:
    """The pairs a scenario touches (module docstring)."""

    everything: str | None = None
    sites: frozenset[str] = frozenset()
    workloads: frozenset[str] = frozenset()
    fits: Mapping[str, tuple[InstanceType, ...]] = field(default_factory=dict)
    """Per site, instances whose price changed: a pair is touched if its workload fits one."""
    movers: frozenset[str] = frozenset()
    """Workloads of ``workloads`` touched only through their current site's pair: their
    offers elsewhere keep their prices, with their migration (priced from the current
    site, the same to every other site: ``cost.migration``) priced again."""

    def pair(self, w: Workload, request: Resources, site: str) -> bool:
        """Is ``w`` (at ``request``) on ``site`` priced again?"""
        if self.everything is not None or site in self.sites or w.name in self.workloads:
            return True
        return any(fits(i, request) or fits(i, w.resources) for i in self.fits.get(site, ()))

    def sites_of(self, w: Workload, request: Resources, names: Iterable[str]) -> list[str]:
        """The sites of ``names`` whose pair with ``w`` is priced again (``pair`` for each,
        each instance's fit tested once)."""
        if self.everything is not None or (w.name in self.workloads and w.name not in self.movers):
            return list(names)
        fit: dict[str, bool] = {}

        def any_fits(site: str) -> bool:
            for i in self.fits.get(site, ()):
                got = fit.get(i.key)
                if got is None:
                    got = fit[i.key] = fits(i, request) or fits(i, w.resources)
                if got:
                    return True
            return False

        return [n for n in names if n in self.sites or any_fits(n)]


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


def _instance_of(key: str, catalogue: Catalogue) -> InstanceType | None:
    """The instance a ``<instance>.<region>.<option>`` price key prices (else ``None``)."""
    parts = key.split(".")
    if len(parts) < 4:
        return None
    return catalogue.instances.get(".".join(parts[:-2]))


def _settings_touch(old: Settings, new: Settings) -> tuple[str | None, int | None]:
    """``(why everything, shorter horizon when only the horizon changed among priced
    settings)``."""
    changed = {
        f.name
        for f in fields(Settings)
        if f.name not in UNPRICED_SETTINGS and getattr(old, f.name) != getattr(new, f.name)
    }
    horizon = None
    if "horizon_months" in changed:
        changed.discard("horizon_months")
        horizon = min(old.horizon_months, new.horizon_months)
    if changed:
        return f"the settings changed: {', '.join(sorted(changed))}", None
    return None, horizon


def touched(
    table: PriceTable,
    project: Project,
    requests: Mapping[str, Resources],
    catalogue: Catalogue,
    rates: Mapping[str, OwnedRates],
    *,
    classes: Mapping[str, str] | None = None,
) -> Touch:
    """The pairs to price again against ``table`` (module docstring); a workload whose
    class (``classes``) changed is priced again (its headroom is in its usage)."""
    classes = classes or {}
    base = table.catalogue
    why, horizon = _settings_touch(table.settings, project.settings)
    if why is not None:
        return Touch(why)
    if catalogue is not base and (
        catalogue.instances != base.instances
        or catalogue.managed_classes != base.managed_classes
        or catalogue.node_defaults != base.node_defaults
        or catalogue.split != base.split
        or catalogue.currency != base.currency
    ):
        return Touch("the catalogue's shapes changed")
    sites = {s.name for s in project.sites if table.sites.get(s.name) != s}
    sites |= {
        s.name
        for s in project.sites
        if s.kind is not SiteKind.CLOUD and rates.get(s.name) != table.rates.get(s.name)
    }
    if horizon is not None:
        sites |= {
            s.name for s in project.sites if any(o.term_months > horizon for o in site_options(s))
        }
    by_site: dict[str, list[InstanceType]] = defaultdict(list)
    if catalogue is not base:
        regions = catalogue.index.regions
        for k in sorted(set(catalogue.prices) | set(base.prices)):
            if catalogue.prices.get(k) == base.prices.get(k):
                continue
            reach = _key_sites(k, project.sites, regions)
            inst = _instance_of(k, catalogue)
            if inst is None or k not in catalogue.prices or k not in base.prices:
                sites |= reach
                continue
            # the split rule reads reference instances: owned rates, compared above
            for name in reach:
                if project.site(name).kind is SiteKind.CLOUD:
                    by_site[name].append(inst)
                elif name not in rates:  # a leased pool: no rates to compare
                    sites.add(name)
    fit = {s: tuple(v) for s, v in by_site.items() if s not in sites}
    touch = Touch(None, frozenset(sites), frozenset(), fit)
    changed = {
        w.name
        for w in project.workloads
        if table.workloads.get(w.name) != (w, requests.get(w.name, w.resources))
        or table.classes.get(w.name) != classes.get(w.name)
    }
    movers = {
        w.name
        for w in project.workloads
        if w.name not in changed
        and w.current_site is not None
        and touch.pair(w, requests.get(w.name, w.resources), w.current_site)
    }
    return replace(touch, workloads=frozenset(changed | movers), movers=frozenset(movers))
