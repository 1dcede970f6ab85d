"""planner.solve.focus: a what-if's repair frees only the fractional blocks its change
touched; the bound stays the whole LP's, so the gap it reports is the true one."""

from __future__ import annotations

import numpy as np
import pytest
from test_repair import exact_optimum, fixed, fleet

from planner.model import Constraints
from planner.solve import model_for
from planner.solve.focus import FOCUSED, focused_columns, touched_blocks
from planner.solve.greedy import solve_greedy
from planner.solve.milp import solve_lp
from planner.solve.problem import ColKind, first_violation
from planner.solve.repair import _repair_bounds, _with_support, solve_lp_repair, within_gap
from planner.solve.twins import distinct_columns


def _world():  # type: ignore[no-untyped-def]
    ws, sites, offers = fleet()
    model = model_for(ws, sites, offers, Constraints())
    greedy = solve_greedy(model, clock=lambda: 0.0)
    lp = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0)
    assert greedy.ok
    assert not within_gap(greedy.objective, lp.bound, 0.0)
    return model, greedy, lp


def test_nothing_touched_keeps_the_completion_with_its_true_gap() -> None:
    """A change that touched no block leaves nothing to repair: the completion is the plan,
    status feasible, with the whole LP's bound (so its gap is measured honestly)."""
    model, greedy, lp = _world()
    none = np.zeros(len(model.blocks), dtype=np.bool_)
    sol = solve_lp_repair(
        model, time_limit_s=60.0, gap=0.0, clock=lambda: 0.0, complete=fixed(greedy), touched=none
    )
    assert FOCUSED in sol.note
    assert sol.status == "feasible"
    assert sol.x is greedy.x
    assert sol.bound == pytest.approx(lp.bound)
    assert sol.gap == pytest.approx((greedy.objective - lp.bound) / greedy.objective)


def test_everything_touched_is_the_whole_repair() -> None:
    """With every block touched the focused repair is the whole one: the same plan cost."""
    model, greedy, _ = _world()
    every = np.ones(len(model.blocks), dtype=np.bool_)
    whole = solve_lp_repair(
        model, time_limit_s=60.0, gap=0.0, clock=lambda: 0.0, complete=fixed(greedy)
    )
    focused = solve_lp_repair(
        model, time_limit_s=60.0, gap=0.0, clock=lambda: 0.0, complete=fixed(greedy), touched=every
    )
    assert "finished by MILP" in focused.note
    assert focused.objective == pytest.approx(whole.objective)
    assert first_violation(model, focused.x) == ""


def test_some_touched_repairs_only_those() -> None:
    """One fractional block touched: a plan no dearer than the completion; the untouched
    fractional blocks keep the completion's offers, the touched one all its own, and the
    integral blocks what the whole repair leaves them."""
    model, greedy, lp = _world()
    cols = distinct_columns(model)
    fix, _ = _repair_bounds(model, lp.x)
    whole = _with_support(cols[~fix[cols]], greedy.x)
    frac_cols = model.integer & (np.abs(lp.x - np.round(lp.x)) > 1e-6) & (model.col_block >= 0)
    frac = np.zeros(len(model.blocks), dtype=np.bool_)
    frac[np.unique(model.col_block[frac_cols])] = True
    assert np.count_nonzero(frac) >= 2
    one = np.zeros(len(model.blocks), dtype=np.bool_)
    one[np.nonzero(frac)[0][0]] = True
    touched = one | ~frac  # the integral blocks touched too: it changes nothing for them
    free, n_free = focused_columns(model, whole, frac, touched, greedy.x)
    assert n_free == 1
    offer = model.is_kind(ColKind.OFFER)
    kept = set(free.tolist())
    for j in whole.tolist():
        b = int(model.col_block[j])
        if offer[j] and b >= 0 and frac[b] and not one[b]:
            assert (j in kept) == (abs(greedy.x[j]) > 1e-6)
        else:
            assert j in kept
    sol = solve_lp_repair(
        model,
        time_limit_s=60.0,
        gap=0.0,
        clock=lambda: 0.0,
        complete=fixed(greedy),
        touched=touched,
    )
    assert sol.ok
    assert first_violation(model, sol.x) == ""
    assert sol.objective <= greedy.objective + 1e-6
    assert sol.objective >= exact_optimum(model) - 1e-6
    assert sol.bound == pytest.approx(lp.bound)


def test_touched_blocks_are_those_with_a_touched_member() -> None:
    ws, sites, offers = fleet(10)
    model = model_for(ws, sites, offers, Constraints())
    names = {model.blocks[1].members[0], model.blocks[4].members[-1]}
    assert np.nonzero(touched_blocks(model, names))[0].tolist() == [1, 4]
