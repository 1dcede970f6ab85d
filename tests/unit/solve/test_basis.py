"""planner.solve.basis: an LP started from a related LP's basis (a what-if's, from its base)
reaches the same optimum as from scratch, whatever the change did to its columns and rows;
and the polish rule (planner.solve.repair.needs_polish) that LP + repair shares."""

from __future__ import annotations

import random
from collections.abc import Callable

import numpy as np
import pytest
from strategies import site, standard_offers, workload

from planner.model import Constraints, Offer, Settings, Site, SiteKind, Workload
from planner.solve import model_for, solve_offers
from planner.solve.basis import BASIC, LOWER, KeyedBasis, keyed, mapped
from planner.solve.milp import solve_lp
from planner.solve.problem import Model
from planner.solve.repair import (
    NOT_POLISHED,
    POLISH_ABOVE,
    needs_polish,
    solve_lp_repair,
    solve_model,
)
from planner.solve.twins import distinct_columns

Fleet = tuple[list[Workload], list[Site], dict[tuple[str, str], float]]


def fleet(n: int = 60) -> Fleet:
    """Three tight colos and a cloud (on-demand and spot), random prices."""
    rnd = random.Random(7)
    sites = [site(f"colo-{i}", cpu=25.0 + 10 * i, memory_gib=300.0) for i in range(3)]
    sites.append(site("cloud", kind=SiteKind.CLOUD))
    ws = [workload(f"w{i:03d}", cpu=float(rnd.randint(1, 9))) for i in range(n)]
    prices = {
        (w.name, s.name): float(rnd.randint(50, 300) if s.capacity else rnd.randint(400, 600))
        for w in ws
        for s in sites
    }
    return ws, sites, prices


def model_of(ws: list[Workload], sites: list[Site], prices: dict[tuple[str, str], float]) -> Model:
    return model_for(ws, sites, standard_offers(ws, sites, prices), Constraints())


def base_basis() -> KeyedBasis:
    ws, sites, prices = fleet()
    model = model_of(ws, sites, prices)
    lp = solve_lp(
        model, time_limit_s=60.0, clock=lambda: 0.0, cols=distinct_columns(model), keep_basis=True
    )
    assert lp.status == "optimal"
    assert lp.basis is not None
    return keyed(model, lp.basis)


def _cheaper_colo(f: Fleet) -> Fleet:
    ws, sites, prices = f
    return ws, sites, {k: v * (0.5 if k[1] == "colo-1" else 1.0) for k, v in prices.items()}


def _dearer_cloud(f: Fleet) -> Fleet:
    ws, sites, prices = f
    return ws, sites, {k: v * (1.3 if k[1] == "cloud" else 1.0) for k, v in prices.items()}


def _site_added(f: Fleet) -> Fleet:
    ws, sites, prices = f
    extra = site("colo-new", cpu=40.0, memory_gib=300.0)
    more = {(w.name, extra.name): 60.0 + i % 50 for i, w in enumerate(ws)}
    return ws, [*sites, extra], {**prices, **more}


def _site_removed(f: Fleet) -> Fleet:
    ws, sites, prices = f
    return ws, [s for s in sites if s.name != "colo-0"], prices


def _capacity_cut(f: Fleet) -> Fleet:
    ws, sites, prices = f
    small = site("colo-2", cpu=20.0, memory_gib=300.0)
    return ws, [small if s.name == "colo-2" else s for s in sites], prices


def _workloads_changed(f: Fleet) -> Fleet:
    ws, sites, prices = f
    new = [workload(f"n{i}", cpu=4.0) for i in range(5)]
    more = {(w.name, s.name): 120.0 if s.capacity else 500.0 for w in new for s in sites}
    return [*ws[5:], *new], sites, {**prices, **more}


CHANGES: dict[str, Callable[[Fleet], Fleet]] = {
    "price-cut": _cheaper_colo,
    "price-rise": _dearer_cloud,
    "site-added": _site_added,
    "site-removed": _site_removed,
    "capacity-cut": _capacity_cut,
    "workloads-changed": _workloads_changed,
}


@pytest.mark.parametrize("change", list(CHANGES), ids=list(CHANGES))
def test_a_started_lp_reaches_the_cold_optimum(change: str) -> None:
    """The scenario's LP started from the base's basis has the optimum of the LP solved
    from scratch, and its solution is a point of the scenario's LP."""
    kept = base_basis()
    model = model_of(*CHANGES[change](fleet()))
    cols = distinct_columns(model)
    cold = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0, cols=cols)
    warm = solve_lp(model, time_limit_s=60.0, clock=lambda: 0.0, cols=cols, basis=kept)
    assert cold.status == warm.status == "optimal"
    assert warm.objective == pytest.approx(cold.objective, rel=1e-9)
    assert warm.bound == pytest.approx(cold.bound, rel=1e-9)
    act = model.row_activity(warm.x)
    assert np.all(act <= model.row_upper + 1e-6)
    assert np.all(act >= model.row_lower - 1e-6)
    assert np.all((warm.x >= model.lower - 1e-9) & (warm.x <= model.upper + 1e-9))


