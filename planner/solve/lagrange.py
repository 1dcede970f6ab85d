"""A lower bound on every plan from any row prices: the Lagrangian (weak LP duality).

For the model min c.x subject to l_r <= A_r x <= u_r (rows) and 0 <= x <= U (columns),
take any row prices y with y_r >= 0 only where l_r is finite and y_r <= 0 only where u_r
is finite (``valid_prices`` clips to that). Every plan x then has y_r A_r x >= y_r b_r
with b_r = l_r if y_r > 0 else u_r, so

    c.x >= L(y) = sum_r y_r b_r + sum_j min(0, d_j) U_j,    d = c - A^T y,

a lower bound on the MILP's optimum, and on its LP relaxation's (the columns' bounds are
kept, their integrality dropped). No solver is involved: y may come from anywhere (a part's
LP duals, an average of them, zeros), only its quality depends on where it came from.

Assignment rows are priced here, not taken from y: with the other prices fixed, L is
concave in the price p_b of block b's assignment row (sum_j x_j = n_b), and is largest
at the cheapest adjusted cost d'_j = c_j - sum_{r not assign} A_rj y_r of the block's
columns (weighted by their bounds U_j when one column cannot hold all n_b units): the
Lagrangian relaxation of every other row, min_o (c_bo + lambda . u_bo), for each block.
"""

from __future__ import annotations

import math

import numpy as np

from planner.solve.problem import BoolArray, FloatArray, IntArray, Model, RowKind


def valid_prices(model: Model, y: FloatArray) -> FloatArray:
    """``y`` with each row's price clipped to the sign its limits allow (0 on free rows)."""
    lo_ok = np.isfinite(model.row_lower)
    hi_ok = np.isfinite(model.row_upper)
    out = np.where(lo_ok, y, np.minimum(y, 0.0))
    out = np.where(hi_ok, out, np.maximum(out, 0.0))
    return np.asarray(out, dtype=np.float64)


def assign_rows(model: Model) -> IntArray:
    """The rows that are assignment rows (``RowKind.ASSIGN``), ascending."""
    return np.asarray(
        [r for r, info in enumerate(model.rows) if info.kind is RowKind.ASSIGN], dtype=np.int64
    )


class Lagrangian:
    """L(y) of one model: its structure prepared once, then evaluated for many ``y``."""

    def __init__(self, model: Model, *, assign: IntArray | None = None) -> None:
        self.model = model
        nnz = np.diff(model.start)
        self.col_of = np.repeat(np.arange(model.n_cols), nnz)
        rows = assign_rows(model) if assign is None else assign
        self.priced = _priced_here(model, rows, self.col_of)
        hit = self.priced[model.index]
        row_of = np.full(model.n_cols, -1, dtype=np.int64)
        row_of[self.col_of[hit]] = model.index[hit]
        self.free = np.nonzero(row_of < 0)[0]
        # the priced rows' columns grouped by row; ``whole``: every column of the row can
        # hold all its units, so the row's best price is its cheapest adjusted cost
        j = np.nonzero(row_of >= 0)[0]
        self.cols = j[np.argsort(row_of[j], kind="stable")]
        r = row_of[self.cols]
        first = np.ones(len(r), dtype=np.bool_)
        first[1:] = r[1:] != r[:-1]
        self.starts = np.nonzero(first)[0]
        self.rows = r[self.starts]
        self.need = model.row_lower[self.rows]
        self.sizes = np.diff(np.append(self.starts, len(r)))
        self.whole = bool(np.all(model.upper[self.cols] >= np.repeat(self.need, self.sizes)))

    def bound(self, y: FloatArray) -> float:
        """L(y) (module docstring): a lower bound on every plan's cost, whatever ``y`` is
        (clipped to valid signs; the assignment rows priced here). ``-inf`` when a column
        with no upper bound has a negative adjusted cost."""
        model = self.model
        if model.n_cols == 0:
            return 0.0
        y = valid_prices(model, np.asarray(y, dtype=np.float64))
        y[self.priced] = 0.0
        d = model.cost - np.bincount(
            self.col_of, weights=model.value * y[model.index], minlength=model.n_cols
        )
        lower, upper = model.lower, model.upper
        rl = np.where(np.isfinite(model.row_lower), model.row_lower, 0.0)
        ru = np.where(np.isfinite(model.row_upper), model.row_upper, 0.0)
        total = float(np.where(y > 0, y * rl, y * ru).sum())
        total += _box_min(d[self.free], lower[self.free], upper[self.free])
        if not self.cols.size:
            return total
        price = self._prices(d)
        cols = self.cols
        total += float((price * self.need).sum())
        total += _box_min(d[cols] - np.repeat(price, self.sizes), lower[cols], upper[cols])
        return total

    def _prices(self, d: FloatArray) -> FloatArray:
        """The best price of each priced row given adjusted costs ``d``: the adjusted cost
        at which the row's cheapest columns can hold its units (its dearest column's if
        they never can: any price is valid)."""
        dc = d[self.cols]
        if self.whole:
            return np.asarray(np.minimum.reduceat(dc, self.starts), dtype=np.float64)
        r = np.repeat(np.arange(len(self.starts)), self.sizes)
        order = np.lexsort((dc, r))
        cap = np.minimum(self.model.upper[self.cols][order], np.repeat(self.need, self.sizes))
        cum = np.cumsum(cap)
        before = np.repeat(cum[self.starts] - cap[self.starts], self.sizes)
        enough = cum - before >= np.repeat(self.need, self.sizes) - 1e-9
        pos = np.where(enough, np.arange(len(order)), len(order))
        at = np.minimum.reduceat(pos, self.starts)
        last = np.append(self.starts[1:], len(order)) - 1
        return np.asarray(dc[order][np.where(at < len(order), at, last)], dtype=np.float64)


def lagrangian_bound(model: Model, y: FloatArray, *, assign: IntArray | None = None) -> float:
    """``Lagrangian(model).bound(y)``: a lower bound on the cost of every plan of ``model``
    whatever ``y`` is."""
    return Lagrangian(model, assign=assign).bound(y)


def _priced_here(model: Model, assign: IntArray, col_of: IntArray) -> BoolArray:
    """Which rows ``lagrangian_bound`` prices itself: the ``assign`` rows that are
    equalities with a positive right-hand side, all coefficients 1, and no column in two of
    them (the others keep their price from y)."""
    rows = np.zeros(model.n_rows, dtype=np.bool_)
    rows[assign] = True
    rows &= (model.row_lower == model.row_upper) & np.isfinite(model.row_lower)
    rows &= model.row_lower > 0
    hit = rows[model.index]
    rows[model.index[hit & (model.value != 1.0)]] = False
    hit = rows[model.index]
    twice = np.bincount(col_of[hit], minlength=model.n_cols) > 1
    rows[model.index[hit & twice[col_of]]] = False
    return rows


def _box_min(d: FloatArray, lower: FloatArray, upper: FloatArray) -> float:
    """sum_j min over lower_j <= x_j <= upper_j of d_j x_j (``-inf`` if unbounded)."""
    if d.size == 0:
        return 0.0
    neg = d < 0
    if np.any(neg & ~np.isfinite(upper)) or np.any(~neg & (d > 0) & ~np.isfinite(lower)):
        return -math.inf
    lo = np.where(np.isfinite(lower), lower, 0.0)
    hi = np.where(np.isfinite(upper), upper, 0.0)
    return float(np.where(neg, d * hi, d * lo).sum())
