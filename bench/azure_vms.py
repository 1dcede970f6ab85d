"""Evaluation: the classifier on the 77 Azure 2017 VMs of tests/data/traces against our
reading (tests/data/traces/azure_vm_labels.csv).

    .venv/bin/python bench/azure_vms.py [--root PATH]

``--root`` runs another checkout's planner (e.g. main, for before/after figures) on this
checkout's data. Prints: agreement with the reading (strict: its class; lenient: a class it
allows), periods found at the measured period, VMs whose class differs between the two
halves of the month, VMs whose class changes when the window starts 15 minutes later, the
median ratio of the CPU request sized from hourly means to the one sized from the 5-minute
means, and how many VMs' 2x CPU limit is below the p95 of their 5-minute maxima.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import statistics
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parents[1]
TRACES = HERE / "tests" / "data" / "traces"
T0 = 1483228800.0  # 2017-01-01T00:00:00Z, the cut's anchor


def load() -> tuple[np.ndarray, dict[str, np.ndarray]]:
    with gzip.open(TRACES / "azure_vm_cpu_5min.csv.gz", "rt") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    ts = np.array([np.datetime64(r[0].rstrip("Z"), "s").astype(np.int64) for r in rows], float)
    cols = {
        h.split("/")[0]: np.array([float(r[i]) for r in rows]) for i, h in enumerate(header) if i
    }
    return ts, cols


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", type=Path, default=HERE)
    args = ap.parse_args()
    sys.path.insert(0, str(args.root))
    from planner.classify import MetricSeries, TelemetrySet, classify_project
    from planner.model import Project, Resources, Workload, WorkloadKind

    with (TRACES / "azure_vm_labels.csv").open(encoding="utf-8") as f:
        labels = {row["vm"]: row for row in csv.DictReader(f)}
    ts, cols = load()
    vm_size = Resources(cpu=4, memory_gib=16)

    def classify(mask: np.ndarray, hourly: bool = False) -> dict[str, object]:
        series = []
        for vm in labels:
            t, v = ts[mask], cols[vm][mask]
            if hourly:
                h = np.floor((t - t[0]) / 3600).astype(int)
                t = t[0] + np.unique(h) * 3600.0
                v = np.bincount(h, weights=v) / np.bincount(h)
            series.append(MetricSeries.of(vm, "cpu", t, v, unit="percent"))
        workloads = tuple(
            Workload(
                name=vm, team="t", kind=WorkloadKind.SERVICE, tier=3, replicas=1, resources=vm_size
            )
            for vm in labels
        )
        project = Project(root=".", workloads=workloads, sites=())
        return {c.workload: c for c in classify_project(project, TelemetrySet(tuple(series)))}

    whole = classify(np.ones(ts.size, bool))
    mid = (ts[0] + ts[-1]) / 2
    first, second = classify(ts < mid), classify(ts >= mid)
    shifted = classify(ts >= ts[0] + 900)
    hourly = classify(np.ones(ts.size, bool), hourly=True)

    strict = sum(whole[vm].cls.value == row["label"] for vm, row in labels.items())
    lenient = sum(
        whole[vm].cls.value in {row["label"], *row["also_ok"].split()} for vm, row in labels.items()
    )
    periodic = {vm: row for vm, row in labels.items() if row["period_hours"]}
    period_ok = 0
    for vm, row in periodic.items():
        found = whole[vm].features["cpu"].get("period_s", float("nan")) / 3600
        ratio = found / float(row["period_hours"])
        period_ok += not np.isnan(ratio) and bool(
            round(ratio) in range(1, 6) and abs(ratio - round(ratio)) <= 0.06 * round(ratio)
        )
    halves = sum(first[vm].cls is not second[vm].cls for vm in labels)
    shift = sum(shifted[vm].cls is not whole[vm].cls for vm in labels)
    ratios = [
        hourly[vm].rightsized.cpu / whole[vm].rightsized.cpu
        for vm in labels
        if whole[vm].rightsized is not None and hourly[vm].rightsized is not None
    ]
    above = sum(
        float(row["max_cpu_p95"]) / 100 * 4 > 2 * whole[vm].rightsized.cpu
        for vm, row in labels.items()
        if whole[vm].rightsized is not None
    )
    n = len(labels)
    print(f"planner             {args.root}")
    print(f"agreement           {strict}/{n} strict, {lenient}/{n} lenient")
    print(f"periods             {period_ok}/{len(periodic)} at the measured period (or 1-5x)")
    print(f"halves differ       {halves}/{n} VMs change class between the halves of the month")
    print(f"15-minute shift     {shift}/{n} VMs change class when the window starts 15 min later")
    print(f"hourly / 5-minute   median CPU request ratio {statistics.median(ratios):.2f}")
    print(
        f"limit < max p95     {above}/{n} VMs' 2x limit is below the p95 of their 5-minute maxima"
    )


if __name__ == "__main__":
    main()
