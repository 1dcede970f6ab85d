"""planner.solve.solve_offers: each constraint of the placement model, on tiny worlds."""

from __future__ import annotations

import itertools
import random

import pytest
from cost_world import usd
from strategies import offer, site, standard_offers, workload

from planner.errors import ExitCode, InfeasibleError, exit_code
from planner.fx import plain
from planner.model import Constraints, PricingOption, Residency, Settings, SiteKind
from planner.money import Money
from planner.solve import PlacementResult, solve_offers

EXACT = Settings(solver_gap=0.0)


def sites_of(result: PlacementResult, name: str) -> dict[str, int]:
    return {a.site: a.replicas for a in result.placement(name).assignments}


def test_cheapest_offer_wins_when_nothing_binds() -> None:
    """With room everywhere each workload takes its cheapest offer and nothing is binding."""
    a, b = site("a"), site("b")
    w = workload("w")
    r = solve_offers([w], [a, b], {"w": (offer(w, a, 200.0), offer(w, b, 100.0))}, Constraints())
    assert sites_of(r, "w") == {"b": 1}
    assert r.placement("w").binding == ()
    assert r.placement("w").runner_up is not None
    assert r.placement("w").runner_up.site == "a"
    assert r.solver.method == "milp"
    assert r.solver.gap == 0.0


def test_capacity_overflows_to_the_cloud() -> None:
    """A site's cpu at target utilisation caps what lands there; the rest goes to the cloud."""
    colo = site("colo", cpu=10.0, utilisation=0.8)
    cloud = site("cloud", kind=SiteKind.CLOUD)
    ws = [workload(f"w{i}", cpu=3.0) for i in range(4)]
    prices = {(w.name, s): p for w in ws for s, p in (("colo", 10.0), ("cloud", 50.0))}
    r = solve_offers(ws, [colo, cloud], standard_offers(ws, [colo, cloud], prices), Constraints())
    on_colo = [p for p in r.placements if p.sites == ("colo",)]
    assert len(on_colo) == 2  # 8 usable cores / 3
    usage = {u.site: u for u in r.site_usage}
    assert usage["colo"].used["cpu"] <= usage["colo"].capacity["cpu"] == 8.0
    cloud_ones = [p for p in r.placements if p.sites == ("cloud",)]
    assert all("capacity colo cpu" in p.binding for p in cloud_ones)


def test_tier1_on_single_domain_sites_splits_replicas() -> None:
    """A tier-1 workload on one-domain sites spreads its replicas over two sites."""
    a, b = site("a", domains=1), site("b", domains=1)
    w = workload("api", tier=1, replicas=3)
    r = solve_offers([w], [a, b], {"api": (offer(w, a, 30.0), offer(w, b, 60.0))}, Constraints())
    assert sites_of(r, "api") == {"a": 2, "b": 1}
    assert r.placement("api").per_month == usd(40)


def test_tier1_on_a_multi_domain_site_stays_whole() -> None:
    """A site with enough failure domains satisfies the spread on its own."""
    a, b = site("a", domains=3), site("b", domains=1)
    w = workload("api", tier=1, replicas=3)
    r = solve_offers([w], [a, b], {"api": (offer(w, a, 60.0), offer(w, b, 30.0))}, Constraints())
    assert sites_of(r, "api") == {"a": 1, "b": 2}
    r2 = solve_offers([w], [a, b], {"api": (offer(w, a, 30.0), offer(w, b, 60.0))}, Constraints())
    assert sites_of(r2, "api") == {"a": 3}


def test_residency_and_spot_offers_are_never_used() -> None:
    """Ineligible offers (residency, spot for tier 1) are not chosen even when cheapest."""
    eu = site("eu", jurisdiction=Residency.EU)
    us = site("us", kind=SiteKind.CLOUD, jurisdiction=Residency.US)
    ws = [workload("db", tier=1, residency=Residency.EU), workload("batch", tier=3)]
    prices = {(w.name, s): p for w in ws for s, p in (("eu", 500.0), ("us", 100.0))}
    r = solve_offers(ws, [eu, us], standard_offers(ws, [eu, us], prices), Constraints())
    assert sites_of(r, "db") == {"eu": 1}
    assert any("residency eu" in b for b in r.placement("db").binding)
    (batch,) = r.placement("batch").assignments
    assert (batch.site, batch.option) == ("us", PricingOption.SPOT)


