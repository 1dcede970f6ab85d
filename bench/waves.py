"""Benchmark: migration waves (``planner.waves.plan_waves``) and their cash ledger
(``planner.report.figures.plan_totals``) on synthetic plans of N workloads. No solver: the
plan is built directly, so the figures are the waves' own.

    .venv/bin/python bench/waves.py [--sizes 1000,10000,30000] [--move-share 0.3]

Each plan: N workloads, ``--move-share`` of them moving from a cloud region to one of 3
owned sites (each 0.5 cores short of holding every move at once, so waves must wait for
departures), every 7th moved workload a database read by the next one within 2 ms (a move
group of 2), one in 50 moving off an owned site to the cloud (freeing room), 5 moves and
20 TB a wave. Prints CPU seconds (user+sys of this process) and wall seconds per size,
waves and moves; the machine may be shared: read CPU, not wall.
"""

from __future__ import annotations

import argparse
import resource
import time
from dataclasses import replace

from planner.model import (
    Assignment,
    Capacity,
    CloudCost,
    DataSpec,
    Dependency,
    Offer,
    Placement,
    Plan,
    PricingOption,
    Project,
    Residency,
    Resources,
    Site,
    SiteKind,
    SiteUsage,
    SolverInfo,
    Workload,
    WorkloadKind,
)
from planner.money import Money
from planner.report.figures import plan_totals
from planner.waves import plan_waves

OWNED = ("colo-a", "colo-b", "colo-c")


def _usd(cents: int) -> Money:
    return Money(cents, "USD")


def _site(name: str, cpu: float | None) -> Site:
    cloud = cpu is None
    return Site(
        name=name,
        kind=SiteKind.CLOUD if cloud else SiteKind.KUBERNETES,
        provider="aws" if cloud else "self",
        region=name,
        jurisdiction=Residency.ANY,
        failure_domains=(f"{name}-a",),
        availability_pct=99.9,
        capacity=None if cloud else Capacity(cpu=cpu, memory_gib=cpu * 8),
        target_utilisation=1.0,
        cloud_cost=CloudCost(price_region=name) if cloud else None,
    )


def world(n: int, move_share: float) -> tuple[Project, Plan, dict[str, tuple[Offer, ...]]]:
    """A synthetic project, plan and offers (see the module docstring)."""
    workloads, placements, offers = [], [], {}
    baseline: dict[str, Money] = {}
    moved = int(n * move_share)
    into: dict[str, float] = dict.fromkeys(OWNED, 0.0)
    for i in range(n):
        name = f"w{i:06d}"
        moves, leaves = i < moved, i % 50 == 49 and i < moved
        db = moves and i % 7 == 0
        site = OWNED[i % 3]
        deps = (Dependency(f"w{i - 1:06d}", 2.0),) if moves and i % 7 == 1 else ()
        workloads.append(
            Workload(
                name=name,
                team="t",
                kind=WorkloadKind.DATABASE if db else WorkloadKind.SERVICE,
                tier=2,
                replicas=1,
                resources=Resources(cpu=2, memory_gib=8),
                data=DataSpec(dataset_gib=500.0 if db else 0.0),
                depends_on=deps,
            )
        )
        usage = {"cpu": 2.0, "memory_gib": 8.0}
        if not moves:
            placements.append(
                Placement(
                    name,
                    (Assignment("cloud", PricingOption.ON_DEMAND, 1, _usd(10_000)),),
                    _usd(10_000),
                    _usd(0),
                    "cloud",
                )
            )
            baseline[name] = _usd(10_000)
            continue
        to, frm = ("cloud", site) if leaves else (site, "cloud")
        if not leaves:
            into[site] += 2.0
        per_month = _usd(12_000 if leaves else 4_000 + (i * 37) % 3_000)
        placements.append(
            Placement(
                name,
                (Assignment(to, PricingOption.ON_DEMAND, 1, per_month),),
                per_month,
                _usd(80_000),
                frm,
            )
        )
        baseline[name] = _usd(10_000)
        offers[name] = (Offer(name, site, PricingOption.OWNED, per_month, (), usage=usage),)
    sites = (_site("cloud", None), *(_site(s, into[s] - 0.5) for s in OWNED))
    usage = tuple(
        SiteUsage(
            s,
            {"cpu": into[s], "memory_gib": into[s] * 4},
            {"cpu": into[s] - 0.5, "memory_gib": into[s] * 8},
            _usd(0),
        )
        for s in OWNED
    )
    project = Project(root="bench", workloads=tuple(workloads), sites=sites)
    plan = Plan(
        placements=tuple(placements),
        site_usage=usage,
        classifications=(),
        solver=SolverInfo("milp", "optimal", 0.0, 0.0, 0.0, 0.0),
        baseline_per_month=Money.total(baseline.values(), "USD"),
        per_month=Money.total((p.per_month for p in placements), "USD"),
        migration=Money.total((p.migration for p in placements), "USD"),
        horizon_months=60,
        workload_baseline_per_month=baseline,
    )
    return project, plan, offers


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,30000")
    ap.add_argument("--move-share", type=float, default=0.3)
    args = ap.parse_args()
    for n in (int(x) for x in args.sizes.split(",")):
        project, plan, offers = world(n, args.move_share)
        c0, t0 = _cpu(), time.perf_counter()
        waves = plan_waves(plan, project, offers, start_month="2027-01")
        c1, t1 = _cpu(), time.perf_counter()
        totals = plan_totals(replace(plan, waves=waves), 8.0)
        c2, t2 = _cpu(), time.perf_counter()
        assert totals.waves is not None
        print(
            f"{n:>7,} workloads, {len(waves.moves):>6,} moves in {len(waves.waves):>5,} waves: "
            f"plan_waves {c1 - c0:6.2f} s CPU ({t1 - t0:6.2f} s wall), "
            f"cash ledgers {c2 - c1:5.2f} s CPU ({t2 - t1:5.2f} s wall), "
            f"payback {totals.horizon.payback_months} all at once, "
            f"{totals.waves.horizon.payback_months} in waves"
        )


if __name__ == "__main__":
    main()
