"""HiGHS behind one module: a ``Model`` in, a solution out (``run_highs``), and the
``Solution`` value the solvers return. ``highspy`` is imported inside the functions that use
it, never at module level."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from planner.solve.basis import Basis
from planner.solve.problem import FloatArray, IntArray, Model

Clock = Callable[[], float]


@dataclass(frozen=True, slots=True)
class Solution:
    """Column values of a model and what the solver said about them."""

    x: FloatArray
    status: str
    """``optimal``; ``feasible`` (stopped by the time limit with a plan); ``time-limit``
    (stopped before any plan: nothing is proven); ``infeasible`` (proven: no plan exists);
    ``error``."""
    objective: float
    bound: float | None
    seconds: float
    time_limited: bool = False
    method: str = "milp"
    note: str = ""
    duals: FloatArray | None = None
    basis: Basis | None = None
    """The LP relaxation's optimal basis, when kept (``solve_lp(keep_basis=True)``)."""

    @property
    def ok(self) -> bool:
        return self.status in ("optimal", "feasible")

    @property
    def gap(self) -> float | None:
        if self.bound is None or not self.ok:
            return None
        if abs(self.objective) < 1e-9:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))


def _columns_of(
    model: Model, cols: IntArray | None
) -> tuple[FloatArray, IntArray, IntArray, FloatArray]:
    """(cost, CSC start, index, value) of the columns ``cols`` of ``model`` (all: ``None``)."""
    if cols is None:
        return model.cost, model.start, model.index, model.value
    nnz = np.diff(model.start)[cols]
    start = np.zeros(len(cols) + 1, dtype=np.int64)
    np.cumsum(nnz, out=start[1:])
    # position of each kept nonzero in the full arrays: its column's start + its offset
    at = np.repeat(model.start[cols] - start[:-1], nnz) + np.arange(int(start[-1]))
    return model.cost[cols], start, model.index[at], model.value[at]


def _highs(
    model: Model,
    *,
    integer: bool,
    lower: FloatArray,
    upper: FloatArray,
    cols: IntArray | None = None,
) -> object:
    import highspy
    from highspy._core import _Highs

    # The pybind11 base class: ``highspy.Highs()`` (the Python subclass, which wires up
    # callbacks) prints HiGHS's banner to stdout before any option can silence it, which
    # would corrupt ``--format json`` output. The one callback we use (``_stop_on``) is set on
    # this base class directly.
    h = _Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", 0)
    cost, start, index, value = _columns_of(model, cols)
    flags = model.integer if cols is None else model.integer[cols]
    lp = highspy.HighsLp()
    lp.num_col_ = len(cost)
    lp.num_row_ = model.n_rows
    lp.col_cost_ = cost
    lp.col_lower_ = lower if cols is None else lower[cols]
    lp.col_upper_ = upper if cols is None else upper[cols]
    lp.row_lower_ = model.row_lower
    lp.row_upper_ = model.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start.astype(np.int32)
    lp.a_matrix_.index_ = index.astype(np.int32)
    lp.a_matrix_.value_ = value
    if integer and bool(flags.any()):
        kinds = (highspy.HighsVarType.kContinuous, highspy.HighsVarType.kInteger)
        lp.integrality_ = [kinds[flag] for flag in flags.tolist()]
    h.passModel(lp)
    return h


WALL_BACKSTOP = 10.0
"""With a caller's clock, HiGHS's own (wall-clock) ``time_limit`` is this many times the
limit: on a machine so busy that the solver gets a tenth of a core it still ends."""


def wall_limit(time_limit_s: float, clock: Clock | None) -> float:
    """HiGHS's ``time_limit`` option: the limit itself without a ``clock``, else the
    backstop (``WALL_BACKSTOP`` x the limit; 0 stays 0)."""
    limit = max(0.0, float(time_limit_s))
    return limit if clock is None else limit * WALL_BACKSTOP