def test_pinned_workload_stays_on_its_site() -> None:
    """A pinned workload only uses its pinned site, and says so."""
    a, b = site("a"), site("b")
    w = workload("w", pinned_site="a")
    r = solve_offers([w], [a, b], {"w": (offer(w, a, 200.0), offer(w, b, 100.0))}, Constraints())
    assert sites_of(r, "w") == {"a": 1}
    assert "pinned to a" in r.placement("w").binding


def test_latency_bound_dependency_is_co_located() -> None:
    """A dependency with max_latency_ms lands together (or within the bound)."""
    a = site("a", latency_ms={"b": 20.0})
    b = site("b")
    api = workload("api", depends_on=[("db", 2.0)])
    db = workload("db")
    offers = {
        "api": (offer(api, a, 10.0), offer(api, b, 100.0)),
        "db": (offer(db, a, 100.0), offer(db, b, 10.0)),
    }
    r = solve_offers([api, db], [a, b], offers, Constraints())
    assert r.placement("api").sites == r.placement("db").sites
    loose = solve_offers(
        [workload("api", depends_on=[("db", 50.0)]), db], [a, b], offers, Constraints()
    )
    assert loose.placement("api").sites == ("a",)
    assert loose.placement("db").sites == ("b",)


def test_migration_is_amortised_over_the_horizon() -> None:
    """Leaving the current site pays the one-off migration against the horizon savings."""
    a, b = site("a"), site("b")
    w = workload("w", current_site="a")
    offers = {"w": (offer(w, a, 100.0), offer(w, b, 90.0, migration_usd=1000.0))}
    stay = solve_offers([w], [a, b], offers, Constraints(), Settings(horizon_months=36))
    assert sites_of(stay, "w") == {"a": 1}
    assert not stay.placement("w").moved
    move = solve_offers([w], [a, b], offers, Constraints(), Settings(horizon_months=120))
    assert sites_of(move, "w") == {"b": 1}
    assert move.placement("w").moved
    assert move.placement("w").migration == usd(1000)
    assert move.solver.objective_usd == pytest.approx(120 * 90 + 1000)


@pytest.mark.parametrize(
    ("constraints", "expected"),
    [
        pytest.param(Constraints(team_budget_per_month={"t1": usd(150)}), "b", id="team"),
        pytest.param(Constraints(site_budget_per_month={"a": usd(150)}), "b", id="site"),
        pytest.param(Constraints(total_budget_per_month=usd(150)), "b", id="total"),
        pytest.param(Constraints(max_cloud_share=0.0), "b", id="cloud-share"),
    ],
)
def test_budgets_and_cloud_share(constraints: Constraints, expected: str) -> None:
    """Monthly caps steer the plan off the cheapest-over-horizon offer."""
    a = site("a", kind=SiteKind.CLOUD)
    b = site("b")
    w = workload("w", current_site="a")
    offers = {"w": (offer(w, a, 200.0), offer(w, b, 140.0, migration_usd=1e6))}
    r = solve_offers([w], [a, b], offers, constraints)
    assert sites_of(r, "w") == {expected: 1}


def test_training_splits_gpu_hours_between_pool_and_cloud() -> None:
    """Training GPU-hours fill the pool up to its GPU-hours, the rest bursts to the cloud."""
    pool = site("pool", kind=SiteKind.GPU_POOL, cpu=512, memory_gib=4096, gpus={"h100": 8})
    cloud = site("cloud", kind=SiteKind.CLOUD)
    job = workload("job", gpus=8, gpu_type="h100", gpu_hours_per_month=8760.0)
    usage = {"cpu": 96.0, "memory_gib": 1024.0, "gpus:h100": 8.0, "peak_gpus:h100": 8.0}
    offers = {
        "job": (
            offer(job, pool, 8760.0 * 1.0, usage=usage),
            offer(job, cloud, 8760.0 * 4.0, usage=usage),
        )
    }
    r = solve_offers([job], [pool, cloud], offers, Constraints())
    hours = {a.site: a.gpu_hours_per_month for a in r.placement("job").assignments}
    assert hours["pool"] == pytest.approx(8 * 730.0)
    assert hours["cloud"] == pytest.approx(8760.0 - 8 * 730.0)
    usage_pool = next(u for u in r.site_usage if u.site == "pool")
    assert usage_pool.used["gpu_hours:h100"] == pytest.approx(8 * 730.0)