def test_a_price_change_keeps_every_status() -> None:
    """A change of prices only keeps every column and row: the mapped basis is the base's,
    status for status (nothing falls back to a default)."""
    ws, sites, prices = fleet()
    base = model_of(ws, sites, prices)
    cols = distinct_columns(base)
    lp = solve_lp(base, time_limit_s=60.0, clock=lambda: 0.0, cols=cols, keep_basis=True)
    assert lp.basis is not None
    again = mapped(model_of(*_dearer_cloud((ws, sites, prices))), cols, keyed(base, lp.basis))
    assert np.array_equal(again.col_status, lp.basis.col_status)
    assert np.array_equal(again.row_status, lp.basis.row_status)
    assert np.count_nonzero(lp.basis.col_status == BASIC) > 0


def test_what_the_base_did_not_have_gets_a_default() -> None:
    """A new site's columns are nonbasic at 0 and its capacity rows basic; the rest keep
    the base's statuses."""
    kept = base_basis()
    model = model_of(*_site_added(fleet()))
    cols = distinct_columns(model)
    got = mapped(model, cols, kept)
    new_site = model.site_index("colo-new")
    new_cols = model.col_site[cols] == new_site
    assert new_cols.any()
    assert np.all(got.col_status[new_cols] == LOWER)
    new_rows = [i for i, r in enumerate(model.rows) if r.site == "colo-new"]
    assert new_rows
    assert np.all(got.row_status[new_rows] == BASIC)
    assert np.count_nonzero(got.col_status[~new_cols] == BASIC) > 0


def test_a_what_if_solve_starts_from_the_kept_basis() -> None:
    """solve_offers keeps LP + repair's basis when asked, and a scenario started from it
    says so and has the LP bound of the scenario solved from scratch."""
    ws, sites, prices = fleet()
    settings = Settings(solver_gap=0.005)
    base = solve_offers(
        ws,
        sites,
        standard_offers(ws, sites, prices),
        Constraints(),
        settings,
        method="lp+repair",
        keep_basis=True,
    )
    assert base.basis is not None
    ws2, sites2, prices2 = _site_added((ws, sites, prices))
    offers2 = standard_offers(ws2, sites2, prices2)
    cold = solve_offers(ws2, sites2, offers2, Constraints(), settings, method="lp+repair")
    warm = solve_offers(
        ws2, sites2, offers2, Constraints(), settings, method="lp+repair", warm_basis=base.basis
    )
    assert "earlier plan's basis" in warm.solver.note
    assert "earlier plan's basis" not in cold.solver.note
    assert warm.solver.lp_bound_usd == pytest.approx(cold.solver.lp_bound_usd, abs=0.01)


@pytest.mark.parametrize(
    ("gap", "target", "polish"),
    [
        (0.004, 0.005, False),
        (0.0064, 0.005, False),
        (0.01, 0.005, False),
        (0.0101, 0.005, True),
        (None, 0.005, False),
        (0.0001, 0.0, True),
    ],
    ids=["within-target", "within-twice", "at-twice", "above-twice", "no-bound", "exact"],
)
def test_the_polish_rule(gap: float | None, target: float, polish: bool) -> None:
    """The MILP polishes LP + repair's plan only above POLISH_ABOVE x the target gap."""
    assert POLISH_ABOVE == 2.0
    assert needs_polish(gap, target) is polish


def _one_colo() -> Model:
    """Four 3-CPU workloads, a 10-CPU colo (cheap) and a cloud: the LP puts 3 1/3 of them
    on the colo, a plan 3, so no plan is within a few percent of the LP bound."""
    sites = [site("colo", cpu=10.0, memory_gib=100.0), site("cloud", kind=SiteKind.CLOUD)]
    ws = [workload(f"w{i}", cpu=3.0) for i in range(4)]
    prices = {
        (w.name, s.name): 100.0 + i if s.capacity else 400.0
        for i, w in enumerate(ws)
        for s in sites
    }
    offers: dict[str, tuple[Offer, ...]] = standard_offers(ws, sites, prices)
    return model_for(ws, sites, offers, Constraints())


def test_lp_repair_above_the_target_within_the_rule_is_kept_unpolished() -> None:
    """A plan above the target gap but within POLISH_ABOVE x target is the answer as it is:
    status feasible (not optimal: it is not within the target), its gap and the rule in the
    note; above the rule's bar the MILP polish runs (and proves the plan optimal)."""
    model = _one_colo()
    repaired = solve_lp_repair(model, time_limit_s=60.0, gap=0.0, clock=lambda: 0.0)
    gap = repaired.gap
    assert gap is not None
    assert gap > 0.01
    kept = solve_model(model, "lp+repair", time_limit_s=60.0, gap=0.75 * gap, clock=lambda: 0.0)
    assert kept.status == "feasible"
    assert not kept.time_limited
    assert NOT_POLISHED in kept.note
    assert f"gap {gap:.2%}" in kept.note
    assert kept.objective == pytest.approx(repaired.objective)
    polished = solve_model(model, "lp+repair", time_limit_s=60.0, gap=0.4 * gap, clock=lambda: 0.0)
    assert NOT_POLISHED not in polished.note
    assert "MILP polish" in polished.note
    assert polished.status == "optimal"
    assert (polished.gap or 0.0) < 1e-6
