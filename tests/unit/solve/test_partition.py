"""Partitioned LP + repair (planner.solve.partition), its Lagrangian certificate
(planner.solve.lagrange) and dominated columns (planner.solve.dominance): the plan keeps
every row of the whole model, the bound is one no plan beats, whatever prices it is
built from, and dropping dominated offers keeps the optimum."""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import numpy as np
import pytest
from cost_world import usd
from strategies import site, standard_offers, workload

from planner.model import Constraints, Offer, Site, SiteKind, Workload
from planner.solve import model_for
from planner.solve.blocks import latency_dependencies
from planner.solve.dominance import dominated_offers, lean_columns
from planner.solve.greedy import greedy_order, solve_greedy
from planner.solve.highs import Solution
from planner.solve.lagrange import Lagrangian, lagrangian_bound
from planner.solve.milp import solve_lp, solve_milp
from planner.solve.partition import (
    METHOD,
    PARTITION_MIN_BLOCKS,
    partitionable,
    parts_of,
    solve_partitioned,
)
from planner.solve.problem import ColKind, FloatArray, Model, RowKind, first_violation
from planner.solve.shares import forced_use, part_limits

World = tuple[list[Workload], list[Site], dict[str, tuple[Offer, ...]]]


def fleet(n: int = 60, seed: int = 7) -> World:
    """Three tight colos (one far from the rest), two clouds, and app -> db pairs that
    must sit within 5 ms of each other."""
    rnd = random.Random(seed)
    near = {"colo-0": 2.0, "colo-1": 2.0, "cloud-a": 3.0, "colo-2": 40.0, "cloud-b": 40.0}
    sites = [
        site(f"colo-{i}", cpu=25.0 + 10 * i, memory_gib=400.0, latency_ms=near) for i in range(3)
    ]
    sites += [site(c, kind=SiteKind.CLOUD, latency_ms=near) for c in ("cloud-a", "cloud-b")]
    ws: list[Workload] = []
    for i in range(n):
        cpu = float(rnd.randint(1, 8))
        if i % 6 == 5:  # the app of the db just before it
            ws.append(workload(f"w{i:03d}", cpu=cpu, depends_on=[(f"w{i - 1:03d}", 5.0)]))
        else:
            ws.append(workload(f"w{i:03d}", cpu=cpu))
    prices = {
        (w.name, s.name): float(rnd.randint(40, 250) if s.capacity else rnd.randint(300, 500))
        for w in ws
        for s in sites
    }
    return ws, sites, standard_offers(ws, sites, prices)


def model_of(world: World, constraints: Constraints | None = None) -> Model:
    ws, sites, offers = world
    return model_for(ws, sites, offers, constraints or Constraints())


def completer(world: World, model: Model) -> Callable[[FloatArray], Solution]:
    """The greedy completing an LP point, knowing the latency rules (as solve_offers')."""
    order = greedy_order(model, latency_dependencies(world[0]))

    def complete(x: FloatArray) -> Solution:
        return solve_greedy(model, clock=lambda: 0.0, guide=x, order=order)

    return complete


def partitioned(world: World, model: Model, **kw: object) -> Solution:
    """solve_partitioned with the world's completion, a 60 s limit and a 0.5 % target."""
    args: dict[str, object] = {"time_limit_s": 60.0, "gap": 0.005, "clock": lambda: 0.0}
    args.update(kw)
    return solve_partitioned(model, complete=completer(world, model), **args)  # type: ignore[arg-type]


def exact(model: Model) -> float:
    sol = solve_milp(model, time_limit_s=60.0, gap=0.0, clock=lambda: 0.0)
    assert sol.status == "optimal"
    return sol.objective


def capacity_rows_hold(model: Model, x: np.ndarray) -> bool:
    act = model.row_activity(x)
    rows = [r for r, info in enumerate(model.rows) if info.kind is RowKind.CAPACITY]
    assert rows
    return all(act[r] <= model.row_upper[r] + 1e-6 for r in rows)


@pytest.mark.parametrize("parts", [2, 3, 5], ids=["2-parts", "3-parts", "5-parts"])
def test_a_partitioned_plan_keeps_every_row_and_its_bound_is_below_the_optimum(
    parts: int,
) -> None:
    """Solved in parts, the plan is a plan of the whole model (every capacity row within
    its limit), no cheaper than the exact optimum, and the bound reported is at most it."""
    world = fleet()
    model = model_of(world)
    best = exact(model)
    sol = partitioned(world, model, parts=parts)
    assert sol.ok
    assert sol.method == METHOD
    assert first_violation(model, sol.x) == ""
    assert capacity_rows_hold(model, sol.x)
    assert sol.objective >= best - 1e-6
    assert sol.bound is not None
    assert sol.bound <= best + 1e-6
    assert f"in {parts} parts" in sol.note
    assert sol.status == ("optimal" if sol.gap is not None and sol.gap <= 0.005 else "feasible")


