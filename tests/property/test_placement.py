"""Placement properties on small random worlds: every plan is valid, the MILP is optimal
(brute force agrees), greedy never beats it, and input order does not matter."""

from __future__ import annotations

import itertools
import math
from collections import defaultdict
from collections.abc import Iterator, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import World, permuted, worlds

from planner.errors import InfeasibleError
from planner.model import Offer, Residency, SiteKind, Workload
from planner.money import Money
from planner.solve import PlacementResult, model_for, solve_offers
from planner.solve.blocks import latency_dependencies
from planner.solve.greedy import solve_greedy
from planner.solve.milp import solve_milp
from planner.solve.problem import latency_ms

PROFILE = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)

Pattern = tuple[tuple[Offer, int], ...]


def _patterns(w: Workload, offers: Sequence[Offer], world: World) -> Iterator[Pattern]:
    """Every way to run ``w``: whole on one offer, or (tier 1 with a site short of failure
    domains) its replicas spread over offers so that they cover enough domains."""
    sites = {s.name: s for s in world.sites}
    k = min(world.constraints.min_failure_domains_tier1, w.replicas) if w.tier == 1 else 0
    may_split = k >= 2 and any(len(sites[o.site].failure_domains) < k for o in offers)
    if not may_split:
        for o in offers:
            if w.tier != 1 or min(len(sites[o.site].failure_domains), w.replicas) >= k:
                yield ((o, w.replicas),)
        return
    for counts in itertools.product(range(w.replicas + 1), repeat=len(offers)):
        if sum(counts) != w.replicas:
            continue
        per_site: dict[str, int] = defaultdict(int)
        for o, c in zip(offers, counts, strict=True):
            per_site[o.site] += c
        cover = sum(min(c, len(sites[s].failure_domains)) for s, c in per_site.items())
        if cover >= k:
            yield tuple((o, c) for o, c in zip(offers, counts, strict=True) if c)


def brute_force(world: World) -> float | None:
    """The cheapest plan's horizon cost by enumeration, or None if no plan is feasible."""
    h = world.settings.horizon_months
    cons = world.constraints
    sites = {s.name: s for s in world.sites}
    ws = sorted(world.workloads, key=lambda w: w.name)
    choices = []
    for w in ws:
        offers = [o for o in world.offers[w.name] if o.eligible]
        if w.pinned_site is not None:
            offers = [o for o in offers if o.site == w.pinned_site]
        choices.append(list(_patterns(w, offers, world)))
    deps = latency_dependencies(ws)
    best: float | None = None
    for plan in itertools.product(*choices):
        used: dict[tuple[str, str], float] = defaultdict(float)
        spend_team: dict[str, float] = defaultdict(float)
        cloud = total = cost = 0.0
        at: dict[str, set[str]] = {}
        for w, pattern in zip(ws, plan, strict=True):
            at[w.name] = {o.site for o, _ in pattern}
            for o, c in pattern:
                share = c / w.replicas
                for res, val in o.usage.items():
                    used[(o.site, res)] += val * share
                month = o.per_month.lp_float() * share
                spend_team[w.team] += month
                total += month
                if sites[o.site].kind is SiteKind.CLOUD:
                    cloud += month
                cost += (h * o.per_month.lp_float() + o.migration.lp_float()) * share
        ok = all(val <= _usable(world, site, res) + 1e-9 for (site, res), val in used.items())
        ok = ok and all(
            spend_team[t] <= b.lp_float() + 1e-6 for t, b in cons.team_budget_per_month.items()
        )
        if cons.max_cloud_share is not None:
            ok = ok and cloud <= cons.max_cloud_share * total + 1e-6
        for w_name, lst in deps.items():
            for d, bound in lst:
                ok = ok and all(
                    latency_ms(sites[s], sites[t]) <= bound for s in at[w_name] for t in at[d]
                )
        if ok and (best is None or cost < best - 1e-9):
            best = cost
    return best


def _usable(world: World, site_name: str, res: str) -> float:
    site = next(s for s in world.sites if s.name == site_name)
    if site.capacity is None:
        return math.inf
    cap = {"cpu": site.capacity.cpu, "memory_gib": site.capacity.memory_gib}
    return cap.get(res, 0.0) * site.target_utilisation


def _solve(world: World, method: str = "milp") -> PlacementResult | None:
    try:
        return solve_offers(
            world.workloads,
            world.sites,
            world.offers,
            world.constraints,
            world.settings,
            method=method,
        )
    except InfeasibleError as err:
        _assert_explained(err)
        return None


