"""A plan's money as whole estates, month by month: today and with the plan. Pure.

Each side is a :class:`~planner.cost.horizon.Ledger` (cash and accrual views):

* **today**: what the workloads pay on sites that are not owned estates (their baseline),
  plus the whole estate of every owned site owned today (``Estate.owned_today``), whatever
  share of it runs workloads;
* **with the plan**: the plan's assignments on sites that are not owned estates, plus the
  whole estate of every owned site owned today (an emptied estate still costs what it
  costs until it is sold) or bought for the plan (a new site the plan uses, from its
  purchase month), plus the one-off migration at the start of month 1 and any other
  one-off ``CashItem`` s (hardware bought by the solver: issue #12, part B).

**Idle owned capacity**: the part of an estate's monthly cost no workload is charged for
(``estate - sum of the workloads' parts on the site``), its own line, never dropped. On the
average basis it is the unused share of the capacity; on the marginal basis it is also the
sunk cost of the used share (workloads pay only the power they add).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from planner.cost.estates import estate_flows
from planner.cost.horizon import CashItem, Ledger, ledger
from planner.model import Estate, Plan
from planner.money import Money


@dataclass(frozen=True, slots=True)
class IdleOwned:
    """One estate's monthly cost, what workloads are charged on it, and the rest."""

    site: str
    estate_per_month: Money
    charged_per_month: Money

    @property
    def idle_per_month(self) -> Money:
        return self.estate_per_month - self.charged_per_month

    @property
    def idle_share(self) -> Fraction | None:
        """``idle / estate`` (``None`` for an estate that costs nothing)."""
        if not self.estate_per_month:
            return None
        return self.idle_per_month.ratio(self.estate_per_month)


def _by_site(estates: Iterable[Estate]) -> dict[str, list[Estate]]:
    out: dict[str, list[Estate]] = {}
    for e in estates:
        out.setdefault(e.site, []).append(e)
    return out


def estates_today(plan: Plan) -> tuple[Estate, ...]:
    """The estates owned today."""
    return tuple(e for e in plan.estates if e.owned_today)


def estates_after(plan: Plan) -> tuple[Estate, ...]:
    """The estates the plan pays for: owned today, or bought for a site the plan uses."""
    used = {a.site for p in plan.placements for a in p.assignments}
    return tuple(e for e in plan.estates if e.owned_today or e.site in used)


def charged_today(plan: Plan) -> dict[str, Money]:
    """Per current site: what its workloads pay there today (their baselines)."""
    cur = plan.per_month.currency
    base = plan.workload_baseline_per_month
    out: dict[str, Money] = {}
    for p in plan.placements:
        if p.previous_site is not None and p.workload in base:
            out[p.previous_site] = out.get(p.previous_site, Money.zero(cur)) + base[p.workload]
    return out


def charged_after(plan: Plan) -> dict[str, Money]:
    """Per site: what the plan's workloads pay there."""
    cur = plan.per_month.currency
    out: dict[str, Money] = {}
    for p in plan.placements:
        for a in p.assignments:
            out[a.site] = out.get(a.site, Money.zero(cur)) + a.per_month
    return out


def idle_owned(estates: Iterable[Estate], charged: Mapping[str, Money]) -> tuple[IdleOwned, ...]:
    """Per estate site (sorted): its monthly cost, what workloads pay on it, the rest."""
    out = []
    for site, group in sorted(_by_site(estates).items()):
        cur = group[0].capex.currency
        out.append(
            IdleOwned(
                site=site,
                estate_per_month=Money.total((e.per_month for e in group), cur),
                charged_per_month=charged.get(site, Money.zero(cur)),
            )
        )
    return tuple(out)


def ledger_side(
    months: int,
    currency: str,
    variable: Money | Sequence[Money],
    estates: Iterable[Estate],
    items: Iterable[CashItem],
) -> Ledger:
    """One side: ``variable`` run costs (one amount every month, or one per month), the
    estates' run costs and purchases, and one-off ``items``."""
    run = [variable] * months if isinstance(variable, Money) else list(variable)
    all_items = list(items)
    for e in estates:
        e_run, e_items = estate_flows(e, months)
        run = [a + b for a, b in zip(run, e_run, strict=True)]
        all_items.extend(e_items)
    return ledger(months, currency, run, all_items)


def variable_per_month(plan: Plan) -> tuple[Money, Money]:
    """(today, with the plan): what workloads pay a month on sites that are not owned
    estates (the estates are counted whole, by ``estate_flows``)."""
    cur = plan.per_month.currency
    estate_sites = {e.site for e in plan.estates}
    today, after = charged_today(plan), charged_after(plan)
    variable_today = plan.baseline_per_month - Money.total(
        (m for s, m in today.items() if s in estate_sites), cur
    )
    variable_after = plan.per_month - Money.total(
        (m for s, m in after.items() if s in estate_sites), cur
    )
    return variable_today, variable_after


def plan_ledgers(plan: Plan, months: int, items: Iterable[CashItem] = ()) -> tuple[Ledger, Ledger]:
    """Today and with the plan over ``months`` months (see the module docstring); ``items``
    are further one-off cash items of the plan."""
    cur = plan.per_month.currency
    variable_today, variable_after = variable_per_month(plan)
    migration = (CashItem(1, plan.migration, "migration"),) if plan.migration else ()
    return (
        ledger_side(months, cur, variable_today, estates_today(plan), ()),
        ledger_side(months, cur, variable_after, estates_after(plan), (*migration, *items)),
    )