def run_highs(
    model: Model,
    *,
    integer: bool,
    time_limit_s: float,
    gap: float,
    lower: FloatArray | None = None,
    upper: FloatArray | None = None,
    start: FloatArray | None = None,
    want_duals: bool = False,
    clock: Clock | None = None,
    cols: IntArray | None = None,
) -> tuple[str, FloatArray, float, float | None, bool, FloatArray | None]:
    """Solve; return (status, x, objective, bound, time_limited, row duals). ``status`` is
    ``optimal``, ``feasible`` (stopped with a plan), ``time-limit`` (stopped without one),
    ``infeasible`` (HiGHS proved it) or ``error``.

    ``time_limit_s`` without a ``clock`` is HiGHS's ``time_limit`` option as given (HiGHS
    counts wall time from the start of its own run, after the model is passed; 0 stops at
    once). With a ``clock`` (the solver's: CPU time, or a test's stub) the solve stops once
    that clock has advanced ``time_limit_s`` (checked at HiGHS's simplex, interior-point
    and MIP interrupt points), and HiGHS's wall-clock limit is only a backstop
    (``wall_limit``), so the caller's clock, not the machine's load, decides where it stops.

    ``cols``: solve over these columns only (the others are held at 0: dearer twins,
    ``planner.solve.twins``); ``x`` and ``start`` are full-length all the same."""
    if model.n_cols == 0:  # nothing to place: HiGHS would report an error on no columns
        feasible = bool(np.all(model.row_lower <= 0.0) and np.all(model.row_upper >= 0.0))
        status = "optimal" if feasible else "infeasible"
        return status, np.zeros(0), 0.0, 0.0, False, np.zeros(model.n_rows)
    import highspy
    from highspy._core import _Highs

    h = _highs(
        model,
        integer=integer,
        lower=model.lower if lower is None else lower,
        upper=model.upper if upper is None else upper,
        cols=cols,
    )
    assert isinstance(h, _Highs)
    h.setOptionValue("time_limit", wall_limit(time_limit_s, clock))
    h.setOptionValue("mip_rel_gap", max(0.0, float(gap)))
    h.setOptionValue("mip_abs_gap", 1e-6)
    if start is not None and integer:
        sol = highspy.HighsSolution()
        sol.col_value = list(start if cols is None else start[cols])
        sol.value_valid = True
        h.setSolution(sol)
    if clock is not None:
        _stop_on(h, clock, deadline=clock() + float(time_limit_s))
    h.run()
    return _read(h, model, integer=integer, cols=cols, want_duals=want_duals)


Result = tuple[str, FloatArray, float, float | None, bool, FloatArray | None]
"""``run_highs``'s (status, x, objective, bound, time_limited, row duals)."""


def _read(
    h: object, model: Model, *, integer: bool, cols: IntArray | None, want_duals: bool
) -> Result:
    """What HiGHS found after ``h.run()``, as ``run_highs`` returns it."""
    import highspy
    from highspy._core import _Highs

    assert isinstance(h, _Highs)
    ms = h.getModelStatus()
    info = h.getInfo()
    status_map = {
        highspy.HighsModelStatus.kOptimal: "optimal",
        highspy.HighsModelStatus.kInfeasible: "infeasible",
        highspy.HighsModelStatus.kUnboundedOrInfeasible: "infeasible",
        highspy.HighsModelStatus.kTimeLimit: "time-limit",
        highspy.HighsModelStatus.kIterationLimit: "time-limit",
        highspy.HighsModelStatus.kSolutionLimit: "time-limit",
        highspy.HighsModelStatus.kInterrupt: "time-limit",
    }
    status = status_map.get(ms, "error")
    limited = status == "time-limit"
    has_solution = info.primal_solution_status == 2  # kSolutionStatusFeasible
    if limited:
        status = "feasible" if has_solution else "time-limit"
    if status == "optimal" and not has_solution and model.n_cols:
        status = "error"
    got = np.asarray(h.getSolution().col_value, dtype=np.float64)
    x = np.zeros(model.n_cols)
    if cols is None and got.shape[0] == model.n_cols:
        x = got
    elif cols is not None and got.shape[0] == len(cols):
        x[cols] = got
    bound: float | None
    if integer and bool(model.integer.any()):
        bound = float(info.mip_dual_bound) if math.isfinite(info.mip_dual_bound) else None
    else:
        bound = float(info.objective_function_value) if status == "optimal" else None
    duals = None
    if want_duals and status == "optimal" and not (integer and model.integer.any()):
        duals = np.asarray(h.getSolution().row_dual, dtype=np.float64)
    objective = float(model.cost @ x) if has_solution else math.inf
    return status, x, objective, bound, limited, duals


