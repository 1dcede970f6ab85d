"""Benchmark: 10 M FOCUS bill rows mapped to 10,000 workloads (``hybridplan baseline``).

    .venv/bin/python bench/baseline.py [--rows 10000000] [--workloads 10000] [--months 3]
                                       [--format parquet|csv.gz] [--tags map|json]
                                       [--explicit-rules] [--threads 2] [--keep DIR]
                                       [--chunk-rows 1000000]

A seeded bill (``tests/focus_bill.py``: daily rows, whole-cent amounts, 5 % unmapped, 10 %
under a savings plan) is written in 1 M-row files, then read, mapped and averaged by
``planner.billing`` in a fresh process (so its peak RSS is the baseline's alone, interpreter
and DuckDB included). Rules: ``workload_tag: app`` (or, with ``--explicit-rules``, one
``tags: {app: wNNNNN}`` rule per workload: 10,000 rules) after a shared rule for support.
Prints generation time, the baseline's wall time and peak RSS, the load average (the
machine is shared) and checks the result against the generator's exact sums.
Target: <= 20 s and <= 1 GiB RSS on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def measure(folder: Path, workloads: int, explicit: bool, threads: int) -> dict[str, object]:
    """Run in the child: read, map and average the bill in ``folder``."""
    from fractions import Fraction

    from focus_bill import workload_name

    from planner.billing import (
        BillingSpec,
        MappingRule,
        Match,
        SharedSplit,
        SplitBasis,
        compute_baseline,
    )
    from planner.billing.duck import EngineSettings
    from planner.billing.scan import read_bill
    from planner.billing.spec import ExportFile

    names = [workload_name(k) for k in range(workloads)]
    rules: list[MappingRule] = [
        MappingRule(
            0, Match(service="AWS Support (Business)"), shared=SharedSplit(SplitBasis.MAPPED_SPEND)
        )
    ]
    if explicit:
        rules += [
            MappingRule(i + 1, Match(tags=(("app", n),)), workload=n) for i, n in enumerate(names)
        ]
    else:
        rules.append(MappingRule(1, Match(), workload_tag="app"))
    spec = BillingSpec(exports=("*",), rules=tuple(rules), months=3)
    files = [ExportFile(p.name, p) for p in sorted(folder.iterdir())]
    t0 = time.perf_counter()
    bill = read_bill(files, spec, names, currency="USD", settings=EngineSettings(threads=threads))
    t1 = time.perf_counter()
    base = compute_baseline(
        bill, spec, workloads=names, cores={n: Fraction(1) for n in names}, currency="USD"
    )
    t2 = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak_kib = usage.ru_maxrss
    return {
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "read_map_s": t1 - t0,
        "average_s": t2 - t1,
        "facts": len(bill.mapped) + len(bill.categories) + len(bill.unmapped),
        "workloads": len(base.workloads),
        "mapped_cents": {w.workload: w.effective.cents * 3 for w in base.workloads},
        "unmapped": base.coverage.unmapped.format(unit=False),
        "peak_rss_mib": peak_kib / 1024,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--workloads", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=3)
    ap.add_argument("--format", default="parquet", choices=["parquet", "csv.gz"])
    ap.add_argument(
        "--tags",
        choices=["map", "json"],
        help="how Tags are written: map (Parquet's default) or json (CSV's only form)",
    )
    ap.add_argument("--explicit-rules", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument(
        "--chunk-rows", type=int, default=1_000_000, help="rows per file (10000000: one big file)"
    )
    ap.add_argument("--keep", type=Path, help="write the bill here and keep it")
    ap.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.tags is None:
        args.tags = "json" if args.format == "csv.gz" else "map"
    if args.format == "csv.gz" and args.tags == "map":
        # DuckDB writes a MAP column to CSV as '{k=v}' text, which no FOCUS export does.
        ap.error("a CSV export carries Tags as JSON text: use --tags json with csv.gz")
    if args.child is not None:
        print(json.dumps(measure(args.child, args.workloads, args.explicit_rules, args.threads)))
        return

    from focus_bill import generate

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "bill"
        t0 = time.perf_counter()
        written = generate(
            folder,
            rows=args.rows,
            workloads=args.workloads,
            months=args.months,
            fmt=args.format,
            tags=args.tags,
            chunk_rows=args.chunk_rows,
        )
        gen_s = time.perf_counter() - t0
        size_mb = sum(f.stat().st_size for f in written.files) / 1e6
        load_before = os.getloadavg()
        child = [
            sys.executable,
            __file__,
            "--child",
            str(folder),
            "--workloads",
            str(args.workloads),
            "--threads",
            str(args.threads),
        ]
        if args.explicit_rules:
            child.append("--explicit-rules")
        t1 = time.perf_counter()
        out = subprocess.run(child, check=False, capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"the measured run failed:\n{out.stderr}")
        wall = time.perf_counter() - t1
        result = json.loads(out.stdout)
    # averages are rounded to the cent; x3 months recovers the whole-cent sums exactly
    # only when they divide by 3, so compare within one cent per month
    mismatched = [
        w for w, c in written.mapped_cents.items() if abs(result["mapped_cents"].get(w, 0) - c) > 3
    ]
    print(
        f"bill: {args.rows:,} rows, {args.workloads:,} workloads, {len(written.files)} "
        f"{args.format} files ({size_mb:,.0f} MB), tags {args.tags}; generated in {gen_s:.1f} s"
    )
    print(f"rules: {'one per workload (explicit)' if args.explicit_rules else 'workload_tag: app'}")
    print(
        f"baseline (fresh process, {args.threads} threads): {wall:.2f} s wall "
        f"(read+map {result['read_map_s']:.2f} s, average {result['average_s']:.2f} s), "
        f"peak RSS {result['peak_rss_mib']:.0f} MiB; {result['facts']:,} sums read by Python"
    )
    print(
        f"CPU time (user + system, whole process): {result['cpu_s']:.1f} s, i.e. about "
        f"{result['cpu_s'] / args.threads:.1f} s wall on {args.threads} idle cores"
    )
    print(
        f"load average before/after: {load_before[0]:.2f} / {os.getloadavg()[0]:.2f} "
        f"on {os.cpu_count()} cores"
    )
    print(
        f"check: {result['workloads']:,} workloads with a bill, {len(mismatched)} off by more "
        f"than a cent a month; unmapped {result['unmapped']} USD/month"
    )
    ok = wall <= 20 and result["peak_rss_mib"] <= 1024 and not mismatched
    print("target (<= 20 s, <= 1 GiB, exact):", "met" if ok else "NOT met")


if __name__ == "__main__":
    main()
