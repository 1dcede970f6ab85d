"""Twin columns: offer columns of one block on one site that are the same column of the
constraint matrix (same rows, same coefficients) and differ only in cost.

On a cloud site with no budget or cloud-share row, a block's pricing options (on-demand,
commitments, spot) touch exactly the same rows (its assignment row, and its spread and
latency rows for that site) with the same coefficients: only the cheapest of them can be in
an optimal plan, LP or MILP (moving a plan's units from a dearer twin to the cheapest one
keeps every row as it was and lowers the cost). ``distinct_columns`` keeps one column per
set of twins, the cheapest (the first on a tie), so LP + repair solves the same optimum
over about half the columns; the lower bound it proves is the full model's. With budget or
cloud-share rows the options' monthly spend differs, their columns differ, and none is a
twin.

Offer columns of a block on a site are adjacent in a model (``planner.solve.build`` adds a
block's offers sorted by (site, option)), so twins are runs of adjacent equal columns.
"""

from __future__ import annotations

import numpy as np

from planner.solve.problem import ColKind, IntArray, Model


def distinct_columns(model: Model) -> IntArray:
    """Indices of the columns to keep, ascending: every column but the dearer twins."""
    n = model.n_cols
    if n < 2:
        return np.arange(n, dtype=np.int64)
    block, site, offer = model.col_block, model.col_site, model.is_kind(ColKind.OFFER)
    start = model.start
    nnz = np.diff(start)
    # column j may be a twin of column j - 1: same block, site, kind, bounds and pattern size
    same = np.zeros(n, dtype=np.bool_)
    same[1:] = (
        offer[1:]
        & offer[:-1]
        & (block[1:] == block[:-1])
        & (site[1:] == site[:-1])
        & (nnz[1:] == nnz[:-1])
        & (model.lower[1:] == model.lower[:-1])
        & (model.upper[1:] == model.upper[:-1])
        & (model.integer[1:] == model.integer[:-1])
    )
    # ... and every nonzero equal to its counterpart in column j - 1 (same position)
    col_of = np.repeat(np.arange(n), nnz)
    here = np.nonzero(same[col_of])[0]
    back = here - nnz[col_of[here]]
    differs = (model.index[here] != model.index[back]) | (model.value[here] != model.value[back])
    same[np.unique(col_of[here[differs]])] = False
    # runs of twins; keep the cheapest of each (the first on a tie)
    run = np.cumsum(~same) - 1
    order = np.lexsort((np.arange(n), model.cost, run))
    first = np.ones(n, dtype=np.bool_)
    first[1:] = run[order][1:] != run[order][:-1]
    return np.sort(order[first])
