"""Owned sites as whole estates over time: what an estate costs, and when it is paid.

* :func:`estate_of`: an owned site's :class:`~planner.model.Estate` - the hardware's price,
  its amortised charge and run costs (power, space, labour, support) as the owned-cost model
  prices them (``planner.cost.owned``), always on the **average** basis: the estate costs the
  same whatever share of it workloads use. ``cost_basis: marginal`` changes what a workload
  is charged (the power it adds), never what the estate costs.
* :func:`estate_flows`: the estate's run costs by month and its purchases as
  :class:`~planner.cost.horizon.CashItem` s: the first purchase in ``purchase_month``
  (``<= 0``: before the horizon, so no cash in it, amortised for what is left of its
  depreciation), then, with ``refresh``, again each ``depreciation_months``; a refreshed
  generation is sold for its residual value when it is replaced. Run costs are paid every
  month from the purchase on (servers keep running after depreciation ends; only the
  amortised charge stops).

Hardware the solver decides to buy (issue #12, part B) enters the same way: one ``Estate``
per purchase, ``purchase_month`` the month it arrives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal
from fractions import Fraction

from planner.catalogue import Catalogue
from planner.cost.horizon import CashItem
from planner.cost.nodes import node_classes, owned_inputs
from planner.cost.offers import owned_rates_by_site
from planner.cost.owned import OwnedRates
from planner.model import CostBasis, Estate, NodeClass, OwnedCost, Project, Site, SiteKind
from planner.money import Money, decimal_of

"""The name of the amortised capital line of an estate (``planner.cost.estate``)."""


def _average(site: Site) -> Site:
    """The site with its owned cost on the average basis (the whole estate's cost)."""
    oc = owned_inputs(site)
    if oc is None or oc.cost_basis is CostBasis.AVERAGE:
        return site
    full = replace(oc, cost_basis=CostBasis.AVERAGE)
    if site.kind is SiteKind.GPU_POOL and site.gpu_pool_cost is not None:
        return replace(site, gpu_pool_cost=replace(site.gpu_pool_cost, owned=full))
    return replace(site, owned_cost=full)


def estates_for(project: Project, catalogue: Catalogue) -> tuple[Estate, ...]:
    """The whole estate of every owned site of ``project``, sorted by site."""
    sites = tuple(_average(s) for s in sorted(project.sites, key=lambda s: s.name))
    rates = owned_rates_by_site(sites, catalogue, project.settings)
    out = []
    for site in sites:
        if site.name not in rates:
            continue
        oc = owned_inputs(site)
        assert oc is not None  # an owned site
        out.extend(
            _site_estates(
                site.name,
                oc,
                node_classes(site, oc, catalogue),
                rates[site.name],
                catalogue.currency,
            )
        )
    return tuple(out)


def _capex(classes: Sequence[NodeClass], currency: str) -> Money:
    return Money.of(sum((n.count * decimal_of(n.capex_usd) for n in classes), Decimal(0)), currency)


def _site_estates(
    site: str, oc: OwnedCost, classes: Sequence[NodeClass], r: OwnedRates, currency: str
) -> list[Estate]:
    """One estate per purchase month of the site's node classes: the site's hardware
    (``OwnedCost.purchase_month``) and any bought later (``NodeClass.purchase_month``, e.g.
    capacity a what-if adds). Each carries its share of the amortised charge in proportion
    to its capex (the same depreciation and rate); the run costs go with the earliest."""
    groups: dict[int, list[NodeClass]] = {}
    for n in classes:
        groups.setdefault(
            oc.purchase_month if n.purchase_month is None else n.purchase_month, []
        ).append(n)
    total = _capex(classes, currency)
    first = min(groups)
    charges = {
        m: r.capex_per_month.times(Fraction(_capex(g, currency).cents, total.cents))
        for m, g in groups.items()
        if m != first and total.cents
    }
    # the earliest takes the rest, so the parts add up to the site's charge exactly
    charges[first] = r.capex_per_month - Money.total(charges.values(), currency)
    out = []
    for month, group in sorted(groups.items()):
        capex = _capex(group, currency)
        out.append(
            Estate(
                site=site,
                capex=capex,
                capex_per_month=charges.get(month, Money.zero(currency)),
                run_per_month=r.run_per_month if month == first else Money.zero(currency),
                depreciation_months=r.depreciation_months,
                purchase_month=month,
                residual=capex.times(decimal_of(oc.residual_value_pct) / 100),
                refresh=oc.refresh,
                label=""
                if month == oc.purchase_month
                else ", ".join(f"{n.count} x {n.name}" for n in group),
            )
        )
    return out


def estate_flows(estate: Estate, months: int) -> tuple[tuple[Money, ...], tuple[CashItem, ...]]:
    """The estate's run costs for months ``1..months`` and its purchases (see the module
    docstring)."""
    zero = Money.zero(estate.capex.currency)
    p, dep = estate.purchase_month, max(1, estate.depreciation_months)
    run = tuple(estate.run_per_month if m >= p else zero for m in range(1, months + 1))
    residual = estate.residual if estate.refresh and estate.residual else None
    charge = estate.capex_per_month
    if residual is not None:
        charge -= residual.times(Fraction(1, dep))
    items = []
    start, k = p, 0
    while start <= months and (k == 0 or estate.refresh):
        label = f"{'hardware refresh' if k else 'hardware'}: {estate.site}"
        items.append(CashItem(start, estate.capex, label, dep, residual, charge))
        k += 1
        start = p + k * dep
    return run, tuple(items)
