"""A time limit is a time limit, never an infeasibility (issue #18): a plan stopped by
``solver_time_limit_s`` is the best known (the greedy's at worst) with status ``time_limit``;
``InfeasibleError`` only when HiGHS or the diagnosis proves that no plan exists.

Time is the solver's clock argument, a stub that jumps an hour per reading, with a limit of
a microsecond: HiGHS stops at its first check of either, on any machine, however loaded.
"""

from __future__ import annotations

import inspect
import itertools
import random
import time
from collections.abc import Callable

import numpy as np
import pytest
from strategies import offer, site, standard_offers, workload

from planner.errors import ExitCode, InfeasibleError, SolverTimeoutError, exit_code
from planner.model import Constraints, Offer, Residency, Settings, Site, SiteKind, Workload
from planner.solve import highs, model_for, place, solve_offers
from planner.solve.diagnose import diagnose
from planner.solve.greedy import solve_greedy
from planner.solve.highs import Solution
from planner.solve.problem import first_violation

TINY = Settings(solver_time_limit_s=1e-6)


def stub_clock() -> Callable[[], float]:
    """A clock that advances an hour each time it is read."""
    ticks = itertools.count()
    return lambda: 3600.0 * next(ticks)


def fleet(n: int = 300) -> tuple[list[Workload], list[Site], dict[str, tuple[Offer, ...]]]:
    """Four colos of mixed size and a cloud; workloads of 1-13 cores."""
    rnd = random.Random(7)
    sites = [site(f"colo-{i}", cpu=60.0 + 17 * i, memory_gib=400.0) for i in range(4)]
    sites.append(site("cloud", kind=SiteKind.CLOUD))
    ws = [
        workload(f"w{i:04d}", cpu=float(rnd.randint(1, 13)), memory_gib=float(rnd.randint(1, 40)))
        for i in range(n)
    ]
    offers = {
        w.name: tuple(
            offer(w, s, float(rnd.randint(50, 400) if s.capacity else rnd.randint(600, 800)))
            for s in sites
        )
        for w in ws
    }
    return ws, sites, offers


@pytest.mark.parametrize("method", ["auto", "milp", "lp+repair"], ids=str)
def test_a_tiny_time_limit_gives_the_greedy_plan_as_a_timeout(method: str) -> None:
    """With no time to solve, the plan is the greedy's (or better), marked time_limit, with
    no bound to claim a gap against; never an InfeasibleError."""
    ws, sites, offers = fleet()
    r = solve_offers(ws, sites, offers, Constraints(), TINY, method=method, clock=stub_clock())
    assert r.solver.status == "time_limit"
    assert r.solver.time_limited
    assert r.greedy_objective_usd is not None
    assert r.solver.greedy_objective_usd == r.greedy_objective_usd
    assert r.solver.objective_usd <= r.greedy_objective_usd
    assert "solver_time_limit_s = 1e-06" in r.solver.note
    if r.solver.lp_bound_usd is None:
        assert r.solver.gap is None
        assert "the gap is unknown" in r.solver.note
    assert sorted(p.workload for p in r.placements) == sorted(w.name for w in ws)
    for u in r.site_usage:
        for resource, cap in u.capacity.items():
            assert u.used.get(resource, 0.0) <= cap + 1e-6


def test_the_same_plan_whatever_the_load() -> None:
    """The tiny limit on the stub clock stops at the same point every time: same plan."""
    ws, sites, offers = fleet(120)
    plans = [
        solve_offers(ws, sites, offers, Constraints(), TINY, clock=stub_clock()) for _ in range(3)
    ]
    assert len({p.solver.objective_usd for p in plans}) == 1
    assert all(p.placements == plans[0].placements for p in plans)


def test_the_default_clock_is_cpu_time() -> None:
    """``solver_time_limit_s`` is CPU seconds: the solver's default clock is this process's
    CPU time, which a busy machine does not advance while the solver waits for a core."""
    for entry in (place, solve_offers):
        assert inspect.signature(entry).parameters["clock"].default is time.process_time


