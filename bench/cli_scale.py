"""Benchmark: ``hybridplan plan`` end to end on generated fleets of distinct workloads.

    .venv/bin/python bench/cli_scale.py [--sizes 1000,10000] [--with-100k] [--seed 18]
                                        [--fleets /tmp/hybridplan-fleets] [--profile 1000]
                                        [--preview]

Each size is a real planning project folder written by ``bench/fleet.py`` (20 sites,
distinct services, databases, batch, inference and training, 30 days of hourly telemetry;
cached under ``--fleets`` by size and seed). Each size is planned in its own child process
(so its peak RSS is its own) through the services the CLI's ``plan`` runs:
``planner.app.load_inputs``, ``render_plan_files`` and ``write_outputs``. Phases are timed by
wrapping the functions those services call (the same code path, nothing re-implemented):

    load        project files read, validated and built      (load_inputs, first step)
    telemetry   telemetry files read                         (load_inputs, second step)
    classify    classify_project
    constrain   constraints_for (policy rules that prune or bound the model)
    price       build_candidates (every workload x site x option)
    solve       place (greedy baseline + the solver)
    baseline    baseline_costs
    waves       plan_waves (migration waves, issue #17)
    policy      evaluate_plan
    plan.json   plan_to_dict (the document plan.md reads too) + render_plan_json
    plan.md / emit   render_plan_md / render_stacks
    write       write_outputs (into a temporary folder)

It prints one column per size, the ratio of each phase to the first size's, peak RSS, the
solver's gap to its LP bound, the CPU time of pricing, solving and the whole process, how
much cheaper than the greedy baseline the plan is, and the load average
(``os.getloadavg``) before and after each run: the machine is shared, so read every figure
beside its load. ``--preview`` then previews every emitted stack of each size offline, as
``hybridplan preview <stack>`` does (``preview_stack``: the program under Pulumi mocks in its
own process, every Kubernetes object validated, the preview rules), and adds rows: stacks
previewed cleanly out of all, the slowest preview's wall and CPU seconds (the preview child
and the validation; and its stack), the largest preview child's peak RSS, and each failing
stack's first problem. ``--profile N`` instead
runs size N once under cProfile and prints the 30 functions with the most own time.
Targets (issue #18, 2 cores): 10k <= 15 s and <= 1.5 GiB, gap <= 1 %, >= 5 % cheaper than
greedy, every emitted stack previews.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fleet import FLEET_VERSION, write_fleet

TODAY = date(2026, 11, 27)
PHASES = (
    "load", "telemetry", "classify", "constrain", "price", "solve", "baseline", "waves",
    "policy", "plan.json", "plan.md", "emit", "write",
)  # fmt: skip
PREVIEW_K8S = "1.33"  # hybridplan preview's default --k8s-version
# (module, attribute, phase): the functions the plan services call, wrapped with a timer
WRAPPED = (
    ("planner.pipeline", "classify_project", "classify"),
    ("planner.pipeline", "constraints_for", "constrain"),
    ("planner.pipeline", "build_candidates", "price"),
    ("planner.pipeline", "place", "solve"),
    ("planner.pipeline", "baseline_costs", "baseline"),
    ("planner.pipeline", "plan_waves", "waves"),
    ("planner.pipeline", "evaluate_plan", "policy"),
    ("planner.report", "plan_to_dict", "plan.json"),  # the document plan.md reads too
    ("planner.report", "render_plan_json", "plan.json"),
    ("planner.report", "render_plan_md", "plan.md"),
    ("planner.emit", "render_stacks", "emit"),
)


def fleet_dir(root: Path, size: int, seed: int) -> Path:
    """The cached project folder of one fleet, written on first use."""
    out = root / f"fleet-v{FLEET_VERSION}-{size}-seed{seed}"
    if not (out / "inventory.yaml").exists():
        t0 = time.perf_counter()
        write_fleet(out, size, seed=seed)
        print(f"generated {out} in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    return out


def _wrap(times: dict[str, float], seen: dict[str, Any]) -> None:
    """Replace each function of ``WRAPPED`` with one that adds its wall time to ``times``
    (and keeps ``place``'s result in ``seen`` for the greedy figure)."""
    import importlib

    for module_name, attr, phase in WRAPPED:
        module = importlib.import_module(module_name)
        inner = getattr(module, attr)

        def timed(*a: Any, _f: Callable[..., Any] = inner, _p: str = phase, **k: Any) -> Any:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                result = _f(*a, **k)
            finally:
                times[_p] = times.get(_p, 0.0) + time.perf_counter() - t0
                times[f"{_p} cpu"] = times.get(f"{_p} cpu", 0.0) + time.process_time() - c0
            seen[_p] = result
            return result

        setattr(module, attr, timed)


def preview_all(out: Path) -> dict[str, Any]:
    """Preview every stack under ``out/stacks`` as ``hybridplan preview`` does (exit 0 is
    "ok"); per stack its seconds and, when it fails, the first problem."""
    from planner import app
    from planner.errors import PlannerError

    stacks = sorted(p.parent for p in (out / "stacks").glob("*/Pulumi.yaml"))
    seconds: dict[str, float] = {}
    failures: dict[str, str] = {}
    started = time.perf_counter()
    cpu: dict[str, float] = {}

    def cpu_now() -> float:  # this process (validation, rules) and its preview children
        kids = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + kids.ru_utime + kids.ru_stime

    for stack_dir in stacks:
        t0, c0 = time.perf_counter(), cpu_now()
        try:
            preview = app.preview_stack(stack_dir, stack=None, k8s_version=PREVIEW_K8S, today=TODAY)
            failure = preview.failure
            if failure is not None:
                failures[stack_dir.name] = (failure.problems or (str(failure),))[0][:160]
        except PlannerError as e:  # the child could not run, or timed out
            failures[stack_dir.name] = str(e).splitlines()[0][:160]
        seconds[stack_dir.name] = time.perf_counter() - t0
        cpu[stack_dir.name] = cpu_now() - c0
    slowest = max(seconds, key=lambda k: seconds[k]) if seconds else ""
    return {
        "total": len(stacks),
        "ok": len(stacks) - len(failures),
        "slowest": slowest,
        "slowest_s": seconds.get(slowest, 0.0),
        "slowest_cpu_s": cpu.get(slowest, 0.0),
        "seconds": seconds,
        "cpu_s": cpu,
        "failures": failures,
        "child_rss_mib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "wall_s": time.perf_counter() - started,
    }


def run_one(project: Path, *, preview: bool = False) -> dict[str, Any]:
    """Plan ``project`` as ``hybridplan plan`` does; phase times, RSS and solver figures
    (and, with ``preview``, every emitted stack previewed: ``preview_all``)."""
    from planner import app
    from planner.catalogue import load_default_catalogue
    from planner.errors import PlannerError

    times: dict[str, float] = {}
    seen: dict[str, Any] = {}
    _wrap(times, seen)
    marks: list[tuple[str, float, float]] = []  # (step, wall, process CPU)
    load0 = os.getloadavg()[0]
    t0 = time.perf_counter()
    inputs = app.load_inputs(
        project,
        progress=lambda s: marks.append((s, time.perf_counter(), time.process_time())),
    )
    t_loaded, c_loaded = time.perf_counter(), time.process_time()
    times["load"] = marks[1][1] - marks[0][1]
    times["load cpu"] = marks[1][2] - marks[0][2]
    times["telemetry"] = t_loaded - marks[1][1]
    times["telemetry cpu"] = c_loaded - marks[1][2]
    report: dict[str, Any] = {"workloads": len(inputs.project.workloads)}
    try:
        outcome = app.render_plan_files(
            inputs, catalogue=load_default_catalogue(), today=TODAY, out=Path("out")
        )
        with tempfile.TemporaryDirectory(prefix="hp-scale-") as tmp:
            t_w, c_w = time.perf_counter(), time.process_time()
            app.write_outputs(Path(tmp), outcome.files)
            times["write"] = time.perf_counter() - t_w
            times["write cpu"] = time.process_time() - c_w
            if preview:
                report["preview"] = preview_all(Path(tmp))
        solver = outcome.plan.solver
        report["status"] = solver.status
        report["gap"] = solver.gap
        report["objective_usd"] = solver.objective_usd
        report["note"] = solver.note
        greedy = getattr(seen.get("solve"), "greedy_objective_usd", None)
        report["greedy_usd"] = greedy
        report["stacks"] = sum(1 for p in outcome.files if p.endswith("/Pulumi.yaml"))
    except PlannerError as e:
        report["status"] = f"error: {str(e).splitlines()[0][:120]}"
    report["total_s"] = time.perf_counter() - t0 - report.get("preview", {}).get("wall_s", 0.0)
    report["cpu_s"] = time.process_time()
    report["phases"] = times
    report["rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    report["load_before"] = load0
    report["load_after"] = os.getloadavg()[0]
    return report


def _fmt_row(name: str, values: list[str]) -> str:
    return f"{name:<14}" + "".join(f"{v:>20}" for v in values)


def print_table(sizes: list[int], reports: list[dict[str, Any]]) -> None:
    """Phases side by side, each with its ratio to the first size."""
    base = reports[0]

    def cell(value: float, ref: float, unit: str) -> str:
        ratio = f" ({value / ref:.0f}x)" if ref > 0 and value != ref else ""
        return f"{value:.2f}{unit}{ratio}"

    print(_fmt_row("workloads", [f"{s:,}" for s in sizes]))
    for phase in PHASES:
        vals = [r["phases"].get(phase, 0.0) for r in reports]
        print(_fmt_row(phase, [cell(v, base["phases"].get(phase, 0.0), " s") for v in vals]))
    print(_fmt_row("total", [cell(r["total_s"], base["total_s"], " s") for r in reports]))
    print("CPU time (user + sys, all threads; steadier than wall time on a shared machine):")
    for phase in PHASES:
        vals = [r["phases"].get(f"{phase} cpu", 0.0) for r in reports]
        ref = base["phases"].get(f"{phase} cpu", 0.0)
        print(_fmt_row(f"{phase} cpu", [cell(v, ref, " s") for v in vals]))
    print(_fmt_row("process cpu", [cell(r["cpu_s"], base["cpu_s"], " s") for r in reports]))
    print(_fmt_row("peak RSS", [f"{r['rss_mib']:.0f} MiB" for r in reports]))
    print(_fmt_row("status", [str(r["status"])[:19] for r in reports]))
    gaps = [f"{r['gap'] * 100:.2f} %" if r.get("gap") is not None else "-" for r in reports]
    print(_fmt_row("gap to LP", gaps))
    cheaper = []
    for r in reports:
        g, o = r.get("greedy_usd"), r.get("objective_usd")
        cheaper.append(f"{(g - o) / g * 100:.1f} %" if g and o is not None else "no greedy")
    print(_fmt_row("vs greedy", cheaper))
    print(_fmt_row("stacks", [str(r.get("stacks", "-")) for r in reports]))
    loads = [f"{r['load_before']:.1f} -> {r['load_after']:.1f}" for r in reports]
    print(_fmt_row("load avg 1m", loads))
    if any("preview" in r for r in reports):
        pv = [r.get("preview") for r in reports]
        print(_fmt_row("preview ok", [f"{p['ok']} / {p['total']}" if p else "-" for p in pv]))
        slow = [f"{p['slowest_s']:.0f} s, {p['slowest_cpu_s']:.0f} cpu" if p else "-" for p in pv]
        print(_fmt_row("slowest prev.", slow))
        print(_fmt_row("  (stack)", [p["slowest"][:19] if p else "-" for p in pv]))
        print(_fmt_row("preview RSS", [f"{p['child_rss_mib']:.0f} MiB" if p else "-" for p in pv]))
    for s, r in zip(sizes, reports, strict=True):
        if r.get("note"):
            print(f"{s:>7,}: {r['note']}")
        for stack, why in (r.get("preview") or {}).get("failures", {}).items():
            print(f"{s:>7,}: preview {stack}: {why}")


def main() -> int:
    """Run the sizes (or profile one) and print the comparison."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--with-100k", action="store_true", help="add the 100k fleet")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument(
        "--fleets", type=Path, default=Path(tempfile.gettempdir()) / "hybridplan-fleets"
    )
    ap.add_argument("--profile", type=int, default=0, help="cProfile one size instead")
    ap.add_argument(
        "--preview", action="store_true", help="preview every emitted stack of each size"
    )
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child, preview=args.preview)))
        return 0
    if args.profile:
        project = fleet_dir(args.fleets, args.profile, args.seed)
        prof = cProfile.Profile()
        report = prof.runcall(run_one, project)
        print(json.dumps({k: v for k, v in report.items() if k != "phases"}))
        print(json.dumps({k: round(v, 2) for k, v in report["phases"].items()}))
        pstats.Stats(prof).sort_stats("tottime").print_stats(30)
        return 0
    sizes = [int(s) for s in args.sizes.split(",")] + ([100_000] if args.with_100k else [])
    reports = []
    for size in sizes:
        project = fleet_dir(args.fleets, size, args.seed)
        child = subprocess.run(
            [sys.executable, __file__, "--child", str(project)]
            + (["--preview"] if args.preview else []),
            check=True,
            capture_output=True,
            text=True,
        )
        reports.append(json.loads(child.stdout.strip().splitlines()[-1]))
        print(f"{size:,}: {reports[-1]['total_s']:.1f} s", file=sys.stderr)
    print_table(sizes, reports)
    return 0


if __name__ == "__main__":
    sys.exit(main())
