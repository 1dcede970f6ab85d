"""Benchmark: ingest and classify 10,000 workloads x 30 days of CPU, hourly (7.2 M points)
or every 5 minutes (``--minutes 5``: 86.4 M points, a 3.3 GB long-form CSV).

    .venv/bin/python bench/classify.py [--workloads 10000] [--days 30] [--minutes 60|5]
                                       [--form long|wide] [--seed 7] [--keep DIR]
                                       [--tracemalloc]

A seeded mix of steady, diurnal, bursty, batch and idle series is written to a temporary
CSV (long form ``timestamp,workload,metric,value`` by default), then read with
``planner.ingest.load_telemetry`` and classified with ``planner.classify.classify_project``.
Prints wall time per phase, points per second and peak memory: the process's peak
resident set (``resource.getrusage``, includes the interpreter and numpy, about 60 MB) and,
with ``--tracemalloc``, peak traced allocations of the ingest + classify phases (slower).
Wall and CPU seconds (user + system of this process; the fairer figure on a shared
machine) are printed per phase. ``--keep DIR`` keeps the generated CSV there and reuses it
on the next run (generating 86 M points takes minutes). Targets: hourly 10 s; 5-minute
30 s and 1.5 GiB of peak RSS (issue 15), on 2 cores.
"""

from __future__ import annotations

import argparse
import collections
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from planner.classify import classify_project
from planner.ingest import load_telemetry
from planner.ingest.csv_fast import scan_threads
from planner.model import Project, Resources, Workload, WorkloadKind

START_S = 1_788_220_800  # 2026-09-01T00:00:00Z
SHAPES = ("steady", "diurnal", "bursty", "batch", "idle")
TARGETS = {60: (10.0, 1.5 * 2**30), 5: (30.0, 1.5 * 2**30)}
"""Point interval in minutes -> (seconds for ingest + classify, bytes of peak RSS) at the
default size (issue 15: 86 M points in <= 30 s and <= 1.5 GiB on 2 cores)."""


def generate(n: int, hours: int, seed: int, *, per_hour: int = 1) -> np.ndarray:
    """(n, hours * per_hour) CPU cores per replica, ``per_hour`` points an hour; workload i
    has shape SHAPES[i % 5]."""
    return np.concatenate(list(generate_blocks(n, hours, seed, per_hour=per_hour)), axis=1)


