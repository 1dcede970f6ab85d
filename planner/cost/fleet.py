"""``FleetPricer``: ``offers_for`` for a whole fleet, with the work that does not depend on
the workload done once.

``FleetPricer(project, requests, catalogue, cache=...).offers_for`` takes the arguments of
``planner.cost.offers_for`` and returns the same offers, field for field (the unit tests
compare them with the uncached path on every workload of a generated fleet), faster
(``offers_on``: a workload's offers on several sites in one call, as ``build_candidates``
asks for them):

* each site is validated once (``check_site``), not once per workload;
* every cloud instance choice of the fleet is answered up front as array work
  (``planner.cost.fleet_choices``: one request x instance matrix per site group and
  option), kept per site group and workload row, not in the ``PriceCache``;
* a service's compute, spot-overhead and discount lines depend on few things (instance,
  instance count and packing, replicas, billed hours, option, site), so they are built once
  per distinct combination and shared, like its storage and egress lines; money is the
  scalar code's (``cloud_lines.compute_lines``, ``fixed_lines``), called on a miss; a
  cloud site's service offers are priced for every batch row at once, one table per
  option (``planner.cost.fleet_table``);
* a workload's usage, migration items, owned-site quantities (``owned_lines.owned_shape``)
  and eligibility facts are computed once for all its sites (``planner.cost.fleet_facts``),
  and the reasons once for all workloads that read the same facts.

Training, CDN egress and owned sites go through the scalar line functions with the batch
choice or per-site facts; anything else (managed services, object stores, leased pools,
a site or request that differs from the fleet it was built for, any input error) goes
through the scalar ``offers_for``, which also raises every error, located, as it would
have. Pure: the pricer holds memos for one pricing run and is dropped with it.
"""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import replace

from planner.catalogue import Catalogue
from planner.cost.builders import cents_money, new_offer
from planner.cost.cache import PriceCache
from planner.cost.cdn import cdn_items
from planner.cost.cloud import CloudPrice, choose, packing
from planner.cost.cloud_lines import chosen_lines
from planner.cost.fleet_choices import Choices, FleetChoices, fleet_choices
from planner.cost.fleet_facts import (
    ALWAYS,
    UNSEEN,
    Lines,
    PricedCents,
    SiteFacts,
    WorkloadFacts,
    site_facts,
    site_plans,
    workload_facts,
)
from planner.cost.fleet_moves import FleetMoves
from planner.cost.fleet_table import (
    Row,
    RowFacts,
    cents_of,
    row_facts,
    service_lines,
    service_table,
)
from planner.cost.managed import SERVICES
from planner.cost.offers import offers_for, option_reason, owned_rates_by_site, site_reason
from planner.cost.owned_lines import owned_shape, owned_site, shared_owned_lines
from planner.cost.priced import Priced, physical_reason
from planner.cost.pricing import price_option
from planner.errors import InputError
from planner.model import (
    LineItem,
    Offer,
    PricingOption,
    Project,
    Resources,
    Settings,
    Site,
    SiteKind,
    Workload,
    WorkloadKind,
)
from planner.money import Money


