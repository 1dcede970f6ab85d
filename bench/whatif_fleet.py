"""Benchmark: what-if scenarios on a generated fleet (bench/fleet.py), with re-pricing reuse.

    .venv/bin/python bench/whatif_fleet.py [--size 1000] [--seed 18] [--compare]
                                           [--fleets /tmp/hybridplan-fleets] [--only NAME,...]

Loads the fleet (cached by size and seed, as bench/cli_scale.py does), classifies once,
plans the base once with its prices recorded (``build_plan(record_prices=True)``), then
plans each scenario reusing the base's prices (``build_plan(reuse=...)``, as
``hybridplan what-if`` does) and prints its wall and CPU time, the time spent pricing
(``build_candidates``) and solving (``place``), and what was re-priced. ``--compare`` also
plans each scenario pricing everything and checks that both give the same plan.json.
The machine is shared: read every figure beside the load average printed with it.
Target (issue #18): a what-if at 10k <= 5 s on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cli_scale import fleet_dir

from planner import pipeline
from planner.catalogue import load_default_catalogue
from planner.classify import classify_project
from planner.ingest import load_telemetry
from planner.load import load_project
from planner.model import Project
from planner.pipeline import PlanBundle, build_plan
from planner.report import render_plan_json
from planner.whatif import apply_changes, grow_classifications, parse_change

TODAY = date(2026, 11, 27)
TARGET_S = 5.0
PHASES = {"build_candidates": "price", "place": "solve", "evaluate_plan": "policy"}


def _wrap(times: dict[str, float]) -> None:
    """Time the pipeline's pricing, solving and policy calls (same code path, wrapped)."""
    for attr, phase in PHASES.items():
        inner = getattr(pipeline, attr)

        def timed(*a: Any, _f: Callable[..., Any] = inner, _p: str = phase, **k: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return _f(*a, **k)
            finally:
                times[_p] = times.get(_p, 0.0) + time.perf_counter() - t0

        setattr(pipeline, attr, timed)


def scenarios(project: Project, base: PlanBundle) -> dict[str, list[tuple[str, str]]]:
    """Fleet scenarios: a regional GPU price cut, a colo site's power price and capacity,
    a move of one service to another site it may run on, a longer horizon (everything)."""
    colo = next(s.name for s in project.sites if s.name.startswith("colo-"))
    mover, target = "", ""
    for w in project.workloads:
        placed = base.plan.placement(w.name)
        if placed is None or w.pinned_site is not None or not w.name.startswith("ser-"):
            continue
        others = [
            o.site for o in base.candidates.get(w.name).eligible if o.site not in placed.sites
        ]
        if others:
            mover, target = w.name, others[0]
            break
    return {
        "price aws.p5=-45%": [("price", "aws.p5=-45%")],
        f"price {colo}.power=+20%": [("price", f"{colo}.power=+20%")],
        f"capacity {colo}.cpu=+10%": [("capacity", f"{colo}.cpu=+10%")],
        f"move {mover}={target}": [("move", f"{mover}={target}")],
        "horizon 60": [("horizon", "60")],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--compare", action="store_true", help="also price everything; same plan?")
    ap.add_argument("--only", default="", help="comma-separated scenario name prefixes")
    ap.add_argument(
        "--fleets", type=Path, default=Path(tempfile.gettempdir()) / "hybridplan-fleets"
    )
    args = ap.parse_args()
    times: dict[str, float] = {}
    _wrap(times)
    folder = fleet_dir(args.fleets, args.size, args.seed)
    t0, c0 = time.perf_counter(), time.process_time()
    project = load_project(folder)
    telemetry = load_telemetry(project)
    catalogue = load_default_catalogue()
    cls = tuple(classify_project(project, telemetry))
    t1, c1 = time.perf_counter(), time.process_time()
    base = build_plan(
        project,
        catalogue=catalogue,
        telemetry=telemetry,
        today=TODAY,
        classifications=cls,
        record_prices=True,
    )
    t2, c2 = time.perf_counter(), time.process_time()
    print(f"fleet {folder.name}: {len(project.workloads)} workloads, {len(project.sites)} sites")
    print(f"load + classify  wall {t1 - t0:7.2f} s  cpu {c1 - c0:7.2f} s")
    print(
        f"base plan        wall {t2 - t1:7.2f} s  cpu {c2 - c1:7.2f} s  "
        f"(price {times.get('price', 0):.2f} s, solve {times.get('solve', 0):.2f} s wall)"
    )
    print(f"load avg {os.getloadavg()[0]:.1f}")
    print()
    failed = False
    only = [s for s in args.only.split(",") if s]
    for name, spec in scenarios(project, base).items():
        if only and not any(name.startswith(o) for o in only):
            continue
        applied = apply_changes(project, catalogue, [parse_change(k, t) for k, t in spec])
        grown = grow_classifications(cls, project, applied.growth_factor)

        def plan(applied: Any = applied, grown: Any = grown, **kw: Any) -> PlanBundle:
            return build_plan(
                applied.project,
                catalogue=applied.catalogue,
                telemetry=telemetry,
                today=TODAY,
                classifications=grown,
                **kw,
            )

        times.clear()
        load = os.getloadavg()[0]
        s, c = time.perf_counter(), time.process_time()
        reused = plan(reuse=base.prices)
        wall, cpu = time.perf_counter() - s, time.process_time() - c
        ok = wall <= TARGET_S
        failed |= not ok
        print(
            f"{name:40} wall {wall:7.2f} s  cpu {cpu:7.2f} s  price {times.get('price', 0):6.2f} s"
            f"  solve {times.get('solve', 0):6.2f} s  policy {times.get('policy', 0):5.2f} s"
            f"  load {load:.1f}  {'ok' if ok else 'MISSED'}"
        )
        assert reused.reuse is not None
        print(f"    {reused.reuse.describe()}")
        if args.compare:
            times.clear()
            s, c = time.perf_counter(), time.process_time()
            fresh = plan()
            same = render_plan_json(fresh.plan, applied.project, command="x") == render_plan_json(
                reused.plan, applied.project, command="x"
            )
            failed |= not same
            print(
                f"    pricing everything: wall {time.perf_counter() - s:7.2f} s  "
                f"cpu {time.process_time() - c:7.2f} s  price {times.get('price', 0):6.2f} s"
                f"  same plan.json: {'yes' if same else 'NO'}"
            )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS {rss:.0f} MiB, load avg {os.getloadavg()[0]:.1f}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
