"""Benchmark: read telemetry from a real Prometheus server (the distribution's
``prometheus`` package), as ``classify --prometheus`` does.

    .venv/bin/python bench/prometheus_read.py [--workloads 500] [--days 7] [--scrape-s 60]
                                              [--per-query 50]

Writes ``--workloads`` synthetic series of ``cpu`` sampled every ``--scrape-s`` seconds for
``--days`` days, backfills them with promtool (tests/promserver.py) and starts a server on
a loopback port, then reads them with the default queries at a 5-minute step (cpu =
avg_over_time, cpu_max = max_over_time: the server reduces the raw samples) through
``planner.ingest.prometheus.read_prometheus``. Prints the backfill time and, for the read,
wall time, this process's CPU seconds, the server's CPU seconds (from /proc), points
received per second and the peak RSS of this process (which includes the generated
samples, held as text until the backfill). No target: the figure to watch is the
client's CPU per point; the rest is the server's.
"""

from __future__ import annotations

import argparse
import math
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from promserver import PromSeries, start_server  # noqa: E402 - after the path setup

from planner.ingest.prometheus import client_for, read_prometheus  # noqa: E402
from planner.promql import PrometheusSpec, default_queries  # noqa: E402

START_S = 1_483_228_800  # 2017-01-01T00:00:00Z


def _series(workloads: int, days: int, scrape_s: int) -> list[PromSeries]:
    n = days * 86400 // scrape_s
    times = [START_S + scrape_s * i for i in range(n)]
    out = []
    for w in range(workloads):
        phase = w / workloads
        values = [
            f"{1 + 0.5 * math.sin(2 * math.pi * (t / 86400 + phase)) + 0.01 * ((i + w) % 11):.3f}"
            for i, t in enumerate(times)
        ]
        out.append(PromSeries("cpu", (("workload", f"w{w:05d}"),), times, values))
    return out


def _server_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workloads", type=int, default=500)
    parser.add_argument("--days", type=int, default=7)
    parser.add_argument("--scrape-s", type=int, default=60)
    parser.add_argument("--per-query", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        series = _series(args.workloads, args.days, args.scrape_s)
        server = start_server(series, Path(tmp))
        raw_points = sum(len(s.values) for s in series)
        del series
        print(
            f"backfill + start: {time.perf_counter() - t0:.1f} s wall for {raw_points:,} raw "
            f"samples ({args.workloads} workloads x {args.days} d every {args.scrape_s} s)"
        )
        try:
            spec = PrometheusSpec(
                url=server.url,
                queries=tuple(q for q in default_queries() if q.metric in ("cpu", "cpu_max")),
                range_s=args.days * 86400.0,
                end_s=START_S + args.days * 86400.0,
                workloads_per_query=args.per_query,
            )
            names = [f"w{w:05d}" for w in range(args.workloads)]
            client = client_for(spec, {})
            server_cpu0 = _server_cpu_s(server.process.pid)
            wall0, cpu0 = time.perf_counter(), time.process_time()
            telemetry = read_prometheus(spec, names, query_range=client.query_range, now_s=0.0)
            wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
            server_cpu = _server_cpu_s(server.process.pid) - server_cpu0
        finally:
            server.stop()
    points = sum(len(s) for s in telemetry.series)
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"read: {len(telemetry.series)} series, {points:,} points in {client.requests} range "
        f"queries: {wall:.2f} s wall, client {cpu:.2f} s CPU, server {server_cpu:.2f} s CPU, "
        f"{points / wall:,.0f} points/s, peak RSS {rss_mib:.0f} MiB"
    )


if __name__ == "__main__":
    main()
