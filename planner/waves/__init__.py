"""Migration waves: which moves happen together, in what order and in which months. Pure.

``plan_waves`` turns a plan's moves into waves (``planner.model.WavePlan``):

* **move groups** (``planner.waves.groups``): moved workloads joined by latency-bound
  dependencies move together; stateful workloads move once the moved workloads that read
  them are ready;
* **waves** (``planner.waves.schedule``): one after the other, each at most
  ``settings.waves.max_moves_per_wave`` moves and ``max_data_tb_per_wave`` TB of data,
  never over an owned site's capacity in its months (servers bought for the plan count
  from their delivery month), largest monthly saving first where the rest allows.

The money of the waves (one-off cost, cash position after each wave, payback with waves)
is ``planner.report.waves``'. The calendar month of month 1 is an input (``start_month``):
nothing here reads a clock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

from planner.cost.migration import double_running_months
from planner.model import Offer, Placement, Plan, Project, Wave, WavePlan
from planner.model.waves import month_label
from planner.money import Money
from planner.waves.capacity import site_rooms, workload_uses
from planner.waves.groups import data_gib, move_groups
from planner.waves.schedule import GroupFacts, Limits, schedule, whole_months

__all__ = ["changes_site", "month_label", "plan_waves"]


def changes_site(p: Placement) -> bool:
    """The workload runs somewhere it does not run today (moves in whole or in part)."""
    if p.previous_site is None:
        return False
    return p.moved or (p.previous_site in p.sites and len(p.sites) > 1)


def _limits(settings_moves: int, data_tb: float, target: int | None, moves: int) -> Limits:
    cap = settings_moves
    if target is not None and target > 0 and moves:
        cap = min(cap, max(1, math.ceil(moves / target)))
    return Limits(max(1, cap), data_tb)


def _double_running(p: Placement, offers: tuple[Offer, ...]) -> Money:
    """The double running line of the offer the placement's migration comes from."""
    sites = {(a.site, a.option) for a in p.assignments}
    mine = [o for o in offers if (o.site, o.option) in sites]
    chosen = next((o for o in mine if o.migration == p.migration), None)
    if chosen is None:
        return Money.zero(p.migration.currency)
    return Money.total(
        (i.amount for i in chosen.migration_items if i.name == "double running"),
        p.migration.currency,
    )


def _priced(w: Wave, plan: Plan, offers: Mapping[str, tuple[Offer, ...]]) -> Wave:
    cur = plan.per_month.currency
    placed = [p for n in w.workloads if (p := plan.placement(n)) is not None]
    base = plan.workload_baseline_per_month
    return replace(
        w,
        one_off=Money.total((p.migration for p in placed), cur),
        double_running=Money.total(
            (_double_running(p, offers.get(p.workload, ())) for p in placed), cur
        ),
        saving_per_month=Money.total(
            (base[p.workload] - p.per_month for p in placed if p.workload in base), cur
        ),
    )


def plan_waves(
    plan: Plan,
    project: Project,
    offers: Mapping[str, tuple[Offer, ...]],
    *,
    start_month: str,
) -> WavePlan:
    """The waves of ``plan``'s moves (see the module docstring); ``offers`` are each
    workload's priced offers (what it uses on a site), ``start_month`` the calendar month
    of month 1 (``YYYY-MM``)."""
    ws = project.settings.waves
    moved = sorted(p.workload for p in plan.placements if changes_site(p))
    groups = move_groups(project, moved)
    uses = workload_uses(plan, project, offers)
    base = plan.workload_baseline_per_month
    facts = []
    for g in groups:
        saving = 0
        ready, why = 1, ""
        months = 1
        for n in g.workloads:
            p = plan.placement(n)
            assert p is not None  # moved workloads are placed
            if n in base:
                saving += base[n].cents - p.per_month.cents
            u = uses.get(n)
            if u is not None and u.ready_month > ready:
                ready = u.ready_month
                why = f"waits for the servers {n} runs on, delivered in month {ready}"
            for a in p.assignments:
                start = next(
                    (max(1, e.purchase_month) for e in plan.estates if e.site == a.site), 1
                )
                if start > ready:
                    ready, why = start, f"waits for site {a.site}, bought in month {start}"
            w = project.workload(n)
            months = max(months, whole_months(double_running_months(project.settings, w)[0]))
        facts.append(
            GroupFacts(
                group=g,
                saving_cents=saving,
                data_gib=sum(data_gib(project.workload(n)) for n in g.workloads),
                ready_month=ready,
                ready_why=why,
                months=months,
                currency=plan.per_month.currency,
            )
        )
    limits = _limits(ws.max_moves_per_wave, ws.max_data_tb_per_wave, ws.target_waves, len(moved))
    waves, moves = schedule(tuple(facts), uses, site_rooms(plan, project), limits)
    waves = tuple(_priced(w, plan, offers) for w in waves)
    return WavePlan(
        start_month=start_month,
        max_moves_per_wave=limits.max_moves,
        max_data_tb_per_wave=limits.max_data_tb,
        waves=waves,
        moves=moves,
    )