def _assert_explained(err: InfeasibleError) -> None:
    """Every "no" carries its evidence and a way out."""
    assert err.diagnosis
    assert all(d.strip() for d in err.diagnosis)
    assert err.fix


def _assert_money_adds_up(result: PlacementResult) -> None:
    """Every placement costs exactly the sum of its assignments, and the sites' spend adds
    up to the placements' total, to the cent: figures come from offers, never the LP."""
    for p in result.placements:
        assert isinstance(p.per_month, Money)
        assert isinstance(p.migration, Money)
        assert p.per_month == Money.total((a.per_month for a in p.assignments), "USD")
    total = Money.total((p.per_month for p in result.placements), "USD")
    assert Money.total((u.per_month for u in result.site_usage), "USD") == total


def _assert_valid(world: World, result: PlacementResult) -> None:
    _assert_money_adds_up(result)
    by_name = {w.name: w for w in world.workloads}
    sites = {s.name: s for s in world.sites}
    for u in result.site_usage:
        for res, cap in u.capacity.items():
            assert u.used.get(res, 0.0) <= cap + 1e-6, (u.site, res)
    assert [p.workload for p in result.placements] == sorted(by_name)
    for p in result.placements:
        w = by_name[p.workload]
        assert sum(a.replicas for a in p.assignments) == w.replicas
        offers = {o.key: o for o in world.offers[w.name]}
        for a in p.assignments:
            o = offers[f"{a.site}/{a.option.value}"]
            assert o.eligible, o.reason
            if w.data.residency is not Residency.ANY:
                assert sites[a.site].jurisdiction is w.data.residency
        if w.tier == 1:
            k = min(world.constraints.min_failure_domains_tier1, w.replicas)
            per_site: dict[str, int] = defaultdict(int)
            for a in p.assignments:
                per_site[a.site] += a.replicas
                assert a.option.value != "spot"
            cover = sum(min(c, len(sites[s].failure_domains)) for s, c in per_site.items())
            assert cover >= k


@PROFILE
@given(
    worlds(max_workloads=5, budgets=True, dependencies=True),
    st.sampled_from(["milp", "lp+repair", "greedy"]),
)
def test_every_plan_respects_capacity_sla_and_residency(world: World, method: str) -> None:
    """Capacity, tier-1 spread, no spot for tier 1 and residency hold in every plan found."""
    result = _solve(world, method)
    if result is not None:
        _assert_valid(world, result)


@PROFILE
@given(worlds(max_workloads=3, budgets=True, dependencies=True))
def test_milp_equals_brute_force(world: World) -> None:
    """The MILP's optimum equals exhaustive enumeration (and both agree on infeasibility)."""
    expected = brute_force(world)
    result = _solve(world, "milp")
    if expected is None:
        assert result is None
    else:
        assert result is not None
        assert result.solver.objective_usd == pytest.approx(expected, rel=1e-6, abs=0.01)


@PROFILE
@given(worlds(max_workloads=5, budgets=True, dependencies=True))
def test_greedy_is_never_cheaper_than_the_milp(world: World) -> None:
    """On the same model the greedy baseline never finds a cheaper plan than the MILP."""
    model = model_for(world.workloads, world.sites, world.offers, world.constraints, world.settings)
    deps = latency_dependencies(world.workloads)
    greedy = solve_greedy(model, clock=lambda: 0.0, dependencies=deps)
    exact = solve_milp(model, time_limit_s=30.0, gap=0.0, clock=lambda: 0.0)
    if greedy.ok:
        assert exact.ok
        assert exact.objective <= greedy.objective + 1e-6


@PROFILE
@given(worlds(max_workloads=5, dependencies=True), st.randoms(use_true_random=False))
def test_permuting_the_input_gives_the_same_plan(world: World, rnd: object) -> None:
    """Shuffling workloads, sites and offers changes nothing in the plan."""
    import random

    assert isinstance(rnd, random.Random)
    order = list(range(len(world.workloads)))
    rnd.shuffle(order)
    site_order = list(range(len(world.sites)))
    rnd.shuffle(site_order)
    a = _solve(world)
    b = _solve(permuted(world, order, site_order))
    if a is None:
        assert b is None
        return
    assert b is not None
    assert a.placements == b.placements
    assert a.site_usage == b.site_usage
    assert a.solver.objective_usd == b.solver.objective_usd
