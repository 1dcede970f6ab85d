"""Tests for planner.classify: each class with its reasons, declared profiles, thresholds,
right-sizing and the project-level entry point."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from planner.classify import DEFAULTS, MetricSeries, TelemetrySet, classify_project, thresholds
from planner.classify.project import MAX_REASONS
from planner.errors import InputError
from planner.model import (
    Classification,
    Profile,
    Project,
    Resources,
    Settings,
    Workload,
    WorkloadClass,
    WorkloadKind,
)

T0 = 1790812800.0  # 2026-10-01T00:00:00Z
HOURS = 24 * 30
TS = T0 + np.arange(HOURS) * 3600.0
HOUR_OF_DAY = np.arange(HOURS) % 24
DEFAULT_SETTINGS = Settings()


def _rng() -> np.random.Generator:
    return np.random.default_rng(42)


def steady() -> np.ndarray:
    return 1.0 * (1 + 0.05 * _rng().standard_normal(HOURS))


def diurnal() -> np.ndarray:
    return 1.0 + 0.5 * np.sin(2 * np.pi * HOUR_OF_DAY / 24) + 0.03 * _rng().standard_normal(HOURS)


def bursty() -> np.ndarray:
    rng = _rng()
    return 0.2 + 0.02 * rng.random(HOURS) + np.where(rng.random(HOURS) < 0.03, 3.0, 0.0)


def batch() -> np.ndarray:
    return np.where((HOUR_OF_DAY >= 1) & (HOUR_OF_DAY < 4), 1.8, 0.02)


def idle() -> np.ndarray:
    return 0.04 * (1 + 0.1 * _rng().random(HOURS))


def _w(
    name: str = "w",
    *,
    kind: WorkloadKind = WorkloadKind.SERVICE,
    tier: int = 2,
    cpu: float = 2.0,
    memory_gib: float = 4.0,
    gpus: int = 0,
    profile: Profile | None = None,
    telemetry: str | None = None,
) -> Workload:
    return Workload(
        name=name,
        team="t",
        kind=kind,
        tier=tier,
        replicas=2,
        resources=Resources(
            cpu=cpu, memory_gib=memory_gib, gpus=gpus, gpu_type="h100" if gpus else None
        ),
        profile=profile,
        telemetry=telemetry,
    )


def _series(
    workload: str, metric: str, values: np.ndarray, ts: np.ndarray = TS, unit: str = ""
) -> MetricSeries:
    return MetricSeries.of(workload, metric, ts[: len(values)], values, unit=unit)


def _classify(
    workloads: tuple[Workload, ...],
    series: tuple[MetricSeries, ...],
    settings: Settings = DEFAULT_SETTINGS,
) -> dict[str, Classification]:
    project = Project(root=".", workloads=workloads, sites=(), settings=settings)
    return {c.workload: c for c in classify_project(project, TelemetrySet(series=series))}


def _one(
    values: np.ndarray, metric: str = "cpu", settings: Settings = DEFAULT_SETTINGS, **kw: object
) -> Classification:
    w = _w(**kw)  # type: ignore[arg-type]
    return _classify((w,), (_series(w.name, metric, values),), settings)[w.name]


SHAPES: list[tuple[Callable[[], np.ndarray], WorkloadClass, str]] = [
    (
        steady,
        WorkloadClass.STEADY,
        r"^steady: CV 0\.0\d, p95/mean 1\.\d\d, no cycle from 10 min to 7 days",
    ),
    (diurnal, WorkloadClass.DIURNAL, r"^diurnal: daily cycle \(24 h, ACF 0\.9\d\) \(>= 0\.50\)"),
    (bursty, WorkloadClass.BURSTY, r"^bursty: CV \d\.\d\d, p99/mean \d+\.\d\d"),
    (
        batch,
        WorkloadClass.BATCH,
        r"^batch: periodic job every 24 h \(ACF [01]\.\d\d\), on 12% of the time \(<= 60%\)",
    ),
    (idle, WorkloadClass.IDLE, r"^idle: cpu mean 2\.\d% and p95 2\.\d% of the request"),
]


@pytest.mark.parametrize(
    ("make", "expected", "reason"), SHAPES, ids=[c.value for _, c, _ in SHAPES]
)
def test_shapes(make: Callable[[], np.ndarray], expected: WorkloadClass, reason: str) -> None:
    """Each synthetic shape gets its class, a reason quoting its numbers and the days of
    data, and a confidence in (0.5, 1]."""
    c = _one(make())
    assert c.cls is expected
    assert c.telemetry_class is expected
    assert re.search(reason, c.reasons[0]), c.reasons[0]
    assert "30 days of data" in " ".join(c.reasons)
    assert 1 <= len(c.reasons) <= MAX_REASONS
    assert 0.5 < c.confidence <= 1.0
    assert c.disagreement is None


def test_low_cpu_serving_requests_is_not_idle() -> None:
    """Low CPU is not idle when the workload serves requests (rps above idle_max_rps)."""
    w = _w()
    c = _classify((w,), (_series("w", "cpu", idle()), _series("w", "rps", np.full(HOURS, 5.0))))
    assert c["w"].cls is not WorkloadClass.IDLE


def test_too_short_is_unknown_with_numbers() -> None:
    """Under 24 h of data the class is unknown, the reason gives hours and coverage, and
    there is no right-sized request."""
    c = _one(steady()[:12])
    assert c.cls is WorkloadClass.UNKNOWN
    assert c.confidence == 0.0
    assert c.reasons == (
        "unknown: cpu has 12.0 h of data at 100% coverage (12 samples); need at least 24 h and 50%",
    )
    assert c.rightsized is None
    assert c.features["cpu"]["samples"] == 12


@pytest.mark.parametrize(
    "keep",
    [np.random.default_rng(1).random(HOURS) < 0.4, np.arange(HOURS) % 4 == 0],
    ids=["random-40pct", "every-4h"],
)
def test_low_coverage_is_unknown(keep: np.ndarray) -> None:
    """A month with 40 % of the hours at random, or a sample only every fourth hour, is
    unknown: the reason gives the coverage against the 50 % minimum."""
    w = _w()
    c = _classify((w,), (_series("w", "cpu", steady()[keep], TS[keep]),))["w"]
    assert c.cls is WorkloadClass.UNKNOWN
    assert re.search(r"at (2[0-9]|3[0-9]|4[0-4])% coverage", c.reasons[0]), c.reasons[0]
    assert c.rightsized is None


def test_ai_training_sustained_gpu() -> None:
    """A training job with GPU utilisation ~0.93 all month is ai-training."""
    gpu = 0.93 + 0.02 * _rng().standard_normal(HOURS)
    c = _one(np.clip(gpu, 0, 1), metric="gpu", kind=WorkloadKind.TRAINING, gpus=8)
    assert c.cls is WorkloadClass.AI_TRAINING
    assert c.reasons[0].startswith("ai-training: sustained GPU, mean utilisation 0.93")
    assert "kind training, 8 GPUs declared" in c.reasons


def test_training_without_sustained_gpu_is_not_ai_training() -> None:
    """GPUs busy three hours a night are batch, not sustained training."""
    c = _one(batch() / 2, metric="gpu", kind=WorkloadKind.TRAINING, gpus=8)
    assert c.cls is WorkloadClass.BATCH


def test_ai_inference_gpu_follows_requests() -> None:
    """An inference service whose GPU tracks its request rate is ai-inference, and the
    reason quotes the correlation."""
    load = diurnal()
    w = _w(kind=WorkloadKind.INFERENCE, gpus=1)
    cs = _classify((w,), (_series("w", "gpu", 0.1 + 0.5 * load), _series("w", "rps", 200 * load)))
    c = cs["w"]
    assert c.cls is WorkloadClass.AI_INFERENCE
    assert re.match(r"ai-inference: GPU utilisation follows rps, hourly r 1\.00", c.reasons[0])
    assert c.confidence > 0.9


def test_ai_inference_without_rps_says_assumed() -> None:
    """Without a request series, ai-inference rests on the declared kind and says so, at
    lower confidence."""
    c = _one(np.full(HOURS, 0.4), metric="gpu", kind=WorkloadKind.INFERENCE, gpus=1)
    assert c.cls is WorkloadClass.AI_INFERENCE
    assert "no rps series" in c.reasons[0]
    assert c.confidence < 0.7


def test_declared_profile_agrees() -> None:
    """A declared profile that the telemetry confirms: no disagreement, high confidence."""
    c = _one(steady(), profile=Profile.STEADY)
    assert c.cls is WorkloadClass.STEADY
    assert c.declared is Profile.STEADY
    assert c.disagreement is None
    assert c.reasons[0] == "steady: declared profile, telemetry agrees"
    assert c.confidence >= 0.9


def test_declared_profile_wins_but_disagreement_reported() -> None:
    """A declared profile wins over a clear diurnal telemetry verdict, which is kept in
    telemetry_class and explained in disagreement."""
    c = _one(diurnal(), profile=Profile.STEADY)
    assert c.cls is WorkloadClass.STEADY
    assert c.telemetry_class is WorkloadClass.DIURNAL
    assert c.disagreement is not None
    assert c.disagreement.startswith("declared steady, telemetry says diurnal (confidence 0.9")
    assert c.confidence < 0.5


def test_no_telemetry() -> None:
    """No telemetry: unknown (saying so) unless a profile is declared, or a GPU training /
    inference kind is declared (classed from the kind, confidence 0.5)."""
    cs = _classify(
        (
            _w("plain"),
            _w("declared", profile=Profile.BURSTY),
            _w("train", kind=WorkloadKind.TRAINING, gpus=8),
        ),
        (),
    )
    assert cs["plain"].cls is WorkloadClass.UNKNOWN
    assert cs["plain"].reasons == ("unknown: no telemetry for 'plain' and no declared profile",)
    assert cs["declared"].cls is WorkloadClass.BURSTY
    assert cs["declared"].reasons == ("bursty: declared profile; no telemetry to check it",)
    assert cs["train"].cls is WorkloadClass.AI_TRAINING
    assert cs["train"].confidence == 0.5
    assert all(c.rightsized is None for c in cs.values())


def test_threshold_override_changes_the_verdict() -> None:
    """Project settings override thresholds: when steady ends at CV 0.01 and bursty starts
    at 0.04, a CV 0.05 series is bursty."""
    base = _one(steady())
    strict = _one(
        steady(), settings=Settings(classify={"steady_max_cv": 0.01, "bursty_min_cv": 0.04})
    )
    assert base.cls is WorkloadClass.STEADY
    assert strict.cls is WorkloadClass.BURSTY
    assert "CV 0.05" in strict.reasons[0]


def test_unknown_threshold_is_an_input_error() -> None:
    """A misspelt threshold name is an input error listing the known names."""
    with pytest.raises(InputError) as info:
        thresholds({"steady_max_vc": 0.3})
    (p,) = info.value.problems
    assert p.field == "settings.classify.steady_max_vc"
    assert "steady_max_cv" in p.fix


def test_defaults_are_documented() -> None:
    """Every default threshold appears in the documentation of the rules, the GPU rules or
    sizing."""
    from planner.classify import gpu, rules, sizing

    doc = f"{rules.__doc__}{gpu.__doc__}{sizing.__doc__}"
    for name in DEFAULTS:
        assert f"``{name}``" in doc, name


# --------------------------------------------------------------------------- right-sizing


def test_rightsize_p95_times_headroom() -> None:
    """Tier 2: cpu and memory from p95 x headroom (1.2), rounded up to 0.01; GPUs kept. (The
    levels are shuffled: a ramp would be a trend, sized for its end.)"""
    rng = _rng()
    cpu = rng.permutation(np.linspace(0.5, 1.5, HOURS))
    mem = rng.permutation(np.linspace(2.0, 3.0, HOURS))
    w = _w(tier=2, cpu=4, memory_gib=8)
    c = _classify((w,), (_series("w", "cpu", cpu), _series("w", "memory", mem)))["w"]
    assert c.rightsized == Resources(
        cpu=float(np.ceil(np.percentile(cpu, 95) * 1.2 * 100) / 100),
        memory_gib=float(np.ceil(np.percentile(mem, 95) * 1.2 * 100) / 100),
    )


def test_rightsize_tier1_uses_p99_and_custom_headroom() -> None:
    """Tier 1 sizes from p99, with the project's headroom."""
    cpu = _rng().permutation(np.linspace(0.5, 1.0, HOURS))
    w = _w(tier=1, cpu=4)
    settings = Settings(headroom=1.5)
    c = _classify((w,), (_series("w", "cpu", cpu),), settings)["w"]
    assert c.rightsized is not None
    assert c.rightsized.cpu == pytest.approx(np.ceil(np.percentile(cpu, 99) * 1.5 * 100) / 100)
    assert c.rightsized.memory_gib == 4.0


