"""Benchmark: place seeded synthetic fleets of 1k, 10k and 100k workloads over 20 sites.

    .venv/bin/python bench/solve.py [--sizes 1000,10000,100000] [--seed 11] [--method auto]
                                    [--time-limit 60] [--gc-freeze]

The *standard fleet* (``generate``): 20 sites - six colo Kubernetes sites (EU/US, 1-3
failure domains, capacity for about 35 % of the fleet's cores), two single-domain H100
pools and twelve cloud regions with on-demand, commit-1y and spot prices. Workloads come
from templates (about 20 copies each: replicas of a service and per-tenant copies, which
aggregate into classes), plus 2 % unique workloads in latency-bound app -> db pairs and a
few AI-training jobs. 20 % of templates are tier 1 (three replicas, no spot), 30 % must
stay in the EU and 20 % in the US; most run in the cloud today, so moving pays migration.
Prices are synthetic (the shape of ``planner.cost`` offers, not the catalogue).

Phases: generate (sites, workloads), candidates (offers + prunes/sorting), build (blocks +
CSC model), solve (the chosen method; LP + repair with the greedy completing the LP as its
fallback), extract (placements, usage); greedy is timed separately; "place" times
``planner.solve.solve_offers`` (what ``place`` runs: precheck, blocks, model, greedy,
solve, shadow prices when small, extract) on the same candidates.
``--gc-freeze`` freezes the millions of offers after they are built, so Python's full
garbage collections stop re-scanning them (about 15 % faster at 100k). Each size runs in
its own process so its peak RSS (``resource.getrusage``, includes the interpreter, numpy
and HiGHS) is its own. Targets on 2 cores: 10k end to end
<= 5 s, 100k <= 60 s, gap <= 0.5 %, >= 5 % cheaper than greedy.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.model import (
    Capacity,
    Constraints,
    DataSpec,
    Dependency,
    Offer,
    PricingOption,
    Residency,
    Resources,
    Settings,
    Site,
    SiteKind,
    TrainingSpec,
    Workload,
    WorkloadKind,
)
from planner.money import Money
from planner.solve import solve_offers
from planner.solve.blocks import build_blocks, latency_dependencies
from planner.solve.build import build_model
from planner.solve.candidates import candidates_from_offers
from planner.solve.extract import extract
from planner.solve.greedy import solve_greedy
from planner.solve.repair import solve_model

H = 730.0
EU, US = Residency.EU, Residency.US

# name, kind, jurisdiction, failure domains, core price factor (owned) / region factor (cloud)
SITES: tuple[tuple[str, SiteKind, Residency, int, float], ...] = (
    ("colo-eu-par", SiteKind.KUBERNETES, EU, 3, 1.00),
    ("colo-eu-fra", SiteKind.KUBERNETES, EU, 1, 0.90),
    ("colo-eu-ams", SiteKind.KUBERNETES, EU, 2, 1.05),
    ("colo-us-ash", SiteKind.KUBERNETES, US, 3, 0.95),
    ("colo-us-chi", SiteKind.KUBERNETES, US, 1, 0.85),
    ("colo-us-dal", SiteKind.KUBERNETES, US, 2, 1.00),
    ("gpu-eu", SiteKind.GPU_POOL, EU, 1, 1.00),
    ("gpu-us", SiteKind.GPU_POOL, US, 1, 0.95),
    ("aws-eu-west-1", SiteKind.CLOUD, EU, 3, 1.05),
    ("aws-eu-central-1", SiteKind.CLOUD, EU, 3, 1.10),
    ("aws-eu-north-1", SiteKind.CLOUD, EU, 3, 1.00),
    ("gcp-europe-west4", SiteKind.CLOUD, EU, 3, 1.02),
    ("azure-westeurope", SiteKind.CLOUD, EU, 3, 1.08),
    ("aws-us-east-1", SiteKind.CLOUD, US, 3, 1.00),
    ("aws-us-east-2", SiteKind.CLOUD, US, 3, 0.98),
    ("aws-us-west-2", SiteKind.CLOUD, US, 3, 1.00),
    ("gcp-us-central1", SiteKind.CLOUD, US, 3, 0.97),
    ("gcp-us-east4", SiteKind.CLOUD, US, 3, 1.03),
    ("azure-eastus", SiteKind.CLOUD, US, 3, 1.01),
    ("azure-westus2", SiteKind.CLOUD, US, 3, 1.04),
)
NEAR = {("colo-eu-fra", "aws-eu-central-1"): 1.5, ("colo-us-ash", "aws-us-east-1"): 1.0}
TEAMS = tuple(f"team-{i:02d}" for i in range(12))

# synthetic monthly unit prices (USD); owned ~ 45 % under cloud commit-1y per core
CLOUD_CORE, CLOUD_GIB, CLOUD_GPU_H = 24.0, 3.2, 4.1
OWNED_CORE, OWNED_GIB, OWNED_GPU_H = 10.0, 1.2, 1.6
COMMIT_1Y, SPOT = 0.68, 0.35
ZERO = Money.zero("USD")


_AMOUNTS: dict[int, Money] = {}


def cents(usd: float) -> Money:
    """A synthetic price in whole cents (rounded as the cost model rounds a line item).
    Equal amounts share one value, as offers of identical workloads do in
    ``build_candidates`` (it prices a shape once and relabels the offers)."""
    c = round(usd * 100)
    hit = _AMOUNTS.get(c)
    if hit is None:
        hit = _AMOUNTS[c] = Money(c, "USD")
    return hit


def make_sites(
    cpu_demand: dict[Residency, float], gpu_demand: dict[Residency, float]
) -> list[Site]:
    """The 20 sites, owned capacity sized from the fleet's demand per jurisdiction."""
    out = []
    for name, kind, jur, domains, _ in SITES:
        latency = {}
        for other, _kind, ojur, _, _ in SITES:
            if other == name:
                continue
            near = NEAR.get((name, other)) or NEAR.get((other, name))
            latency[other] = near if near else (12.0 if ojur is jur else 85.0)
        cap = None
        if kind is SiteKind.KUBERNETES:
            cores = 0.35 * cpu_demand[jur] / 3
            cap = Capacity(cpu=round(cores), memory_gib=round(cores * 5))
        elif kind is SiteKind.GPU_POOL:
            gpus = max(8, round(0.5 * gpu_demand[jur] / 8) * 8)
            cap = Capacity(cpu=gpus * 12, memory_gib=gpus * 256, gpus={"h100": gpus})
        out.append(
            Site(
                name=name,
                kind=kind,
                provider="aws" if kind is SiteKind.CLOUD else "self",
                region=name,
                jurisdiction=jur,
                failure_domains=tuple(f"{name}-{i}" for i in range(domains)),
                availability_pct=99.95,
                capacity=cap,
                target_utilisation=0.8,
                latency_ms=latency,
            )
        )
    return out


