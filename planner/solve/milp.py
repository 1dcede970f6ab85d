"""Exact placement with HiGHS: the mixed-integer program, and its LP-then-repair variant.

HiGHS itself is behind ``planner.solve.highs`` (``highspy`` imported inside its functions).

Formulation
===========

Sets
    W   workloads; B the blocks they are grouped into (``planner.solve.blocks``): a *whole*
        block b holds n_b identical workloads (same team, tier, replicas, current site and
        the same offers up to the name), each run whole on one offer; a *split* block holds
        n_b identical tier-1 workloads that may use a site with fewer failure domains than
        they must span, so their replicas may spread over sites; a *train* block holds one
        AI-training workload. Workloads in a latency-bound dependency, and split workloads
        that must span k >= 3 domains, are blocks of their own (n_b = 1).
    S   sites; S_own the owned ones (kubernetes, gpu-pool) with a capacity; clouds are
        unlimited. d_s = number of failure domains of site s.
    O_b eligible offers (site s(o), pricing option) of block b's representative, after
        residency, spot, availability, GPU-type and policy prunes; a pinned workload keeps
        only the offers on its pinned site.
    R   capacity resources per owned site: ``cpu``, ``memory_gib``, ``gpus:<type>``,
        ``gpu_hours:<type>``.
    D   latency-bound dependencies (w, v, L): w depends on v with max round trip L ms.

Data (per unit u of a block: a workload for whole/train blocks, a replica for split ones)
    c_bo   USD/month of one unit on offer o (offer price / replicas for split blocks; for
           training the part that scales with GPU-hours)
    m_bo   one-off migration USD of one unit (0 if it stays on its current site); a split
           workload pays its offer's migration pro rata to the replicas that land there
    f_bs   training only: the fixed monthly part (``Offer.fixed_per_month``) and the
           migration, paid once if any share runs on site s
    a_bor  capacity of resource r one unit consumes (offer usage / replicas); for training,
           gpus:<t> is the peak GPUs the deadline needs and gpu_hours:<t> the monthly
           GPU-hours; other GPU workloads use gpus x 730 GPU-hours a month
    K_sr   usable capacity: physical x target_utilisation (GPU-hours: GPUs x 730 x util)
    H      horizon in months; U_b units of block b (n_b, n_b x replicas, or 1); R_b replicas
    k_b    failure domains a tier-1 split block must cover: min(min_failure_domains_tier1,
           replicas)
    lat    symmetric latency between sites (0 on the same site, infinite if unknown)

Variables
    x_bo   in {0..U_b} integer (whole: members placed on o; split: replicas on o);
           train blocks: x_bo in [0, 1] continuous, the share of GPU-hours run on o
    z_bs   in {0..min(d_s, k_b)} integer: failure domains of s covered by split block b
           (only for k_b >= 3)
    u_bs   in {0, 1}: block b uses site s (train blocks, and split blocks in a dependency);
           for a single workload in a whole block u_bs is the expression sum_{o at s} x_bo

Objective (USD over the horizon)
    min  sum_b sum_o (H * c_bo + m_bo) * x_bo  +  sum_{train b, s} (H * f_bs + m_bs) * u_bs

Constraints
    (assign)     sum_o x_bo = U_b                                  for every block b
    (capacity)   sum_{b, o at s} a_bor * x_bo <= K_sr                for s in S_own, r in R
    Tier-1 spread over k_b domains (a site with >= k_b domains satisfies it alone; whole
    tier-1 blocks only have offers on such sites; split blocks may split):
    (spread-cap) sum_{o at s} x_bo <= (R_b - 1) * n_b     split blocks with k_b = 2, sites
                 with one domain. Exact for the aggregate: striping the block's replicas
                 over its members (replica j to member j mod n_b, sites in name order) gives
                 every member replicas in >= 2 domains iff no site holds more than
                 (R_b - 1) * n_b of them (a site block of length L holds all R_b replicas of
                 some member iff L >= (R_b - 1) * n_b + 1).
    (cover)      z_bs <= sum_{o at s} x_bo                          split blocks, k_b >= 3
    (spread)     sum_s z_bs >= k_b                                  split blocks, k_b >= 3
    (use)        sum_{o at s} x_bo <= U_b * u_bs                     blocks with u
    (latency)    |T_s| * u_ws + sum_{t in T_s} u_vt <= |T_s|          (w, v, L) in D, s in S,
                 T_s = {t : lat(s, t) > L}: if w uses s, v uses no site too far from s.
                 When v is a whole one-unit block (its x_vo sum to 1, so it uses one
                 site) the row is u_ws + sum_{t in T_s} u_vt <= 1: the same integer
                 points, a tighter LP relaxation (a half-used s no longer leaves half of
                 |T_s| far sites open to v)
    Monthly spend below is sum c_bo x_bo plus, for training blocks, sum f_bs u_bs:
    (team)       sum_{b in team, o} c_bo x_bo <= budget_team          per team budget
    (site)       sum_{b, o at s} c_bo x_bo <= budget_site             per site budget
    (total)      sum_{b, o} c_bo x_bo <= budget_total
    (cloud)      sum_{o in cloud} (1 - f) c_bo x_bo - sum_{o not cloud} f c_bo x_bo <= 0,
                 f = max_cloud_share
    No spot for tier 1 and residency are enforced by the offers (ineligible offers have no
    column). Migration is amortised: it is one-off, the rest is monthly x H.

Buying (``planner.solve.buying``, when sites offer servers to buy)
    y_k in {0..max_units_k} integer: units of server model k bought; x'_bok in {0..U_b}
    integer: units of whole/split block b on offer o running on them (they take part in
    (assign), spread and latency rows like x_bo, but not in the site's capacity rows):
    (bought)     sum_{b,o} a_bor x'_bok - K_kr y_k <= 0              for every resource r
    Objective terms, with lead time L_k and depreciation M_k:
    (min(H - L_k, M_k) capex_k + (H - L_k) run_k) y_k + (L_k c_b^now + m_bo) x'_bok,
    c_b^now the unit's monthly cost where it runs until the servers arrive. Monthly spend
    rows count y_k at its monthly cost (not team budgets). The greedy baseline never buys.

Solving
    ``milp``: the program above with mip_rel_gap = settings.solver_gap and a time limit,
    started from the greedy plan. ``lp+repair`` (big fleets, see notes/solver-scale.md):
    solve the LP relaxation (its objective is a lower bound); every block whose LP values
    (offers, covers, site-use) are integral keeps only the offers the LP used; fractional
    blocks, and their latency partners, stay free; the MILP left over is tiny. If that
    finds no plan the whole MILP runs from the greedy start; if its gap is above the
    target the MILP polishes it for the time left. The gap reported is (objective - bound)
    / objective. ``auto`` picks ``milp`` up to ``MILP_MAX_INTEGER_COLUMNS``.

Time limit (issue #18)
    ``settings.solver_time_limit_s`` is HiGHS's alone: ``solve_offers`` starts it after the
    model is built and the greedy has run, and HiGHS gets it as its ``time_limit`` option
    (HiGHS counts from the start of its own run). When it stops the solver, the best plan
    found is used: the solver's, LP + repair's (a MILP stopped with no plan or above the
    target gap is followed by LP + repair on its own short budget: a real bound, often a
    better plan) or the greedy plan (the MILP's start and the fallback; it also replaces
    the solver's plan if cheaper, which only a time limit allows); the status is
    ``time_limit`` with the gap against the best bound known (none: "the gap is
    unknown"). A solver's answer is used only if it is a plan (``first_violation``). No
    plan at all is ``infeasible`` only when proven: HiGHS says so (an infeasible MILP or
    LP relaxation; an infeasible *repair* proves nothing), or the diagnosis's elastic
    bound does (``planner.solve.diagnose``); otherwise it is a ``SolverTimeoutError``.
    The limit is also measured on the caller's clock (HiGHS is interrupted at its simplex,
    interior-point and MIP checks), so a stub clock stops it at the same point on any
    machine.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from planner.solve.blocks import BlockKind
from planner.solve.highs import Clock, Solution, run_highs
from planner.solve.problem import BoolArray, ColKind, FloatArray, Model, RowKind

MILP_MAX_INTEGER_COLUMNS = 5_000
"""``auto`` solves the MILP directly up to this many integer offer columns (a few hundred
blocks over 20 sites: well under a second); above it, LP + repair, polished by the MILP
from the repaired plan if the gap is still above ``settings.solver_gap``. On our 10k-
workload benchmark fleet (17k integer columns) the direct MILP took 1.6-2.0 s against
0.15 s for LP + repair at a 0.01 % gap."""

INTEGRAL_TOL = 1e-6
Complete = Callable[[FloatArray], Solution]
"""Completes an LP solution into a plan (``planner.solve.greedy.solve_greedy``'s guide)."""
WARM_KEPT = "within the gap of the LP bound without a repair"
"""``SolverInfo.note`` of LP + repair answered by its warm start (``solve_lp_repair``)."""
POLISH_MIN_S = 1.0
"""LP + repair above the target gap is polished by the MILP only with this much time left."""


def _round(model: Model, x: FloatArray) -> FloatArray:
    out = x.copy()
    out[model.integer] = np.round(out[model.integer])
    return np.clip(out, model.lower, model.upper)


def solve_milp(
    model: Model,
    *,
    time_limit_s: float,
    gap: float,
    clock: Clock,
    start: FloatArray | None = None,
) -> Solution:
    """The exact MILP (up to ``gap``) within ``time_limit_s``; ``start`` is a feasible
    point (the greedy plan) HiGHS may use as its first incumbent."""
    t0 = clock()
    status, x, _, bound, limited, _ = run_highs(
        model, integer=True, time_limit_s=time_limit_s, gap=gap, start=start, clock=clock
    )
    x = _round(model, x)
    note = ""
    if limited:
        note = "time limit reached; the best plan found is used"
    if status == "time-limit":
        note = "time limit reached before any plan was found"
    ok = status in ("optimal", "feasible")
    return Solution(
        x=x,
        status=status,
        objective=float(model.cost @ x) if ok else math.inf,
        bound=bound,
        seconds=clock() - t0,
        time_limited=limited,
        method="milp",
        note=note,
    )


def solve_lp(model: Model, *, time_limit_s: float, clock: Clock) -> Solution:
    """The LP relaxation (a lower bound), with row duals."""
    t0 = clock()
    status, x, obj, bound, limited, duals = run_highs(
        model, integer=False, time_limit_s=time_limit_s, gap=0.0, want_duals=True, clock=clock
    )
    return Solution(
        x=x,
        status=status,
        objective=obj,
        bound=bound,
        seconds=clock() - t0,
        time_limited=limited,
        method="lp",
        duals=duals,
    )


def solve_lp_repair(
    model: Model,
    *,
    time_limit_s: float,
    gap: float,
    clock: Clock,
    start: FloatArray | None = None,
    complete: Complete | None = None,
    warm: FloatArray | None = None,
) -> Solution:
    """LP relaxation, fix integral blocks, finish the fractional ones with a small MILP;
    if that finds no plan, the whole MILP for the time left (from ``start``).
    ``complete(LP solution)`` (the greedy completing the LP's whole blocks: about 1-2 %
    above the LP bound on the issue #18 fleets, in a second at 10k) is the plan whenever
    the MILPs find nothing better in the time limit. The LP's
    objective is kept as the bound whatever the outcome (with no plan too: a time limit
    then still reports what no plan can beat). An infeasible LP relaxation proves the
    MILP infeasible; an infeasible repair proves nothing (its blocks were fixed). A
    ``warm`` start (a what-if's base plan as column values): the LP completed, or the LP's
    whole blocks with ``warm`` for its fractional ones completed, within ``gap`` of the LP
    bound is the answer: no repair runs (``_warm_plan``)."""
    t0 = clock()

    def left() -> float:
        return max(0.0, time_limit_s - (clock() - t0))

    lp = solve_lp(model, time_limit_s=time_limit_s, clock=clock)
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
        sol = solve_milp(model, time_limit_s=left(), gap=gap, clock=clock, start=start)
        note = "LP relaxation stopped by the time limit" if lp.time_limited else "LP failed"
        return _with(sol, t0, clock, method="milp", note=note)
    lower = model.lower.copy()
    upper = model.upper.copy()
    fix, n_frac = _repair_bounds(model, lp.x)
    upper[fix] = 0.0
    lower[fix] = 0.0
    guided = complete(lp.x) if complete is not None else None
    if guided is not None and not guided.ok:
        guided = None
    if warm is not None and complete is not None and lp.bound is not None:
        kept = _warm_plan(model, lp, warm, complete, gap, also=guided)
        if kept is not None:
            return replace(kept, seconds=clock() - t0)
    # not the repair's start: from a good start HiGHS stops at the target gap sooner, with
    # a dearer plan than its own search finds (10k benchmark: 0.24 % against 0.06 %)
    status, x, _, _, limited, _ = run_highs(
        model,
        integer=True,
        time_limit_s=left(),
        gap=gap,
        lower=lower,
        upper=upper,
        clock=clock,
    )
    note = (
        f"LP relaxation fixed {len(model.blocks) - n_frac} of "
        f"{len(model.blocks)} blocks; {n_frac} fractional finished by MILP"
    )
    completed = "the greedy completion of the LP's whole blocks used"
    if status in ("optimal", "feasible"):
        x = _round(model, x)
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
        )
    why = "repair stopped by the time limit" if limited else "repair failed"
    if guided is not None and (start is None or guided.objective < model.cost @ start - 1e-6):
        start = guided.x
    sol = solve_milp(model, time_limit_s=left(), gap=gap, clock=clock, start=start)
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
    )


