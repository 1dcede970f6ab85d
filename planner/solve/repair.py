"""LP + repair, the solver for big fleets (``planner.solve.milp``'s docstring, "Solving"):
the LP relaxation over its lean columns (``planner.solve.dominance``: no dearer twins, no
dominated offers), its greedy completion,
and a small MILP over the blocks the LP left fractional only when that completion is not
already within the target gap of the LP bound; then, above the gap, a MILP polish.

The skip rule is a certificate, not a guess: the LP relaxation's optimum is a lower bound
on every plan, so a plan within ``gap`` of it is within ``gap`` of the optimum, which is
all the MILP would have promised (``mip_rel_gap``). The gap reported is always against the
LP bound (or a better one HiGHS proved)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from planner.solve.basis import KeyedBasis
from planner.solve.dominance import lean_columns
from planner.solve.focus import FOCUS_TAIL, FOCUSED, focused_columns
from planner.solve.highs import Clock, Solution, run_highs
from planner.solve.milp import choose_method, round_integers, solve_lp, solve_milp
from planner.solve.problem import BoolArray, ColKind, FloatArray, IntArray, Model, RowKind

INTEGRAL_TOL = 1e-6
Complete = Callable[[FloatArray], Solution]
"""Completes an LP solution into a plan (``planner.solve.greedy.solve_greedy``'s guide)."""
NO_REPAIR = "no repair MILP needed"
"""End of ``SolverInfo.note`` when the LP relaxation's greedy completion is the answer."""
WARM_KEPT = "within the gap of the LP bound without a repair"
"""``SolverInfo.note`` of LP + repair answered by its warm start (``solve_lp_repair``)."""
POLISH_MIN_S = 1.0
"""LP + repair above the target gap is polished by the MILP only with this much time left."""
POLISH_ABOVE = 2.0
"""The polish rule (``needs_polish``): LP + repair's plan is polished by the MILP only when
its gap is above this many times the target gap (``settings.solver_gap``): 1 % at the
default 0.5 %, issue #18's bar for a plan. Between the target and that, the plan is kept as
it is, with status ``feasible`` (not ``optimal``: it is not within the target) and a note
giving its gap and saying it was not polished. The MILP over a whole 10k fleet rarely
closes a few tenths of a percent (on issue #18's P5 price cut, at 0.52 %, it ran 25 s and
found nothing better), and a polish stopped by a time limit would make the answer depend
on how fast the machine is."""
NOT_POLISHED = "not polished by the MILP (the polish rule)"
"""In ``SolverInfo.note`` when the polish rule kept LP + repair's plan above the target."""


def within_gap(objective: float, bound: float | None, gap: float) -> bool:
    """A plan of cost ``objective`` is within ``gap`` of ``bound`` (``Solution.gap``'s
    measure: (objective - bound) / objective)."""
    if bound is None or not math.isfinite(objective):
        return False
    return objective - bound <= gap * abs(objective) or abs(objective) < 1e-9


def needs_polish(gap: float | None, target: float) -> bool:
    """The polish rule, one definition for a plan and a what-if: LP + repair's plan at
    ``gap`` from its bound is polished by the MILP only when ``gap`` is above
    ``POLISH_ABOVE`` x ``target`` (no bound, no polish: nothing to measure it against)."""
    return gap is not None and gap > POLISH_ABOVE * target


def solve_lp_repair(
    model: Model,
    *,
    time_limit_s: float,
    gap: float,
    clock: Clock,
    start: FloatArray | None = None,
    complete: Complete | None = None,
    cols: IntArray | None = None,
    warm: FloatArray | None = None,
    basis: KeyedBasis | None = None,
    keep_basis: bool = False,
    touched: BoolArray | None = None,
) -> Solution:
    """LP relaxation over ``cols`` (default: ``lean_columns``: the whole model's optimum and
    bound over about a quarter of its columns), then
    ``complete(LP solution)`` (the greedy completing the LP's whole blocks: within 0.5 % of
    the LP bound on the issue #18 fleets, in a second at 10k). If that plan is within
    ``gap`` of the LP bound it is the answer (status ``optimal``: what the MILP promises).
    Otherwise blocks the LP left integral keep only the offers it used, fractional ones
    stay free, and a small MILP finishes them from the completion; if that finds no plan,
    the whole MILP runs for the time left (from the better of ``start`` and the
    completion). The completion is the plan whenever the MILPs find nothing better in the
    time limit. The LP's objective is kept as the bound whatever the outcome (with no plan
    too: a time limit then still reports what no plan can beat). An infeasible LP
    relaxation proves the MILP infeasible; an infeasible repair proves nothing (its blocks
    were fixed). A ``warm`` start (a what-if's base plan as column values): when the LP
    completed is not within ``gap``, the LP's whole blocks with ``warm`` for its fractional
    ones, completed, within ``gap`` of the LP bound is the answer (``_warm_plan``).
    ``basis``: the LP starts from a related LP's basis (``planner.solve.basis``: a what-if's
    base; the same LP optimum); ``keep_basis``: the answer carries this LP's
    (``Solution.basis``). ``touched`` (a what-if: a mask over the blocks its change
    touched): the repair frees only the touched fractional blocks, and with none the
    completion is the plan (``planner.solve.focus``)."""
    t0 = clock()

    def left() -> float:
        return max(0.0, time_limit_s - (clock() - t0))

    cols = lean_columns(model) if cols is None else cols
    lp = solve_lp(
        model,
        time_limit_s=time_limit_s,
        clock=clock,
        cols=cols,
        basis=basis,
        keep_basis=keep_basis,
    )
    if lp.status == "infeasible":
        return Solution(
            x=lp.x,
            status="infeasible",
            objective=math.inf,
            bound=None,
            seconds=clock() - t0,
            method="lp+repair",
            note="the LP relaxation is infeasible",
        )
    if lp.status != "optimal":
        sol = solve_milp(
            model,
            time_limit_s=left(),
            gap=gap,
            clock=clock,
            start=start,
            cols=_with_support(cols, start),
        )
        note = "LP relaxation stopped by the time limit" if lp.time_limited else "LP failed"
        return _with(sol, t0, clock, method="milp", note=note)
    guided = complete(lp.x) if complete is not None else None
    if guided is not None and not guided.ok:
        guided = None
    if guided is not None and within_gap(guided.objective, lp.bound, gap):
        return Solution(
            x=guided.x,
            status="optimal",
            objective=guided.objective,
            bound=lp.bound,
            seconds=clock() - t0,
            method="lp+repair",
            note=(
                f"the greedy completion of the LP relaxation is within {gap:.2%} of its "
                f"bound: {NO_REPAIR}"
            ),
            duals=lp.duals,
            basis=lp.basis,
        )
    if warm is not None and complete is not None:
        kept = _warm_plan(model, lp, warm, complete, gap)
        if kept is not None:
            return replace(kept, seconds=clock() - t0, basis=lp.basis)
    fix, n_frac = _repair_bounds(model, lp.x)
    # the columns the repair may use; the completion's too, so it is a start HiGHS can take
    free = _with_support(cols[~fix[cols]], None if guided is None else guided.x)
    focus = ""
    if touched is not None and guided is not None:
        frac = np.zeros(len(model.blocks), dtype=np.bool_)
        frac[_fractional_blocks(model, lp.x)] = True
        free, n_free = focused_columns(model, free, frac, touched, guided.x)
        if n_free == 0:
            return Solution(
                x=guided.x,
                status="feasible",
                objective=guided.objective,
                bound=lp.bound,
                seconds=clock() - t0,
                method="lp+repair",
                note=(
                    f"LP relaxation fixed {len(model.blocks) - n_frac} of "
                    f"{len(model.blocks)} blocks; {n_frac} fractional: {FOCUSED}"
                ),
                duals=lp.duals,
                basis=lp.basis,
            )
        focus = f" ({n_free} the change touched, {FOCUS_TAIL}"
    status, x, _, _, limited, _ = run_highs(
        model,
        integer=True,
        time_limit_s=left(),
        gap=gap,
        start=None if guided is None else guided.x,
        clock=clock,
        cols=free,
    )
    note = (
        f"LP relaxation fixed {len(model.blocks) - n_frac} of "
        f"{len(model.blocks)} blocks; {n_frac} fractional finished by MILP{focus}"
    )
    completed = "the greedy completion of the LP's whole blocks used"
    if status in ("optimal", "feasible"):
        x = round_integers(model, x)
        objective = float(model.cost @ x)
        if guided is not None and guided.objective < objective - 1e-6:
            x, objective, note = guided.x, guided.objective, _join(note, completed)
        return Solution(
            x=x,
            status="feasible" if limited else "optimal",
            objective=objective,
            bound=lp.bound,
            seconds=clock() - t0,
            time_limited=limited,
            method="lp+repair",
            note=note + ("; time limit reached in the repair" if limited else ""),
            duals=lp.duals,
            basis=lp.basis,
        )
    why = "repair stopped by the time limit" if limited else "repair failed"
    if guided is not None and (start is None or guided.objective < model.cost @ start - 1e-6):
        start = guided.x
    sol = solve_milp(
        model,
        time_limit_s=left(),
        gap=gap,
        clock=clock,
        start=start,
        cols=_with_support(cols, start),
    )
    sol = _with(sol, t0, clock, method="milp", note=_join(note, f"{why}; full MILP used"))
    if guided is not None and (not sol.ok or guided.objective < sol.objective - 1e-6):
        sol = Solution(
            x=guided.x,
            status="feasible",
            objective=guided.objective,
            bound=None,
            seconds=sol.seconds,
            time_limited=True,
            method="lp+repair",
            note=_join(note, why, completed),
        )
    bound = max(b for b in (lp.bound, sol.bound, -math.inf) if b is not None)
    return Solution(
        x=sol.x,
        status=sol.status,
        objective=sol.objective,
        bound=bound if math.isfinite(bound) and sol.status != "infeasible" else None,
        seconds=sol.seconds,
        time_limited=sol.time_limited or limited,
        method=sol.method,
        note=sol.note,
        duals=lp.duals,
        basis=lp.basis,
    )


def _warm_plan(
    model: Model, lp: Solution, warm: FloatArray, complete: Complete, gap: float
) -> Solution | None:
    """The LP's integral blocks with ``warm`` (the base plan) for the blocks it leaves
    fractional, completed, if that is within ``gap`` of the LP bound; else ``None``."""
    block_of = model.col_block
    frac = model.integer & (np.abs(lp.x - np.round(lp.x)) > INTEGRAL_TOL) & (block_of >= 0)
    mixed = np.where(np.isin(block_of, np.unique(block_of[frac])), warm, lp.x)
    got = complete(mixed)
    if not got.ok or not within_gap(got.objective, lp.bound, gap):
        return None
    which = "the LP's whole blocks and the base plan for its fractional ones, completed"
    return Solution(
        x=got.x,
        status="optimal",
        objective=got.objective,
        bound=lp.bound,
        seconds=got.seconds,
        method="lp+repair",
        note=f"{which}: {WARM_KEPT}",
        duals=lp.duals,
    )


def _fractional_blocks(model: Model, x_lp: FloatArray) -> IntArray:
    """The blocks whose integer columns ``x_lp`` leaves fractional, ascending."""
    frac = model.integer & (np.abs(x_lp - np.round(x_lp)) > INTEGRAL_TOL) & (model.col_block >= 0)
    return np.unique(model.col_block[frac])


def _with_support(cols: IntArray, x: FloatArray | None) -> IntArray:
    """``cols`` and every column ``x`` uses, ascending."""
    if x is None:
        return cols
    return np.union1d(cols, np.nonzero(np.abs(x) > INTEGRAL_TOL)[0])


def _repair_bounds(model: Model, x_lp: FloatArray) -> tuple[BoolArray, int]:
    """(offer columns the repair fixes at 0, number of fractional blocks). A block is
    fractional if its offers, covers or site-use indicators are; a fractional block frees
    its latency partners too (their rows couple the two). Integral blocks keep only the
    offers the LP used: a single-offer block is fixed by its assignment row, a multi-offer
    one keeps a tiny integer choice (fixing the rounded LP values exactly could break a
    tight capacity row by the LP's tolerance)."""
    block_of = model.col_block
    is_offer = model.is_kind(ColKind.OFFER)
    frac = model.integer & (np.abs(x_lp - np.round(x_lp)) > INTEGRAL_TOL)
    frac_blocks = set(block_of[frac & (block_of >= 0)].tolist())
    member_block = {m: b.index for b in model.blocks for m in b.members}
    pairs = [
        (info.block, member_block[info.other])
        for info in model.rows
        if info.kind is RowKind.LATENCY and info.other in member_block
    ]
    grew = True
    while grew:
        grew = False
        for a, b in pairs:
            if (a in frac_blocks) != (b in frac_blocks):
                frac_blocks.update((a, b))
                grew = True
    fix = model.integer & is_offer & ~np.isin(block_of, list(frac_blocks))
    unused = fix & (np.abs(x_lp) <= INTEGRAL_TOL)
    return unused, len(frac_blocks)


def _join(*parts: str) -> str:
    return "; ".join(p for p in parts if p)


def _with(sol: Solution, t0: float, clock: Clock, *, method: str, note: str) -> Solution:
    return Solution(
        x=sol.x,
        status=sol.status,
        objective=sol.objective,
        bound=sol.bound,
        seconds=clock() - t0,
        time_limited=sol.time_limited,
        method=method,
        note=_join(note, sol.note),
        duals=sol.duals,
    )


def solve_model(
    model: Model,
    method: str,
    *,
    time_limit_s: float,
    gap: float,
    clock: Clock,
    start: FloatArray | None = None,
    complete: Complete | None = None,
    warm: FloatArray | None = None,
    basis: KeyedBasis | None = None,
    keep_basis: bool = False,
    touched: BoolArray | None = None,
) -> Solution:
    """Solve with ``milp``, ``lp+repair`` or ``auto`` (``warm``, ``basis``, ``keep_basis``,
    ``touched``: ``solve_lp_repair``'s). ``lp+repair`` on a model ``partitionable`` (100k fleets) is
    ``solve_partitioned`` (given ``complete``). LP + repair whose gap is above ``gap`` is
    polished when the polish rule says so (``needs_polish``): the MILP runs from the
    repaired plan for the time left, and the better plan (with the better bound) is kept;
    below the rule's bar the plan is kept unpolished, status ``feasible``, its gap in the
    note."""
    if method == "auto":
        method = choose_method(model)
    if method == "milp":
        return solve_milp(model, time_limit_s=time_limit_s, gap=gap, clock=clock, start=start)
    t0 = clock()
    from planner.solve.partition import partitionable, solve_partitioned

    if complete is not None and partitionable(model):  # 100k: the LP in parts
        return solve_partitioned(
            model, time_limit_s=time_limit_s, gap=gap, clock=clock, complete=complete
        )
    cols = lean_columns(model)
    sol = solve_lp_repair(
        model,
        time_limit_s=time_limit_s,
        gap=gap,
        clock=clock,
        start=start,
        complete=complete,
        cols=cols,
        warm=warm,
        basis=basis,
        keep_basis=keep_basis,
        touched=touched,
    )
    left = time_limit_s - (clock() - t0)
    if not sol.ok or sol.method != "lp+repair" or (sol.gap or 0.0) <= gap:
        return sol
    if not needs_polish(sol.gap, gap):
        kept = (
            f"gap {sol.gap or 0.0:.2%} to the LP bound, above the {gap:.2%} target but within "
            f"{POLISH_ABOVE * gap:.2%}: {NOT_POLISHED}"
        )
        status = "feasible" if sol.status == "optimal" else sol.status
        return replace(sol, status=status, note=_join(sol.note, kept), seconds=clock() - t0)
    if left < POLISH_MIN_S:
        # the gap is above the target and the time limit leaves no room to close it
        return replace(sol, time_limited=True, note=_join(sol.note, "no time left to polish"))
    polished = solve_milp(
        model,
        time_limit_s=left,
        gap=gap,
        clock=clock,
        start=sol.x,
        cols=_with_support(cols, sol.x),
    )
    bound = max(b for b in (sol.bound, polished.bound, -math.inf) if b is not None)
    if not polished.ok or polished.objective >= sol.objective - 1e-6:
        # its bound still counts: a MILP that proved the repaired plan within the gap
        sol = replace(
            sol,
            bound=bound if math.isfinite(bound) else None,
            time_limited=sol.time_limited or polished.time_limited,
        )
        return _with(sol, t0, clock, method=sol.method, note="MILP polish found nothing better")
    return Solution(
        x=polished.x,
        status=polished.status,
        objective=polished.objective,
        bound=bound if math.isfinite(bound) else None,
        seconds=clock() - t0,
        time_limited=polished.time_limited,
        method="lp+repair",
        note=_join(sol.note, "polished by the MILP", polished.note),
        duals=sol.duals,
        basis=sol.basis,
    )
