"""Benchmark: `hybridplan validate` on generated planning projects of 10,000 and 100,000
workloads, through the CLI as a user runs it.

    .venv/bin/python bench/validate.py [--workloads 10000 100000] [--seed 11] [--keep DIR]

Each project is written in the real input format: ``sites.yaml`` and ``project.yaml`` of
``tests/data/mini`` (two owned sites, two cloud regions), a ``policies.yaml`` with rule
overrides and a waiver, and a generated ``inventory.yaml`` mixing services, databases,
batch, inference and training workloads across 200 teams, with block and flow mappings,
dependencies, data residency, ports, current sites and profiles (about 330 bytes a workload:
100,000 workloads are ~33 MB). ``hybridplan validate DIR`` then runs in a child process;
the figures are its wall time, its CPU time (user + system: the fairer number on a shared
machine) and its peak resident set (``ru_maxrss`` of the child). It must print ``ok``.
The source trees run are byte-compiled first, as an installed package is.

Targets (issue 16): 10,000 workloads in <= 1.5 s, 100,000 in <= 10 s and <= 2 GiB. CPU
time is the fair figure on a shared machine, but a loaded machine also runs each CPU
second slower (contended caches and hyper-threads). So a fixed pure-Python loop (10
million additions: about 0.35 s CPU on an idle 2024 x86 core) is timed just before and
after each run; ``speed`` is how many times slower than that it ran, and ``idle s`` the
CPU time divided by it (never by less than 1). That estimate is optimistic for a loaded
machine (the loop fits in a core's cache; parsing 30 MB does not, and suffers more from
neighbours), so the verdict compares the raw CPU time.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MINI = ROOT / "tests" / "data" / "mini"
HYBRIDPLAN = Path(sys.executable).with_name("hybridplan")
TARGETS = {10_000: (1.5, None), 100_000: (10.0, 2 * 1024**3)}
"""Workload count -> (seconds, bytes of peak RSS or None)."""

POLICIES = """\
apiVersion: hybridplan/v1
kind: Policies
rules:
  HP-COST-001:
    level: mandatory
    params: {budgets_usd_per_month: {team-000: 20000, team-001: 40000}}
  HP-SLA-001:
    level: mandatory
waivers:
  - rule: HP-SLA-002
    scope: {workload: tra-000006}
    reason: "Research job; a single failure domain is acceptable (RISK-114)."
    expires: 2027-03-31
"""

KINDS = ("service", "service", "service", "database", "batch", "inference", "training")
SITES = ("colo-eu", "gpu-pool-us", "aws-eu-west-1", "aws-us-east-1")


def _workload(i: int, rng: random.Random) -> str:
    kind = KINDS[i % len(KINDS)]
    name = f"{kind[:3]}-{i:06d}"
    team = f"team-{rng.randrange(200):03d}"
    tier = 1 + i % 3
    lines = [
        f"  - name: {name}",
        f"    team: {team}",
        f"    kind: {kind}",
        f"    tier: {tier}",
        f"    replicas: {1 + tier % 3 + (2 if kind == 'database' else 0)}",
    ]
    if kind in ("training", "inference"):
        lines.append(
            f"    resources: {{cpu: 16, memory_gib: 128, gpus: {1 + i % 8}, gpu_type: h100}}"
        )
    else:
        cpu = rng.choice((0.5, 1, 2, 4, 8))
        lines.append(f"    resources: {{cpu: {cpu}, memory_gib: {cpu * 4}, storage_gib: 20}}")
    lines.append(f"    image: registry.example.com/{team}/{name}:1.{i % 40}.0")
    if kind in ("service", "inference", "database"):
        lines.append(f"    ports: [{5432 if kind == 'database' else 8080}]")
    residency = ("eu", "us", "any")[i % 3]
    lines.append(
        f"    data: {{residency: {residency}, egress_gib_per_month: {rng.randrange(500)},"
        f" dataset_gib: {rng.randrange(100)}}}"
    )
    if kind == "training":
        lines.append("    training: {gpu_hours_per_month: 400, deadline_days: 30}")
    elif i >= 10 and kind == "service":
        dep = i - 1 - (i % 7)
        lines += [
            "    depends_on:",
            f"      - {KINDS[dep % len(KINDS)][:3]}-{dep:06d}",
        ]
    if i % 5 == 0:
        site = SITES[2] if residency != "us" else SITES[3]
        lines.append(f"    current_site: {site}")
    if kind == "service" and i % 4 == 0:
        lines.append("    profile: steady")
    return "\n".join(lines) + "\n"


def write_project(folder: Path, workloads: int, seed: int) -> int:
    """A planning project of ``workloads`` workloads in ``folder``; returns its bytes."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("sites.yaml", "project.yaml"):
        shutil.copy(MINI / name, folder / name)
    (folder / "policies.yaml").write_text(POLICIES, encoding="utf-8")
    rng = random.Random(seed)
    with (folder / "inventory.yaml").open("w", encoding="utf-8") as f:
        f.write("apiVersion: hybridplan/v1\nkind: Inventory\nworkloads:\n")
        for i in range(workloads):
            f.write(_workload(i, rng))
    return sum(p.stat().st_size for p in folder.iterdir())


