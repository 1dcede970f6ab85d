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
           GPU-hours; other GPU workloads use gpus x 730 GPU-hours a month, their gpus
           being what they may hold (``planner.headroom``): replicas, HPA ceiling and
           the rolling-update surge pod, as emit keeps them out of the Kueue capacity
    e_bsr  split blocks: the surge pods' GPUs (and GPU-hours) held once on each owned
           site s the block uses, whatever its replicas there (on u_bs)
    g_b    train blocks: the GPUs one pod of the Job asks for at once
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
    u_bs   in {0, 1}: block b uses site s (train blocks, split blocks in a dependency, and
           split blocks with surge GPUs on an owned site); for a single workload in a
           whole block u_bs is the expression sum_{o at s} x_bo
    t_stg  in {0, 1}: a training Job whose pods ask g GPUs of type t runs on owned site s

Objective (USD over the horizon)
    min  sum_b sum_o (H * c_bo + m_bo) * x_bo  +  sum_{train b, s} (H * f_bs + m_bs) * u_bs

Constraints
    (assign)     sum_o x_bo = U_b                                  for every block b
    (capacity)   sum_{b, o at s} a_bor * x_bo + sum_b e_bsr u_bs <= K_sr   s in S_own, r in R
    Training Jobs fit whole: on an owned site, what the other workloads may hold of GPU
    type t leaves one pod of every training Job there (emit's Kueue capacity admits it):
    (room)       sum_{b not train, o at s} a_bo,gpus:t x_bo + sum_b e_bs,gpus:t u_bs
                   + g t_stg <= K_s,gpus:t                 s in S_own, g a pod size there
    (room-link)  sum_{o at s} x_bo <= t_stg                 train blocks b with g_b = g
    and x_bo = 0 for a train block whose pod exceeds the usable GPUs: g_b > K_s,gpus:t.
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
    started from the greedy plan. ``lp+repair`` (big fleets, ``planner.solve.repair``, see
    notes/solver-scale.md): solve the LP relaxation over the lean columns (no twins: a
    block's offers on one site that differ only in cost, ``planner.solve.twins``; no offer
    dominated by the block's cheapest cloud offer, ``planner.solve.dominance``; the same
    optimum); its objective is a lower bound. The greedy completes the LP's integral blocks
    into a plan; within the target gap of the bound, that plan is the answer. Otherwise
    every block whose LP values (offers, covers, site-use) are integral keeps only the
    offers the LP used; fractional blocks, and their latency partners, stay free; the MILP
    left over is tiny and starts from the completion. If that finds no plan the whole MILP
    runs from the greedy start; if its gap is above twice the target (the polish rule,
    ``repair.needs_polish``) the MILP polishes it for the time left, and between the target
    and twice it the plan is kept unpolished (status ``feasible``, its gap in the note). A
    what-if's LP starts from its base plan's LP basis (``planner.solve.basis``). The gap
    reported is (objective - bound) / objective, always against the LP bound or a better one
    HiGHS proved. ``auto`` picks ``milp`` up to ``MILP_MAX_INTEGER_COLUMNS``. From
    ``partition.PARTITION_MIN_BLOCKS`` blocks (100k fleets) LP + repair solves the LP in
    parts, each with 1/k of every capacity and budget (``planner.solve.partition``; without
    dominated offers too: ``planner.solve.dominance``), completes their sum with the greedy,
    and reports a Lagrangian bound (valid for any prices: ``planner.solve.lagrange``).

Time limit (issue #18)
    ``settings.solver_time_limit_s`` is HiGHS's alone: ``solve_offers`` starts it after the
    model is built and the greedy has run, on its clock: this process's CPU time, so a
    loaded machine does not stop the solver early and change the plan (HiGHS's own
    wall-clock ``time_limit`` is a backstop at ``highs.WALL_BACKSTOP`` times the limit).
    When it stops the solver, the best plan found is used: the solver's, LP + repair's (a
    MILP stopped with no plan or above the target gap is followed by LP + repair on its own
    short budget: a real bound, often a better plan) or the greedy plan (the MILP's start
    and the fallback; it also replaces the solver's plan if cheaper, which only a time limit
    allows); the status is ``time_limit`` with the gap against the best bound known (none:
    "the gap is unknown"). A solver's answer is used only if it is a plan
    (``first_violation``). No plan at all is ``infeasible`` only when proven: HiGHS says so
    (an infeasible MILP or LP relaxation; an infeasible *repair* proves nothing), or the
    diagnosis's elastic bound does (``planner.solve.diagnose``); otherwise it is a
    ``SolverTimeoutError``. The limit is measured on the caller's clock (HiGHS is
    interrupted at its simplex, interior-point and MIP checks), so a stub clock stops it at
    the same point on any machine.
"""

from __future__ import annotations

import math

import numpy as np

from planner.solve.basis import Basis, KeyedBasis, mapped
from planner.solve.blocks import BlockKind
from planner.solve.highs import Clock, Solution, run_highs, run_lp_basis
from planner.solve.problem import ColKind, FloatArray, IntArray, Model

MILP_MAX_INTEGER_COLUMNS = 5_000
"""``auto`` solves the MILP directly up to this many integer offer columns (a few hundred
blocks over 20 sites: well under a second); above it, LP + repair, polished by the MILP
from the repaired plan if the gap is still above the polish rule's bar. On our 10k-
workload benchmark fleet (17k integer columns) the direct MILP took 1.6-2.0 s against
0.15 s for LP + repair at a 0.01 % gap."""


def round_integers(model: Model, x: FloatArray) -> FloatArray:
    """``x`` with its integer columns rounded, within the column bounds."""
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
    cols: IntArray | None = None,
) -> Solution:
    """The exact MILP (up to ``gap``) within ``time_limit_s``; ``start`` is a feasible
    point (the greedy plan) HiGHS may use as its first incumbent. ``cols``: over these
    columns only (``planner.solve.twins``: the same optimum)."""
    t0 = clock()
    status, x, _, bound, limited, _ = run_highs(
        model,
        integer=True,
        time_limit_s=time_limit_s,
        gap=gap,
        start=start,
        clock=clock,
        cols=cols,
    )
    x = round_integers(model, x)
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


def solve_lp(
    model: Model,
    *,
    time_limit_s: float,
    clock: Clock,
    cols: IntArray | None = None,
    basis: KeyedBasis | None = None,
    keep_basis: bool = False,
) -> Solution:
    """The LP relaxation (a lower bound), with row duals; ``cols`` as for ``solve_milp``.
    ``basis``: start from an earlier, related LP's basis (``planner.solve.basis``: the same
    optimum, fewer iterations); ``keep_basis``: return this LP's in ``Solution.basis``."""
    t0 = clock()
    got: Basis | None = None
    if basis is None and not keep_basis:
        status, x, obj, bound, limited, duals = run_highs(
            model,
            integer=False,
            time_limit_s=time_limit_s,
            gap=0.0,
            want_duals=True,
            clock=clock,
            cols=cols,
        )
    else:
        cols = np.arange(model.n_cols, dtype=np.int64) if cols is None else cols
        (status, x, obj, bound, limited, duals), got = run_lp_basis(
            model,
            time_limit_s=time_limit_s,
            clock=clock,
            cols=cols,
            basis=None if basis is None else mapped(model, cols, basis),
            keep_basis=keep_basis,
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
        basis=got,
    )


def integer_columns(model: Model) -> int:
    """Integer offer columns: the size the auto method looks at."""
    trains = np.asarray(
        [blk.index for blk in model.blocks if blk.kind is BlockKind.TRAIN], dtype=np.int64
    )
    offers = model.integer & model.is_kind(ColKind.OFFER) & ~np.isin(model.col_block, trains)
    return int(np.count_nonzero(offers))


def choose_method(model: Model) -> str:
    """What ``auto`` means for this model: ``milp`` if small, else ``lp+repair``."""
    return "milp" if integer_columns(model) <= MILP_MAX_INTEGER_COLUMNS else "lp+repair"