def _warm_plan(
    model: Model,
    lp: Solution,
    warm: FloatArray,
    complete: Complete,
    gap: float,
    *,
    also: Solution | None,
) -> Solution | None:
    """A plan within ``gap`` of the LP bound without a repair, or ``None``: ``also`` (the
    LP completed, computed anyway) if it is one, else the LP's integral blocks with
    ``warm`` (the base plan) for the blocks it leaves fractional, completed."""
    assert lp.bound is not None

    def kept(got: Solution | None, which: str) -> Solution | None:
        if got is None or not got.ok:
            return None
        near = replace(got, bound=lp.bound)
        if near.gap is None or near.gap > gap:
            return None
        note = f"{which}: {WARM_KEPT}"
        return replace(near, status="optimal", method="lp+repair", note=note, duals=lp.duals)

    first = kept(also, "the LP completed")
    if first is not None:
        return first
    block_of = np.asarray([c.block for c in model.columns], dtype=np.int64)
    frac = model.integer & (np.abs(lp.x - np.round(lp.x)) > INTEGRAL_TOL) & (block_of >= 0)
    mixed = np.where(np.isin(block_of, np.unique(block_of[frac])), warm, lp.x)
    which = "the LP's whole blocks and the base plan for its fractional ones, completed"
    return kept(complete(mixed), which)


