"""Placement: candidates -> blocks -> MILP (or LP + repair) with a greedy baseline.

``place`` is the entry point the pipeline calls; ``solve_offers`` is the same solver taking
the world in as plain values (workloads, sites, offers, constraints, settings), which is
what tests and the benchmark use. Neither reads files or the environment; the clock is a
parameter used only to time the solver: by default this process's CPU time
(``time.process_time``, every thread), so ``solver_time_limit_s`` is CPU seconds and a
busy machine does not cut the solver short (issue #18: the same plan whatever the load).
"""

from __future__ import annotations

import bisect
import math
import time
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace

from planner.model import (
    BuyOffer,
    Constraints,
    Offer,
    Placement,
    Project,
    Purchase,
    Settings,
    Site,
    SiteUsage,
    SolverInfo,
    Workload,
)
from planner.solve.basis import BASIS_NOTE, KeyedBasis, keyed
from planner.solve.blocks import build_blocks, latency_dependencies
from planner.solve.build import build_model
from planner.solve.buying import purchases, with_idle_purchases
from planner.solve.candidates import Candidates
from planner.solve.extract import RowState, extract
from planner.solve.focus import touched_blocks
from planner.solve.highs import Solution
from planner.solve.milp import (
    MILP_MAX_INTEGER_COLUMNS,
    choose_method,
    integer_columns,
    solve_lp,
)
from planner.solve.problem import FloatArray, Model, first_violation
from planner.solve.repair import Complete, solve_lp_repair, solve_model

__all__ = [
    "METHODS",
    "MILP_MAX_INTEGER_COLUMNS",
    "PlacementResult",
    "place",
    "solve_offers",
]

Clock = Callable[[], float]

METHODS = ("auto", "milp", "lp+repair", "greedy")


@dataclass(frozen=True, slots=True)
class PlacementResult:
    """What ``place`` returns: the plan's placements and usage, and how it was found."""

    placements: tuple[Placement, ...]
    site_usage: tuple[SiteUsage, ...]
    solver: SolverInfo
    horizon_months: int = 36
    rows: tuple[RowState, ...] = ()
    """Capacity, budget and cloud-share rows after solving (binding ones have ``tight``)."""
    greedy_objective_usd: float | None = None
    """The greedy baseline's horizon cost when it was computed (``None`` otherwise)."""
    blocks: int = 0
    """How many blocks (classes of identical workloads) the model had."""
    purchases: tuple[Purchase, ...] = ()
    """Servers the plan buys (``planner.solve.buying``), by (site, server model)."""
    basis: KeyedBasis | None = None
    """LP + repair's LP basis by stable keys (``keep_basis``): a what-if's LP starts from it."""

    def placement(self, name: str) -> Placement:
        """One workload's placement (binary search: placements are sorted by name)."""
        i = bisect.bisect_left(self.placements, name, key=lambda p: p.workload)
        if i < len(self.placements) and self.placements[i].workload == name:
            return self.placements[i]
        raise KeyError(name)


def place(
    project: Project,
    candidates: Candidates,
    constraints: Constraints,
    *,
    method: str = "auto",
    clock: Clock = time.process_time,
    buys: Sequence[BuyOffer] = (),
    warm: Callable[[Model], FloatArray] | None = None,
    warm_basis: KeyedBasis | None = None,
    keep_basis: bool = False,
    touched: AbstractSet[str] | None = None,
) -> PlacementResult:
    """Place every workload of ``project`` on the offers in ``candidates``, and decide how
    many of the servers in ``buys`` (``planner.cost.buy``) to buy.

    ``method`` is ``auto`` (exact MILP for small fleets, LP + repair for big ones),
    ``milp``, ``lp+repair`` or ``greedy``. Raises ``InfeasibleError`` with a diagnosis when
    no plan satisfies the constraints (proven), ``SolverTimeoutError`` when the time limit
    ran out with no plan found (greedy's neither) and nothing proven.
    """
    return solve_offers(
        project.workloads,
        project.sites,
        candidates.all_offers(),
        constraints,
        project.settings,
        method=method,
        clock=clock,
        buys=buys,
        warm=warm,
        warm_basis=warm_basis,
        keep_basis=keep_basis,
        touched=touched,
    )