def generate(n: int, seed: int) -> tuple[list[Workload], dict[str, dict[str, float]]]:
    """Workloads and, per template id, its price knobs. Deterministic for (n, seed)."""
    rng = np.random.default_rng(seed)
    n_unique = max(4, (n * 2 // 100) // 2 * 2)
    n_train = max(2, min(20, n // 500))
    n_templated = n - n_unique - n_train
    n_templates = max(20, n_templated // 20)
    copies = rng.multinomial(n_templated - n_templates, np.ones(n_templates) / n_templates) + 1
    cloud_sites = [s for s in SITES if s[1] is SiteKind.CLOUD]
    colo_sites = [s for s in SITES if s[1] is SiteKind.KUBERNETES]
    workloads: list[Workload] = []
    knobs: dict[str, dict[str, float]] = {}

    def shape(tid: str) -> tuple[int, int, float, float, int, Residency, str | None, bool]:
        tier = int(rng.choice([1, 2, 3], p=[0.2, 0.4, 0.4]))
        replicas = 3 if tier == 1 else int(rng.integers(1, 5))
        cpu = float(np.clip(np.round(rng.lognormal(0.7, 0.8) * 2) / 2, 0.5, 32))
        mem = float(np.round(cpu * rng.choice([2, 4, 8]), 1))
        gpus = 1 if rng.random() < 0.05 else 0
        res = Residency(rng.choice(["eu", "us", "any"], p=[0.3, 0.2, 0.5]))
        where = rng.random()
        pool = list(cloud_sites if where < 0.6 else colo_sites)
        if res is not Residency.ANY:
            pool = [s for s in pool if s[2] is res]
        current = str(pool[int(rng.integers(len(pool)))][0]) if where < 0.85 else None
        spot = tier == 3 and rng.random() < 0.4
        knobs[tid] = {"noise": float(rng.uniform(0.9, 1.1)), "move": float(rng.uniform(0.5, 1.5))}
        return tier, replicas, cpu, mem, gpus, res, current, spot

    for t, count in enumerate(copies):
        tid = f"t{t:05d}"
        tier, replicas, cpu, mem, gpus, res, current, spot = shape(tid)
        team = TEAMS[t % len(TEAMS)]
        for c in range(int(count)):
            workloads.append(
                Workload(
                    name=f"svc-{tid}-{c:03d}",
                    team=team,
                    kind=WorkloadKind.BATCH if spot else WorkloadKind.SERVICE,
                    tier=tier,
                    replicas=replicas,
                    resources=Resources(cpu, mem, gpus, "h100" if gpus else None),
                    data=DataSpec(residency=res),
                    current_site=current,
                    allow_spot=spot,
                    image=tid,
                )
            )
    for p in range(n_unique // 2):
        tid_a, tid_b = f"u{p:05d}a", f"u{p:05d}b"
        tier, replicas, cpu, mem, _, res, current, _ = shape(tid_a)
        knobs[tid_b] = knobs[tid_a]
        bound = float(rng.choice([2.0, 15.0]))
        team = TEAMS[p % len(TEAMS)]
        db = Workload(
            name=f"db-{p:05d}",
            team=team,
            kind=WorkloadKind.DATABASE,
            tier=tier,
            replicas=replicas,
            resources=Resources(cpu, mem * 2),
            data=DataSpec(residency=res),
            current_site=current,
            allow_spot=False,
            image=tid_b,
        )
        app = Workload(
            name=f"app-{p:05d}",
            team=team,
            kind=WorkloadKind.SERVICE,
            tier=tier,
            replicas=replicas,
            resources=Resources(cpu, mem),
            data=DataSpec(residency=res),
            depends_on=(Dependency(db.name, bound),),
            current_site=current,
            allow_spot=False,
            image=tid_a,
        )
        workloads += [app, db]
    for j in range(n_train):
        tid = f"x{j:05d}"
        knobs[tid] = {"noise": float(rng.uniform(0.9, 1.1)), "move": 1.0}
        hours = float(rng.integers(2, 30) * 1000)
        workloads.append(
            Workload(
                name=f"train-{j:03d}",
                team="ml",
                kind=WorkloadKind.TRAINING,
                tier=3,
                replicas=1,
                resources=Resources(96, 1024, 8, "h100"),
                training=TrainingSpec(hours, deadline_days=int(rng.choice([10, 20, 30]))),
                current_site=None,
                image=tid,
            )
        )
    return workloads, knobs


def offers_for(w: Workload, sites: list[Site], knobs: dict[str, float]) -> list[Offer]:
    """Synthetic offers with the shape of ``planner.cost.offers_for``'s."""
    r = w.resources
    factor = {s[0]: s[4] for s in SITES}
    noise, move = knobs["noise"], knobs["move"]
    out: list[Offer] = []
    if w.training is not None:
        hours = w.training.gpu_hours_per_month
        avg = hours / H
        peak = hours / (min(w.training.deadline_days or 30, 30) * 24)
        usage = {"cpu": avg * 12, "memory_gib": avg * 128, "gpus:h100": avg, "peak_gpus:h100": peak}
        for s in sites:
            if s.kind is SiteKind.KUBERNETES:
                continue
            cloud = s.kind is SiteKind.CLOUD
            rate = (CLOUD_GPU_H if cloud else OWNED_GPU_H) * factor[s.name] * noise
            opts = (
                (PricingOption.ON_DEMAND, PricingOption.SPOT) if cloud else (PricingOption.OWNED,)
            )
            for opt in opts:
                p = rate * (SPOT if opt is PricingOption.SPOT else 1.0)
                out.append(
                    Offer(
                        workload=w.name,
                        site=s.name,
                        option=opt,
                        per_month=cents(hours * p),
                        line_items=(),
                        migration=ZERO,
                        usage=usage,
                        fixed_per_month=ZERO,
                    )
                )
        return out
    base_usage = {"cpu": r.cpu * w.replicas, "memory_gib": r.memory_gib * w.replicas}
    if r.gpus:
        base_usage["gpus:h100"] = float(r.gpus * w.replicas)
    cores, gib, gpus = r.cpu * w.replicas, r.memory_gib * w.replicas, r.gpus * w.replicas
    for s in sites:
        if r.gpus == 0 and s.kind is SiteKind.GPU_POOL:
            continue
        if r.gpus and s.kind is SiteKind.KUBERNETES:
            continue
        res_bad = w.data.residency is not Residency.ANY and s.jurisdiction is not w.data.residency
        reason = f"residency: data must stay in {w.data.residency.value}" if res_bad else None
        mig = ZERO
        if w.current_site is not None and w.current_site != s.name:
            mig = cents((8000.0 + 0.09 * gib * 50) * move)
        if s.kind is SiteKind.CLOUD:
            od = (cores * CLOUD_CORE + gib * CLOUD_GIB + gpus * H * CLOUD_GPU_H) * factor[s.name]
            od *= noise
            for opt, mult in (
                (PricingOption.ON_DEMAND, 1.0),
                (PricingOption.COMMIT_1Y, COMMIT_1Y),
                (PricingOption.SPOT, SPOT),
            ):
                why = reason
                if opt is PricingOption.SPOT and why is None and not w.allow_spot:
                    why = "spot not allowed for this workload"
                if opt is PricingOption.SPOT and w.tier == 1:
                    why = "spot is never offered to tier 1"
                out.append(
                    Offer(
                        workload=w.name,
                        site=s.name,
                        option=opt,
                        per_month=cents(od * mult),
                        line_items=(),
                        migration=mig,
                        eligible=why is None,
                        reason=why,
                        usage=base_usage,
                    )
                )
        else:
            price = cores * OWNED_CORE + gib * OWNED_GIB + gpus * H * OWNED_GPU_H
            price *= factor[s.name] * noise
            out.append(
                Offer(
                    workload=w.name,
                    site=s.name,
                    option=PricingOption.OWNED,
                    per_month=cents(price),
                    line_items=(),
                    migration=mig,
                    eligible=reason is None,
                    reason=reason,
                    usage=base_usage,
                )
            )
    return out


def run_one(
    n: int, seed: int, method: str, time_limit_s: float, gc_freeze: bool = False
) -> dict[str, object]:
    clock = time.perf_counter
    t = clock()
    workloads, knobs = generate(n, seed)
    cpu_demand = {EU: 0.0, US: 0.0}
    gpu_demand = {EU: 0.0, US: 0.0}
    for w in workloads:
        share = {EU: 0.6, US: 0.4} if w.data.residency is Residency.ANY else {w.data.residency: 1}
        for jur, f in share.items():
            if w.training is not None:
                gpu_demand[jur] += f * w.training.gpu_hours_per_month / H
            elif w.resources.gpus:
                gpu_demand[jur] += f * w.resources.gpus * w.replicas
            else:
                cpu_demand[jur] += f * w.resources.cpu * w.replicas
    sites = make_sites(cpu_demand, gpu_demand)
    t_generate = clock() - t

    t = clock()
    offers = {w.name: offers_for(w, sites, knobs[w.image or ""]) for w in workloads}
    cands = candidates_from_offers(offers, Constraints(), workloads)
    all_offers = cands.all_offers()
    t_candidates = clock() - t
    if gc_freeze:
        # millions of long-lived offers make every full collection slow; a CLI can freeze
        # them once they are built (measured with and without: see the module docstring)
        gc.freeze()

    settings = Settings(solver_time_limit_s=time_limit_s)
    constraints = Constraints()
    t = clock()
    blocks = build_blocks(workloads, sites, all_offers, constraints)
    deps = latency_dependencies(workloads)
    model = build_model(blocks, sites, constraints, settings.horizon_months, dependencies=deps)
    t_build = clock() - t

    t = clock()
    greedy = solve_greedy(model, clock=clock, dependencies=deps)
    t_greedy = clock() - t

    t = clock()
    sol = solve_model(
        model,
        method,
        time_limit_s=time_limit_s,
        gap=settings.solver_gap,
        clock=clock,
        start=greedy.x if greedy.ok else None,
        complete=lambda x_lp: solve_greedy(model, clock=clock, dependencies=deps, guide=x_lp),
    )
    t_solve = clock() - t

    t = clock()
    by_name = {w.name: w for w in workloads}
    placements, _usage, _rows = extract(model, sol, by_name, all_offers, deps)
    t_extract = clock() - t
    assert len(placements) == n
    # the public entry point end to end (precheck, blocks, model, greedy, solve, extract)
    t = clock()
    placed = solve_offers(workloads, sites, all_offers, constraints, settings, method=method)
    t_place = clock() - t
    assert abs(placed.solver.objective_usd - sol.objective) <= 1e-6 * max(1.0, sol.objective)
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    total = t_candidates + t_build + t_solve + t_extract
    return {
        "n": n,
        "blocks": len(model.blocks),
        "cols": model.n_cols,
        "rows": model.n_rows,
        "method": sol.method,
        "status": sol.status,
        "generate_s": t_generate,
        "candidates_s": t_candidates,
        "build_s": t_build,
        "solve_s": t_solve,
        "extract_s": t_extract,
        "end_to_end_s": total,
        "place_s": t_place,
        "peak_rss_mib": peak_mib,
        "objective_usd": sol.objective,
        "lp_bound_usd": sol.bound,
        "gap": sol.gap,
        "greedy_usd": greedy.objective if greedy.ok else math.inf,
        "greedy_s": t_greedy,
        "note": sol.note,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000", help="comma-separated fleet sizes")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--method", default="auto", choices=["auto", "milp", "lp+repair"])
    ap.add_argument("--time-limit", type=float, default=60.0, help="solver time limit (s)")
    ap.add_argument(
        "--gc-freeze",
        action="store_true",
        help="gc.freeze() after the candidates are built (fewer slow full collections)",
    )
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        print(
            json.dumps(run_one(args.one, args.seed, args.method, args.time_limit, args.gc_freeze))
        )
        return
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--one",
                str(n),
                "--seed",
                str(args.seed),
                "--method",
                args.method,
                "--time-limit",
                str(args.time_limit),
                *(["--gc-freeze"] if args.gc_freeze else []),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        rows.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    head = (
        f"{'workloads':>9} {'blocks':>6} {'cols':>7} {'method':>9} {'gen s':>6} {'cand s':>6} "
        f"{'build s':>7} {'solve s':>7} {'extr s':>6} {'e2e s':>6} {'place s':>7} {'RSS MiB':>7} "
        f"{'objective USD':>15} {'LP bound USD':>15} {'gap %':>6} {'greedy USD':>15} "
        f"{'greedy s':>8} {'vs greedy':>9}"
    )
    print(head)
    for r in rows:
        obj, greedy = float(r["objective_usd"]), float(r["greedy_usd"])
        bound = r["lp_bound_usd"]
        gap = r["gap"]
        print(
            f"{r['n']:>9,} {r['blocks']:>6,} {r['cols']:>7,} {r['method']:>9} "
            f"{r['generate_s']:>6.2f} {r['candidates_s']:>6.2f} {r['build_s']:>7.2f} "
            f"{r['solve_s']:>7.2f} {r['extract_s']:>6.2f} {r['end_to_end_s']:>6.2f} "
            f"{r['place_s']:>7.2f} "
            f"{r['peak_rss_mib']:>7.0f} {obj:>15,.0f} "
            f"{(f'{bound:,.0f}' if bound is not None else '-'):>15} "
            f"{(f'{100 * gap:.3f}' if gap is not None else '-'):>6} {greedy:>15,.0f} "
            f"{r['greedy_s']:>8.2f} {100 * (greedy - obj) / greedy:>8.1f}%"
        )
    print("e2e = candidates + build + solve + extract (generation and greedy excluded);")
    print("place = planner.solve.solve_offers on the same candidates, timed on its own")
    print("        (precheck, blocks, model, greedy, solve, extract: what place() does);")
    print("vs greedy = how much cheaper the plan is than the greedy baseline, over the horizon.")


if __name__ == "__main__":
    main()
