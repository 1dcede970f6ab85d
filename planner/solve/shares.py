"""Each part's share of the shared rows (``planner.solve.partition``'s step 2).

A part gets, of every capacity and budget row, what its blocks must use of it whatever
offers they take (a block whose every offer uses the row: pins, residency to one site),
plus 1/k of the rest; the shares add up to the row's limit, so parts that each fit their
share fit together. Even 1/k shares left a part with more than its share of pinned work
LP-infeasible on the 100k fleet: its blocks went to the greedy, a 1.32 % gap instead of
0.46 %.
"""

from __future__ import annotations

import numpy as np

from planner.solve.problem import BoolArray, ColKind, FloatArray, IntArray, Model


def part_limits(
    model: Model, col_part: IntArray, shared: BoolArray, k: int
) -> tuple[FloatArray, FloatArray]:
    """Each part's lower and upper limits on the shared rows, ``(k, shared rows)`` each.
    Upper: what the part's blocks must use of the row whatever offers they take
    (``forced_use``: pins, residency to one site) plus 1/k of the rest, so the limits add
    up to the model's (pro rata to that use if it is already over the limit); lower: 1/k."""
    rows = np.nonzero(shared)[0]
    lo, hi = model.row_lower[rows], model.row_upper[rows]
    need = forced_use(model, col_part, rows, k)
    total = need.sum(axis=0)
    limit = np.where(np.isfinite(hi), hi, 0.0)
    room = limit - total
    upper = np.where(
        room >= 0, need + np.maximum(room, 0.0) / k, limit * need / np.maximum(total, 1e-300)
    )
    upper = np.where(np.isfinite(hi), upper, np.inf)
    return np.tile(lo / k, (k, 1)), upper


def forced_use(model: Model, col_part: IntArray, rows: IntArray, k: int) -> FloatArray:
    """What each part's blocks use of each of ``rows`` whatever offers they take,
    ``(k, len(rows))``: a block whose every offer column uses a row uses at least its units
    x the least of them there (pins, residency to one site). 0 on rows with a negative
    entry."""
    offer = model.is_kind(ColKind.OFFER) & (model.col_block >= 0)
    n_offers = np.bincount(model.col_block[offer], minlength=len(model.blocks))
    units = np.asarray([blk.units for blk in model.blocks], dtype=np.float64)
    slot = np.full(model.n_rows, -1, dtype=np.int64)
    slot[rows] = np.arange(len(rows))
    nnz = np.diff(model.start)
    col_of = np.repeat(np.arange(model.n_cols), nnz)
    at = (slot[model.index] >= 0) & offer[col_of]
    r, v, b = slot[model.index[at]], model.value[at], model.col_block[col_of[at]]
    negative = np.zeros(len(rows), dtype=np.bool_)
    negative[r[v < 0]] = True
    key = b * len(rows) + r
    order = np.lexsort((v, key))
    key, v = key[order], v[order]
    first = np.ones(len(key), dtype=np.bool_)
    first[1:] = key[1:] != key[:-1]
    heads = np.nonzero(first)[0]
    count = np.diff(np.append(heads, len(key)))
    kb, kr = key[heads] // len(rows), key[heads] % len(rows)
    least = v[heads]  # sorted by value within a key: the first is the least
    every = (count == n_offers[kb]) & ~negative[kr]
    out = np.zeros(k * len(rows))
    part = _block_part(model, col_part)[kb]
    np.add.at(out, part[every] * len(rows) + kr[every], units[kb[every]] * least[every])
    return out.reshape(k, len(rows))


def _block_part(model: Model, col_part: IntArray) -> IntArray:
    """Each block's part (from its columns')."""
    out = np.full(len(model.blocks), -1, dtype=np.int64)
    has = model.col_block >= 0
    out[model.col_block[has]] = col_part[has]
    return out