def solve_offers(
    workloads: Sequence[Workload],
    sites: Sequence[Site],
    offers: Mapping[str, Sequence[Offer]],
    constraints: Constraints,
    settings: Settings | None = None,
    *,
    method: str = "auto",
    clock: Clock = time.process_time,
    aggregate: bool = True,
    with_greedy: bool | None = None,
    buys: Sequence[BuyOffer] = (),
    warm: Callable[[Model], FloatArray] | None = None,
    warm_basis: KeyedBasis | None = None,
    keep_basis: bool = False,
    touched: AbstractSet[str] | None = None,
) -> PlacementResult:
    """The solver core on plain values. ``offers`` maps each workload to all its offers
    (eligible and ineligible); ``buys`` the servers it may buy. ``with_greedy`` (default
    on) also runs the greedy baseline: its plan starts the MILP, replaces a worse or
    missing time-limited plan, and is reported as ``greedy_objective_usd``. ``aggregate``
    off keeps every workload in its own block (for tests).

    ``settings.solver_time_limit_s`` is HiGHS's alone: it starts after the model is built
    and the greedy has run, and is counted on ``clock`` (CPU seconds by default; HiGHS's
    own wall-clock ``time_limit`` is only a backstop: ``highs.WALL_BACKSTOP``). A plan
    stopped by it has status ``time_limit`` and its gap against the LP bound (``None``: no
    bound).
    Only a solver's answer that is a plan (``first_violation``) is used.

    ``warm`` (a what-if: ``planner.whatif.warm``) gives column values from an earlier plan:
    LP + repair then keeps a plan within ``settings.solver_gap`` of the LP bound without a
    repair (the LP completed, or the earlier plan for the blocks the LP leaves fractional,
    completed: ``repair._warm_plan``). The exact MILP ignores it. ``warm_basis``: LP +
    repair's LP starts from an earlier plan's LP basis (``planner.solve.basis``: the same
    optimum, found in fewer iterations); ``keep_basis``: ``PlacementResult.basis`` keeps
    this LP's, for a later ``warm_basis``; ``touched``: the workloads a what-if's change
    priced again, LP + repair's repair frees only their blocks (``planner.solve.focus``)."""
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; expected one of {', '.join(METHODS)}")
    from planner.solve.diagnose import diagnose, precheck

    settings = settings if settings is not None else Settings()
    t0 = clock()
    by_name = {w.name: w for w in workloads}
    precheck(workloads, sites, offers, constraints)
    blocks = build_blocks(workloads, sites, offers, constraints, aggregate=aggregate)
    deps = latency_dependencies(workloads)
    model = build_model(
        blocks, sites, constraints, settings.horizon_months, dependencies=deps, buys=buys
    )
    chosen = choose_method(model) if method == "auto" else method
    run_greedy = with_greedy if with_greedy is not None else True

    from planner.solve.greedy import greedy_order, solve_greedy

    order = greedy_order(model, deps)  # one order for the baseline and the LP's completion
    greedy: Solution | None = None
    if run_greedy or chosen == "greedy":
        greedy = solve_greedy(model, clock=clock, order=order)
    limit_s = settings.solver_time_limit_s

    def complete(x_lp: FloatArray) -> Solution:
        return solve_greedy(model, clock=clock, guide=x_lp, order=order)

    warm_x = warm(model) if warm is not None and chosen == "lp+repair" else None

    sol: Solution
    if chosen == "greedy":
        assert greedy is not None
        sol = greedy
    else:
        # the time limit is HiGHS's alone: counted from here, after the model and greedy
        sol = _checked(
            model,
            solve_model(
                model,
                chosen,
                time_limit_s=limit_s,
                gap=settings.solver_gap,
                clock=clock,
                start=greedy.x if greedy is not None and greedy.ok else None,
                complete=complete,
                warm=warm_x,
                basis=warm_basis if chosen == "lp+repair" else None,
                keep_basis=keep_basis and chosen == "lp+repair",
                touched=(
                    touched_blocks(model, touched)
                    if touched is not None and chosen == "lp+repair"
                    else None
                ),
            ),
        )
    if (
        chosen == "milp"
        and sol.time_limited
        and (not sol.ok or (sol.gap or 1.0) > settings.solver_gap)
    ):
        sol = _rescue(model, sol, settings, clock, complete)
    notes: list[str] = [sol.note] if sol.note else []
    if warm_basis is not None and chosen == "lp+repair":
        notes.append(BASIS_NOTE)
    if sol.time_limited:
        notes.append(f"solver_time_limit_s = {limit_s:g}")
        if sol.bound is None:
            notes.append("no lower bound was reached in the time limit: the gap is unknown")
    if chosen != "greedy" and greedy is not None and greedy.ok:
        if not sol.ok:
            notes.append(f"{sol.method} found no plan ({sol.status}); greedy plan used")
            sol = _as(greedy, bound=sol.bound, limited=sol.time_limited)
        elif greedy.objective < sol.objective - 1e-6:
            notes.append("greedy plan was cheaper than the solver's best; greedy plan used")
            sol = _as(greedy, bound=sol.bound, limited=sol.time_limited, method=sol.method)
    elif chosen != "greedy" and greedy is not None and not sol.ok:
        notes.append(greedy.note)
    if not sol.ok:
        # "infeasible" only when proven: by HiGHS, or by the diagnosis's elastic model
        raise diagnose(
            workloads,
            sites,
            offers,
            constraints,
            settings,
            blocks=blocks,
            deps=deps,
            proven=sol.status == "infeasible",
        )
    if (
        sol.duals is None
        and chosen != "greedy"
        and integer_columns(model) <= MILP_MAX_INTEGER_COLUMNS
    ):
        # shadow prices of capacity and budget rows, from the LP relaxation (cheap when small)
        lp = solve_lp(model, time_limit_s=min(5.0, limit_s), clock=clock)
        if lp.duals is not None:
            sol = replace(sol, duals=lp.duals)
    placements, usage, states = extract(model, sol, by_name, offers, deps)
    bought = purchases(model, sol.x, placements)
    usage = with_idle_purchases(usage, bought)
    gap = sol.gap
    greedy_usd = round(greedy.objective, 2) if greedy is not None and greedy.ok else None
    if greedy is not None and not greedy.ok and sol.ok:
        notes.append(greedy.note)
    info = SolverInfo(
        method=sol.method,
        status=status_of(sol),
        objective_usd=round(sol.objective, 2),
        lp_bound_usd=None if sol.bound is None else round(sol.bound, 2),
        gap=None if gap is None else round(gap, 6),
        seconds=round(clock() - t0, 3),
        time_limited=sol.time_limited,
        note="; ".join(
            [
                *notes,
                f"{len(workloads)} workloads solved as {len(model.blocks)} blocks "
                f"(identical workloads share one)",
            ]
        ),
        greedy_objective_usd=greedy_usd,
    )
    return PlacementResult(
        placements=placements,
        site_usage=usage,
        solver=info,
        horizon_months=settings.horizon_months,
        rows=states,
        greedy_objective_usd=greedy_usd,
        blocks=len(model.blocks),
        purchases=bought,
        basis=keyed(model, sol.basis) if keep_basis and sol.basis is not None else None,
    )