def test_rightsize_percent_of_request() -> None:
    """CPU in percent is percent of the declared request: p95 50 % of 4 cores -> 2.4."""
    w = _w(cpu=4)
    c = _classify((w,), (_series("w", "cpu", np.full(HOURS, 50.0), unit="percent"),))["w"]
    assert c.rightsized is not None
    assert c.rightsized.cpu == 2.4


def test_rightsize_floor_and_gpus() -> None:
    """An almost idle GPU workload floors at 0.05 cores and keeps its GPUs."""
    w = _w(kind=WorkloadKind.TRAINING, gpus=8, cpu=32)
    c = _classify((w,), (_series("w", "cpu", np.full(HOURS, 0.001)),))["w"]
    assert c.rightsized is not None
    assert c.rightsized.cpu == DEFAULTS["rightsize_min_cpu"]
    assert c.rightsized.gpus == 8
    assert c.rightsized.gpu_type == "h100"


# --------------------------------------------------------------------------- project level


def test_project_sorted_deterministic_and_pure() -> None:
    """One classification per workload, sorted by name, equal on a rerun, inputs untouched;
    a workload's telemetry key selects its series."""
    workloads = (
        _w("zeta"),
        _w("alpha", telemetry="alpha-metrics"),
        _w("mid"),
    )
    series = (
        _series("zeta", "cpu", steady()),
        _series("alpha-metrics", "cpu", diurnal()),
    )
    project = Project(root=".", workloads=workloads, sites=())
    telemetry = TelemetrySet(series=series)
    before = copy.deepcopy((project, [s.values.copy() for s in series]))
    first = classify_project(project, telemetry)
    second = classify_project(project, telemetry)
    assert [c.workload for c in first] == ["alpha", "mid", "zeta"]
    assert repr(first) == repr(second)  # repr: NaN features are equal in text only
    assert first[0].cls is WorkloadClass.DIURNAL
    assert first[1].cls is WorkloadClass.UNKNOWN
    assert project == before[0]
    for s, v in zip(series, before[1], strict=True):
        assert np.array_equal(s.values, v)