class FleetPricer:
    """``offers_for`` for the workloads of ``project`` at ``requests`` (module docstring).
    ``cache`` is the run's ``PriceCache`` (owned rates, egress, baselines and moves; the
    instance choices at the workloads' current sites are primed into it for the baseline)."""

    def __init__(
        self,
        project: Project,
        requests: Mapping[str, Resources],
        catalogue: Catalogue,
        *,
        cache: PriceCache,
    ) -> None:
        self._project = project
        self._requests = requests
        self._catalogue = catalogue
        self._settings = project.settings
        self._cache = cache
        self._nil = Money.zero(catalogue.currency)
        self._primed = False
        self._batch = FleetChoices({}, {})
        self._sites: dict[str, SiteFacts] = {}
        self._serials = itertools.count()
        self._memo: dict[Hashable, Lines] = {}
        self._reasons: dict[Hashable, str | None] = {}
        self._unfit: dict[tuple[int, int], str] = {}
        self._last: WorkloadFacts | None = None
        self._rows: RowFacts | None = None
        self._tables: dict[int, list[list[Row | None] | None]] = {}
        """Per site serial: the service table of each of its options (``SiteFacts.plans``)."""
        self._tails: dict[int, dict[Hashable, Lines]] = {}
        self._moves = FleetMoves(
            catalogue, self._settings, site=self._site, memo=self._memo, cache=cache
        )

    # ------------------------------------------------------------------ priming

    def _prime(self) -> None:
        """Owned rates (an owned site's input error raised up front, as the scalar
        candidates path does) and every cloud instance choice, as array work."""
        self._primed = True
        project, catalogue = self._project, self._catalogue
        owned_rates_by_site(project.sites, catalogue, self._settings, cache=self._cache)
        groups: dict[Hashable, tuple[Site, set[PricingOption]]] = {}
        for s in project.sites:
            sf = self._site(s)
            if s.kind is SiteKind.CLOUD and sf.fast:
                groups.setdefault(sf.group, (s, set()))[1].update(sf.options)
        self._batch = fleet_choices(project, self._requests, catalogue, groups, cache=self._cache)

    def _site(self, site: Site) -> SiteFacts:
        facts = self._sites.get(site.name)
        if facts is not None and (facts.site is site or facts.site == site):
            return facts
        facts = site_facts(site, next(self._serials), self._settings, self._catalogue, self._cache)
        self._sites[site.name] = facts
        return facts

    def _workload(
        self, workload: Workload, request: Resources, current: Site | None, cls: str | None
    ) -> WorkloadFacts:
        last = self._last
        if (
            last is not None
            and last.workload is workload
            and last.request is request
            and last.current is current
            and last.cls == cls
        ):
            return last
        self._last = workload_facts(workload, request, current, self._batch, cls)
        return self._last

    # ------------------------------------------------------------------ offers

    def offers_for(
        self,
        workload: Workload,
        request: Resources,
        site: Site,
        catalogue: Catalogue,
        settings: Settings,
        *,
        current: Site | None = None,
        cls: str | None = None,
    ) -> tuple[Offer, ...]:
        """``planner.cost.offers_for(workload, request, site, catalogue, settings,
        current=current, cache=..., cls=cls)``: the same offers."""
        if not self._primed:
            self._prime()
        sf = self._site(site)
        fast = (
            sf.fast
            and catalogue is self._catalogue
            and (settings is self._settings or settings == self._settings)
        )
        if fast:
            out: list[Offer] = []
            try:
                self._offers(self._workload(workload, request, current, cls), sf, out)
                return tuple(out)
            except InputError:  # raised again by the scalar path, located
                pass
        return self._scalar(workload, request, site, catalogue, settings, current=current, cls=cls)

    def _scalar(
        self,
        workload: Workload,
        request: Resources,
        site: Site,
        catalogue: Catalogue,
        settings: Settings,
        *,
        current: Site | None,
        cls: str | None,
    ) -> tuple[Offer, ...]:
        """``offers_for`` itself (with this run's cache): where the tables do not apply, or
        to raise a table's ``InputError`` again, located."""
        return offers_for(
            workload,
            request,
            site,
            catalogue,
            settings,
            current=current,
            cache=self._cache,
            cls=cls,
        )

    def offers_on(
        self,
        workload: Workload,
        request: Resources,
        sites: Sequence[Site],
        catalogue: Catalogue,
        settings: Settings,
        *,
        current: Site | None = None,
        cls: str | None = None,
    ) -> list[Offer]:
        """``offers_for`` on each of ``sites`` in turn, the offers in one list (the
        workload's facts looked up once)."""
        if not self._primed:
            self._prime()
        wf: WorkloadFacts | None = None
        if catalogue is self._catalogue and (
            settings is self._settings or settings == self._settings
        ):
            try:
                wf = self._workload(workload, request, current, cls)
            except InputError:  # raised again by the scalar path, located
                wf = None
        out: list[Offer] = []
        for site in sites:
            sf = self._site(site)
            if wf is not None and sf.fast:
                at = len(out)
                try:
                    self._offers(wf, sf, out)
                    continue
                except InputError:  # raised again by the scalar path, located
                    del out[at:]
            out.extend(
                self._scalar(workload, request, site, catalogue, settings, current=current, cls=cls)
            )
        return out

    def _offers(self, wf: WorkloadFacts, sf: SiteFacts, offers: list[Offer]) -> None:
        """``offers_for``'s loop over the site's options (same order, reasons and fields),
        appending to ``offers``."""
        w, request, site, settings = wf.workload, wf.request, sf.site, self._settings
        usage, nil, cur = wf.usage, self._nil, self._catalogue.currency
        name, site_name = w.name, site.name
        reasons = self._reasons
        # site_reason reads the pin, residency and tier of the workload
        # (keys hold enum values: an Enum's hash is a Python call)
        rkey: Hashable = (sf.serial, wf.site_key)
        excluded = reasons.get(rkey, UNSEEN)
        if excluded is UNSEEN:
            excluded = reasons[rkey] = site_reason(w, request, site, settings)
        # a physical impossibility is an owned site's (physical_reason)
        cloud = site.kind is SiteKind.CLOUD
        physical = None if cloud else physical_reason(request, site)
        service = wf.fast and cloud
        mig: tuple[tuple[LineItem, ...], Money] | None = None
        row = wf.row if service else -1
        plans = sf.plans or site_plans(sf, self._batch)
        tables = self._tables.get(sf.serial) if service else None
        if service and tables is None:
            tables = self._tables[sf.serial] = [None] * len(plans)
        for i, (option, unsold, by_hour, choices, value) in enumerate(plans):
            hit: Row | None = None
            priced: Priced | None = None
            reason: str | None = None
            if unsold is not None:
                reason = unsold
            elif option is PricingOption.CAPACITY_BLOCK and request.gpus == 0:
                reason = "capacity blocks are sold for GPU instances only"
            elif physical is not None:
                reason = physical
            elif service:
                if row >= 0 and choices is not None:
                    assert tables is not None
                    table = tables[i]
                    if table is None:
                        table = tables[i] = self._table(sf, option, by_hour, choices)
                    hit = table[row]
                if hit is None:
                    chosen, fit = self._chosen(wf, sf, option, choices)
                    if isinstance(chosen, str):
                        reason = chosen
                    else:
                        priced, cents = service_lines(
                            wf,
                            sf,
                            option,
                            chosen,
                            self._catalogue,
                            fit=fit,
                            by_hour=by_hour,
                            memo=self._memo,
                            cache=self._cache,
                        )
            else:
                priced, cents = self._price(wf, sf, option)
                reason = priced.reason
            if reason is not None or (priced is None and hit is None):
                # an option that cannot be priced, as offers_for's base offer (positional:
                # workload, site, option, per_month, line_items, migration, migration_items,
                # instance_type, eligible, reason, usage)
                offers.append(
                    new_offer(
                        name,
                        site_name,
                        option,
                        nil,
                        (),
                        nil,
                        (),
                        None,
                        False,
                        reason,
                        usage,
                        None,
                        None,
                        None,
                    )
                )
                continue
            if mig is None:
                mig = self._moves.migration(wf, site)
            reason = excluded
            if reason is None:
                # option_reason reads the option, tier 1, allow_spot and whether it is held
                held = w.current_site == site_name and w.current_option is option
                okey = (value, wf.option_key, held)
                reason = reasons.get(okey, UNSEEN)
                if reason is UNSEEN:
                    reason = reasons[okey] = option_reason(w, site, option, settings)
            if hit is not None:
                # a service's shared lines: no GPU-hour slope, fixed part or billed hours
                offers.append(
                    new_offer(
                        name,
                        site_name,
                        option,
                        hit[1],
                        hit[0],
                        mig[1],
                        mig[0],
                        hit[2],
                        reason is None,
                        reason,
                        usage,
                        None,
                        None,
                        None,
                    )
                )
                continue
            assert priced is not None
            # the priced offer, positional: as above, then usd_per_gpu_hour,
            # fixed_per_month, billed_gpu_hours
            offers.append(
                new_offer(
                    name,
                    site_name,
                    option,
                    cents_money(cents, cur),
                    priced.items,
                    mig[1],
                    mig[0],
                    priced.instance_type,
                    reason is None,
                    reason,
                    usage,
                    priced.usd_per_gpu_hour,
                    priced.fixed_per_month,
                    priced.billed_gpu_hours,
                )
            )

    def _table(
        self, sf: SiteFacts, option: PricingOption, by_hour: bool, choices: Choices
    ) -> list[Row | None]:
        """The site's service offers under ``option`` for every batch row
        (``fleet_table.service_table``; kept per site and option by ``_offers``)."""
        if self._rows is None:
            self._rows = row_facts(self._batch.order)
        return service_table(
            self._rows,
            sf.site,
            option,
            choices,
            self._catalogue,
            by_hour=by_hour,
            always=ALWAYS,
            tails=self._tails.setdefault(sf.serial, {}),
            cache=self._cache,
        )

    def _price(self, wf: WorkloadFacts, sf: SiteFacts, option: PricingOption) -> PricedCents:
        """``price_option``: the priced lines (or the reason) and their sum in cents."""
        w, request, site, catalogue = wf.workload, wf.request, sf.site, self._catalogue
        if site.kind is SiteKind.CLOUD and w.kind not in SERVICES and w.objects is None:
            chosen, _ = self._chosen(wf, sf, option, self._batch.choices.get((sf.group, option)))
            if isinstance(chosen, str):
                return Priced((), reason=chosen), 0
            priced = chosen_lines(
                w, request, site, catalogue, option=option, chosen=chosen, cache=self._cache
            )
        elif (
            site.kind is not SiteKind.CLOUD
            and option is not PricingOption.LEASED
            and (w.objects is None)
        ):
            if sf.owned is None:
                rates = self._cache.owned_rates(site, catalogue, self._settings)
                sf.owned = (rates, owned_site(site, catalogue, rates), {})
            if wf.owned is None:
                wf.owned = owned_shape(w, request)
            rates, facts, memo = sf.owned
            priced = shared_owned_lines(
                w, request, site, catalogue, rates, facts=facts, shape=wf.owned, memo=memo
            )
        else:
            priced = price_option(
                w,
                request,
                site,
                catalogue,
                settings=self._settings,
                option=option,
                cache=self._cache,
            )
            return priced, cents_of(priced.items)
        priced = self._with_cdn(priced, w, site)
        return priced, cents_of(priced.items)

    def _chosen(
        self,
        wf: WorkloadFacts,
        sf: SiteFacts,
        option: PricingOption,
        choices: Choices | None,
    ) -> tuple[CloudPrice | str, int]:
        """The instance ``cloud.choose`` picks (the batch answer in ``choices``), or its
        reason; and the replicas per instance before the cap (``packing`` without ``cap``)
        for services."""
        row = wf.row
        unfit = False
        if choices is not None and row >= 0:
            hit = choices[0][row]
            if hit is not None:
                return hit, choices[1][row]
            # nothing fits, whatever the option: the same reason for every option
            unfit = choices[1][row] == -1
            if unfit and (sf.serial, row) in self._unfit:
                return self._unfit[(sf.serial, row)], 0
        chosen, why = choose(
            sf.site, self._catalogue, wf.request, option, replicas=wf.replicas, cap=wf.cap
        )
        if unfit:
            self._unfit[(sf.serial, row)] = why
        if chosen is None:
            return why, 0
        n = wf.replicas
        return chosen, packing(chosen.instance, wf.request, n)[0] if n is not None else 1

    def _with_cdn(self, priced: Priced, w: Workload, site: Site) -> Priced:
        """``price_option``'s CDN egress line on a priced non-training offer."""
        gib = w.data.cdn_egress_gib_per_month
        if priced.reason is not None or gib <= 0 or w.kind is WorkloadKind.TRAINING:
            return priced
        cdn = cdn_items(site, self._catalogue, gib)
        if isinstance(cdn, str):
            return Priced((), reason=cdn)
        return replace(priced, items=priced.items + cdn)
