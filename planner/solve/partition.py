"""Partitioned LP + repair for very big fleets (issue #18: 100k workloads).

The LP relaxation of a 100k-block model does not finish in a minute on our 2-core
machines (the dual simplex needs an iteration for about every block it moves off its
cheapest offer). In the spirit of POP (Narayanan et al., "Solving Large-Scale Granular
Resource Allocation Problems Efficiently with POP", SOSP '21):

1. Partition the blocks into k parts, every latency-bound group (blocks sharing a row
   other than a capacity, budget or cloud-share row) whole in one part. Groups are dealt
   round-robin per stratum (the set of sites their first block may use: residency,
   GPUs, pins), in a fixed pseudo-random order within it, so each part gets about 1/k of
   every kind of workload.
2. Each part is the model restricted to its blocks, with a share of every *shared* row's
   limits (capacity, budgets, cloud share): what its blocks must use of the row whatever
   offers they take (pins, residency to one site) plus 1/k of the rest (``part_limits``);
   parts that each fit their share fit together.
   Its LP relaxation (over ``planner.solve.dominance.lean_columns``) is solved alone.
3. The parts' LP solutions, added up, are a point of the whole LP relaxation; the greedy
   completes it (``complete``: whole blocks as the LPs placed them, the few fractional
   ones greedily, into the capacity the parts left over).
4. The certificate is a Lagrangian bound on the whole model (``planner.solve.lagrange``):
   local rows priced by the duals of the part that owns them, shared rows by a price
   vector built from the parts' duals (their mean and their median; the better bound
   wins). Any prices give a valid lower bound (weak duality), so the gap reported is
   honest whatever the parts did; it is only as tight as the parts' prices agree.

A part whose LP is infeasible with its share (which proves nothing about the whole) is
solved again in the room the other parts' LP points leave. A part whose LP stops at the
time limit, fails, or is infeasible in that room too leaves its blocks to the greedy and
its rows unpriced (price 0: still a valid bound). No outcome here is reported as ``infeasible``.

``solve_model`` (``planner.solve.repair``) runs this instead of the whole-model LP for
``lp+repair`` models of at least ``PARTITION_MIN_BLOCKS`` blocks with no servers to buy
(their buy columns are shared by every block), in parts of about ``PART_BLOCKS`` blocks.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from planner.solve.dominance import lean_columns
from planner.solve.highs import Clock, Solution
from planner.solve.lagrange import Lagrangian
from planner.solve.milp import solve_lp
from planner.solve.problem import (
    BoolArray,
    ColKind,
    Columns,
    FloatArray,
    IntArray,
    Model,
    RowKind,
)
from planner.solve.repair import Complete, within_gap
from planner.solve.shares import part_limits

METHOD = "partitioned-lp"
"""``SolverInfo.method`` of a plan found by ``solve_partitioned``."""
PARTITION_MIN_BLOCKS = 30_000
"""``lp+repair`` partitions models with at least this many blocks (the 10k benchmark
fleet's whole LP: 2.5 s CPU, a 0.45 % gap; the acme example is far below). The LP's time
grows faster than its size: at 100k blocks the whole LP did not finish in 60 s."""
PART_BLOCKS = 5_000
"""Blocks per part, about (k = ceil(blocks / PART_BLOCKS)). On the 10k fleet, parts of
1k-5k blocks cost 2.4-3.2 s CPU in all (LPs, completion, bound) against 4.1 s whole, for
a gap of 0.43-0.60 % instead of 0.45 %."""
SHARED_ROWS = frozenset(
    {
        RowKind.CAPACITY,
        RowKind.BUDGET_TEAM,
        RowKind.BUDGET_SITE,
        RowKind.BUDGET_TOTAL,
        RowKind.CLOUD_SHARE,
    }
)
"""Rows every part gets a share of (``part_limits``); every other row belongs to the blocks
in it, except:"""
LEFT_TO_COMPLETION = frozenset({RowKind.TRAINING_ROOM, RowKind.ROOM_LINK})
"""Rows no part's LP holds: the training room (``planner.solve.room``) spans every GPU
block of a site and its binary belongs to no block. The parts' LPs are then a looser
guide; the greedy completion keeps these rows (it takes the room binary with the training
shares), and the Lagrangian bound stays valid (their prices are 0, any prices are valid)."""
SEED = 18
"""Seed of the fixed pseudo-random order within a stratum (the plan must not churn)."""


def partitionable(model: Model) -> bool:
    """``solve_model`` partitions this model: big, not elastic, nothing to buy."""
    return (
        len(model.blocks) >= PARTITION_MIN_BLOCKS
        and not model.elastic
        and not model.buys
        and not bool(np.any((model.col_block < 0) & ~model.is_kind(ColKind.ROOM)))
    )


def part_count(model: Model) -> int:
    """k for ``model``: about ``PART_BLOCKS`` blocks per part, at least 2."""
    return max(2, math.ceil(len(model.blocks) / PART_BLOCKS))


def shared_rows(model: Model) -> BoolArray:
    """Which rows are shared by the parts (``SHARED_ROWS``)."""
    return np.asarray([info.kind in SHARED_ROWS for info in model.rows], dtype=np.bool_)


def completion_rows(model: Model) -> BoolArray:
    """Which rows only the completion keeps (``LEFT_TO_COMPLETION``)."""
    kinds = LEFT_TO_COMPLETION
    return np.asarray([info.kind in kinds for info in model.rows], dtype=np.bool_)


def groups_of(model: Model, shared: BoolArray) -> IntArray:
    """Each block's group: the smallest block index of the blocks it shares a local row
    with, transitively (latency partners, and their partners)."""
    n_blocks = len(model.blocks)
    label = np.arange(n_blocks, dtype=np.int64)
    nnz = np.diff(model.start)
    col_of = np.repeat(np.arange(model.n_cols), nnz)
    local = ~shared[model.index] & (model.col_block[col_of] >= 0)
    rows = model.index[local]
    blocks = model.col_block[col_of[local]]
    # edges: each nonzero's block with the first block of its row
    order = np.lexsort((blocks, rows))
    rows, blocks = rows[order], blocks[order]
    first = np.ones(len(rows), dtype=np.bool_)
    first[1:] = rows[1:] != rows[:-1]
    head = blocks[first][np.cumsum(first) - 1]
    a, b = head[head != blocks], blocks[head != blocks]
    while a.size:
        low = np.minimum(label[a], label[b])
        before = label.copy()
        np.minimum.at(label, a, low)
        np.minimum.at(label, b, low)
        label = label[label]  # jump to the root's label
        if np.array_equal(label, before):
            break
    return label


def parts_of(model: Model, k: int, shared: BoolArray | None = None) -> list[IntArray]:
    """The blocks of each of ``k`` parts (``planner.solve.partition``'s step 1), each
    ascending; deterministic for a given model."""
    shared = shared_rows(model) if shared is None else shared
    group = groups_of(model, shared)
    heads = np.unique(group)
    # stratum: the sites the group's first block has offers on (a 64-bit mask)
    offer = model.is_kind(ColKind.OFFER)
    bit = np.left_shift(np.uint64(1), (model.col_site[offer] % 64).astype(np.uint64))
    mask = np.zeros(len(model.blocks), dtype=np.uint64)
    np.bitwise_or.at(mask, model.col_block[offer], bit)
    shuffle = np.random.default_rng(SEED).permutation(len(heads))
    order = heads[np.lexsort((shuffle, mask[heads]))]
    part_of_head = np.zeros(len(model.blocks), dtype=np.int64)
    part_of_head[order] = np.arange(len(order)) % k
    part = part_of_head[group]
    return [np.nonzero(part == p)[0] for p in range(k)]


def solve_partitioned(
    model: Model,
    *,
    time_limit_s: float,
    gap: float,
    clock: Clock,
    complete: Complete,
    parts: int | None = None,
    cols: IntArray | None = None,
) -> Solution:
    """The module docstring's method with ``parts`` parts (default ``part_count``) over
    ``cols`` (default ``lean_columns``); the plan is ``complete`` (the greedy guided by
    it, knowing the latency rules) of the parts' LP solutions added up, the bound a
    Lagrangian one.
    Status ``optimal`` when the plan is within ``gap`` of the bound, else ``feasible``;
    ``time-limit`` / ``error`` (never ``infeasible``) when no plan came out."""
    t0 = clock()
    k = part_count(model) if parts is None else max(1, parts)
    cols = lean_columns(model) if cols is None else cols
    shared = shared_rows(model)
    loose = completion_rows(model)
    members = parts_of(model, k, shared | loose)
    owner = np.full(len(model.blocks), -1, dtype=np.int64)
    for p, blocks in enumerate(members):
        owner[blocks] = p
    col_part = np.where(model.col_block >= 0, owner[np.maximum(model.col_block, 0)], -1)
    row_part = _row_owner(model, col_part, shared | loose)
    lower, upper = part_limits(model, col_part, shared, k)
    x = np.zeros(model.n_cols)
    y = np.zeros(model.n_rows)
    prices: list[FloatArray] = []
    solved, limited, notes = 0, False, []
    by_part = cols[np.argsort(col_part[cols], kind="stable")]
    ends = np.searchsorted(col_part[by_part], np.arange(k + 1))
    failed: list[int] = []
    for p in range(k):
        left = time_limit_s - (clock() - t0)
        if left <= 0:
            limited = True
            notes.append(f"parts {p + 1}-{k} not solved in the time limit")
            break
        mine = by_part[ends[p] : ends[p + 1]]
        sub, rows = _part_model(
            model, mine, row_part == p, shared, (lower[p], upper[p]), loose=loose
        )
        lp = solve_lp(sub, time_limit_s=left, clock=clock)
        if lp.status != "optimal" or lp.duals is None:
            limited = limited or lp.time_limited
            if lp.status == "infeasible" and not lp.time_limited:
                failed.append(p)
            else:
                notes.append(f"part {p + 1}'s LP {'stopped' if lp.time_limited else lp.status}")
            continue
        solved += 1
        x[mine] = lp.x
        _keep_prices(lp.duals, rows, shared, y=y, prices=prices, n_rows=model.n_rows)
    for p in failed:
        # its share was too small: the room the solved parts left (their LP points and
        # this one's still add up to a point of the whole LP)
        left = time_limit_s - (clock() - t0)
        mine = by_part[ends[p] : ends[p + 1]]
        again: Solution | None = None
        if left > 0:
            act = _shared_activity(model, x, shared)
            room = (model.row_lower[shared] - act, model.row_upper[shared] - act)
            sub, rows = _part_model(model, mine, row_part == p, shared, room, loose=loose)
            again = solve_lp(sub, time_limit_s=left, clock=clock)
        if again is None or again.status != "optimal" or again.duals is None:
            limited = limited or again is None or again.time_limited
            where = "with the room left" if again is not None else "(no time left to retry)"
            notes.append(f"part {p + 1}'s LP infeasible with its share {where}")
            continue
        solved += 1
        notes.append(f"part {p + 1}'s LP solved in the room the other parts left")
        x[mine] = again.x
        _keep_prices(again.duals, rows, shared, y=y, prices=prices, n_rows=model.n_rows)
    bound, which = _best_bound(model, y, prices, shared)
    plan = complete(x)
    note = (
        f"LP relaxation in {k} parts of about {len(model.blocks) // k} blocks, each with the "
        f"capacity and budget its pinned work needs and 1/{k} of the rest ({solved} solved), "
        f"completed by the greedy; bound: "
        f"Lagrangian with {which} (valid for any prices)"
    )
    if notes:
        note += "; " + "; ".join(notes)
    if not plan.ok:
        return Solution(
            x=plan.x,
            status="time-limit" if limited else "error",
            objective=math.inf,
            bound=bound,
            seconds=clock() - t0,
            time_limited=limited,
            method=METHOD,
            note=f"{note}; {plan.note}",
        )
    close = within_gap(plan.objective, bound, gap)
    return Solution(
        x=plan.x,
        status="optimal" if close and not limited else "feasible",
        objective=plan.objective,
        bound=bound,
        seconds=clock() - t0,
        time_limited=limited,
        method=METHOD,
        note=note,
        duals=y + (prices_mean(prices) if prices else 0.0),
    )


def _keep_prices(
    duals: FloatArray,
    rows: IntArray,
    shared: BoolArray,
    *,
    y: FloatArray,
    prices: list[FloatArray],
    n_rows: int,
) -> None:
    """A part's duals: its local rows' into ``y``, its shared rows' as one more entry of
    ``prices`` (updated in place: the loop's accumulators)."""
    local = ~shared[rows]
    y[rows[local]] = duals[local]
    q = np.zeros(n_rows)
    q[rows[~local]] = duals[~local]
    prices.append(q)


def _shared_activity(model: Model, x: FloatArray, shared: BoolArray) -> FloatArray:
    """The activity of ``x`` on the shared rows (in row order)."""
    nnz = np.diff(model.start)
    col_of = np.repeat(np.arange(model.n_cols), nnz)
    at = shared[model.index]
    act = np.bincount(
        model.index[at], weights=model.value[at] * x[col_of[at]], minlength=model.n_rows
    )
    return np.asarray(act[shared], dtype=np.float64)


def prices_mean(prices: Sequence[FloatArray]) -> FloatArray:
    """The parts' shared-row prices averaged."""
    return np.asarray(np.mean(np.stack(prices), axis=0), dtype=np.float64)


def _best_bound(
    model: Model, local: FloatArray, prices: Sequence[FloatArray], shared: BoolArray
) -> tuple[float | None, str]:
    """The better Lagrangian bound of two candidate shared-row prices (the parts' mean and
    median), with the local rows priced by ``local``; ``None`` if neither is finite."""
    lagrangian = Lagrangian(model)
    candidates = []
    if prices:
        stack = np.stack(prices)
        candidates += [("the parts' mean prices", np.mean(stack, axis=0))]
        candidates += [("the parts' median prices", np.median(stack, axis=0))]
    candidates = candidates or [("no shared-row prices", np.zeros(model.n_rows))]
    best, which = -math.inf, candidates[0][0]
    for name, q in candidates:
        got = lagrangian.bound(np.where(shared, q, local))
        if got > best:
            best, which = got, name
    return (best if math.isfinite(best) else None), which


def _row_owner(model: Model, col_part: IntArray, shared: BoolArray) -> IntArray:
    """The part each local row belongs to (the part of its columns' blocks); -1 for shared
    rows and rows with no column."""
    nnz = np.diff(model.start)
    col_of = np.repeat(np.arange(model.n_cols), nnz)
    out = np.full(model.n_rows, -1, dtype=np.int64)
    out[model.index] = col_part[col_of]
    out[shared] = -1
    return out


def _part_model(
    model: Model,
    cols: IntArray,
    own: BoolArray,
    shared: BoolArray,
    limits: tuple[FloatArray, FloatArray],
    *,
    loose: BoolArray | None = None,
) -> tuple[Model, IntArray]:
    """Part ``p`` as a model of its own: the columns ``cols`` (ascending), the rows it
    owns (``own``) and the shared rows with ``limits`` (lower, upper), without the rows
    ``loose`` left to the completion (their entries dropped); and the model's row index of
    each of its rows."""
    rows = np.nonzero(own | shared)[0]
    new_row = np.full(model.n_rows, -1, dtype=np.int64)
    new_row[rows] = np.arange(len(rows))
    nnz = np.diff(model.start)[cols]
    start = np.zeros(len(cols) + 1, dtype=np.int64)
    np.cumsum(nnz, out=start[1:])
    at = np.repeat(model.start[cols] - start[:-1], nnz) + np.arange(int(start[-1]))
    index = new_row[model.index[at]]
    keep = index >= 0  # a column's entries in other parts' rows (none: rows are local)
    if not keep.all():
        if loose is None or not loose[model.index[at][~keep]].all():
            raise ValueError("a part's column has an entry in another part's row")
        owner = np.repeat(np.arange(len(cols)), nnz)
        at, index = at[keep], index[keep]
        np.cumsum(np.bincount(owner[keep], minlength=len(cols)), out=start[1:])
    row_lower, row_upper = model.row_lower.copy(), model.row_upper.copy()
    row_lower[shared], row_upper[shared] = limits
    kinds = model.col_kind[cols].tolist()
    sub = replace(
        model,
        columns=Columns(
            kind=kinds,
            block=model.col_block[cols].tolist(),
            site=model.col_site[cols].tolist(),
            offer=[0] * len(kinds),
            row=[-1] * len(kinds),
            buy=[-1] * len(kinds),
        ),
        rows=tuple(model.rows[r] for r in rows.tolist()),
        cost=model.cost[cols],
        usd_per_month=model.usd_per_month[cols],
        migration_usd=model.migration_usd[cols],
        lower=model.lower[cols],
        upper=model.upper[cols],
        integer=model.integer[cols],
        row_lower=row_lower[rows],
        row_upper=row_upper[rows],
        start=start,
        index=index,
        value=model.value[at],
        penalty=model.penalty[cols] if model.penalty.size else model.penalty,
        col_block=model.col_block[cols],
        col_site=model.col_site[cols],
        col_kind=model.col_kind[cols],
    )
    return sub, rows