def test_a_partitioned_plan_keeps_a_team_budget() -> None:
    """A budget row is shared like capacity (each part gets 1/k): the merged plan keeps it."""
    world = fleet()
    free = model_of(world)
    greedy = solve_greedy(free, clock=lambda: 0.0)
    budget = float(greedy.x @ free.usd_per_month) * 1.02
    model = model_of(world, Constraints(team_budget_per_month={"t1": usd(budget)}))
    assert any(info.kind is RowKind.BUDGET_TEAM for info in model.rows)
    sol = partitioned(world, model, parts=3)
    assert sol.ok
    assert first_violation(model, sol.x) == ""
    assert sol.bound is not None
    assert sol.bound <= exact(model) + 1e-6


def test_latency_partners_share_a_part_and_parts_cover_every_block_once() -> None:
    """Blocks tied by a latency row are in one part; every block is in exactly one part,
    and the parts are the same on every call."""
    model = model_of(fleet())
    parts = parts_of(model, 4)
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(model.blocks)))
    part_of = {int(b): p for p, blocks in enumerate(parts) for b in blocks}
    member = {m: blk.index for blk in model.blocks for m in blk.members}
    pairs = [
        (info.block, member[info.other]) for info in model.rows if info.kind is RowKind.LATENCY
    ]
    assert pairs
    assert all(part_of[a] == part_of[b] for a, b in pairs)
    assert all(len(p) > 0 for p in parts)
    again = parts_of(model, 4)
    assert all(np.array_equal(a, b) for a, b in zip(parts, again, strict=True))


def test_the_lagrangian_bound_is_valid_for_random_prices() -> None:
    """Any row prices give a bound at most the exact optimum (and the LP's); the LP's own
    duals give exactly the LP bound."""
    model = model_of(fleet())
    best = exact(model)
    lp = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0)
    assert lp.duals is not None
    assert lp.bound is not None
    lagrangian = Lagrangian(model)
    assert lagrangian.bound(lp.duals) == pytest.approx(lp.bound, rel=1e-9)
    rnd = np.random.default_rng(3)
    scale = float(np.abs(lp.duals).max())
    for _ in range(200):
        y = rnd.normal(0.0, scale, model.n_rows) * rnd.integers(0, 2, model.n_rows)
        got = lagrangian.bound(y)
        assert got <= lp.bound + 1e-6 * abs(lp.bound)
        assert got <= best + 1e-6
    assert lagrangian_bound(model, np.zeros(model.n_rows)) <= lp.bound + 1e-6


def test_the_lagrangian_bound_with_a_budget_and_no_assign_pricing() -> None:
    """With a budget row and any prices on it (a sign it cannot take is clipped), the bound
    is still below the optimum."""
    world = fleet(30)
    free = model_of(world)
    budget = float(solve_greedy(free, clock=lambda: 0.0).x @ free.usd_per_month)
    model = model_of(world, Constraints(total_budget_per_month=usd(budget)))
    best = exact(model)
    rnd = np.random.default_rng(5)
    for _ in range(100):
        y = rnd.normal(0.0, 200.0, model.n_rows)
        assert lagrangian_bound(model, y) <= best + 1e-6


def test_dominated_offers_are_dropped_and_the_optimum_stays() -> None:
    """An offer costlier than its block's cheapest cloud-only offer, with nothing but
    upper-limited rows besides its assignment row, is dropped; the LP and the MILP over
    the rest have the whole model's optimum."""
    model = model_of(fleet())
    gone = dominated_offers(model)
    assert gone.any()
    lean = model.is_kind(ColKind.OFFER) & (np.diff(model.start) == 1)
    for j in np.nonzero(gone)[0].tolist():
        b = model.col_block[j]
        cheaper = lean & (model.col_block == b) & (model.cost <= model.cost[j]) & ~gone
        assert cheaper.any()
    cols = lean_columns(model)
    assert not gone[cols].any()
    full = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0)
    fewer = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0, cols=cols)
    assert fewer.objective == pytest.approx(full.objective, rel=1e-9)
    some = solve_milp(model, time_limit_s=60.0, gap=0.0, clock=lambda: 0.0, cols=cols)
    assert some.objective == pytest.approx(exact(model), rel=1e-9)


