"""Latency rows with a one-site partner (written with coefficient 1, a tighter LP) allow the
same plans as the rule: the MILP optimum equals a brute-force search over every placement."""

from __future__ import annotations

import itertools
import random

import pytest
from strategies import offer, site, workload

from planner.model import Constraints, Settings, SiteKind
from planner.solve import solve_offers

EXACT = Settings(solver_gap=0.0)


@pytest.mark.parametrize("seed", range(12), ids=lambda s: f"seed{s}")
def test_milp_optimum_is_the_brute_force_optimum(seed: int) -> None:
    """Random costs, latencies and a small owned site: the plan's monthly total is the least
    total of every placement that keeps each latency-bound pair within its bound."""
    rng = random.Random(seed)
    names = ["a", "b", "c", "d"]
    lat = {(x, y): float(rng.choice([1, 5, 15, 40])) for x, y in itertools.combinations(names, 2)}
    sites = [
        site(n, cpu=2.0, latency_ms={y: v for (x, y), v in lat.items() if x == n})
        if n != "d"
        else site(n, kind=SiteKind.CLOUD, latency_ms={})
        for n in names
    ]
    db = workload("db")
    apis = [
        workload(f"api{i}", depends_on=[("db", rng.choice([2.0, 10.0, 20.0]))]) for i in range(3)
    ]
    fleet = [db, *apis]
    cost = {(w.name, s.name): rng.randint(10, 100) for w in fleet for s in sites}
    offers = {
        w.name: tuple(offer(w, s, float(cost[(w.name, s.name)])) for s in sites) for w in fleet
    }
    r = solve_offers(fleet, sites, offers, Constraints(), EXACT, method="milp")

    def latency(x: str, y: str) -> float:
        return 0.0 if x == y else lat[tuple(sorted((x, y)))]  # type: ignore[index]

    best = None
    for choice in itertools.product(names, repeat=len(fleet)):
        at = dict(zip([w.name for w in fleet], choice, strict=True))
        used = {n: list(choice).count(n) for n in "abc"}
        if any(v > 2 for v in used.values()):
            continue
        bounds = [d.max_latency_ms for w in apis for d in w.depends_on]
        if any(latency(at[w.name], at["db"]) > b for w, b in zip(apis, bounds, strict=True)):
            continue
        total = sum(cost[(w, s)] for w, s in at.items())
        best = total if best is None else min(best, total)
    got = sum(cost[(w.name, r.placement(w.name).sites[0])] for w in fleet)
    assert got == best