def test_identical_workloads_aggregate_into_one_block() -> None:
    """100 identical workloads become one block with integer counts, split by capacity."""
    colo = site("colo", cpu=40.0)
    cloud = site("cloud", kind=SiteKind.CLOUD)
    ws = [workload(f"w{i:03d}") for i in range(100)]
    prices = {(w.name, s): p for w in ws for s, p in (("colo", 10.0), ("cloud", 50.0))}
    offers = standard_offers(ws, [colo, cloud], prices)
    r = solve_offers(ws, [colo, cloud], offers, Constraints())
    assert r.blocks == 1
    assert sum(1 for p in r.placements if p.sites == ("colo",)) == 40
    assert [p.sites for p in r.placements[:40]] == [("colo",)] * 40


@pytest.mark.parametrize("method", ["milp", "lp+repair", "greedy"], ids=str)
def test_every_method_respects_capacity(method: str) -> None:
    """MILP, LP + repair and greedy all produce plans within capacity."""
    colo = site("colo", cpu=10.0, memory_gib=20.0)
    cloud = site("cloud", kind=SiteKind.CLOUD)
    ws = [workload(f"w{i}", cpu=float(1 + i % 3), memory_gib=float(2 + i % 5)) for i in range(9)]
    prices = {(w.name, s): p for w in ws for s, p in (("colo", 10.0), ("cloud", 80.0))}
    r = solve_offers(
        ws,
        [colo, cloud],
        standard_offers(ws, [colo, cloud], prices),
        Constraints(),
        EXACT,
        method=method,
    )
    (u,) = [u for u in r.site_usage if u.site == "colo"]
    assert all(u.used[k] <= u.capacity[k] + 1e-9 for k in u.capacity)
    assert r.solver.method == method


@pytest.mark.parametrize("method", ["auto", "milp", "lp+repair", "greedy"], ids=str)
def test_an_empty_fleet_is_an_empty_plan(method: str) -> None:
    """No workloads: an empty plan at zero cost, every site listed with no usage."""
    r = solve_offers([], [site("a")], {}, Constraints(), method=method)
    assert r.placements == ()
    assert r.solver.objective_usd == 0.0
    assert [u.site for u in r.site_usage] == ["a"]


def test_unknown_method_is_rejected() -> None:
    """An unknown method name is a programming error, reported as such."""
    with pytest.raises(ValueError, match="unknown method"):
        solve_offers([], [], {}, Constraints(), method="magic")


def test_time_limit_uses_the_best_plan_and_says_so() -> None:
    """An exact MILP stopped by solver_time_limit_s keeps its best plan, reports an LP bound
    and a gap, and says the time limit was reached. Time is the solver's clock argument, a
    stub that ticks one second per reading, so the MILP stops at the same point on any
    machine, however loaded (HiGHS's own wall-clock limit, a backstop, is seconds away)."""
    rnd = random.Random(3)
    sites = [site(f"colo-{i}", cpu=200.0 + 37 * i, memory_gib=900.0) for i in range(4)]
    sites.append(site("cloud", kind=SiteKind.CLOUD))
    ws = [
        workload(f"w{i:04d}", cpu=float(rnd.randint(1, 13)), memory_gib=float(rnd.randint(1, 40)))
        for i in range(1500)
    ]
    offers = {
        w.name: tuple(
            offer(w, s, float(rnd.randint(50, 400) if s.capacity else rnd.randint(600, 800)))
            for s in sites
        )
        for w in ws
    }
    settings = Settings(solver_time_limit_s=8.0, solver_gap=0.0)
    ticks = itertools.count()
    r = solve_offers(
        ws, sites, offers, Constraints(), settings, method="milp", clock=lambda: next(ticks)
    )
    assert r.solver.time_limited
    assert r.solver.status == "time_limit"
    assert r.solver.seconds >= 8.0  # on the stub clock: the limit, not the optimum, stopped it
    assert "time limit reached" in r.solver.note
    assert "solver_time_limit_s = 8" in r.solver.note
    assert r.solver.lp_bound_usd is not None
    assert 0.0 < r.solver.lp_bound_usd <= r.solver.objective_usd
    assert r.solver.gap is not None
    assert r.solver.gap < 0.01  # LP + repair rescues a weak incumbent
    assert r.greedy_objective_usd is not None
    assert r.solver.objective_usd <= r.greedy_objective_usd
    assert len(r.placements) == 1500


# --------------------------------------------------------------------------- infeasible


def test_no_site_can_host_a_workload() -> None:
    """A workload every site rejects is named with each site's reason."""
    us = site("us", jurisdiction=Residency.US)
    w = workload("db", residency=Residency.EU)
    offers = standard_offers([w], [us], {("db", "us"): 10.0})
    with pytest.raises(InfeasibleError) as err:
        solve_offers([w], [us], offers, Constraints())
    text = err.value.render()
    assert "no site can host db" in text
    assert "residency eu: us is in us" in text
    assert "allow db on us/owned" in err.value.fix


