"""What moving a workload costs in ``FleetPricer``'s offers: ``migration_items`` away from
its current site, built from shared parts (the dataset egress per current site and dataset
size, one engineering line, the double running at the workload's baseline), and that
baseline, kept in the run's ``PriceCache`` (the plan's baselines read it).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

from planner.catalogue import Catalogue
from planner.cost.builders import cents_money
from planner.cost.cache import PriceCache
from planner.cost.cloud import INSTANCE_OPTIONS, choose, packing
from planner.cost.cloud_lines import BY_THE_HOUR
from planner.cost.common import total
from planner.cost.fleet_facts import Lines, SiteFacts, WorkloadFacts
from planner.cost.fleet_table import cents_of, service_lines
from planner.cost.migration import (
    baseline_items,
    baseline_option,
    dataset_egress_items,
    double_running_items,
    double_running_months,
    engineering_item,
    migration_items,
)
from planner.model import LineItem, Settings, Site
from planner.money import Money


class FleetMoves:
    """The migration lines of one pricing run. ``site`` gives the pricer's ``SiteFacts`` of
    a site, ``memo`` is its memo of shared service lines."""

    def __init__(
        self,
        catalogue: Catalogue,
        settings: Settings,
        *,
        site: Callable[[Site], SiteFacts],
        memo: dict[Hashable, Lines],
        cache: PriceCache,
    ) -> None:
        self._catalogue = catalogue
        self._settings = settings
        self._site = site
        self._memo = memo
        self._cache = cache
        self._nil = Money.zero(catalogue.currency)
        self._egress: dict[Hashable, tuple[LineItem, ...]] = {}
        """Dataset egress items by (current site serial, dataset GiB)."""
        self._engineering: LineItem | None = None

    def migration(self, wf: WorkloadFacts, site: Site) -> tuple[tuple[LineItem, ...], Money]:
        """``migration_items`` away from the workload's current site, and their sum (the
        same to every other site: kept in ``wf.mig``)."""
        w = wf.workload
        if w.current_site is None or w.current_site == site.name:
            return (), self._nil
        if wf.mig is None:
            items = self._moving(wf, site)
            wf.mig = (items, cents_money(cents_of(items), self._catalogue.currency))
        return wf.mig

    def _moving(self, wf: WorkloadFacts, site: Site) -> tuple[LineItem, ...]:
        """``migration._moving_items`` from its parts: the dataset egress shared by the
        workloads with the same dataset at the same site, the engineering line by all, the
        double running at the sum of the workload's baseline (``_baseline``)."""
        w, current, catalogue, settings = wf.workload, wf.current, self._catalogue, self._settings
        if current is None:
            return migration_items(w, site, catalogue, settings, current=None, cache=self._cache)
        cf = self._site(current)
        key: Hashable = (cf.serial, w.data.dataset_gib)
        egress = self._egress.get(key)
        if egress is None:
            egress = self._egress[key] = dataset_egress_items(
                w, catalogue, settings, current=current, cache=self._cache
            )
        if self._engineering is None:
            self._engineering = engineering_item(settings, catalogue.currency)
        monthly = None
        if double_running_months(settings, w)[0] > 0:
            monthly = total(self._baseline(wf, cf), catalogue.currency)
        running = double_running_items(
            w, settings, catalogue.currency, current=current, monthly=monthly
        )
        return (*egress, self._engineering, *running)

    def _baseline(self, wf: WorkloadFacts, cf: SiteFacts) -> tuple[LineItem, ...]:
        """``migration.baseline_items`` of the workload at its current site ``cf`` (kept in
        the run's cache, which the plan's baselines read): a service's cloud lines shared
        through the pricer's memo (``service_lines`` at its declared request), else the
        scalar path."""
        w, site, catalogue, settings = wf.workload, cf.site, self._catalogue, self._settings
        opt = baseline_option(site, w.current_option)
        if wf.fast and cf.fast and cf.cloud and opt in INSTANCE_OPTIONS:
            n, request = wf.replicas, w.resources
            assert n is not None
            chosen, _ = choose(
                site, catalogue, request, opt, replicas=n, cap=wf.cap, cache=self._cache
            )
            if chosen is not None:
                priced, _ = service_lines(
                    wf,
                    cf,
                    opt,
                    chosen,
                    catalogue,
                    fit=packing(chosen.instance, request, n)[0],
                    by_hour=opt in BY_THE_HOUR,
                    memo=self._memo,
                    cache=self._cache,
                    request=request,
                )
                items = priced.items
                return self._cache.baseline(w, site, catalogue, settings, lambda: items)
        return baseline_items(w, site, catalogue, settings, cache=self._cache)