def test_features_for_every_metric() -> None:
    """The classification carries the features of every metric of the workload."""
    w = _w()
    c = _classify((w,), (_series("w", "cpu", steady()), _series("w", "memory", steady() * 3)))["w"]
    assert sorted(c.features) == ["cpu", "memory"]
    assert {
        "mean",
        "p95",
        "cv",
        "acf_24h",
        "acf_168h",
        "trend_per_month",
        "coverage",
        "days",
        "duty_cycle",
        "bursts_per_day",
        "burst_mean_hours",
    } <= set(c.features["cpu"])


def test_mini_project_telemetry_is_too_short(mini_dir: Path) -> None:
    """The mini project's two hourly samples are not enough: unknown, with the reason."""
    from planner.ingest import load_telemetry
    from planner.load import load_project

    project = load_project(mini_dir)
    result = {c.workload: c for c in classify_project(project, load_telemetry(project))}
    c = result["checkout-api"]
    assert c.cls is WorkloadClass.UNKNOWN
    assert "2.0 h of data" in c.reasons[0]
    assert result["payments-db"].cls is WorkloadClass.STEADY
    assert result["llm-finetune"].cls is WorkloadClass.AI_TRAINING


def test_rightsize_memory_never_below_the_observed_peak() -> None:
    """Memory at 1 GiB with 3 % of hours at 3 GiB (a bursty web tier): p95 x 1.2 = 1.2 GiB
    would be OOM-killed at every burst (memory limit = request), so it is sized to the
    3 GiB peak; cpu keeps p95 x 1.2 = 0.5 x 1.2 = 0.6 (CPU is throttled, not killed)."""
    mem = np.full(HOURS, 1.0)
    mem[::33] = 3.0  # 22 of 720 hours, about 3 %
    w = _w(tier=2, cpu=2, memory_gib=4)
    c = _classify((w,), (_series("w", "cpu", np.full(HOURS, 0.5)), _series("w", "memory", mem)))[
        "w"
    ]
    assert c.rightsized == Resources(cpu=0.6, memory_gib=3.0)


def test_rightsize_memory_peak_in_percent_of_request() -> None:
    """Memory in percent of an 8 GiB request: p95 25 % -> 2 x 1.2 = 2.4 GiB, but the peak of
    75 % is 6 GiB, so 6.0."""
    mem = np.full(HOURS, 25.0)
    mem[::50] = 75.0
    w = _w(memory_gib=8)
    c = _classify((w,), (_series("w", "memory", mem, unit="percent"),))["w"]
    assert c.rightsized is not None
    assert c.rightsized.memory_gib == 6.0
