"""Greedy baseline: largest block first, each unit on its cheapest offer that still fits.

It respects every constraint of the model (capacity, budgets, tier-1 spread, latency-bound
dependencies against partners already placed) and checks the cloud share at the end; it
gives up (status ``infeasible``) rather than break one. It is the fallback when the MILP
cannot run and the reference the MILP is measured against (never cheaper than the MILP).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable

import numpy as np

from planner.model import SiteKind
from planner.solve.blocks import Block, BlockKind
from planner.solve.highs import Solution
from planner.solve.problem import ColKind, FloatArray, Model, RowKind, latency_ms

Clock = Callable[[], float]
EPS = 1e-9


def _size(model: Model, blk: Block) -> float:
    """Largest first: cores + GiB/4 + 8 x GPUs per member, the biggest offer's usage."""
    best = 0.0
    for o in blk.offers:
        u = o.usage
        gpus = sum(v for k, v in u.items() if k.startswith(("gpus:", "peak_gpus:")))
        best = max(best, u.get("cpu", 0.0) + u.get("memory_gib", 0.0) / 4 + 8 * gpus)
    return best


def solve_greedy(
    model: Model,
    *,
    clock: Clock,
    dependencies: dict[str, list[tuple[str, float]]] | None = None,
) -> Solution:
    """Greedy plan for ``model`` (not elastic). Deterministic: ties break by name."""
    t0 = clock()
    n = model.n_cols
    x = np.zeros(n)
    headroom = model.row_upper.copy()
    # entries of each column, for fast fits
    col_rows: list[tuple[np.ndarray, np.ndarray]] = []
    for j in range(n):
        a, b = int(model.start[j]), int(model.start[j + 1])
        col_rows.append((model.index[a:b], model.value[a:b]))
    limited_rows = np.asarray(
        [
            r.kind
            in (
                RowKind.CAPACITY,
                RowKind.BUDGET_TEAM,
                RowKind.BUDGET_SITE,
                RowKind.BUDGET_TOTAL,
                RowKind.SPREAD_CAP,
            )
            for r in model.rows
        ],
        dtype=np.bool_,
    )
    offer_cols: dict[int, list[int]] = defaultdict(list)
    for j, c in enumerate(model.columns):
        if c.kind is ColKind.OFFER:
            offer_cols[c.block].append(j)

    deps: dict[str, set[tuple[str, float]]] = defaultdict(set)
    for w, lst in (dependencies or {}).items():
        for d, bound in lst:
            deps[w].add((d, bound))
            deps[d].add((w, bound))
    placed_sites: dict[str, set[int]] = {}

    def fit(j: int) -> float:
        """How many units of column j still fit (capacity and budgets)."""
        rows, vals = col_rows[j]
        best = math.inf
        for r, v in zip(rows.tolist(), vals.tolist(), strict=True):
            if v > 0 and limited_rows[r]:
                best = min(best, max(0.0, headroom[r]) / v)
        return best

    def take(j: int, amount: float) -> None:
        x[j] += amount
        rows, vals = col_rows[j]
        headroom[rows] -= vals * amount

    lat = [[latency_ms(a, b) for b in model.sites] for a in model.sites]

    def site_ok(blk: Block, si: int) -> bool:
        for m in blk.members:
            for other, bound in deps.get(m, ()):
                for ti in placed_sites.get(other, ()):
                    if lat[si][ti] > bound:
                        return False
        return True

    block_of = {m: blk for blk in model.blocks for m in blk.members}

    def partners_fit(blk: Block, si: int) -> bool:
        """Each partner not placed yet still has an offer near ``si`` with room for it."""
        for m in blk.members:
            for other, bound in deps.get(m, ()):
                if other in placed_sites or other not in block_of:
                    continue
                pb = block_of[other]
                if not any(
                    lat[si][model.columns[j].site] <= bound and fit(j) + 1e-9 >= pb.units
                    for j in offer_cols[pb.index]
                ):
                    return False
        return True

    # largest first; a latency-bound partner is placed right after the block it follows
    queue = sorted(model.blocks, key=lambda b: (-_size(model, b), b.members[0]))
    order: list[Block] = []
    seen: set[int] = set()

    def visit(blk: Block) -> None:
        if blk.index in seen:
            return
        seen.add(blk.index)
        order.append(blk)
        for m in blk.members:
            for other, _ in sorted(deps.get(m, ())):
                if other in block_of:
                    visit(block_of[other])

    for blk in queue:
        visit(blk)
    failed: list[str] = []
    for blk in order:
        cols = sorted(
            (
                j
                for j in offer_cols[blk.index]
                if site_ok(blk, model.columns[j].site) and partners_fit(blk, model.columns[j].site)
            ),
            key=lambda j: (model.cost[j], model.sites[model.columns[j].site].name, j),
        )
        if blk.kind is BlockKind.SPLIT and blk.spread != 2:
            done = _place_split(model, blk, cols, fit, take)
        else:
            remaining = blk.units
            integral = blk.kind is not BlockKind.TRAIN
            # with latency partners, every site used must be within the tightest bound of
            # the first one (so a partner next to the first is near all of them)
            bounds = [b for m in blk.members for _, b in deps.get(m, ())]
            first: int | None = None
            for j in cols:
                if remaining <= EPS:
                    break
                si = model.columns[j].site
                if bounds and first is not None and lat[first][si] > min(bounds):
                    continue
                can = fit(j)
                if integral and math.isfinite(can):
                    can = math.floor(can + 1e-9)
                amount = min(remaining, can)
                if amount > EPS:
                    take(j, amount)
                    if bounds and not partners_fit(blk, si):
                        take(j, -amount)  # it would crowd its partner out: undo
                        continue
                    remaining -= amount
                    first = si if first is None else first
            done = remaining <= 1e-7
        if not done:
            failed.append(blk.members[0])
            break
        used = {model.columns[j].site for j in offer_cols[blk.index] if x[j] > EPS}
        for m in blk.members:
            placed_sites[m] = used

    _fill_aux(model, x)
    act = model.row_activity(x)
    tol = 1e-6 * np.maximum(1.0, np.abs(model.row_upper))
    broken = [
        model.rows[r].kind.value
        for r in np.nonzero((act > model.row_upper + tol) | (act < model.row_lower - tol))[0]
    ]
    if failed or broken:
        why = f"no offer left for {failed[0]}" if failed else f"{broken[0]} row exceeded"
        return Solution(
            x=x,
            status="infeasible",
            objective=math.inf,
            bound=None,
            seconds=clock() - t0,
            method="greedy",
            note=f"greedy gave up: {why}",
        )
    return Solution(
        x=x,
        status="feasible",
        objective=float(model.cost @ x),
        bound=None,
        seconds=clock() - t0,
        method="greedy",
    )