def test_an_offer_in_a_latency_row_is_not_dropped_for_a_cloud_that_is_too_far() -> None:
    """A db's offers on the sites near its app are in the app's latency row: they are
    dropped only for a cheaper offer in no such row, never for one that would break it."""
    model = model_of(fleet())
    gone = dominated_offers(model)
    nnz = np.diff(model.start)
    for j in np.nonzero(gone)[0].tolist():
        rows = model.index[model.start[j] : model.start[j + 1]]
        kinds = {model.rows[r].kind for r in rows.tolist()}
        assert kinds <= {RowKind.ASSIGN, RowKind.CAPACITY, RowKind.LATENCY, RowKind.SPREAD_CAP}
        assert nnz[j] >= 1


def test_a_part_that_runs_out_of_time_leaves_a_plan_and_an_honest_bound() -> None:
    """A clock past the time limit after the first part: the other parts are left to the
    greedy, the status is a time limit (never infeasible), the plan keeps every row and the
    bound (from one part's prices) is still at most the optimum."""
    world = fleet()
    model = model_of(world)
    ticks = iter([0.0, 0.0] + [100.0] * 10_000)
    sol = partitioned(world, model, time_limit_s=10.0, clock=lambda: next(ticks), parts=3)
    assert sol.time_limited
    assert sol.status in ("feasible", "optimal")
    assert sol.status != "infeasible"
    assert first_violation(model, sol.x) == ""
    assert "not solved in the time limit" in sol.note
    assert sol.bound is None or sol.bound <= exact(model) + 1e-6


def pinned_world() -> World:
    """fleet(24) with its first four workloads (17 cores) pinned to the first colo (25)."""
    ws, sites, offers = fleet(24)
    colo = sites[0].name
    offers = {
        **offers,
        **{w.name: tuple(o for o in offers[w.name] if o.site == colo) for w in ws[:4]},
    }
    return ws, sites, offers


def test_each_part_gets_the_room_its_pinned_workloads_need() -> None:
    """Pinned workloads with more cores than a quarter of their colo: each part's share is
    what its pinned work needs plus a quarter of the rest, so every part's LP is feasible
    (none left to the greedy), the plan keeps every row and the bound is below the
    optimum."""
    world = pinned_world()
    model = model_for(*world, Constraints())
    sol = partitioned(world, model, parts=4)
    assert "(4 solved)" in sol.note
    assert "infeasible" not in sol.note
    assert sol.ok
    assert first_violation(model, sol.x) == ""
    assert sol.bound is not None
    assert sol.bound <= exact(model) + 1e-6


def test_shares_cover_pinned_use_and_add_up_to_every_shared_limit() -> None:
    """part_limits: each part's upper limit on a capacity row covers what its pinned
    blocks must use there, the parts' limits add up to the row's, and a part with no
    pinned work gets less than an even share of the pinned colo."""
    world = pinned_world()
    model = model_for(*world, Constraints())
    col_part = np.full(model.n_cols, -1)
    for p, blocks in enumerate(parts_of(model, 4)):
        col_part[np.isin(model.col_block, blocks)] = p
    shared = np.asarray([info.kind is RowKind.CAPACITY for info in model.rows])
    rows = np.nonzero(shared)[0]
    _, upper = part_limits(model, col_part, shared, 4)
    need = forced_use(model, col_part, rows, 4)
    assert np.allclose(upper.sum(axis=0), model.row_upper[shared])
    assert np.all(upper >= need - 1e-9)
    colo = [i for i, r in enumerate(rows) if need[:, i].sum() > 0]
    assert colo  # the pinned colo's rows
    assert np.any(upper[:, colo] < model.row_upper[rows[colo]] / 4 - 1e-9)


def test_a_part_infeasible_with_its_share_is_solved_in_the_room_left() -> None:
    """Fourteen workloads that only the two near colos may host (none pinned to one, so
    no share is set aside for them) outgrow a third of those colos in one part: that
    part's LP is solved again in the room the other parts' LPs left, and the plan keeps
    every row with its bound below the optimum."""
    ws, sites, offers = fleet(24)
    two = {sites[0].name, sites[1].name}
    offers = {
        **offers,
        **{w.name: tuple(o for o in offers[w.name] if o.site in two) for w in ws[:14]},
    }
    model = model_for(ws, sites, offers, Constraints())
    sol = partitioned((ws, sites, offers), model, parts=3)
    assert "LP solved in the room the other parts left" in sol.note
    assert "(3 solved)" in sol.note
    assert sol.ok
    assert first_violation(model, sol.x) == ""
    assert sol.bound is not None
    assert sol.bound <= exact(model) + 1e-6


def test_small_models_are_not_partitioned() -> None:
    """A fleet well below the threshold solves whole (the acme example's outputs stay)."""
    model = model_of(fleet())
    assert len(model.blocks) < PARTITION_MIN_BLOCKS
    assert not partitionable(model)
    assert math.isfinite(exact(model))