def generate_blocks(
    n: int, hours: int, seed: int, *, per_hour: int = 1, block_hours: int = 0
) -> Iterator[np.ndarray]:
    """``generate`` in time blocks of ``block_hours`` (0: one block), so 86 M points are
    written without holding them all: (n, block points) per block, each block seeded."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(0.5, 4.0, size=(n, 1))
    shape = np.arange(n)[:, None] % len(SHAPES)
    phase = rng.uniform(0, 24, size=(n, 1))
    step = block_hours or hours
    for b, first in enumerate(range(0, hours, step)):
        block_rng = rng if b == 0 else np.random.default_rng((seed, b))
        points = min(step, hours - first) * per_hour
        t = first + np.arange(points)[None, :] / per_hour
        noise = block_rng.standard_normal((n, points))
        steady = level * (1 + 0.05 * noise)
        diurnal = level * (1 + 0.5 * np.sin(2 * np.pi * (t + phase) / 24) + 0.05 * noise)
        spikes = block_rng.random((n, points)) < 0.03
        bursty = level * (
            0.3 + 0.05 * np.abs(noise) + spikes * block_rng.uniform(3, 8, size=(n, points))
        )
        on = ((np.floor(t) + phase.astype(int)) % 24) < 3
        batch = np.where(on, level * (1 + 0.05 * noise), 0.01 * level)
        idle = 0.005 * level * (1 + 0.1 * np.abs(noise))
        out = np.select(
            [shape == 0, shape == 1, shape == 2, shape == 3],
            [steady, diurnal, bursty, batch],
            idle,
        )
        yield np.round(np.maximum(out, 0.0), 3)


def write_csv(path: Path, n: int, hours: int, seed: int, *, form: str, per_hour: int) -> int:
    """Write the generated telemetry as one CSV (time-major), a day of points at a time."""
    names = [f"w{i:05d}" for i in range(n)]
    step_s = 3600 // per_hour
    with path.open("w", encoding="utf-8") as f:
        if form == "wide":
            f.write("timestamp," + ",".join(names) + "\n")
        else:
            f.write("timestamp,workload,metric,value\n")
        row = 0
        for values in generate_blocks(n, hours, seed, per_hour=per_hour, block_hours=24):
            for h in range(values.shape[1]):
                stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(START_S + row * step_s))
                row += 1
                col = map(str, values[:, h].tolist())
                if form == "wide":
                    f.write(stamp + "," + ",".join(col) + "\n")
                else:
                    f.write(
                        "".join(f"{stamp},{w},cpu,{v}\n" for w, v in zip(names, col, strict=True))
                    )
    return path.stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--workloads", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--minutes", type=int, default=60, choices=(1, 5, 10, 15, 30, 60))
    ap.add_argument("--form", choices=("long", "wide"), default="long")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--tracemalloc", action="store_true")
    ap.add_argument(
        "--keep", type=Path, help="write the CSV in this folder and keep it (reused if there)"
    )
    ap.add_argument("--write", metavar="PATH", help=argparse.SUPPRESS)
    args = ap.parse_args()
    hours = args.days * 24
    per_hour = 60 // args.minutes
    points = args.workloads * hours * per_hour
    if args.write:  # child process: keeps generation out of the parent's peak memory
        write_csv(
            Path(args.write), args.workloads, hours, args.seed, form=args.form, per_hour=per_hour
        )
        return

    with tempfile.TemporaryDirectory(prefix="hp-bench-") as tmp:
        root = args.keep or Path(tmp)
        root.mkdir(parents=True, exist_ok=True)
        name = f"cpu-{args.form}-{args.workloads}w-{args.days}d-{args.minutes}m-s{args.seed}.csv"
        t0 = time.perf_counter()
        if not (root / name).exists():
            subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--write",
                    str(root / name),
                    "--form",
                    args.form,
                    "--workloads",
                    str(args.workloads),
                    "--days",
                    str(args.days),
                    "--minutes",
                    str(args.minutes),
                    "--seed",
                    str(args.seed),
                ],
                check=True,
            )
        size = (root / name).stat().st_size
        t_gen = time.perf_counter() - t0
        workloads = tuple(
            Workload(
                name=f"w{i:05d}",
                team="bench",
                kind=WorkloadKind.SERVICE,
                tier=2,
                replicas=2,
                resources=Resources(cpu=8.0, memory_gib=16.0),
            )
            for i in range(args.workloads)
        )
        project = Project(root=str(root), workloads=workloads, sites=(), telemetry_files=(name,))
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        if args.tracemalloc:
            tracemalloc.start()
        t1, c1 = time.perf_counter(), time.process_time()
        telemetry = load_telemetry(project)
        t2, c2 = time.perf_counter(), time.process_time()
        result = classify_project(project, telemetry, threads=scan_threads())
        t3, c3 = time.perf_counter(), time.process_time()
        traced = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    counts = collections.Counter(c.cls.value for c in result)
    agree = sum(c.cls.value == SHAPES[int(c.workload[1:]) % len(SHAPES)] for c in result)
    target = TARGETS.get(args.minutes)
    print(
        f"workloads           {args.workloads:,} x {args.days} days every {args.minutes} min"
        f" = {points:,} points ({args.form} CSV, {size / 2**20:.0f} MiB)"
    )
    print(f"generate + write    {t_gen:6.2f} s   (not part of the target)")
    print(
        f"ingest              {t2 - t1:6.2f} s wall {c2 - c1:6.2f} s CPU "
        f"{points / (t2 - t1):>12,.0f} points/s"
    )
    print(
        f"features + classify {t3 - t2:6.2f} s wall {c3 - c2:6.2f} s CPU "
        f"{points / (t3 - t2):>12,.0f} points/s"
    )
    print(
        f"total               {t3 - t1:6.2f} s wall {c3 - c1:6.2f} s CPU "
        f"{points / (t3 - t1):>12,.0f} points/s"
        + (f" (target <= {target[0]:g} s)" if target else "")
    )
    print(
        f"peak RSS            {rss / 1024:6.0f} MiB "
        f"(before ingest: {rss_before / 1024:.0f} MiB; generation runs in a child process)"
        + (f" (target <= {target[1] / 2**30:g} GiB)" if target else "")
    )
    if traced is not None:
        print(f"peak traced         {traced / 2**20:6.0f} MiB (tracemalloc, ingest + classify)")
    print("classes             " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(
        f"agreement           {agree / len(result):.1%} with the generated shape "
        "(the misses are low-level batch and bursty series, idle against an 8-core request)"
    )


if __name__ == "__main__":
    main()