def test_capacity_too_small_names_the_shortfall() -> None:
    """Too little capacity says which site, which resource and how much is missing."""
    eu = site("colo-eu", cpu=10.0, jurisdiction=Residency.EU)
    us = site("us", kind=SiteKind.CLOUD, jurisdiction=Residency.US)
    ws = [workload(f"db{i}", cpu=4.0, residency=Residency.EU) for i in range(4)]
    offers = standard_offers(
        ws, [eu, us], {(w.name, s): 10.0 for w in ws for s in ("colo-eu", "us")}
    )
    with pytest.raises(InfeasibleError) as err:
        solve_offers(ws, [eu, us], offers, Constraints())
    assert "colo-eu needs 6 more cores" in err.value.fix
    # the alternative: two of them leave the EU
    assert err.value.fix == (
        "colo-eu needs 6 more cores; "
        "or allow 2 of the 4 workloads like db0 on us (residency eu: us is in us)"
    )
    assert exit_code(err.value) == ExitCode.FAILED


def test_budget_below_the_cheapest_plan() -> None:
    """A budget under the cheapest plan says by how much to raise it."""
    a = site("a")
    w = workload("w", team="payments")
    with pytest.raises(InfeasibleError) as err:
        solve_offers(
            [w],
            [a],
            {"w": (offer(w, a, 500.0),)},
            Constraints(team_budget_per_month={"payments": usd(400)}),
        )
    assert "raise the team payments budget by 100 USD/month" in plain(err.value.fix)
    assert any("needs 500 USD/month" in plain(d) for d in err.value.diagnosis)


def test_contradictory_pin_and_residency() -> None:
    """Pinned to a site that residency excludes: the pin is named as the conflict."""
    eu = site("eu", jurisdiction=Residency.EU)
    us = site("us", jurisdiction=Residency.US)
    w = workload("db", residency=Residency.EU, pinned_site="us")
    offers = standard_offers([w], [eu, us], {("db", "eu"): 10.0, ("db", "us"): 10.0})
    with pytest.raises(InfeasibleError) as err:
        solve_offers([w], [eu, us], offers, Constraints())
    assert "db is pinned to us" in err.value.render()
    assert "unpin db" in err.value.fix


def test_tier1_with_three_domains_required_uses_cover_variables() -> None:
    """min_failure_domains_tier1 = 3 over one-domain sites spreads replicas over three."""
    a, b, c = site("a", domains=1), site("b", domains=1), site("c", domains=2)
    w = workload("api", tier=1, replicas=4)
    offers = {"api": (offer(w, a, 10.0), offer(w, b, 20.0), offer(w, c, 40.0))}
    r = solve_offers([w], [a, b, c], offers, Constraints(min_failure_domains_tier1=3), EXACT)
    assert sites_of(r, "api") == {"a": 2, "b": 1, "c": 1}  # a + b alone cover only 2
    r3 = solve_offers(
        [w], [a, c], {"api": offers["api"][::2]}, Constraints(min_failure_domains_tier1=3)
    )
    assert sites_of(r3, "api") == {"a": 2, "c": 2}


def test_identical_tier1_workloads_aggregate_and_each_spreads() -> None:
    """Ten identical tier-1 workloads form one block; striping gives each two sites."""
    a, b = site("a", domains=1, cpu=1000.0), site("b", domains=1, cpu=1000.0)
    ws = [workload(f"api{i}", tier=1, replicas=3) for i in range(10)]
    offers = {w.name: (offer(w, a, 30.0), offer(w, b, 60.0)) for w in ws}
    r = solve_offers(ws, [a, b], offers, Constraints())
    assert r.blocks == 1
    assert all(sites_of(r, w.name) == {"a": 2, "b": 1} for w in ws)
    assert r.solver.objective_usd == pytest.approx(10 * 36 * 40.0)


