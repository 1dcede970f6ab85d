"""Benchmark: what-if scenarios and a break-even sweep on examples/acme.

    .venv/bin/python bench/whatif.py [--project examples/acme] [--repeat 5]

Loads the project, telemetry and catalogue once, classifies once (what-if reuses the
classification while telemetry is unchanged), plans the base, then times each scenario
(apply the changes + plan + diff against the base) ``--repeat`` times and reports the median
and the worst. A 7-point price sweep is timed as a whole and per point. Target: under 1 s
per scenario on 2 cores. Exits 1 if a scenario's median misses the target.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.catalogue import load_default_catalogue
from planner.classify import classify_project
from planner.ingest import load_telemetry
from planner.load import load_project
from planner.pipeline import build_plan
from planner.whatif import parse_change, parse_sweep, run_scenario, run_sweep

TARGET_S = 1.0
TODAY = date(2026, 11, 27)

SCENARIOS: dict[str, list[tuple[str, str]]] = {
    "price aws.p5=-45%": [("price", "aws.p5=-45%")],
    "price gpu-pool-us.power=+20%": [("price", "gpu-pool-us.power=+20%")],
    "capacity gpu-pool-us.gpus.h100=+64": [("capacity", "gpu-pool-us.gpus.h100=+64")],
    "move foundation-finetune=aws-us-east-1": [("move", "foundation-finetune=aws-us-east-1")],
    "horizon 60": [("horizon", "60")],
    "growth 20%": [("growth", "20%")],
    "all of the above": [
        ("price", "aws.p5=-45%"),
        ("price", "gpu-pool-us.power=+20%"),
        ("capacity", "gpu-pool-us.gpus.h100=+64"),
        ("move", "foundation-finetune=aws-us-east-1"),
        ("horizon", "60"),
        ("growth", "20%"),
    ],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, default=Path("examples/acme"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    t0 = time.perf_counter()
    project = load_project(args.project)
    telemetry = load_telemetry(project)
    catalogue = load_default_catalogue()
    t1 = time.perf_counter()
    classifications = tuple(classify_project(project, telemetry))
    t2 = time.perf_counter()

    def plan_fn(proj, cat, cls):  # type: ignore[no-untyped-def]
        return build_plan(
            proj, catalogue=cat, telemetry=telemetry, today=TODAY, classifications=cls
        ).plan

    base = plan_fn(project, catalogue, classifications)
    t3 = time.perf_counter()
    print(f"project {args.project}: {len(project.workloads)} workloads, {len(project.sites)} sites")
    print(f"load (project, telemetry, catalogue) {t1 - t0:6.3f} s")
    print(f"classify (once, reused)              {t2 - t1:6.3f} s")
    print(f"base plan                            {t3 - t2:6.3f} s")
    print()
    print(f"{'scenario':44} {'median s':>9} {'max s':>7} {'delta USD/month':>16}  target")
    failed = False
    for name, spec in SCENARIOS.items():
        changes = [parse_change(kind, text) for kind, text in spec]
        times = []
        outcome = None
        for _ in range(args.repeat):
            s = time.perf_counter()
            outcome = run_scenario(
                project,
                catalogue,
                changes,
                plan_fn=plan_fn,
                classifications=classifications,
                base=base,
            )
            times.append(time.perf_counter() - s)
        assert outcome is not None
        med = statistics.median(times)
        ok = med < TARGET_S
        failed |= not ok
        delta = (
            "infeasible"
            if outcome.diff is None
            else f"{outcome.diff['totals']['delta_usd_per_month']:+,.2f}"
        )
        print(f"{name:44} {med:9.3f} {max(times):7.3f} {delta:>16}  {'ok' if ok else 'MISSED'}")
    sweep = parse_sweep("aws.p5=-60%..0%:10%")
    s = time.perf_counter()
    result = run_sweep(
        project,
        catalogue,
        sweep,
        plan_fn=plan_fn,
        classifications=classifications,
        base=base,
        watch=("foundation-finetune",),
    )
    total = time.perf_counter() - s
    per_point = total / len(sweep.values)
    failed |= per_point >= TARGET_S
    print()
    print(
        f"sweep {sweep.text}: {len(sweep.values)} plans in {total:.3f} s "
        f"({per_point:.3f} s per point) {'ok' if per_point < TARGET_S else 'MISSED'}"
    )
    for line in result.transitions:
        print(f"  {line}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