def _place_split(
    model: Model,
    blk: Block,
    cols: list[int],
    fit: Callable[[int], float],
    take: Callable[[int, float], None],
) -> bool:
    """A tier-1 workload: the cheapest of (all replicas on one offer at a site with enough
    failure domains) and (two offers on different sites, as many replicas on the cheaper
    one as the domain cover allows)."""
    reps = int(blk.units)
    k = blk.spread

    def domains(j: int) -> int:
        return len(model.sites[model.columns[j].site].failure_domains)

    best: tuple[float, list[tuple[int, int]]] | None = None
    for j in cols:
        if min(domains(j), reps) >= k and fit(j) + 1e-9 >= reps:
            cost = model.cost[j] * reps
            if best is None or cost < best[0] - 1e-9:
                best = (cost, [(j, reps)])
            break
    for i, j1 in enumerate(cols):
        for j2 in cols[i + 1 :]:
            if model.columns[j1].site == model.columns[j2].site:
                continue
            d1, d2 = domains(j1), domains(j2)
            for m in range(1, reps):
                a = reps - m
                if min(a, d1) + min(m, d2) >= k:
                    break
            else:
                continue
            if fit(j1) + 1e-9 < a or fit(j2) + 1e-9 < m:
                continue
            cost = model.cost[j1] * a + model.cost[j2] * m
            if best is None or cost < best[0] - 1e-9:
                best = (cost, [(j1, a), (j2, m)])
    if best is None:
        return False
    for j, amount in best[1]:
        take(j, float(amount))
    return True


def _fill_aux(model: Model, x: FloatArray) -> None:
    """Set cover (z) and use (u) columns consistently with the offer columns."""
    at: dict[tuple[int, int], float] = defaultdict(float)
    for j, c in enumerate(model.columns):
        if c.kind is ColKind.OFFER:
            at[(c.block, c.site)] += x[j]
    for j, c in enumerate(model.columns):
        if c.kind is ColKind.COVER:
            x[j] = min(at[(c.block, c.site)], model.upper[j])
        elif c.kind is ColKind.USE:
            x[j] = 1.0 if at[(c.block, c.site)] > EPS else 0.0


def is_cloud(model: Model, si: int) -> bool:
    return model.sites[si].kind is SiteKind.CLOUD
