"""What a workload pays today (its baseline), and the one-off cost of moving it.

``baseline_items`` is the one definition of "what a workload pays today": its declared size
(not the right-sized request) at its current site, on its declared ``current_option`` or
else the site's usual option (``baseline_option``), whatever the rules say about where it may
run next: eligibility is about placing it, not about what is paid today. The plan's "before"
figures and the double running of a move both price it so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from fractions import Fraction

from planner.catalogue import Catalogue
from planner.cost.cache import PriceCache
from planner.cost.cloud import egress_items
from planner.cost.common import item, num, total, unit_price
from planner.cost.priced import site_options
from planner.cost.pricing import price_on
from planner.model import LineItem, PricingOption, Settings, Site, SiteKind, Workload
from planner.money import Money, decimal_of


def baseline_option(site: Site, current_option: PricingOption | None = None) -> PricingOption:
    """The option a workload pays today at ``site``: its declared ``current_option`` when
    given, else on-demand in the cloud (the usual starting point of a review) or the first
    option a cloud site sells when it does not sell on-demand, owned or leased capacity
    elsewhere."""
    if current_option is not None:
        return current_option
    opts = site_options(site)
    if site.kind is SiteKind.CLOUD:
        return PricingOption.ON_DEMAND if PricingOption.ON_DEMAND in opts or not opts else opts[0]
    return opts[0]


def baseline_items(
    workload: Workload,
    site: Site,
    catalogue: Catalogue,
    settings: Settings,
    *,
    cache: PriceCache | None = None,
) -> tuple[LineItem, ...]:
    """What ``workload`` pays today at ``site`` (its current site), line by line (see the
    module docstring); empty when it cannot run there at all (a GPU type the site lacks)."""
    opt = baseline_option(site, workload.current_option)

    def compute() -> tuple[LineItem, ...]:
        return price_on(
            workload,
            workload.resources,
            site,
            catalogue,
            settings=settings,
            option=opt,
            cache=cache,
        )

    if cache is None:
        return compute()
    return cache.baseline(workload, site, catalogue, settings, compute)


def double_running_months(settings: Settings, workload: Workload) -> tuple[float, str]:
    """Months ``workload`` runs in both places when it moves, and the setting that says so:
    ``double_running_months_by_kind`` for its kind (batch and training 0 by default), else
    ``double_running_months``."""
    kind = workload.kind.value
    if kind in settings.double_running_months_by_kind:
        return (
            settings.double_running_months_by_kind[kind],
            f"settings.double_running_months_by_kind.{kind}",
        )
    return settings.double_running_months, "settings.double_running_months"


def migration_items(
    workload: Workload,
    site: Site,
    catalogue: Catalogue,
    settings: Settings,
    *,
    current: Site | None,
    cache: PriceCache | None = None,
) -> tuple[LineItem, ...]:
    """One-off cost of moving ``workload`` from its current site to ``site``: dataset egress
    priced by the SOURCE site (0 under ``settings.egress_exit_waiver`` when the source is a
    cloud), engineering effort, and double running at what it pays today (``baseline_items``)
    for ``double_running_months`` of its kind (0 for batch and training by default)."""
    if workload.current_site is None or workload.current_site == site.name:
        return ()
    if cache is None or current is None:
        return _moving_items(workload, catalogue, settings, current=current, cache=cache)
    key = (
        workload,
        current.name,
        settings.engineering_usd_per_move,
        settings.egress_exit_waiver,
        double_running_months(settings, workload),
    )
    return cache.migration(
        key,
        current,
        catalogue,
        settings,
        lambda: _moving_items(workload, catalogue, settings, current=current, cache=cache),
    )


def _moving_items(
    workload: Workload,
    catalogue: Catalogue,
    settings: Settings,
    *,
    current: Site | None,
    cache: PriceCache | None,
) -> tuple[LineItem, ...]:
    """``migration_items`` to any site but the current one (they do not depend on it)."""
    monthly = None
    if current is not None and double_running_months(settings, workload)[0] > 0:
        items = baseline_items(workload, current, catalogue, settings, cache=cache)
        monthly = total(items, catalogue.currency)
    return (
        *dataset_egress_items(workload, catalogue, settings, current=current, cache=cache),
        engineering_item(settings, catalogue.currency),
        *double_running_items(
            workload, settings, catalogue.currency, current=current, monthly=monthly
        ),
    )


def dataset_egress_items(
    workload: Workload,
    catalogue: Catalogue,
    settings: Settings,
    *,
    current: Site | None,
    cache: PriceCache | None,
) -> tuple[LineItem, ...]:
    """The first of ``migration_items``: copying the dataset out of ``current`` (it reads,
    of the workload, its ``dataset_gib``, and its current site's name when ``current`` is
    not supplied)."""
    cur = catalogue.currency
    gib = workload.data.dataset_gib
    if current is None:
        return (
            item(
                "dataset egress",
                Money.zero(cur),
                f"not priced: current site {workload.current_site} not supplied",
            ),
        )
    if gib > 0 and settings.egress_exit_waiver and current.kind is SiteKind.CLOUD:
        return (
            item(
                f"dataset egress from {current.name}",
                Money.zero(cur),
                f"{num(gib)} GiB: waived (the provider's exit waiver for leaving it)",
                "settings.egress_exit_waiver",
            ),
        )
    if gib <= 0:
        return (
            item(
                f"dataset egress from {current.name}",
                Money.zero(cur),
                "0 GiB: no dataset to copy (data.dataset_gib)",
                "data.dataset_gib",
            ),
        )
    if current.kind is SiteKind.CLOUD:
        return egress_items(
            current,
            catalogue,
            gib,
            per="GiB once",
            label=f"dataset egress from {current.name}",
            cache=cache,
        )
    p = catalogue.value("owned.egress.usd-per-gib", current.price_overrides)
    return (
        item(
            f"dataset egress from {current.name}",
            Money.of(decimal_of(gib) * p, cur),
            f"{num(gib)} GiB x {unit_price(p)}/GiB",
            "owned.egress.usd-per-gib",
        ),
    )


def engineering_item(settings: Settings, currency: str) -> LineItem:
    """The engineering effort of one move (``migration_items``)."""
    return item(
        "engineering",
        Money.from_float(settings.engineering_usd_per_move, currency),
        f"{unit_price(settings.engineering_usd_per_move)} per move",
        "settings.engineering_usd_per_move",
    )


def double_running_items(
    workload: Workload,
    settings: Settings,
    currency: str,
    *,
    current: Site | None,
    monthly: Money | None,
) -> tuple[LineItem, ...]:
    """The last of ``migration_items``: running at ``current`` as well for the months of
    its kind (``double_running_months``), at ``monthly``, the sum of its ``baseline_items``
    (read only when the months are more than 0). It reads, of the workload, its kind and
    ``current_option``."""
    months, months_src = double_running_months(settings, workload)
    if current is None:
        return ()
    if months == 0:
        kind = workload.kind.value
        return (
            item(
                "double running",
                Money.zero(currency),
                f"0 months: a {kind} workload is stopped and resumed, not run twice"
                if months_src.endswith(f".{kind}")
                else "0 months",
                months_src,
            ),
        )
    if months < 0:
        return ()
    assert monthly is not None
    opt = baseline_option(current, workload.current_option)
    return (
        item(
            "double running",
            monthly.times(decimal_of(months)),
            f"{num(months)} months x {unit_price(monthly.to_decimal())}/month at "
            f"{current.name} ({opt.value})",
            months_src,
        ),
    )


def share_of_items(
    parts: Sequence[tuple[Sequence[LineItem], Fraction]], total_amount: Money
) -> tuple[LineItem, ...]:
    """The one-off items of several offers, each scaled to its ``Fraction`` of the offer
    (1: the whole offer; a formula then says the share), adding up exactly to
    ``total_amount`` (a rounding cent goes on the last item)."""
    out: list[LineItem] = []
    for items, frac in parts:
        for li in items:
            if frac == 1:
                out.append(li)
                continue
            out.append(
                replace(
                    li,
                    amount=li.amount.times(frac),
                    formula=f"{li.formula}; x {frac.numerator}/{frac.denominator} moved here",
                )
            )
    if out:
        rest = total_amount - Money.total((li.amount for li in out), total_amount.currency)
        if rest:
            out[-1] = replace(out[-1], amount=out[-1].amount + rest)
    return tuple(out)
