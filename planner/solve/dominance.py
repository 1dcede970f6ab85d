"""Dominated offer columns: offers no optimal plan needs, dropped before the LP.

A block's *lean* offer is one whose column has a single nonzero, the 1 in the block's
assignment row (an offer on a cloud site that is in no latency, spread, budget or share
row). Offer column j of the same block is *dominated* by the block's cheapest lean offer
i when c_i <= c_j and every other nonzero of j is a positive coefficient in a row with
only an upper limit (capacity, spread cap, latency, site-use link): moving a plan's units
from j to i keeps the assignment row, lowers or keeps every other row's activity, keeps
the bounds (x_i + x_j <= U_b, the block's units, by the assignment row; i's upper bound is
at least U_b) and integrality (i is integer only if j is), and costs no more. So the LP and
the MILP over the columns that are left have the optimum of the whole model, and the LP's
lower bound is the whole model's. Costlier lean offers are dominated by the cheapest one
the same way (a tie keeps the first column).

``lean_columns`` is ``planner.solve.twins.distinct_columns`` (twins on one site) minus
these: on the issue #18 10k fleet, 133k distinct columns become 66k and the LP relaxation
takes about 60 % of the time (3.1 s CPU instead of 5.2 s, the same optimum). Both LP +
repair (``planner.solve.repair``) and the partitioned LP (``planner.solve.partition``) use
it. The same optimum may be reached at another vertex than over the distinct columns, so
the completion and the plan may differ; on the issue #18 fleets both stay within the
0.5 % target (1k: 0.40 %, the same 93 fractional blocks repaired; 10k: 0.43 %, no repair).
"""

from __future__ import annotations

import numpy as np

from planner.solve.problem import BoolArray, ColKind, IntArray, Model, RowKind
from planner.solve.twins import distinct_columns


def dominated_offers(model: Model) -> BoolArray:
    """Which columns are offers dominated by their block's cheapest lean offer."""
    n = model.n_cols
    out = np.zeros(n, dtype=np.bool_)
    if n == 0 or not model.blocks:
        return out
    offer = model.is_kind(ColKind.OFFER) & (model.col_block >= 0)
    block = np.where(offer, model.col_block, 0)
    assign_of = np.full(len(model.blocks), -1, dtype=np.int64)
    for r, info in enumerate(model.rows):
        if info.kind is RowKind.ASSIGN and info.block >= 0:
            assign_of[info.block] = r
    nnz = np.diff(model.start)
    col_of = np.repeat(np.arange(n), nnz)
    # each nonzero: the 1 in its column's block's assignment row, or a positive
    # coefficient in an upper-limited row (rows with no lower limit), or neither
    own_assign = offer[col_of] & (model.index == assign_of[block[col_of]]) & (model.value == 1.0)
    upper_only = ~np.isfinite(model.row_lower) & np.isfinite(model.row_upper)
    harmless = upper_only[model.index] & (model.value > 0.0)
    in_assign = np.bincount(col_of[own_assign], minlength=n) == 1
    others = np.bincount(col_of, weights=(~own_assign).astype(np.float64), minlength=n)
    worse = np.bincount(col_of, weights=(~(own_assign | harmless)).astype(np.float64), minlength=n)
    can_go = offer & in_assign & (worse == 0)
    units = np.asarray([blk.units for blk in model.blocks], dtype=np.float64)
    lean = can_go & (others == 0) & (model.upper >= units[block])
    if not lean.any():
        return out
    # the cheapest lean column of each block (the first on a tie)
    idx = np.nonzero(lean)[0]
    order = idx[np.lexsort((idx, model.cost[idx], block[idx]))]
    first = np.ones(len(order), dtype=np.bool_)
    first[1:] = block[order][1:] != block[order][:-1]
    best = np.full(len(model.blocks), -1, dtype=np.int64)
    best[block[order[first]]] = order[first]
    i = best[block]
    has = can_go & (i >= 0) & (i != np.arange(n))
    ii = np.where(has, i, 0)
    return np.asarray(
        has
        & (model.cost[ii] <= model.cost)
        & ~(model.integer[ii] & ~model.integer)
        & (model.lower == 0.0),
        dtype=np.bool_,
    )


def lean_columns(model: Model) -> IntArray:
    """Columns for the LP and the repair, ascending: ``distinct_columns`` without the
    dominated offers (``dominated_offers``); the same optimum as the whole model."""
    cols = distinct_columns(model)
    if cols.size == 0:
        return cols
    return cols[~dominated_offers(model)[cols]]