def test_cloud_share_below_what_owned_capacity_allows() -> None:
    """max_cloud_share under what the colo can absorb names the share the plan needs."""
    colo = site("colo", cpu=4.0)
    cloud = site("cloud", kind=SiteKind.CLOUD)
    ws = [workload(f"w{i}", cpu=2.0) for i in range(4)]
    prices = {(w.name, s): 100.0 for w in ws for s in ("colo", "cloud")}
    offers = standard_offers(ws, [colo, cloud], prices)
    with pytest.raises(InfeasibleError) as err:
        solve_offers(ws, [colo, cloud], offers, Constraints(max_cloud_share=0.25))
    # two fit the colo (200), two go to cloud spot (2 x 40): 80 / 280 in the cloud
    assert "raise max_cloud_share to 0.286 or add owned capacity" in err.value.fix
    assert "; or colo needs 2 more cores" in err.value.fix  # the alternative
    assert any("at least 28.6% of it in the cloud" in d for d in err.value.diagnosis)


def test_fewest_constraints_are_relaxed_first() -> None:
    """One site short by 7 cores beats three sites each short by one: fewest rows first."""
    sites = [site(f"colo-{i}", cpu=2.0) for i in range(3)]
    ws = [workload(f"w{i}", cpu=3.0, team="t") for i in range(3)]
    offers = {w.name: tuple(offer(w, s, 10.0) for s in sites) for w in ws}
    with pytest.raises(InfeasibleError) as err:
        solve_offers(ws, sites, offers, Constraints())
    assert len(err.value.diagnosis) == 1
    assert set(err.value.fix.split("; or ")) == {f"colo-{i} needs 7 more cores" for i in range(3)}


def test_gpu_inference_is_bounded_by_pool_gpus() -> None:
    """Inference replicas use whole GPUs: the pool takes what fits, the cloud the rest."""
    pool = site("pool", kind=SiteKind.GPU_POOL, cpu=512, memory_gib=4096, gpus={"h100": 5})
    cloud = site("cloud", kind=SiteKind.CLOUD)
    ws = [workload(f"llm{i}", gpus=1, gpu_type="h100", replicas=2) for i in range(4)]
    prices = {(w.name, s): p for w in ws for s, p in (("pool", 1000.0), ("cloud", 5000.0))}
    r = solve_offers(ws, [pool, cloud], standard_offers(ws, [pool, cloud], prices), Constraints())
    assert sum(p.sites == ("pool",) for p in r.placements) == 2  # 2 x 2 GPUs of 5
    usage = next(u for u in r.site_usage if u.site == "pool")
    assert usage.used["gpus:h100"] == 4.0
    assert usage.used["gpu_hours:h100"] == pytest.approx(4 * 730.0)


def test_training_fixed_part_is_paid_once_per_site_used() -> None:
    """A training job's fixed monthly part (egress) is paid per site it runs on, so a small
    saving from splitting is not worth a second fixed part."""
    # 8 GPUs: one 8-GPU pod fits, and 5,840 of the job's 11,680 GPU-hours
    pool = site("pool", kind=SiteKind.GPU_POOL, cpu=512, memory_gib=4096, gpus={"h100": 8})
    cloud = site("cloud", kind=SiteKind.CLOUD)
    job = workload("job", gpus=8, gpu_type="h100", gpu_hours_per_month=11680.0)
    usage = {"cpu": 8.0, "memory_gib": 64.0, "gpus:h100": 16.0}
    offers = {
        "job": (
            offer(job, pool, 11680.0 * 1.9 + 700.0, usage=usage, fixed_usd_per_month=700.0),
            offer(job, cloud, 11680.0 * 2.0 + 700.0, usage=usage, fixed_usd_per_month=700.0),
        )
    }
    r = solve_offers([job], [pool, cloud], offers, Constraints(), EXACT)
    # splitting half to the pool saves 0.1 x 5,840 = 584 < 700 of a second fixed part
    assert r.placement("job").sites == ("cloud",)
    assert r.placement("job").per_month == usd(11680 * 2 + 700)


def test_tier1_spread_impossible() -> None:
    """A tier-1 workload with only one single-domain site cannot be spread."""
    a = site("a", domains=1)
    w = workload("api", tier=1, replicas=3)
    with pytest.raises(InfeasibleError) as err:
        solve_offers([w], [a], {"api": (offer(w, a, 10.0),)}, Constraints())
    assert any("cannot spread over 2 failure domains" in d for d in err.value.diagnosis)


