"""The money of the migration waves: the plan's cash ledger when the moves happen wave by
wave, the cash position after each wave, and the payback with waves. Pure.

"All at once" (``planner.report.cash.plan_ledgers``) moves every workload at the start of
month 1. **With waves** only the timing changes: a workload of a wave starting in month
``s`` pays what it pays today in months ``1..s-1`` and its cost with the plan from month
``s``; its migration (engineering, egress, double running: ``Placement.migration``) is
paid at the start of month ``s`` (one :class:`~planner.cost.horizon.CashItem` per wave).
Today's side is the same ledger; owned estates are paid as in "all at once" (whole, from
their purchase). Per month (owned sites are whole estates, so a move into or out of one
changes only the variable part):

    run_waves(m) = run_all(m) + sum over moves w not yet made in m of
                   (today_variable(w) - after_variable(w))

``today_variable(w)``: its baseline if it runs today on a site that is not an owned estate,
else 0; ``after_variable(w)``: its assignments with the plan on such sites. Every figure is
``Money``: exact cents, sums of rounded amounts (the one rounding rule of
``planner.money``). The **cash position after wave k** is the cumulative cash saving
(``planner.cost.horizon.cumulative_saving``) at the end of its last month; ``None`` when
that month is past the horizon.
"""

from __future__ import annotations

from dataclasses import dataclass

from planner.cost.horizon import CashItem, HorizonSummary, Ledger, compare, cumulative_saving
from planner.model import Plan, Wave
from planner.money import Money
from planner.report.cash import estates_after, ledger_side, variable_per_month


@dataclass(frozen=True, slots=True)
class WaveFigures:
    wave: Wave
    cash_position: Money | None
    """Cumulative cash saving at the end of the wave's last month (negative: not yet
    paid back); ``None`` past the horizon."""


@dataclass(frozen=True, slots=True)
class WavesTotals:
    waves: tuple[WaveFigures, ...]
    horizon: HorizonSummary
    """Cash totals, payback and NPV with the waves."""
    months: int
    """Months from the start of wave 1 to the end of the last wave."""


def _variable(plan: Plan, name: str, estate_sites: set[str]) -> tuple[Money, Money]:
    """(today, with the plan) of one workload on sites that are not owned estates."""
    p = plan.placement(name)
    cur = plan.per_month.currency
    zero = Money.zero(cur)
    if p is None:
        return zero, zero
    today = zero
    if p.previous_site not in estate_sites:
        today = plan.workload_baseline_per_month.get(name, zero)
    after = Money.total((a.per_month for a in p.assignments if a.site not in estate_sites), cur)
    return today, after


def waves_ledger(plan: Plan, months: int) -> Ledger:
    """The plan's side when its moves happen in ``plan.waves`` (module docstring)."""
    assert plan.waves is not None
    cur = plan.per_month.currency
    estate_sites = {e.site for e in plan.estates}
    _, variable_after = variable_per_month(plan)
    # a wave's change runs in every month before it: added where its months end (exact
    # cents) and summed from the last month back, once per month instead of once per
    # wave and month
    ends = [0] * months
    for w in plan.waves.waves:
        last = min(w.start_month - 1, months)  # months 1..last come before the wave
        if last < 1:
            continue
        # the wave's workloads' run rates today less after, summed once (exact cents)
        rates = [_variable(plan, name, estate_sites) for name in w.workloads]
        ends[last - 1] += Money.total((today - after for today, after in rates), cur).cents
    run = [variable_after] * months
    waiting = 0
    for m in range(months - 1, -1, -1):
        waiting += ends[m]
        if waiting:
            run[m] = variable_after + Money(waiting, cur)
    items = [
        CashItem(w.start_month, w.one_off, f"migration wave {w.number}")
        for w in plan.waves.waves
        if w.one_off
    ]
    rest = plan.migration - Money.total((w.one_off for w in plan.waves.waves), cur)
    if rest:
        items.append(CashItem(1, rest, "migration"))
    return ledger_side(months, cur, run, estates_after(plan), items)


def waves_totals(
    plan: Plan, before: Ledger, discount_rate_pct: float, per_month: tuple[Money, Money]
) -> WavesTotals | None:
    """Per wave its cash position, and the horizon figures with waves against ``before``
    (today's ledger; ``per_month``: the monthly run rates of the headline); ``None`` when
    the plan has no waves (nothing moves, or the plan was not scheduled)."""
    if plan.waves is None or not plan.waves.waves:
        return None
    months = before.months
    after = waves_ledger(plan, months)
    horizon = compare(before, after, months, discount_rate_pct, per_month)
    cumulative = cumulative_saving(before, after)
    figures = tuple(
        WaveFigures(w, cumulative[w.end_month - 1] if 1 <= w.end_month <= len(cumulative) else None)
        for w in plan.waves.waves
    )
    last = plan.waves.waves[-1].end_month - plan.waves.waves[0].start_month + 1
    return WavesTotals(figures, horizon, last)
