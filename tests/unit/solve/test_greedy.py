"""planner.solve.greedy: the most constrained work first, so there is always a start and a
fallback when one exists cheaply (issue #18)."""

from __future__ import annotations

import random

from strategies import offer, site, standard_offers, workload

from planner.model import Constraints, Residency, SiteKind
from planner.solve import model_for, solve_offers
from planner.solve.blocks import latency_dependencies
from planner.solve.greedy import latency_groups, solve_greedy
from planner.solve.milp import solve_lp, solve_milp
from planner.solve.problem import ColKind, FloatArray, Model, first_violation


def sites_used(model: Model, x: FloatArray) -> dict[str, set[str]]:
    """Workload -> the sites its offer columns use in ``x``."""
    out: dict[str, set[str]] = {}
    for j, c in enumerate(model.columns):
        if c.kind is ColKind.OFFER and x[j] > 1e-9:
            for m in model.blocks[c.block].members:
                out.setdefault(m, set()).add(model.sites[c.site].name)
    return out


def test_a_pinned_workload_after_its_site_would_fill() -> None:
    """The old order (largest first, ties by name) put 'big' on the colo first and left the
    pinned 'ledger' no room: greedy gave up. Pinned work goes first now."""
    colo = site("colo", cpu=10.0)
    cloud = site("cloud", kind=SiteKind.CLOUD)
    big = workload("big", cpu=6.0)
    ledger = workload("ledger", cpu=6.0, pinned_site="colo")
    offers = {
        "big": (offer(big, colo, 10.0), offer(big, cloud, 100.0)),
        "ledger": (offer(ledger, colo, 10.0), offer(ledger, cloud, 100.0)),
    }
    model = model_for([big, ledger], [colo, cloud], offers, Constraints())
    g = solve_greedy(model, clock=lambda: 0.0)
    assert g.ok, g.note
    assert first_violation(model, g.x) == ""
    assert sites_used(model, g.x) == {"ledger": {"colo"}, "big": {"cloud"}}
    exact = solve_milp(model, time_limit_s=30.0, gap=0.0, clock=lambda: 0.0)
    assert g.objective == exact.objective


def test_a_one_site_workload_before_a_many_site_one() -> None:
    """A workload only one GPU site can host goes before bigger, residency-bound ones that
    could also go to a cloud, so they do not take its GPUs (largest first, or residency
    before the site count, gave up)."""
    gpu = site("gpu", cpu=64.0, gpus={"l4": 4}, jurisdiction=Residency.US)
    cloud = site("cloud", kind=SiteKind.CLOUD, jurisdiction=Residency.US)
    only = workload("only-gpu", cpu=2.0, gpus=4, gpu_type="l4")
    ws = [
        workload(f"us-{i}", cpu=20.0, gpus=2, gpu_type="l4", residency=Residency.US)
        for i in range(2)
    ]
    offers = {
        "only-gpu": (offer(only, gpu, 100.0),),
        **{w.name: (offer(w, gpu, 50.0), offer(w, cloud, 500.0)) for w in ws},
    }
    model = model_for([only, *ws], [gpu, cloud], offers, Constraints())
    g = solve_greedy(model, clock=lambda: 0.0)
    assert g.ok, g.note
    assert sites_used(model, g.x)["only-gpu"] == {"gpu"}
    r = solve_offers([only, *ws], [gpu, cloud], offers, Constraints())
    assert r.greedy_objective_usd is not None
    assert r.solver.objective_usd <= r.greedy_objective_usd


def test_a_latency_group_that_does_not_fit_together_moves_together() -> None:
    """A database and two services within 1 ms of it: the colo (cheapest) holds the database
    and one service only, the cloud is 20 ms away. Placing them one by one strands the
    second service; the group is retried on the cloud as a whole."""
    colo = site("colo", cpu=10.0, latency_ms={"cloud": 20.0})
    cloud = site("cloud", kind=SiteKind.CLOUD)
    db = workload("db", cpu=6.0)
    svcs = [workload(f"svc-{i}", cpu=4.0, depends_on=[("db", 1.0)]) for i in range(2)]
    ws = [db, *svcs]
    offers = standard_offers(
        ws,
        [colo, cloud],
        {(w.name, s): p for w in ws for s, p in (("colo", 10.0), ("cloud", 40.0))},
    )
    model = model_for(ws, [colo, cloud], offers, Constraints())
    deps = latency_dependencies(ws)
    both_ways = {"db": {("svc-0", 1.0), ("svc-1", 1.0)}, **{s.name: {("db", 1.0)} for s in svcs}}
    groups = latency_groups(model, both_ways)
    assert [sorted(m for b in g for m in b.members) for g in groups] == [["db", "svc-0", "svc-1"]]
    g = solve_greedy(model, clock=lambda: 0.0, dependencies=deps)
    assert g.ok, g.note
    assert first_violation(model, g.x) == ""
    used = sites_used(model, g.x)
    assert used["db"] == used["svc-0"] == used["svc-1"]
    exact = solve_milp(model, time_limit_s=30.0, gap=0.0, clock=lambda: 0.0)
    assert exact.ok
    assert exact.objective <= g.objective + 1e-6


def test_greedy_still_gives_up_when_nothing_fits() -> None:
    """No plan at all (a pinned workload bigger than its site): infeasible, with the reason."""
    colo = site("colo", cpu=4.0)
    w = workload("ledger", cpu=6.0, pinned_site="colo")
    model = model_for([w], [colo], {"ledger": (offer(w, colo, 10.0),)}, Constraints())
    g = solve_greedy(model, clock=lambda: 0.0)
    assert not g.ok
    assert g.note == "greedy gave up: no offer left for ledger"


def test_the_greedy_completes_an_lp_solution() -> None:
    """Guided by the LP relaxation, the greedy keeps the LP's whole blocks where the LP put
    them and places the fractional ones: a plan between the LP bound and the plain greedy
    (LP + repair's plan when its repair runs out of time)."""
    rnd = random.Random(5)
    sites = [site(f"colo-{i}", cpu=40.0 + 9 * i, memory_gib=300.0) for i in range(3)]
    sites.append(site("cloud", kind=SiteKind.CLOUD))
    ws = [workload(f"w{i:03d}", cpu=float(rnd.randint(1, 9))) for i in range(60)]
    offers = {
        w.name: tuple(
            offer(w, s, float(rnd.randint(50, 300) if s.capacity else rnd.randint(400, 600)))
            for s in sites
        )
        for w in ws
    }
    model = model_for(ws, sites, offers, Constraints())
    lp = solve_lp(model, time_limit_s=30.0, clock=lambda: 0.0)
    assert lp.status == "optimal"
    plain = solve_greedy(model, clock=lambda: 0.0)
    guided = solve_greedy(model, clock=lambda: 0.0, guide=lp.x)
    assert guided.ok, guided.note
    assert first_violation(model, guided.x) == ""
    assert lp.objective - 1e-6 <= guided.objective < plain.objective
    whole = [
        j
        for j, c in enumerate(model.columns)
        if c.kind is ColKind.OFFER and abs(lp.x[j] - round(lp.x[j])) <= 1e-9
    ]
    kept = sum(1 for j in whole if round(lp.x[j]) == round(guided.x[j]))
    assert kept >= 0.9 * len(whole)
