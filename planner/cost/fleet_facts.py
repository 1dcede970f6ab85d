"""What ``FleetPricer`` works out once per site and once per workload: the facts every
workload's offers on one site share (``SiteFacts``: validity, price group, owned rates and
the options as offers start), and the facts a workload's offers on every site share
(``WorkloadFacts``: batch row, usage, packing arguments, billed hours, migration and
owned-site quantities, filled in as they are first needed).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

from planner.catalogue import Catalogue
from planner.cost.cache import PriceCache
from planner.cost.cloud import INSTANCE_OPTIONS, price_region
from planner.cost.cloud_lines import BY_THE_HOUR, billed_hours, choice_args
from planner.cost.common import HOURS, check_settings, check_site
from planner.cost.fleet_choices import Choices, FleetChoices
from planner.cost.managed import SERVICES
from planner.cost.offers import usage_of
from planner.cost.owned import OwnedRates
from planner.cost.owned_lines import OwnedShape, OwnedSite
from planner.cost.priced import Priced, site_options
from planner.errors import InputError
from planner.model import LineItem, PricingOption, Resources, Settings, Site, SiteKind, Workload
from planner.money import Money

Lines = tuple[tuple[LineItem, ...], int]
"""Line items and the sum of their cents."""

Option = tuple[PricingOption, "str | None", bool, "Choices | None", str]
"""A site's option as its offers start (``SiteFacts.plans``)."""

PricedCents = tuple[Priced, int]
"""An option priced (or its reason) and the sum of its lines in cents."""

UNSEEN = "\0unseen"
"""A memo miss (a reason may be ``None``)."""

ALWAYS: Hashable = (HOURS, "730 h", None)
"""``hours_key`` of an option billed every hour (``billed_hours``)."""


@dataclass(slots=True)
class SiteFacts:
    """What every workload's offers on one site share."""

    site: Site
    serial: int
    """This site value's number in the pricer's memo keys."""
    options: tuple[PricingOption, ...]
    fast: bool
    """False when the site has input problems (the scalar path raises them)."""
    group: Hashable = None
    """Cloud: (provider, price region, overrides) of its instance choices."""
    owned: tuple[OwnedRates, OwnedSite, dict[Hashable, Any]] | None = None
    """Owned: its rates, what its lines share, and the memo of its shared lines
    (``owned_lines.shared_owned_lines``)."""
    plans: tuple[Option, ...] = ()
    """Per option: the option, why a cloud site does not sell it, whether it is billed by
    the hour, the batch choices of the site's group, the option's value (a memo key: an
    Enum's hash is a Python call)."""

    @property
    def cloud(self) -> bool:
        return self.site.kind is SiteKind.CLOUD


@dataclass(slots=True)
class WorkloadFacts:
    """What one workload's offers on every site share."""

    workload: Workload
    request: Resources
    current: Site | None
    row: int
    """The workload's row in the batch choices (-1: not primed at this request)."""
    usage: dict[str, float]
    fast: bool
    """Priced by the shared-lines path: no training, managed service, object store or CDN
    egress."""
    replicas: int | None
    cap: int | None
    by_hour: Hashable
    """The billed hours of an option sold by the hour, as a memo key (``billed_hours``
    and the source line they add)."""
    mig: tuple[tuple[LineItem, ...], Money] | None = None
    """Migration items and total away from the current site (the same to every site)."""
    owned: OwnedShape | None = None
    """Its request's core- and GiB-hours on any owned site."""
    cls: str | None = None
    """The class its ``usage`` holds the headroom of (``offers_for``'s ``cls``)."""
    site_key: Hashable = None
    """What ``site_reason`` reads of it: its pin, residency (value) and tier."""
    option_key: Hashable = None
    """What ``option_reason`` reads of it but whether the option is held: tier 1 or not,
    ``allow_spot``."""


def hours_key(workload: Workload) -> Hashable:
    """The billed hours of an option sold by the hour, as a memo key (the workload's name
    only where its hours come from its own schedule)."""
    hours, text = billed_hours(workload, PricingOption.ON_DEMAND)
    named = hours != HOURS and not workload.hours_source
    return (hours, text, workload.name if named else None)


def site_facts(
    site: Site, serial: int, settings: Settings, catalogue: Catalogue, cache: PriceCache
) -> SiteFacts:
    """A site's facts: its options, whether it is free of input problems, its price group."""
    problems = check_settings(settings, catalogue)
    problems += check_site(site, catalogue)
    group: Hashable = None
    fast = not problems
    if fast and site.kind is SiteKind.CLOUD:
        try:
            group = (site.provider, price_region(site), cache.overrides_key(site))
        except InputError:
            fast = False
    return SiteFacts(site, serial, site_options(site), fast, group)


def workload_facts(
    workload: Workload,
    request: Resources,
    current: Site | None,
    batch: FleetChoices,
    cls: str | None = None,
) -> WorkloadFacts:
    """A workload's facts at ``request`` (its row in ``batch``) and class ``cls``."""
    fast = workload.training is None and workload.objects is None
    fast = fast and workload.kind not in SERVICES
    fast = fast and workload.data.cdn_egress_gib_per_month <= 0
    _, replicas, cap = choice_args(workload, request)
    return WorkloadFacts(
        workload,
        request,
        current,
        batch.row(workload, request),
        usage_of(workload, request, cls),
        fast,
        replicas,
        cap,
        hours_key(workload),
        cls=cls,
        site_key=(workload.pinned_site, workload.data.residency.value, workload.tier),
        option_key=(workload.tier == 1, workload.allow_spot),
    )


def site_plans(sf: SiteFacts, batch: FleetChoices) -> tuple[Option, ...]:
    """The site's options as every workload's offers on it start (after priming); kept in
    ``sf.plans``."""
    plans = []
    for option in sf.options:
        unsold = None
        if sf.cloud and option not in INSTANCE_OPTIONS:
            unsold = f"cloud sites do not sell {option.value} capacity"
        by_hour = option in BY_THE_HOUR
        choices = batch.choices.get((sf.group, option))
        plans.append((option, unsold, by_hour, choices, option.value))
    sf.plans = tuple(plans)
    return sf.plans