def run_lp_basis(
    model: Model,
    *,
    time_limit_s: float,
    clock: Clock | None,
    cols: IntArray,
    basis: Basis | None,
    keep_basis: bool,
) -> tuple[Result, Basis | None]:
    """The LP relaxation over ``cols`` as ``run_highs(integer=False, want_duals=True)``
    solves it, started from ``basis`` (``planner.solve.basis``; ``None``: from scratch),
    and, with ``keep_basis``, the optimal basis it ends with (``None`` if not optimal).

    HiGHS takes ``basis`` as an *alien* one: it checks it and, where it is not square or
    is singular (columns or rows the change added or removed), completes it; the simplex
    then runs from it to the optimum without presolve. Which simplex is decided by the
    basis itself: HiGHS first factors it without iterating (an iteration limit of 0); if
    it is primal feasible in the new LP (a change of costs) and only a few of its reduced
    costs are wrong (``PRIMAL_MAX_DUAL_INFEASIBLE``) the primal simplex only has to
    restore optimality, else (a change of capacity, of which offers a workload has, or of
    most costs) the dual simplex. Deterministic: the choice depends on the two LPs only."""
    import highspy
    from highspy._core import _Highs

    h = _highs(model, integer=False, lower=model.lower, upper=model.upper, cols=cols)
    assert isinstance(h, _Highs)
    h.setOptionValue("time_limit", wall_limit(time_limit_s, clock))
    if clock is not None:
        _stop_on(h, clock, deadline=clock() + float(time_limit_s))
    if basis is not None:
        start = highspy.HighsBasis()
        status = highspy.HighsBasisStatus
        start.col_status = [status(v) for v in basis.col_status.tolist()]
        start.row_status = [status(v) for v in basis.row_status.tolist()]
        start.alien = True
        h.setBasis(start)
        _, limit = h.getOptionValue("simplex_iteration_limit")
        h.setOptionValue("simplex_iteration_limit", 0)
        h.run()
        h.setOptionValue("simplex_iteration_limit", limit)
        probe = h.getInfo()
        primal = probe.num_primal_infeasibilities == 0 and (
            probe.num_dual_infeasibilities <= PRIMAL_MAX_DUAL_INFEASIBLE * model.n_rows
        )
        h.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX if primal else DUAL_SIMPLEX)
        if h.getModelStatus() == highspy.HighsModelStatus.kIterationLimit:
            h.run()
    else:
        h.run()
    got = _read(h, model, integer=False, cols=cols, want_duals=True)
    if not keep_basis or got[0] != "optimal":
        return got, None
    end = h.getBasis()
    return got, Basis(
        cols=cols,
        col_status=np.asarray([int(v) for v in end.col_status], dtype=np.int8),
        row_status=np.asarray([int(v) for v in end.row_status], dtype=np.int8),
    )


PRIMAL_MAX_DUAL_INFEASIBLE = 0.05
"""A started LP runs the primal simplex when its start is primal feasible and at most this
share of the LP's rows worth of reduced costs are wrong (``run_lp_basis``). Measured on the
issue #18 10k fleet (48.5k rows; CPU s primal / dual from the base's basis, cold 3.4-4.9 s):
a P5 price cut, 8 wrong, 0.10 / 2.45; a colo site's power price, 559, 0.41 / 2.26; a
60-month horizon, 4982, 6.0 / 2.65; a capacity change (primal infeasible) 21 / 1.8; a
move (primal infeasible) 7.4 / 0.11."""
DUAL_SIMPLEX = 1
"""HiGHS's ``simplex_strategy`` for the dual simplex (``kSimplexStrategyDual``)."""
PRIMAL_SIMPLEX = 4
"""HiGHS's ``simplex_strategy`` for the primal simplex (``kSimplexStrategyPrimal``)."""


def _stop_on(h: object, clock: Clock, *, deadline: float) -> None:
    """Interrupt HiGHS once ``clock()`` passes ``deadline`` (HiGHS then reports
    ``kInterrupt``, handled as a time limit). Called at HiGHS's own limit checks: the MIP's,
    and the simplex's and interior point's (an LP, or a MIP's root relaxation)."""
    from highspy._core import _Highs, cb

    assert isinstance(h, _Highs)

    def check(
        _kind: cb.HighsCallbackType,
        _message: str,
        _out: cb.HighsCallbackOutput,
        data_in: cb.HighsCallbackInput,
        _user: object,
    ) -> None:
        if clock() >= deadline:
            data_in.user_interrupt = True

    h.setCallback(check, None)
    h.startCallback(cb.HighsCallbackType.kCallbackMipInterrupt)
    h.startCallback(cb.HighsCallbackType.kCallbackSimplexInterrupt)
    h.startCallback(cb.HighsCallbackType.kCallbackIpmInterrupt)
