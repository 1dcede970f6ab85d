"""``PriceCache``: memoised pricing for one planning run, passed in by the caller.

The cost model is pure, so its answers may be reused; fleets repeat shapes (replicas,
per-tenant copies) and price the same instance choice or owned estate thousands of times.
The cache is an explicit object, never module state: the caller creates one per run (the
pipeline per plan, the CLI per command) and passes it down. Every entry is checked against
the content it was computed from (the catalogue digest, the site value, the discount rate),
so a site changed with ``dataclasses.replace`` is a miss, never a stale hit.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import TYPE_CHECKING, Generic, TypeVar

from planner.model import LineItem, Settings, Site, Workload

if TYPE_CHECKING:
    from planner.catalogue import Catalogue
    from planner.cost.cloud import CloudPrice
    from planner.cost.owned import OwnedRates

CloudChoice = tuple["CloudPrice | None", str]
V = TypeVar("V")


class _SiteMemo(Generic[V]):
    """Values that depend on one site, a catalogue and the discount rate, under a key that
    names the site; a hit must match all three by content."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        self._entries: dict[Hashable, tuple[Site, str, float, V]] = {}

    def get(
        self,
        key: Hashable,
        site: Site,
        catalogue: Catalogue,
        settings: Settings,
        compute: Callable[[], V],
    ) -> V:
        rate = settings.discount_rate_pct
        hit = self._entries.get(key)
        if (
            hit is not None
            and hit[1] == catalogue.digest
            and hit[2] == rate
            and (hit[0] is site or hit[0] == site)
        ):
            return hit[3]
        value = compute()
        self._entries[key] = (site, catalogue.digest, rate, value)
        return value


class PriceCache:
    """Memo of cloud instance choices, owned-site rates and baselines (see the module
    docstring)."""

    __slots__ = ("_baseline", "_cloud", "_egress", "_migration", "_overrides", "_owned")

    def __init__(self) -> None:
        self._cloud: dict[Hashable, CloudChoice] = {}
        self._overrides: dict[str, tuple[Mapping[str, object], Hashable]] = {}
        self._owned: _SiteMemo[OwnedRates] = _SiteMemo()
        self._baseline: _SiteMemo[tuple[LineItem, ...]] = _SiteMemo()
        self._migration: _SiteMemo[tuple[LineItem, ...]] = _SiteMemo()
        self._egress: dict[Hashable, tuple[LineItem, ...]] = {}

    def cloud_choice(self, key: Hashable, compute: Callable[[], CloudChoice]) -> CloudChoice:
        """The instance choice under ``key``: a content key of everything it depends on
        (catalogue digest, provider, region, overrides, request, option, packing)."""
        hit = self._cloud.get(key)
        if hit is None:
            hit = self._cloud[key] = compute()
        return hit

    def egress(
        self, key: Hashable, compute: Callable[[], tuple[LineItem, ...]]
    ) -> tuple[LineItem, ...]:
        """The egress line under ``key``: a content key of everything it depends on
        (catalogue digest, provider, overrides, volume, wording)."""
        hit = self._egress.get(key)
        if hit is None:
            hit = self._egress[key] = compute()
        return hit

    def migration(
        self,
        key: Hashable,
        current: Site,
        catalogue: Catalogue,
        settings: Settings,
        compute: Callable[[], tuple[LineItem, ...]],
    ) -> tuple[LineItem, ...]:
        """The one-off items of moving a workload away from ``current`` under ``key`` (the
        workload and the settings they read), once per current site value, catalogue and
        discount rate: they are the same whichever site it moves to."""
        return self._migration.get(key, current, catalogue, settings, compute)

    def has_cloud_choice(self, key: Hashable) -> bool:
        """Whether the instance choice under ``key`` is known."""
        return key in self._cloud

    def store_cloud_choice(self, key: Hashable, value: CloudChoice) -> None:
        """Record the instance choice under ``key`` computed elsewhere (by
        ``planner.cost.choose_batch``, which answers as ``cloud.choose`` would)."""
        self._cloud[key] = value

    def overrides_key(self, site: Site) -> Hashable:
        """``site.price_overrides`` as a hashable key (sorted items), built once per site
        name; a hit must hold the same mapping (or an equal one)."""
        overrides = site.price_overrides
        hit = self._overrides.get(site.name)
        if hit is not None and (hit[0] is overrides or hit[0] == overrides):
            return hit[1]
        key = tuple(sorted(overrides.items()))
        self._overrides[site.name] = (overrides, key)
        return key

    def owned_rates(self, site: Site, catalogue: Catalogue, settings: Settings) -> OwnedRates:
        """``planner.cost.owned_rates(site, catalogue, settings)``, computed once per site
        value, catalogue and discount rate."""
        from planner.cost.owned import owned_rates

        return self._owned.get(
            site.name, site, catalogue, settings, lambda: owned_rates(site, catalogue, settings)
        )

    def baseline(
        self,
        workload: Workload,
        site: Site,
        catalogue: Catalogue,
        settings: Settings,
        compute: Callable[[], tuple[LineItem, ...]],
    ) -> tuple[LineItem, ...]:
        """``planner.cost.baseline_items`` of ``workload`` at ``site``, once per workload
        value, site value, catalogue and discount rate (every move of a workload prices its
        double running at the same current site)."""
        return self._baseline.get((workload, site.name), site, catalogue, settings, compute)
