"""The stability check reads the halves of only the series a verdict reads
(``verdict_metrics``): the classifications are those with every series halved."""

from __future__ import annotations

import numpy as np

from planner.classify import MetricSeries, TelemetrySet, classify_project
from planner.classify.calibration import thresholds
from planner.classify.features import features
from planner.classify.project import classify_workload
from planner.classify.rules import verdict_metrics
from planner.classify.stability import halves
from planner.model import Project, Resources, Workload, WorkloadKind

T0 = 1790812800.0  # 2026-10-01T00:00:00Z
STEP_S = 3600.0
POINTS = 24 * 20


def _workload(name: str, kind: WorkloadKind, gpus: int = 0) -> Workload:
    return Workload(
        name=name,
        team="t",
        kind=kind,
        tier=2,
        replicas=1,
        resources=Resources(cpu=4.0, memory_gib=16.0, gpus=gpus),
    )


def test_verdict_metrics_are_the_primary_and_the_rules_extras() -> None:
    service = _workload("s", WorkloadKind.SERVICE)
    training = _workload("t", WorkloadKind.TRAINING, gpus=2)
    every = ["cpu", "memory", "rps", "cpu_max", "tokens", "gpu", "disk"]
    assert verdict_metrics(service, every) == {"cpu", "rps", "cpu_max", "tokens", "gpu"}
    assert verdict_metrics(service, ["cpu", "memory"]) == {"cpu"}
    assert verdict_metrics(training, ["cpu", "memory", "gpu"]) == {"gpu"}
    assert verdict_metrics(service, ["memory", "disk"]) == {"memory"}
    assert verdict_metrics(service, ["net", "disk"]) == {"disk"}  # the first name
    assert verdict_metrics(service, []) == set()


def _fleet(n: int) -> tuple[Project, TelemetrySet]:
    """Services (cpu, memory, sometimes cpu_max and rps), training and inference (gpu),
    and memory-only workloads, in steady, daily, on/off and noisy shapes that change
    between the halves of the window for some."""
    rng = np.random.default_rng(23)
    t = np.arange(POINTS)
    hour = t % 24
    ts = T0 + t * STEP_S
    series: list[MetricSeries] = []
    workloads: list[Workload] = []
    for i in range(n):
        name = f"w{i:04d}"
        level = rng.uniform(0.1, 3.0)
        noise = rng.standard_normal(POINTS)
        shape = i % 4
        if shape == 0:
            load = level * (1 + 0.05 * noise)
        elif shape == 1:
            load = level * (1 + 0.6 * np.sin(2 * np.pi * hour / 24) + 0.05 * noise)
        elif shape == 2:
            load = np.where(hour < 2, level, 0.01 * level) * (1 + 0.05 * noise)
        else:  # steady, then daily in the second half
            daily = 1 + np.where(t >= POINTS // 2, 0.8 * np.sin(2 * np.pi * hour / 24), 0.0)
            load = level * daily * (1 + 0.05 * noise)
        load = np.maximum(load, 0.0)
        memory = level * 3 + 0.2 * np.abs(noise)
        family = i % 5
        if family in (0, 1):
            workloads.append(_workload(name, WorkloadKind.SERVICE))
            series.append(MetricSeries.of(name, "cpu", ts, load))
            series.append(MetricSeries.of(name, "memory", ts, memory))
            if family == 1:
                series.append(MetricSeries.of(name, "cpu_max", ts, load * 1.5))
                series.append(MetricSeries.of(name, "rps", ts, 100 * load))
        elif family in (2, 3):
            kind = WorkloadKind.TRAINING if family == 2 else WorkloadKind.INFERENCE
            workloads.append(_workload(name, kind, gpus=1))
            series.append(MetricSeries.of(name, "gpu", ts, np.minimum(load / 3.0, 1.0)))
            series.append(MetricSeries.of(name, "cpu", ts, load))
            series.append(MetricSeries.of(name, "memory", ts, memory))
            if family == 3:
                series.append(MetricSeries.of(name, "rps", ts, 50 * load))
        else:
            workloads.append(_workload(name, WorkloadKind.SERVICE))
            series.append(MetricSeries.of(name, "memory", ts, memory * (1 + 0.3 * noise**2)))
    return Project(root=".", workloads=tuple(workloads), sites=()), TelemetrySet(tuple(series))


def test_classes_are_those_with_every_series_halved() -> None:
    """Every classification, reasons and features included, is the one whose stability
    check had the halves of all of the workload's series (features computed in one batch
    of every series and one of every half, as ``classify_project`` does: an FFT's last bit
    depends on the rows beside it)."""
    project, telemetry = _fleet(80)
    t = thresholds(project.settings.classify)
    every = list(telemetry.series)
    whole = dict(zip(map(id, every), features(every), strict=True))
    split = {id(s): halves(s) for s in every}
    flat = [h for s in every for h in split[id(s)]]
    half = dict(zip(map(id, flat), features(flat), strict=True))
    by_key = telemetry.by_workload()
    want = []
    for w in sorted(project.workloads, key=lambda w: w.name):
        series = by_key[w.name]
        feats = {m: whole[id(s)] for m, s in series.items()}
        parts = [
            (
                {m: split[id(s)][i] for m, s in series.items()},
                {m: half[id(split[id(s)][i])] for m, s in series.items()},
            )
            for i in (0, 1)
        ]
        want.append(classify_workload(w, series, feats, t, project.settings.headroom, parts=parts))
    got = classify_project(project, telemetry)
    assert repr(got) == repr(tuple(want))
    assert len({c.cls for c in got}) >= 4
    assert any("unstable" in " ".join(c.reasons) for c in got)  # the halves decide some