@pytest.mark.parametrize("cents", [0.4, 0.8, 2.1], ids=["p04", "p08", "p21"])
def test_split_placement_total_is_the_sum_of_its_parts(cents: float) -> None:
    """A training job split over two sites costs the sum of its parts as shown, to the cent
    (so per-site and per-workload figures in plan.md add up to the same total)."""
    pool = site("pool", kind=SiteKind.GPU_POOL, cpu=512, memory_gib=4096, gpus={"h100": 10})
    cloud = site("cloud", kind=SiteKind.CLOUD)
    job = workload("job", gpus=8, gpu_type="h100", gpu_hours_per_month=8760.0)
    usage = {"cpu": 96.0, "memory_gib": 1024.0, "gpus:h100": 8.0, "peak_gpus:h100": 8.0}
    offers = {
        "job": (
            offer(job, pool, 8760.0 + cents / 3, usage=usage),
            offer(job, cloud, 8760.0 * 4.0 + cents / 7, usage=usage),
        )
    }
    p = solve_offers([job], [pool, cloud], offers, Constraints()).placement("job")
    assert p.sites == ("cloud", "pool")
    assert p.per_month == Money.total((a.per_month for a in p.assignments), "USD")
    hours = sum(a.gpu_hours_per_month or 0.0 for a in p.assignments)
    assert hours == pytest.approx(8760.0)


def test_training_binding_rows_are_the_full_ones() -> None:
    """A split training job is held by the pool's GPUs (at their limit), not by its
    GPU-hours, which have room left: only rows at their limit bind a continuous share."""
    pool = site("pool", kind=SiteKind.GPU_POOL, cpu=512, memory_gib=4096, gpus={"h100": 8})
    cloud = site("cloud", kind=SiteKind.CLOUD)
    job = workload("job", gpus=8, gpu_type="h100", gpu_hours_per_month=8760.0)
    usage = {"cpu": 96.0, "memory_gib": 1024.0, "gpus:h100": 8.0, "peak_gpus:h100": 16.0}
    offers = {
        "job": (
            offer(job, pool, 8760.0 * 1.0, usage=usage),
            offer(job, cloud, 8760.0 * 4.0, usage=usage),
        )
    }
    r = solve_offers([job], [pool, cloud], offers, Constraints(), EXACT)
    p = r.placement("job")
    assert p.sites == ("cloud", "pool")
    pool_use = next(u for u in r.site_usage if u.site == "pool")
    assert pool_use.used["gpu_hours:h100"] < pool_use.capacity["gpu_hours:h100"]
    assert p.binding == ("capacity pool gpus:h100",)


def test_binding_leaves_out_exclusions_that_latency_overrules() -> None:
    """A cheaper offer excluded by residency is not named as binding when it is too far
    from the workload's database anyway; one nothing else rules out still is."""
    colo = site("colo", jurisdiction=Residency.EU, latency_ms={"cloud": 18.0, "us": 80.0})
    cloud = site("cloud", kind=SiteKind.CLOUD, jurisdiction=Residency.EU)
    us = site("us", jurisdiction=Residency.US)
    api = workload("api", residency=Residency.EU, depends_on=[("db", 2.0)])
    db = workload("db", residency=Residency.EU, pinned_site="colo")
    lone = workload("lone", residency=Residency.EU)
    far = "residency eu: us is in us"

    offers = {
        w.name: (
            offer(w, colo, 100.0),
            offer(w, cloud, 50.0),
            offer(w, us, 10.0, eligible=False, reason=far),
        )
        for w in (api, db, lone)
    }
    r = solve_offers([api, db, lone], [colo, cloud, us], offers, Constraints())
    assert r.placement("api").sites == ("colo",)
    assert r.placement("api").binding == ("latency to db <= 2 ms",)
    assert r.placement("lone").sites == ("cloud",)
    assert r.placement("lone").binding == (f"us/owned excluded: {far}",)


def test_pinned_to_a_full_site_offers_capacity_as_the_alternative() -> None:
    """A workload pinned to a site too small for it: allowing it elsewhere is one way out,
    the site's missing capacity the other (not the same unpin on every other site)."""
    colo = site("colo", cpu=4.0)
    cloud_a = site("cloud-a", kind=SiteKind.CLOUD)
    cloud_b = site("cloud-b", kind=SiteKind.CLOUD)
    w = workload("ledger", cpu=6.0, pinned_site="colo")
    sites = [colo, cloud_a, cloud_b]
    offers = standard_offers([w], sites, {("ledger", s.name): 10.0 for s in sites})
    with pytest.raises(InfeasibleError) as err:
        solve_offers([w], sites, offers, Constraints())
    alternatives = err.value.fix.split("; or ")
    assert len(alternatives) == 2
    assert alternatives[0].startswith("allow ledger on cloud-")
    assert alternatives[1] == "colo needs 2 more cores"
    assert "(pinned to colo)" in alternatives[0]
    assert not any("only room" in d for d in err.value.diagnosis)