def test_wall_time_the_clock_does_not_count_does_not_stop_the_solver(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A loaded machine: every reading of the solver's (CPU) clock costs 10 ms of wall time
    and the clock does not move. HiGHS's wall-clock limit is only the backstop
    (``wall_limit``), so the solve runs to optimal far past 0.1 s of wall time; a limit
    counted in wall time (what HiGHS's own option does) stopped it as a time limit."""
    monkeypatch.setattr(highs, "WALL_BACKSTOP", 1000.0)
    ws, sites, offers = fleet(60)

    def busy_cpu_clock() -> float:
        time.sleep(0.01)
        return 0.0

    started = time.perf_counter()
    r = solve_offers(
        ws,
        sites,
        offers,
        Constraints(),
        Settings(solver_time_limit_s=0.1),
        method="milp",
        clock=busy_cpu_clock,
    )
    assert time.perf_counter() - started > 0.1  # the wall time that would have stopped it
    assert r.solver.status == "optimal"
    assert not r.solver.time_limited


def test_the_wall_backstop() -> None:
    """Without a clock HiGHS's limit is the limit; with one, ``WALL_BACKSTOP`` times it."""
    assert highs.wall_limit(2.0, None) == 2.0
    assert highs.wall_limit(2.0, time.process_time) == 2.0 * highs.WALL_BACKSTOP
    assert highs.wall_limit(0.0, time.process_time) == 0.0
    assert highs.wall_limit(-1.0, None) == 0.0


def test_a_proven_infeasible_plan_is_still_infeasible_under_a_tiny_limit() -> None:
    """Too little EU capacity stays an InfeasibleError (exit 1) with its diagnosis, even
    when the solver had no time: the diagnosis proves it."""
    eu = site("colo-eu", cpu=10.0, jurisdiction=Residency.EU)
    us = site("us", kind=SiteKind.CLOUD, jurisdiction=Residency.US)
    ws = [workload(f"db{i}", cpu=4.0, residency=Residency.EU) for i in range(4)]
    offers = standard_offers(
        ws, [eu, us], {(w.name, s): 10.0 for w in ws for s in ("colo-eu", "us")}
    )
    with pytest.raises(InfeasibleError) as err:
        solve_offers(ws, [eu, us], offers, Constraints(), TINY, clock=stub_clock())
    assert "colo-eu needs 6 more cores" in err.value.fix
    assert exit_code(err.value) == ExitCode.FAILED


def test_no_plan_and_no_proof_is_a_timeout_not_an_infeasibility() -> None:
    """When the solver stopped without a plan on a feasible model, the diagnosis finds a
    way with nothing relaxed: that proves nothing, so the answer is a SolverTimeoutError
    (exit 2, raise the limit), not 'infeasible'."""
    ws, sites, offers = fleet(40)
    err = diagnose(ws, sites, offers, Constraints(), TINY, proven=False)
    assert isinstance(err, SolverTimeoutError)
    assert exit_code(err) == ExitCode.INPUT
    assert "solver_time_limit_s" in err.fix
    assert err.render().startswith("no plan found in the time limit")


def test_the_diagnosis_proves_an_infeasibility_the_solver_did_not() -> None:
    """proven=False (the solver timed out) and a model with no plan: the elastic bound is
    above any plan without relaxations, so it is an InfeasibleError after all."""
    colo = site("colo", cpu=4.0)
    w = workload("ledger", cpu=6.0, pinned_site="colo")
    offers = {"ledger": (offer(w, colo, 10.0),)}
    err = diagnose([w], [colo], offers, Constraints(), TINY, proven=False)
    assert isinstance(err, InfeasibleError)
    assert "colo needs 2 more cores" in err.fix


def test_a_solver_answer_that_breaks_a_row_is_no_plan() -> None:
    """first_violation names the broken row of a point over capacity, and nothing of the
    greedy plan."""
    colo = site("colo", cpu=10.0)
    cloud = site("cloud", kind=SiteKind.CLOUD)
    ws = [workload(f"w{i}", cpu=6.0) for i in range(2)]
    offers = standard_offers(
        ws, [colo, cloud], {(w.name, s): 10.0 for w in ws for s in ("colo", "cloud")}
    )
    model = model_for(ws, [colo, cloud], offers, Constraints())
    greedy: Solution = solve_greedy(model, clock=lambda: 0.0)
    assert greedy.ok
    assert first_violation(model, greedy.x) == ""
    on_colo = np.zeros(model.n_cols)
    for j, c in enumerate(model.columns):
        if model.sites[c.site].name == "colo" and model.integer[j]:
            on_colo[j] = model.upper[j]
    assert first_violation(model, on_colo) == "capacity row"