def _repair_bounds(model: Model, x_lp: FloatArray) -> tuple[BoolArray, int]:
    """(offer columns the repair fixes at 0, number of fractional blocks). A block is
    fractional if its offers, covers or site-use indicators are; a fractional block frees
    its latency partners too (their rows couple the two). Integral blocks keep only the
    offers the LP used: a single-offer block is fixed by its assignment row, a multi-offer
    one keeps a tiny integer choice (fixing the rounded LP values exactly could break a
    tight capacity row by the LP's tolerance)."""
    block_of = np.asarray([c.block for c in model.columns], dtype=np.int64)
    is_offer = np.asarray([c.kind is ColKind.OFFER for c in model.columns], dtype=np.bool_)
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


def integer_columns(model: Model) -> int:
    """Integer offer columns: the size the auto method looks at."""
    return int(
        sum(
            1
            for c, flag in zip(model.columns, model.integer, strict=True)
            if flag
            and c.kind is ColKind.OFFER
            and model.blocks[c.block].kind is not BlockKind.TRAIN
        )
    )


def choose_method(model: Model) -> str:
    """What ``auto`` means for this model: ``milp`` if small, else ``lp+repair``."""
    return "milp" if integer_columns(model) <= MILP_MAX_INTEGER_COLUMNS else "lp+repair"


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
) -> Solution:
    """Solve with ``milp``, ``lp+repair`` or ``auto``. LP + repair whose gap is above ``gap``
    is polished: the MILP runs from the repaired plan for the time left, and the better
    plan (with the better bound) is kept."""
    if method == "auto":
        method = choose_method(model)
    if method == "milp":
        return solve_milp(model, time_limit_s=time_limit_s, gap=gap, clock=clock, start=start)
    t0 = clock()
    sol = solve_lp_repair(
        model,
        time_limit_s=time_limit_s,
        gap=gap,
        clock=clock,
        start=start,
        complete=complete,
        warm=warm,
    )
    left = time_limit_s - (clock() - t0)
    if not sol.ok or sol.method != "lp+repair" or (sol.gap or 0.0) <= gap:
        return sol
    if left < POLISH_MIN_S:
        # the gap is above the target and the time limit leaves no room to close it
        return replace(sol, time_limited=True, note=_join(sol.note, "no time left to polish"))
    polished = solve_milp(model, time_limit_s=left, gap=gap, clock=clock, start=sol.x)
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
    )
