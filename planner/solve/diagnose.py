"""Why no plan fits, and what would make one fit.

Two passes. ``precheck`` catches the simplest conflict: a workload with no eligible offer
at all (every site excluded by residency, GPU type, availability, a policy prune or a
pin); it names the workload and every site's reason. ``diagnose`` solves the *elastic*
model: every capacity, budget, cloud-share, spread and latency row gets a slack column
and every relaxable ineligible offer (residency, policy prune, pin) a column, both
penalised by their relative size (a slack of 10 % of a row's limit costs 0.1; allowing
one workload on an excluded offer costs 1), with the real cost as a tie-breaker far below
one penalty unit. The relaxations in its optimum are the smallest set of constraints (by
that measure) that conflict, each with the amount that would make the plan feasible. The
relaxations are then forbidden one kind at a time and the model re-solved, to offer an
alternative ("colo-eu needs 140 more cores, or allow payments-db outside eu").

The elastic model also decides whether no plan exists when the solver could not say (it
stopped at its time limit without a plan): its real costs are scaled so that any plan
without relaxations costs at most ``real_ceiling``; a lower bound above that proves every
plan needs a relaxation. Without such a proof (or HiGHS's own) the answer is a
``SolverTimeoutError``, never an ``InfeasibleError``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from planner.errors import InfeasibleError, PlannerError, SolverTimeoutError
from planner.fx import converted_only, said
from planner.model import Constraints, Offer, Settings, Site, SiteKind, Workload
from planner.money import DEFAULT_CURRENCY, Money
from planner.solve.blocks import Block, build_blocks, is_relaxable, latency_dependencies
from planner.solve.build import build_model
from planner.solve.highs import Solution, run_highs
from planner.solve.problem import ColKind, FloatArray, Model, RowKind, usable_capacity

ELASTIC_EXACT_MAX_COLUMNS = 5_000
"""Up to this many offer columns the elastic model is a MILP that counts relaxed rows (the
fewest constraints first); above it, its LP relaxation (relative violations)."""
MAX_ALTERNATIVES = 2
MAX_LINES = 12


def _whole(usd: float) -> str:
    """An LP amount in whole dollars (``12,346 USD``), marked for the project currency."""
    return said(Money.from_float(usd, DEFAULT_CURRENCY), whole=True)


def _as_set(usd: float, sign: str = "") -> str:
    """A budget as policies.yaml sets it (USD), beside its conversion (nothing in USD)."""
    return converted_only(f" ({sign}{usd:,.0f} USD in policies.yaml, where budgets are USD)")


def _unit(resource: str, amount: float = 2.0) -> str:
    if resource == "cpu":
        return "core" if amount == 1 else "cores"
    if resource == "memory_gib":
        return "GiB of memory"
    if resource.startswith("gpus:"):
        return f"{resource.split(':', 1)[1]} GPUs"
    if resource.startswith("gpu_hours:"):
        return f"{resource.split(':', 1)[1]} GPU-hours a month"
    return resource


def precheck(
    workloads: Sequence[Workload],
    sites: Sequence[Site],
    offers: Mapping[str, Sequence[Offer]],
    constraints: Constraints,
) -> None:
    """Raise ``InfeasibleError`` naming every workload that no site can host."""
    site_names = {s.name for s in sites}
    lines: list[str] = []
    fixes: list[str] = []
    for w in sorted(workloads, key=lambda w: w.name):
        mine = [o for o in offers.get(w.name, ()) if o.site in site_names]
        eligible = [o for o in mine if o.eligible]
        if eligible and w.pinned_site is None:
            continue  # the common case: no message, so nothing to sort
        mine.sort(key=lambda o: (o.site, o.option.value))
        eligible = [o for o in mine if o.eligible]
        if w.pinned_site is not None:
            pinned = [o for o in eligible if o.site == w.pinned_site]
            if not pinned:
                why = [
                    f"{o.key}: {o.reason or 'ineligible'}"
                    for o in mine
                    if o.site == w.pinned_site and not o.eligible
                ] or [f"no offer on {w.pinned_site}"]
                lines.append(
                    f"{w.name} is pinned to {w.pinned_site}, which cannot host it ("
                    + "; ".join(why)
                    + ")"
                )
                if eligible:
                    best = min(eligible, key=lambda o: (o.per_month.cents, o.site, o.option.value))
                    fixes.append(f"unpin {w.name} (it could run on {best.key})")
                else:
                    fixes.append(f"unpin {w.name} or make {w.pinned_site} able to host it")
                continue
        if eligible:
            continue
        if not mine:
            lines.append(f"{w.name} has no offer on any site")
            fixes.append(f"add a site that can host {w.name}")
            continue
        lines.append(
            f"no site can host {w.name}: "
            + "; ".join(f"{o.key}: {o.reason or 'ineligible'}" for o in mine)
        )
        relax = [o for o in mine if is_relaxable(o)]
        if relax:
            best = min(relax, key=lambda o: (o.per_month.cents, o.site, o.option.value))
            fixes.append(f"allow {w.name} on {best.key} (now: {best.reason})")
        else:
            fixes.append(f"add a site that can host {w.name} (or change its requirements)")
    if lines:
        count = len(lines)
        raise InfeasibleError(
            f"{count} workload{'s' if count != 1 else ''} cannot be placed anywhere",
            diagnosis=tuple(lines),
            fix="; ".join(fixes),
        )


def _describe(model: Model, x: FloatArray) -> tuple[list[str], list[str], list[int]]:
    """(diagnosis lines, short fixes, columns used) for the relaxations in ``x``."""
    lines: list[str] = []
    fixes: list[str] = []
    used: list[int] = []
    act = model.row_activity(x)
    for j, c in enumerate(model.columns):
        if x[j] <= 1e-6:
            continue
        if c.kind is ColKind.RELAXED:
            blk = model.blocks[c.block]
            o = blk.relaxable[c.offer]
            count = max(1, round(float(x[j]) / blk.per_member))
            if len(blk.members) == 1:
                who = blk.members[0]
            elif count == len(blk.members):
                who = f"all {count} workloads like {blk.members[0]}"
            else:
                who = f"{count} of the {len(blk.members)} workloads like {blk.members[0]}"
            lines.append(
                f"{who}: no offer it is allowed fits within the other constraints; "
                f"{o.key} would, but it is excluded: {o.reason}"
            )
            fixes.append(f"allow {who} on {o.site} ({o.reason})")
            # the alternative must do without relaxing this block's rules at all (allowing
            # it on yet another site is the same fix), so it names a different way out
            used.extend(
                k
                for k, other in enumerate(model.columns)
                if other.kind is ColKind.RELAXED and other.block == c.block
            )
        elif c.kind is ColKind.SLACK:
            r = c.row
            info = model.rows[r]
            s = float(x[j])
            limit = float(model.row_upper[r])
            if info.kind is RowKind.CAPACITY:
                site = model.sites[c.site]
                cap = usable_capacity(site).get(info.resource, 0.0)
                need = math.ceil(s - 1e-6) if info.resource != "memory_gib" else round(s, 1)
                lines.append(
                    f"{site.name} {info.resource}: the plan needs {act[r] + s:g} of {cap:g} usable "
                    f"{_unit(info.resource)} (capacity x target utilisation "
                    f"{site.target_utilisation:g}), {need:g} short"
                )
                fixes.append(f"{site.name} needs {need:g} more {_unit(info.resource, need)}")
            elif info.kind in (RowKind.BUDGET_TEAM, RowKind.BUDGET_SITE, RowKind.BUDGET_TOTAL):
                what = {
                    RowKind.BUDGET_TEAM: f"team {info.team} budget",
                    RowKind.BUDGET_SITE: f"site {info.site} budget",
                    RowKind.BUDGET_TOTAL: "total budget",
                }[info.kind]
                minimum = _budget_minimum(model, x, r)
                floor_usd = limit + s if minimum is None else minimum
                lines.append(
                    f"{what} is {_whole(limit)}/month{_as_set(limit)}; the cheapest plan "
                    f"within the other constraints needs {_whole(floor_usd)}/month"
                )
                more = math.ceil(floor_usd - limit - 1e-6)
                fixes.append(f"raise the {what} by {_whole(more)}/month{_as_set(more, '+')}")
            elif info.kind is RowKind.CLOUD_SHARE:
                spend = model.usd_per_month * x
                cloud = np.asarray(
                    [
                        c.site >= 0 and model.sites[c.site].kind is SiteKind.CLOUD
                        for c in model.columns
                    ],
                    dtype=np.bool_,
                )
                total = float(spend.sum())
                needed = float(spend[cloud].sum()) / total if total > 0 else 0.0
                lines.append(
                    f"cloud spend must stay within {info.other} of the total, but the other "
                    f"constraints leave at least {needed:.1%} of it in the cloud "
                    f"({_whole(s)}/month too much)"
                )
                fixes.append(
                    f"raise max_cloud_share to {math.ceil(needed * 1000) / 1000:g} "
                    f"or add owned capacity"
                )
            elif info.kind is RowKind.SPREAD_CAP:
                blk = model.blocks[info.block]
                who = (
                    blk.members[0]
                    if len(blk.members) == 1
                    else (f"{len(blk.members)} workloads like {blk.members[0]}")
                )
                lines.append(
                    f"{who} (tier 1) cannot spread over 2 failure domains: {info.site} has "
                    f"one, and no other allowed site takes the other replicas"
                )
                fixes.append(f"let {who} use another site (or add a failure domain to {info.site})")
            elif info.kind is RowKind.SPREAD:
                blk = model.blocks[info.block]
                lines.append(
                    f"{blk.members[0]} (tier 1) cannot spread over {blk.spread} failure "
                    f"domains on the sites it may use"
                )
                fixes.append(f"let {blk.members[0]} use a site with more failure domains")
            elif info.kind is RowKind.LATENCY:
                blk = model.blocks[info.block]
                lines.append(
                    f"{blk.members[0]} on {info.site} and its dependency {info.other} cannot "
                    f"be co-located or within the latency bound"
                )
                fixes.append(f"relax the latency bound between {blk.members[0]} and {info.other}")
            used.append(j)
    return lines, fixes, used


def _budget_minimum(model: Model, x: FloatArray, r: int) -> float | None:
    """The true minimum of budget row ``r``: the elastic model re-solved to minimise the
    row's spend, every other relaxation still penalised far above it (so it relaxes what
    the diagnosis relaxed, and no more), the row's own slack free. The elastic optimum's
    slack alone is not it: its real cost is only a tie-breaker, so the slack can sit at
    any plan that relaxes the same rows (issue #12: "581,085 USD/month needed" when
    46,900 was feasible). ``None`` when the re-solve fails."""
    counts = np.diff(model.start)
    cols = np.repeat(np.arange(model.n_cols), counts)
    mask = model.index == r
    spend = np.zeros(model.n_cols)
    np.add.at(spend, cols[mask], model.value[mask])
    penalty = model.penalty.copy()
    for j, c in enumerate(model.columns):
        if c.kind in (ColKind.SLACK, ColKind.SWITCH):
            if c.row == r:
                penalty[j] = 0.0
            spend[j] = 0.0
    scale = max(1.0, float(np.abs(spend).sum()))
    exact = bool(model.integer.any())
    status, y, _, _, _, _ = run_highs(
        replace(model, cost=penalty * 1e6 + spend / scale),
        integer=exact,
        time_limit_s=10.0,
        gap=1e-9,
        start=x,
    )
    if status not in ("optimal", "feasible"):
        return None
    return float(spend @ y)


def _solve_elastic(
    model: Model, upper: FloatArray, time_limit_s: float, *, exact: bool
) -> Solution:
    status, x, obj, bound, limited, _ = run_highs(
        model, integer=exact, time_limit_s=time_limit_s, gap=1e-6, upper=upper
    )
    ok = status in ("optimal", "feasible")
    return Solution(
        x=x,
        status=status if ok else "infeasible",
        objective=obj,
        bound=bound,
        seconds=0.0,
        time_limited=limited,
        method="elastic",
    )


def diagnose(
    workloads: Sequence[Workload],
    sites: Sequence[Site],
    offers: Mapping[str, Sequence[Offer]],
    constraints: Constraints,
    settings: Settings | None = None,
    *,
    blocks: Sequence[Block] | None = None,
    deps: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    proven: bool = True,
) -> PlannerError:
    """An ``InfeasibleError`` naming the conflicting constraints and what would fix them.
    ``proven``: the solver proved that no plan exists; otherwise (it stopped at its time
    limit) the answer is an ``InfeasibleError`` only if the elastic model proves it, else a
    ``SolverTimeoutError``. Never raises itself (the caller raises what it returns)."""
    settings = settings if settings is not None else Settings()
    limit_s = settings.solver_time_limit_s
    try:
        if blocks is None:
            blocks = build_blocks(workloads, sites, offers, constraints)
        if deps is None:
            deps = latency_dependencies(workloads)
        size = sum(len(b.offers) + len(b.relaxable) for b in blocks)
        exact = size <= ELASTIC_EXACT_MAX_COLUMNS
        model = build_model(
            blocks,
            sites,
            constraints,
            settings.horizon_months,
            dependencies=deps,
            elastic=True,
            counted=exact,
        )
        limit = max(1.0, min(30.0, settings.solver_time_limit_s))
        upper = model.upper.copy()
        sol = _solve_elastic(model, upper, limit, exact=exact)
        proven = proven or (sol.bound is not None and sol.bound > real_ceiling(model))
        if not proven:
            return timeout_error(limit_s)
        if not sol.ok:
            return _generic("the elastic relaxation found no way out either")
        lines, fixes, used = _describe(model, sol.x)
        if not lines:
            return _generic("the solver proved it infeasible, but the diagnosis found no conflict")
        alternatives = [_and(fixes)]
        forbidden = upper.copy()
        for _ in range(MAX_ALTERNATIVES):
            forbidden[np.asarray(used, dtype=np.int64)] = 0.0
            alt = _solve_elastic(model, forbidden, limit / 3, exact=exact)
            if not alt.ok:
                break
            _, alt_fixes, alt_used = _describe(model, alt.x)
            if not alt_fixes:
                break
            text = _and(alt_fixes)
            if text not in alternatives:
                alternatives.append(text)
            used = alt_used
        first = fixes[0] if len(fixes) == 1 else f"{len(fixes)} constraints conflict"
        if len(lines) > MAX_LINES:
            more = len(lines) - MAX_LINES
            lines = [*lines[:MAX_LINES], f"... and {more} more"]
        return InfeasibleError(
            f"no plan satisfies every constraint: {first}",
            diagnosis=tuple(lines),
            fix="; or ".join(alternatives),
        )
    except Exception as exc:  # a diagnosis must never crash the run
        if not proven:
            return timeout_error(limit_s)
        return _generic(f"the diagnosis itself failed ({type(exc).__name__}: {exc})")


def real_ceiling(model: Model) -> float:
    """The most any plan without relaxations can cost in the elastic model: each block's
    dearest offer for all its units, plus every site-use column (penalties excluded). An
    elastic lower bound above this proves that every plan relaxes some rule."""
    real = model.cost - model.penalty
    worst: dict[int, float] = {}
    extra = 0.0
    for j, c in enumerate(model.columns):
        if c.kind is ColKind.OFFER:
            worst[c.block] = max(worst.get(c.block, 0.0), float(real[j] * model.upper[j]))
        elif c.kind is ColKind.USE:
            extra += max(0.0, float(real[j] * model.upper[j]))
    return (sum(worst.values()) + extra) * (1.0 + 1e-6) + 1e-9


def timeout_error(limit_s: float) -> SolverTimeoutError:
    """No plan in the time limit, and no proof that none exists."""
    return SolverTimeoutError(
        f"the solver stopped at solver_time_limit_s = {limit_s:g} s before finding any "
        "plan, and the greedy baseline found none; nothing proves that no plan exists",
        fix=f"raise settings.solver_time_limit_s in project.yaml (now {limit_s:g} s)",
    )


def _and(fixes: list[str], most: int = 6) -> str:
    if len(fixes) <= most:
        return ", and ".join(fixes)
    return ", and ".join(fixes[:most]) + f", and {len(fixes) - most} more changes"


def _generic(why: str) -> InfeasibleError:
    return InfeasibleError(
        "no plan satisfies every constraint",
        diagnosis=(why,),
        fix="check capacities, budgets and residency rules; run with --debug for details",
    )
