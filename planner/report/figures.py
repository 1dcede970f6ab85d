"""What a plan adds up to: totals of the plan, per site and per team. Pure; exact ``Money``.

Every report view (``plan.json``, ``plan.md``, the CLI summary, plan diffs and what-if) reads
its figures from here, so a site's or a team's cost is computed once:

- owned sites count as whole estates (:mod:`planner.report.cash`): the plan's monthly
  totals are what workloads are charged plus the idle owned capacity, today and with the
  plan;
- a site's cost with the plan is the sum of the workloads' parts placed there plus its idle
  owned capacity (so the sites add up to the plan's total), its cost today the baseline of
  the workloads that run there today plus its idle capacity today;
- the horizon figures (cash totals, savings, payback, NPV, the month-by-month cash and
  accrual series) are :func:`planner.cost.horizon.compare`'s for the plan's ledgers
  (:func:`planner.report.cash.plan_ledgers`).

A workload "changes site" when it moves in whole (``Placement.moved``) or in part (it keeps
running where it runs today and also runs elsewhere: :func:`partly_moved`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from planner.cost.horizon import HorizonSummary, compare
from planner.model import Assignment, Placement, Plan
from planner.money import Money
from planner.report.cash import (
    IdleOwned,
    charged_after,
    charged_today,
    estates_after,
    estates_today,
    idle_owned,
    placements_per_month,
    plan_ledgers,
)
from planner.report.waves import WavesTotals, waves_totals


def primary_assignment(placement: Placement) -> Assignment | None:
    """The assignment carrying most of the workload: most replicas, then cost, then site."""
    if not placement.assignments:
        return None
    return max(
        placement.assignments,
        key=lambda a: (a.replicas, a.gpu_hours_per_month or 0.0, a.per_month.cents, a.site),
    )


def partly_moved(placement: Placement) -> bool:
    """The workload keeps running where it runs today and also runs elsewhere (a training
    workload bursting into, or spilling over to, another site). It pays migration for the
    new share, so the report lists it with the moves, marked "in part";
    ``Placement.moved`` (which policies read) stays false."""
    previous = placement.previous_site
    parts = placement.assignments
    if previous is None or len(parts) < 2:  # one assignment: one site
        return False
    sites = {a.site for a in parts}
    return previous in sites and len(sites) > 1


def moved_whole(placement: Placement) -> bool:
    """``Placement.moved`` (it runs today and no part of it stays there), without sorting
    its sites."""
    previous = placement.previous_site
    return previous is not None and all(a.site != previous for a in placement.assignments)


def changes_site(placement: Placement) -> bool:
    """Moves in whole or in part: the workload runs somewhere it does not run today
    (``Placement.moved`` or :func:`partly_moved`)."""
    previous = placement.previous_site
    if previous is None:
        return False
    parts = placement.assignments
    if len(parts) == 1:
        return parts[0].site != previous
    sites = {a.site for a in parts}
    return previous not in sites or len(sites) > 1


@dataclass(frozen=True, slots=True)
class PlanTotals:
    """The plan's monthly figures (whole estates), its one-off migration and their horizon
    arithmetic."""

    baseline_per_month: Money
    """What workloads pay today plus today's idle owned capacity."""
    per_month: Money
    """What workloads pay with the plan plus the idle owned capacity with it."""
    migration: Money
    horizon: HorizonSummary
    """Cash totals over ``plan.horizon_months``, savings, payback, NPV and the ledgers."""
    workloads: int
    moved: int
    partly_moved: int
    idle_today: tuple[IdleOwned, ...] = ()
    idle_after: tuple[IdleOwned, ...] = ()
    waves: WavesTotals | None = None
    """The same plan moved wave by wave (``plan.waves``): cash position per wave, payback."""

    @property
    def idle_today_per_month(self) -> Money:
        return Money.total((i.idle_per_month for i in self.idle_today), self.per_month.currency)

    @property
    def idle_after_per_month(self) -> Money:
        return Money.total((i.idle_per_month for i in self.idle_after), self.per_month.currency)