RESCUE_MAX_S = 10.0
"""LP + repair after a MILP stopped by its time limit runs for at most this long (and at
most ``solver_time_limit_s``), past the limit."""


def status_of(sol: Solution) -> str:
    """``SolverInfo.status``: ``time_limit`` when the time limit stopped the search (the
    plan is the best one known; its gap says how far from the bound it may be), else the
    solver's ``optimal`` or ``feasible`` (greedy: no bound)."""
    return "time_limit" if sol.time_limited else sol.status


def _checked(model: Model, sol: Solution) -> Solution:
    """``sol``, or no plan (status ``time-limit`` if the time limit stopped it, else
    ``error``) when its plan breaks a row of the model: a solver's answer is used only if
    it is a plan."""
    if not sol.ok:
        return sol
    broken = first_violation(model, sol.x)
    if not broken:
        return sol
    return replace(
        sol,
        status="time-limit" if sol.time_limited else "error",
        objective=math.inf,
        note=_join(sol.note, f"its plan broke a {broken} and was not used"),
    )


def _rescue(
    model: Model, sol: Solution, settings: Settings, clock: Clock, complete: Complete
) -> Solution:
    """A MILP stopped by its time limit with no plan or a weak one: LP + repair gives an
    honest bound (the LP's) and often a better plan quickly, on its own short budget. Its
    plan is used only if it is a plan and cheaper than what the MILP had."""
    rescue = _checked(
        model,
        solve_lp_repair(
            model,
            time_limit_s=min(RESCUE_MAX_S, settings.solver_time_limit_s),
            gap=settings.solver_gap,
            clock=clock,
            complete=complete,
        ),
    )
    bound = max(b for b in (sol.bound, rescue.bound, -math.inf) if b is not None)
    if rescue.ok and (not sol.ok or rescue.objective < sol.objective - 1e-6):
        what = "a better plan" if sol.ok else "a plan"
        sol = replace(
            sol,
            x=rescue.x,
            status="feasible",
            objective=rescue.objective,
            note=_join(sol.note, f"LP + repair found {what} after the time limit"),
        )
    return replace(sol, bound=bound if math.isfinite(bound) else None)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _as(
    sol: Solution, *, bound: float | None, limited: bool, method: str | None = None
) -> Solution:
    return Solution(
        x=sol.x,
        status="feasible",
        objective=sol.objective,
        bound=bound if bound is not None and math.isfinite(bound) else None,
        seconds=sol.seconds,
        time_limited=limited,
        method=method or sol.method,
        note=sol.note,
    )


def model_for(
    workloads: Sequence[Workload],
    sites: Sequence[Site],
    offers: Mapping[str, Sequence[Offer]],
    constraints: Constraints,
    settings: Settings | None = None,
) -> Model:
    """The (non-elastic) model ``solve_offers`` would solve, for inspection and tests."""
    settings = settings if settings is not None else Settings()
    blocks = build_blocks(workloads, sites, offers, constraints)
    deps = latency_dependencies(workloads)
    return build_model(blocks, sites, constraints, settings.horizon_months, dependencies=deps)
