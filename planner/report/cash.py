"""A plan's money as whole estates, month by month: today and with the plan. Pure.

Each side is a :class:`~planner.cost.horizon.Ledger` (cash and accrual views):

* **today**: what the workloads pay on sites that are not owned estates (their baseline),
  plus the whole estate of every owned site owned today (``Estate.owned_today``), whatever
  share of it runs workloads;
* **with the plan**: the plan's assignments on sites that are not owned estates, plus the
  whole estate of every owned site owned today (an emptied estate still costs what it
  costs until it is sold) or bought for the plan (a new site the plan uses, from its
  purchase month), plus the one-off migration and any other one-off ``CashItem`` s;
* **servers the solver buys** (``Plan.purchases``) are estates bought in their delivery
  month ``Purchase.month`` (lead time + 1): their capex is cash at its start, their
  amortised capex (accrual, for their depreciation months) and power and support (every
  month) run from it. Until then the parts placed on them run where they wait
  (``Assignment.waits_on``) at ``Assignment.waiting_per_month`` (nothing more when that
  is an owned estate: it is counted whole), and a placement's migration is paid when its
  last part moves (the start of month 1 for every other placement).

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


def purchase_estates(plan: Plan) -> tuple[Estate, ...]:
    """The servers the plan buys, each an estate bought in its delivery month."""
    return tuple(
        Estate(
            site=b.site,
            capex=b.capex,
            capex_per_month=b.capex_per_month,
            run_per_month=b.per_month - b.capex_per_month,
            depreciation_months=b.depreciation_months,
            purchase_month=b.month,
        )
        for b in plan.purchases
    )


def estates_after(plan: Plan) -> tuple[Estate, ...]:
    """The estates the plan pays for: owned today, bought for a site the plan uses, or
    servers the solver buys."""
    used = {a.site for p in plan.placements for a in p.assignments}
    kept = tuple(e for e in plan.estates if e.owned_today or e.label or e.site in used)
    return (*kept, *purchase_estates(plan))


def placements_per_month(plan: Plan) -> Money:
    """What the plan's workloads are charged a month (``Plan.per_month`` without the
    bought servers' idle share, which the estates' idle line carries)."""
    idle = Money.total((b.idle_per_month for b in plan.purchases), plan.per_month.currency)
    return plan.per_month - idle


def charged_today(plan: Plan) -> dict[str, Money]:
    """Per current site: what its workloads pay there today (their baselines)."""
    cur = plan.per_month.currency
    base = plan.workload_baseline_per_month
    amounts: dict[str, list[Money]] = {}
    for p in plan.placements:
        if p.previous_site is not None and p.workload in base:
            amounts.setdefault(p.previous_site, []).append(base[p.workload])
    return {site: Money.total(group, cur) for site, group in amounts.items()}


def charged_after(plan: Plan) -> dict[str, Money]:
    """Per site: what the plan's workloads pay there."""
    cur = plan.per_month.currency
    amounts: dict[str, list[Money]] = {}
    for p in plan.placements:
        for a in p.assignments:
            amounts.setdefault(a.site, []).append(a.per_month)
    return {site: Money.total(group, cur) for site, group in amounts.items()}


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


def _migration_items(plan: Plan) -> tuple[CashItem, ...]:
    """``Plan.migration`` as cash: a placement on bought servers pays its migration in the
    month its last part moves, the rest is paid at the start of month 1."""
    cur = plan.per_month.currency
    later: dict[int, list[Money]] = {}
    for p in plan.placements:
        month = max((a.arrival_month for a in p.assignments), default=1)
        if p.migration and month > 1:
            later.setdefault(month, []).append(p.migration)
    by_month = {m: Money.total(ms, cur) for m, ms in later.items()}
    by_month[1] = plan.migration - Money.total(by_month.values(), cur)
    return tuple(CashItem(m, v, "migration") for m, v in sorted(by_month.items()) if v)


def _estate_sites(plan: Plan) -> set[str]:
    """Sites counted whole as estates: the owned ones and those the plan buys servers for."""
    return {e.site for e in plan.estates} | {b.site for b in plan.purchases}


def _waiting_run(plan: Plan, months: int, estate_sites: set[str]) -> list[Money]:
    """Per month: what parts placed on bought servers pay where they wait for them."""
    out = [Money.zero(plan.per_month.currency)] * months
    for p in plan.placements:
        for a in p.assignments:
            if a.waiting_per_month is None or a.waits_on in estate_sites:
                continue
            for m in range(1, min(a.arrival_month, months + 1)):
                out[m - 1] += a.waiting_per_month
    return out


def variable_per_month(plan: Plan) -> tuple[Money, Money]:
    """(today, with the plan): what workloads pay a month on sites that are not owned
    estates (the estates are counted whole, by ``estate_flows``)."""
    cur = plan.per_month.currency
    estate_sites = _estate_sites(plan)
    today, after = charged_today(plan), charged_after(plan)
    variable_today = plan.baseline_per_month - Money.total(
        (m for s, m in today.items() if s in estate_sites), cur
    )
    variable_after = placements_per_month(plan) - Money.total(
        (m for s, m in after.items() if s in estate_sites), cur
    )
    return variable_today, variable_after


def plan_ledgers(plan: Plan, months: int, items: Iterable[CashItem] = ()) -> tuple[Ledger, Ledger]:
    """Today and with the plan over ``months`` months (see the module docstring); ``items``
    are further one-off cash items of the plan."""
    cur = plan.per_month.currency
    variable_today, variable_after = variable_per_month(plan)
    waiting = _waiting_run(plan, months, _estate_sites(plan))
    return (
        ledger_side(months, cur, variable_today, estates_today(plan), ()),
        ledger_side(
            months,
            cur,
            [variable_after + w for w in waiting],
            estates_after(plan),
            (*_migration_items(plan), *items),
        ),
    )