def plan_totals(plan: Plan, discount_rate_pct: float) -> PlanTotals:
    """The plan's totals; the NPV discounts the monthly cash saving at ``discount_rate_pct``."""
    idle_today = idle_owned(estates_today(plan), charged_today(plan))
    idle_after = idle_owned(estates_after(plan), charged_after(plan))
    cur = plan.per_month.currency
    before_pm = plan.baseline_per_month + Money.total((i.idle_per_month for i in idle_today), cur)
    after_pm = placements_per_month(plan) + Money.total((i.idle_per_month for i in idle_after), cur)
    before, after = plan_ledgers(plan, plan.horizon_months)
    return PlanTotals(
        baseline_per_month=before_pm,
        per_month=after_pm,
        migration=plan.migration,
        horizon=compare(
            before, after, plan.horizon_months, discount_rate_pct, (before_pm, after_pm)
        ),
        workloads=len(plan.placements),
        moved=sum(1 for p in plan.placements if moved_whole(p)),
        partly_moved=sum(1 for p in plan.placements if partly_moved(p)),
        idle_today=idle_today,
        idle_after=idle_after,
        waves=waves_totals(plan, before, discount_rate_pct, (before_pm, after_pm)),
    )


@dataclass(frozen=True, slots=True)
class SiteFigures:
    """One site: its cost with the plan and today, what runs there, what moves in and out."""

    name: str
    per_month: Money
    """The sum of the workloads' parts placed here, plus its idle owned capacity."""
    baseline_per_month: Money
    """The baseline of the workloads that run here today, plus its idle capacity today."""
    workloads: tuple[str, ...]
    """Workloads with a part here, sorted."""
    moved_in: int
    """Workloads that start running here, in whole or in part."""
    moved_out: int
    """Workloads that leave this site entirely."""


def site_figures(plan: Plan, sites: Iterable[str] = ()) -> tuple[SiteFigures, ...]:
    """Every site the plan uses, used to use or reports usage of, plus ``sites`` (the
    project's, so an unused site still gets a row), sorted by name."""
    base = plan.workload_baseline_per_month
    zero = Money.zero(plan.per_month.currency)
    names = {*sites, *(u.site for u in plan.site_usage)}
    placed: dict[str, set[str]] = {}
    after: dict[str, Money] = {}
    before: dict[str, Money] = {}
    moved_in: dict[str, int] = {}
    moved_out: dict[str, int] = {}
    for i in idle_owned(estates_after(plan), charged_after(plan)):
        after[i.site] = i.idle_per_month
    for i in idle_owned(estates_today(plan), charged_today(plan)):
        before[i.site] = i.idle_per_month
    for p in plan.placements:
        for a in p.assignments:
            placed.setdefault(a.site, set()).add(p.workload)
            after[a.site] = after.get(a.site, zero) + a.per_month
        if p.previous_site is not None:
            before[p.previous_site] = before.get(p.previous_site, zero) + base.get(p.workload, zero)
        previous = p.previous_site
        if previous is None:
            continue
        if moved_whole(p):
            moved_out[previous] = moved_out.get(previous, 0) + 1
        if changes_site(p):
            for s in {a.site for a in p.assignments}:
                if s != previous:
                    moved_in[s] = moved_in.get(s, 0) + 1
    return tuple(
        SiteFigures(
            name=name,
            per_month=after.get(name, zero),
            baseline_per_month=before.get(name, zero),
            workloads=tuple(sorted(placed.get(name, ()))),
            moved_in=moved_in.get(name, 0),
            moved_out=moved_out.get(name, 0),
        )
        for name in sorted(names | set(placed) | set(before) | set(after))
    )


@dataclass(frozen=True, slots=True)
class TeamFigures:
    """One team: its workloads' cost with the plan and today, moves and migration."""

    name: str
    per_month: Money
    baseline_per_month: Money
    migration: Money
    workloads: int
    moved: int
    partly_moved: int


def team_figures(plan: Plan, team_of: Mapping[str, str]) -> tuple[TeamFigures, ...]:
    """Per team (``team_of``: workload -> team; a workload without one is team
    ``unknown``), sorted by name."""
    acc: dict[str, list[Placement]] = {}
    for p in plan.placements:
        acc.setdefault(team_of.get(p.workload, "unknown"), []).append(p)
    base = plan.workload_baseline_per_month
    cur = plan.per_month.currency
    out = []
    for name, placements in sorted(acc.items()):
        out.append(
            TeamFigures(
                name=name,
                per_month=Money.total((p.per_month for p in placements), cur),
                baseline_per_month=Money.total(
                    (base[p.workload] for p in placements if p.workload in base), cur
                ),
                migration=Money.total((p.migration for p in placements), cur),
                workloads=len(placements),
                moved=sum(1 for p in placements if moved_whole(p)),
                partly_moved=sum(1 for p in placements if partly_moved(p)),
            )
        )
    return tuple(out)