def compile_sources(source: Path) -> None:
    """Byte-compile the ``planner`` and ``policies`` packages of ``source`` into their
    ``__pycache__`` folders, as installing a wheel does. An editable install compiles on
    first import instead, and not at all under ``PYTHONDONTWRITEBYTECODE`` (set on some
    machines): every run would then compile ~130 modules, 0.15-0.3 s of CPU that no
    installed copy spends."""
    for package in ("planner", "policies"):
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(source / package)],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def run_validate(folder: Path, source: Path | None = None) -> tuple[float, float, int, str]:
    """(wall s, CPU s, peak RSS bytes, first output line) of `hybridplan validate`; with
    ``source``, the ``planner`` package of that source tree is run instead of this one."""
    env = dict(os.environ)
    if source is not None:
        env["PYTHONPATH"] = str(source)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [str(HYBRIDPLAN), "validate", str(folder)],
        capture_output=True,
        text=True,
        check=False,
        env=env,
        cwd=source or ROOT,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    text = (done.stdout or done.stderr).strip().splitlines()
    if done.returncode != 0:
        raise SystemExit(f"validate exited {done.returncode}:\n{done.stderr[-2000:]}")
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: run the largest project
    # last (the default order) for a true figure.
    return wall, cpu, after.ru_maxrss * 1024, text[0] if text else ""


REFERENCE_LOOP_S = 0.35
"""CPU seconds of ``speed_check`` on an idle 2024 x86 core (Python 3.11)."""


def speed_check() -> float:
    """CPU seconds of 10 million Python additions (this machine's speed right now)."""
    start = time.process_time()
    total = 0
    for i in range(10_000_000):
        total += i
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workloads", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", type=Path, help="write the projects here and keep them")
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="SRC",
        help="also run the planner of this source tree (e.g. `git archive main | tar -x -C "
        "SRC`) on each project, alternating with this one, and print CPU time against it",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each (best CPU kept)")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="hybridplan-bench-validate-"))
    for source in (ROOT, args.baseline):
        if source is not None:
            compile_sources(source)
    try:
        print(
            f"{'workloads':>10} {'MB':>6} {'wall s':>7} {'cpu s':>6} {'speed':>6} "
            f"{'idle s':>7} {'peak MiB':>9}  target (on CPU s)"
        )
        for n in args.workloads:
            folder = base / f"w{n}"
            size = write_project(folder, n, args.seed)
            before = speed_check()
            runs, base_cpu = [], None
            for _ in range(args.repeat):
                if args.baseline is not None:
                    reference = run_validate(folder, args.baseline)
                    base_cpu = reference[1] if base_cpu is None else min(base_cpu, reference[1])
                runs.append(run_validate(folder))
            wall, cpu, rss, line = min(runs, key=lambda r: r[1])
            slowdown = (before + speed_check()) / 2 / REFERENCE_LOOP_S
            idle = cpu / max(slowdown, 1.0)
            seconds, memory = TARGETS.get(n, (None, None))
            verdict = []
            if seconds is not None:
                verdict.append(f"<= {seconds:g} s: {'met' if cpu <= seconds else 'MISSED'}")
            if memory is not None:
                verdict.append(
                    f"<= {memory / 1024**3:g} GiB: {'met' if rss <= memory else 'MISSED'}"
                )
            print(
                f"{n:>10,} {size / 1e6:>6.1f} {wall:>7.2f} {cpu:>6.2f} {slowdown:>5.1f}x "
                f"{idle:>7.2f} {rss / 2**20:>9.0f}  " + "; ".join(verdict)
            )
            if base_cpu is not None:
                print(
                    f"{'':>10} baseline {args.baseline}: {base_cpu:.2f} s CPU; this tree "
                    f"takes {cpu / base_cpu:.2f}x its CPU time (same machine, same moment)"
                )
            if not line.startswith("ok:"):
                raise SystemExit(f"validate did not say ok: {line}")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
