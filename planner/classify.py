"""Features -> ``Classification``: class, confidence, reasons that quote the numbers, and a
right-sized per-replica request. Pure: values in, values out.

The decision, for each workload (telemetry is matched on ``Workload.telemetry``, else the
workload name), on its *primary* metric - ``gpu`` for training/inference or GPU workloads
when present, else ``cpu``, else ``rps``, ``gpu``, ``memory``:

1. **unknown** when there is less than ``min_days`` of data or the coverage is below
   ``min_coverage`` - the reason gives both numbers; we never guess.
2. **idle** (zombie) when mean and p95 utilisation are below ``idle_max_mean`` /
   ``idle_max_p95`` of the declared request (cpu cores / request, percent / 100, GPU 0-1)
   and an ``rps`` series, if any, averages at most ``idle_max_rps``.
3. **ai-training**: kind ``training`` (or any non-inference workload with GPUs) whose GPU
   utilisation is sustained: mean >= ``training_min_gpu_mean`` and duty cycle >=
   ``training_min_duty``.
4. **ai-inference**: kind ``inference`` with GPUs. "Request-driven" is confirmed when an
   ``rps`` series correlates with GPU utilisation (hourly Pearson r >=
   ``inference_min_rps_corr``); without an ``rps`` series the class rests on the declared
   kind and the confidence is lower.
5. **batch** (periodic on/off): duty cycle <= ``batch_max_duty`` and a daily or weekly
   autocorrelation >= ``batch_min_acf``.
6. **diurnal**: daily or weekly autocorrelation >= ``diurnal_min_acf`` and CV >=
   ``diurnal_min_cv``.
7. **steady**: CV <= ``steady_max_cv`` and p95/mean <= ``steady_max_p95_to_mean``.
8. **bursty**: CV >= ``bursty_min_cv`` or p99/mean >= ``bursty_min_p99_to_mean``.
9. otherwise the nearer of steady and bursty by CV, at confidence 0.4, saying so.

A declared ``profile`` wins; when the telemetry says otherwise, ``disagreement`` says how
and ``telemetry_class`` keeps the telemetry's verdict. Without telemetry, a ``training`` /
``inference`` workload with GPUs is classed from its declared kind (confidence 0.5);
anything else is unknown.

**Confidence** = (0.5 + 0.5 x margin) x (0.6 + 0.4 x min(1, days / 14)) x (0.5 + 0.5 x
coverage), where margin in [0, 1] is how far the deciding feature is past its threshold,
relative to the threshold. Unknown has confidence 0.

**Right-sizing** (per replica): cpu and memory from p95 (p99 for tier 1) x
``Settings.headroom``, rounded up to 0.01, never below ``rightsize_min_cpu`` /
``rightsize_min_memory_gib``. Memory is never sized below its observed maximum: it cannot
be throttled, and the emitted memory limit equals the request, so a request under the peak
would be OOM-killed at every peak (a bursty workload's p95 x 1.2 can be half its peak).
Series in percent are percent **of the declared per-replica request** (100 = the whole
request), converted to cores / GiB before sizing. A metric
without usable telemetry (unknown per rule 1) keeps its declared value; ``None`` when
neither cpu nor memory is usable. GPUs and storage are unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from planner.errors import InputError, Problem
from planner.model import (
    Classification,
    Project,
    Resources,
    Workload,
    WorkloadClass,
    WorkloadKind,
)
from planner.telemetry import Features, MetricSeries, TelemetrySet, features, hourly_correlation

DEFAULTS: Mapping[str, float] = MappingProxyType(
    {
        # hybridplan's own calibration (2026-11) on examples/acme and the public traces in
        # tests/data/traces, except where a source is named.
        # Rule 1. One day is the shortest window that shows a daily cycle; half the samples
        # present is the least we accept before percentiles stop meaning much.
        "min_days": 1.0,
        "min_coverage": 0.5,
        # Rule 2. Below 5 % mean and 10 % p95 of its request a workload does no useful work.
        # Stricter than AWS Trusted Advisor's "Low Utilization Amazon EC2 Instances" check
        # (daily average CPU <= 10 % and network I/O <= 5 MB on 4 of the last 14 days;
        # check description as published by the AWS Support API, read 2026-11): we ask it
        # of the whole window, on the mean and on the p95.
        "idle_max_mean": 0.05,
        "idle_max_p95": 0.10,
        # ... and it serves almost nothing: at most one request every 100 s on average.
        "idle_max_rps": 0.01,
        # Rule 3. Training keeps its GPUs busy: mean >= 50 % and busy >= 80 % of the time.
        "training_min_gpu_mean": 0.5,
        "training_min_duty": 0.8,
        # Rule 4. GPU load follows requests when hourly r >= 0.5.
        "inference_min_rps_corr": 0.5,
        # Rule 5. On/off: active at most 60 % of the time, repeating (r >= 0.3 at 24 h / 168 h).
        "batch_max_duty": 0.6,
        "batch_min_acf": 0.3,
        # Rule 6. A daily/weekly cycle: r >= 0.5 at 24 h or 168 h, with CV >= 0.1 (a
        # smaller swing is steady for placement purposes).
        "diurnal_min_acf": 0.5,
        "diurnal_min_cv": 0.1,
        # Rule 7. Steady: CV <= 0.25 and p95 within 1.5x the mean.
        "steady_max_cv": 0.25,
        "steady_max_p95_to_mean": 1.5,
        # Rule 8. Bursty: CV >= 0.5 or p99 >= 3x the mean.
        "bursty_min_cv": 0.5,
        "bursty_min_p99_to_mean": 3.0,
        # Right-sizing floors: 50 millicores, 128 MiB.
        "rightsize_min_cpu": 0.05,
        "rightsize_min_memory_gib": 0.125,
    }
)
"""Classifier thresholds; override any of them in ``project.yaml`` ``settings.classify``."""

GPU_KINDS = (WorkloadKind.TRAINING, WorkloadKind.INFERENCE)


def thresholds(overrides: Mapping[str, float]) -> dict[str, float]:
    """DEFAULTS with ``overrides`` applied; an unknown name is an input error."""
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        known = ", ".join(sorted(DEFAULTS))
        raise InputError(
            [
                Problem(
                    file="project.yaml",
                    line=0,
                    column=0,
                    field=f"settings.classify.{name}",
                    message=f"unknown classifier threshold {name!r}",
                    fix=f"use one of: {known}",
                )
                for name in unknown
            ]
        )
    out = dict(DEFAULTS)
    out.update({k: float(v) for k, v in overrides.items()})
    return out


@dataclass(frozen=True, slots=True)
class Verdict:
    """The telemetry's answer for one workload."""

    cls: WorkloadClass
    confidence: float
    reasons: tuple[str, ...]
    metric: str | None


def _fmt(x: float, digits: int = 2) -> str:
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf"
    return f"{x:.{digits}f}"


def _days(f: Features) -> str:
    d = f.days
    if d < 2:
        return f"{d * 24:.1f} h of data"
    return f"{d:.1f} days of data" if d < 10 else f"{d:.0f} days of data"


def _duration(hours: float) -> str:
    if math.isnan(hours):
        return "n/a"
    return f"{hours * 60:.1f} min" if hours < 1 else f"{hours:.1f} h"


def _confidence(margin: float, f: Features) -> float:
    m = min(1.0, max(0.0, margin)) if not math.isnan(margin) else 0.0
    data = 0.6 + 0.4 * min(1.0, f.days / 14.0)
    cov = 0.5 + 0.5 * min(1.0, max(0.0, f.coverage))
    return round((0.5 + 0.5 * m) * data * cov, 2)


def _nanmax(*xs: float) -> float:
    vals = [x for x in xs if not math.isnan(x)]
    return max(vals) if vals else math.nan


def primary_metric(workload: Workload, metrics: Sequence[str]) -> str | None:
    """The metric a workload is classified on (see the module doc)."""
    gpu_first = workload.kind in GPU_KINDS or workload.resources.gpus > 0
    order = ("gpu", "cpu", "rps", "memory") if gpu_first else ("cpu", "rps", "gpu", "memory")
    for m in order:
        if m in metrics:
            return m
    return sorted(metrics)[0] if metrics else None


def usable(f: Features, t: Mapping[str, float]) -> bool:
    return f.samples > 0 and f.days >= t["min_days"] and f.coverage >= t["min_coverage"]


def _utilisation_scale(workload: Workload, s: MetricSeries) -> float | None:
    """Divisor turning a series into a fraction of the declared request (None: no scale)."""
    if s.unit == "percent":
        return 100.0
    if s.metric == "gpu":
        return 1.0
    if s.metric == "cpu" and workload.resources.cpu > 0:
        return workload.resources.cpu
    return None


def telemetry_verdict(
    workload: Workload,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
) -> Verdict:
    """Classify one workload from its features (rules 1-9 of the module doc)."""
    metric = primary_metric(workload, list(feats))
    if metric is None:
        return Verdict(WorkloadClass.UNKNOWN, 0.0, ("no telemetry",), None)
    f = feats[metric]
    s = series[metric]
    if not usable(f, t):
        return Verdict(
            WorkloadClass.UNKNOWN,
            0.0,
            (
                f"unknown: {metric} has {f.days * 24:.1f} h of data at "
                f"{f.coverage:.0%} coverage ({f.samples} samples); need at least "
                f"{t['min_days'] * 24:.0f} h and {t['min_coverage']:.0%}",
            ),
            metric,
        )
    span = _days(f)

    # 2. idle
    scale = _utilisation_scale(workload, s)
    if scale is not None:
        mean_u, p95_u = f.mean / scale, f.p95 / scale
        rps_f = feats.get("rps")
        rps_busy = rps_f is not None and usable(rps_f, t) and rps_f.mean > t["idle_max_rps"]
        if mean_u <= t["idle_max_mean"] and p95_u <= t["idle_max_p95"] and not rps_busy:
            margin = 1.0 - p95_u / t["idle_max_p95"] if t["idle_max_p95"] > 0 else 1.0
            return Verdict(
                WorkloadClass.IDLE,
                _confidence(margin, f),
                (
                    f"idle: {metric} mean {mean_u:.1%} and p95 {p95_u:.1%} of the request "
                    f"(thresholds {t['idle_max_mean']:.0%} / {t['idle_max_p95']:.0%}), {span}",
                ),
                metric,
            )

    # 3. ai-training
    gpu_f = feats.get("gpu") if "gpu" in feats and usable(feats["gpu"], t) else None
    has_gpus = workload.resources.gpus > 0 or gpu_f is not None
    if (
        workload.kind is not WorkloadKind.INFERENCE
        and gpu_f is not None
        and (workload.kind is WorkloadKind.TRAINING or workload.resources.gpus > 0)
    ):
        gscale = 100.0 if series["gpu"].unit == "percent" else 1.0
        gmean = gpu_f.mean / gscale
        if gmean >= t["training_min_gpu_mean"] and gpu_f.duty_cycle >= t["training_min_duty"]:
            margin = min(
                (gmean - t["training_min_gpu_mean"]) / max(1e-9, 1 - t["training_min_gpu_mean"]),
                (gpu_f.duty_cycle - t["training_min_duty"]) / max(1e-9, 1 - t["training_min_duty"]),
            )
            return Verdict(
                WorkloadClass.AI_TRAINING,
                _confidence(0.5 + 0.5 * margin, gpu_f),
                (
                    f"ai-training: sustained GPU, mean utilisation {gmean:.2f} "
                    f"(>= {t['training_min_gpu_mean']:.2f}), busy {gpu_f.duty_cycle:.0%} of "
                    f"the time, p95 {gpu_f.p95 / gscale:.2f}, {_days(gpu_f)}",
                    f"kind {workload.kind.value}, {workload.resources.gpus} GPUs declared",
                ),
                "gpu",
            )

    # 4. ai-inference
    if workload.kind is WorkloadKind.INFERENCE and has_gpus:
        rps_s = series.get("rps")
        rps_f = feats.get("rps")
        if rps_s is not None and rps_f is not None and usable(rps_f, t):
            if "gpu" in series:
                r, hours = hourly_correlation(series["gpu"], rps_s)
                if not math.isnan(r) and r >= t["inference_min_rps_corr"]:
                    margin = (r - t["inference_min_rps_corr"]) / max(
                        1e-9, 1 - t["inference_min_rps_corr"]
                    )
                    return Verdict(
                        WorkloadClass.AI_INFERENCE,
                        _confidence(0.5 + 0.5 * margin, f),
                        (
                            f"ai-inference: GPU utilisation follows requests, hourly r "
                            f"{r:.2f} with rps over {hours} h "
                            f"(>= {t['inference_min_rps_corr']:.2f})",
                            f"rps mean {rps_f.mean:.3g}, p95/mean "
                            f"{_fmt(rps_f.p95_to_mean)}, CV {_fmt(rps_f.cv)}, {span}",
                        ),
                        metric,
                    )
                return Verdict(
                    WorkloadClass.AI_INFERENCE,
                    _confidence(0.0, f),
                    (
                        f"ai-inference: kind inference with {workload.resources.gpus} GPUs and "
                        f"an rps series (mean {rps_f.mean:.3g}), but GPU tracks requests "
                        f"weakly: hourly r {_fmt(r)} < {t['inference_min_rps_corr']:.2f}",
                    ),
                    metric,
                )
            return Verdict(
                WorkloadClass.AI_INFERENCE,
                _confidence(0.5, rps_f),
                (
                    f"ai-inference: kind inference with {workload.resources.gpus} GPUs, "
                    f"request-driven: rps mean {rps_f.mean:.3g}, CV {_fmt(rps_f.cv)}, "
                    f"{_days(rps_f)}",
                ),
                "rps",
            )
        return Verdict(
            WorkloadClass.AI_INFERENCE,
            round(0.6 * _confidence(0.0, f), 2),
            (
                f"ai-inference: kind inference with {workload.resources.gpus} GPUs; no rps "
                f"series, so request-driven load is assumed, not measured",
                f"{metric} mean {f.mean:.3g}, CV {_fmt(f.cv)}, {span}",
            ),
            metric,
        )

    return _shape_verdict(metric, f, t, span)


def _shape_verdict(metric: str, f: Features, t: Mapping[str, float], span: str) -> Verdict:
    """Rules 5-9: batch, diurnal, steady, bursty from the shape of one series."""
    acf = _nanmax(f.acf_24h, f.acf_168h)
    # a daily cycle also repeats weekly: name the week only when it is clearly stronger
    weekly = not math.isnan(f.acf_168h) and (math.isnan(f.acf_24h) or f.acf_168h > f.acf_24h + 0.1)
    period = "168 h" if weekly else "24 h"
    acf_txt = f"24 h autocorrelation {_fmt(f.acf_24h)}, 168 h {_fmt(f.acf_168h)}"

    if f.duty_cycle <= t["batch_max_duty"] and not math.isnan(acf) and acf >= t["batch_min_acf"]:
        margin = min(
            (t["batch_max_duty"] - f.duty_cycle) / max(1e-9, t["batch_max_duty"]),
            (acf - t["batch_min_acf"]) / max(1e-9, 1 - t["batch_min_acf"]),
        )
        return Verdict(
            WorkloadClass.BATCH,
            _confidence(margin, f),
            (
                f"batch: on {f.duty_cycle:.0%} of the time (<= {t['batch_max_duty']:.0%}), "
                f"repeating every {period} (autocorrelation {acf:.2f})",
                f"{metric} p50 {f.p50:.3g}, p95 {f.p95:.3g}, {span}",
            ),
            metric,
        )
    if not math.isnan(acf) and acf >= t["diurnal_min_acf"] and f.cv >= t["diurnal_min_cv"]:
        margin = (acf - t["diurnal_min_acf"]) / max(1e-9, 1 - t["diurnal_min_acf"])
        return Verdict(
            WorkloadClass.DIURNAL,
            _confidence(margin, f),
            (
                f"diurnal: {acf_txt} (>= {t['diurnal_min_acf']:.2f}), CV {f.cv:.2f}, "
                f"p95/mean {_fmt(f.p95_to_mean)}, {span}",
            ),
            metric,
        )
    if f.cv <= t["steady_max_cv"] and f.p95_to_mean <= t["steady_max_p95_to_mean"]:
        margin = (t["steady_max_cv"] - f.cv) / max(1e-9, t["steady_max_cv"])
        return Verdict(
            WorkloadClass.STEADY,
            _confidence(margin, f),
            (
                f"steady: CV {f.cv:.2f}, p95/mean {_fmt(f.p95_to_mean)}, "
                f"24 h autocorrelation {_fmt(f.acf_24h)}, {span}",
            ),
            metric,
        )
    if f.cv >= t["bursty_min_cv"] or f.p99_to_mean >= t["bursty_min_p99_to_mean"]:
        margin = max(
            (f.cv - t["bursty_min_cv"]) / max(1e-9, t["bursty_min_cv"]),
            (f.p99_to_mean - t["bursty_min_p99_to_mean"]) / max(1e-9, t["bursty_min_p99_to_mean"]),
        )
        return Verdict(
            WorkloadClass.BURSTY,
            _confidence(margin, f),
            (
                f"bursty: CV {f.cv:.2f}, p99/mean {_fmt(f.p99_to_mean)}, "
                f"max/mean {_fmt(f.peak_to_mean)}",
                f"{f.bursts_per_day:.1f} bursts a day lasting {_duration(f.burst_mean_hours)} "
                f"on average, no daily cycle ({acf_txt}), {span}",
            ),
            metric,
        )
    mid = (t["steady_max_cv"] + t["bursty_min_cv"]) / 2
    cls = WorkloadClass.STEADY if f.cv < mid else WorkloadClass.BURSTY
    return Verdict(
        cls,
        0.4,
        (
            f"{cls.value} (weak): CV {f.cv:.2f} lies between the steady "
            f"(<= {t['steady_max_cv']:.2f}) and bursty (>= {t['bursty_min_cv']:.2f}) "
            f"thresholds, p95/mean {_fmt(f.p95_to_mean)}, {acf_txt}, {span}",
        ),
        metric,
    )


def _ceil(x: float, step: float = 0.01) -> float:
    return round(math.ceil(x / step - 1e-9) * step, 6)


def rightsize(
    workload: Workload,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
    headroom: float,
) -> Resources | None:
    """Recommended per-replica request (module doc, "Right-sizing")."""
    q = "p99" if workload.tier == 1 else "p95"
    declared = workload.resources

    def sized(
        metric: str, declared_value: float, floor: float, *, at_least_max: bool = False
    ) -> float | None:
        f = feats.get(metric)
        s = series.get(metric)
        if f is None or s is None or not usable(f, t):
            return None
        level, peak = float(getattr(f, q)), float(f.max)
        if s.unit == "percent":
            level, peak = level / 100.0 * declared_value, peak / 100.0 * declared_value
        out = max(floor, _ceil(level * headroom))
        if at_least_max:  # memory: never below the observed peak (module doc)
            out = max(out, _ceil(peak))
        return out

    cpu = sized("cpu", declared.cpu, t["rightsize_min_cpu"])
    mem = sized("memory", declared.memory_gib, t["rightsize_min_memory_gib"], at_least_max=True)
    if cpu is None and mem is None:
        return None
    return Resources(
        cpu=cpu if cpu is not None else declared.cpu,
        memory_gib=mem if mem is not None else declared.memory_gib,
        gpus=declared.gpus,
        gpu_type=declared.gpu_type,
        storage_gib=declared.storage_gib,
    )


def classify_workload(
    workload: Workload,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
    headroom: float,
) -> Classification:
    """One workload's ``Classification`` from its series and their features."""
    declared = workload.profile
    feature_map = {m: f.as_dict() for m, f in sorted(feats.items())}
    rightsized = rightsize(workload, series, feats, t, headroom)
    if not feats:
        if declared is not None:
            return Classification(
                workload=workload.name,
                cls=WorkloadClass(declared.value),
                confidence=0.8,
                reasons=(f"{declared.value}: declared profile; no telemetry to check it",),
                declared=declared,
            )
        if workload.kind in GPU_KINDS and workload.resources.gpus > 0:
            cls = (
                WorkloadClass.AI_TRAINING
                if workload.kind is WorkloadKind.TRAINING
                else WorkloadClass.AI_INFERENCE
            )
            return Classification(
                workload=workload.name,
                cls=cls,
                confidence=0.5,
                reasons=(
                    f"{cls.value}: declared kind {workload.kind.value} with "
                    f"{workload.resources.gpus} GPUs; no telemetry to check it",
                ),
            )
        key = workload.telemetry or workload.name
        return Classification(
            workload=workload.name,
            cls=WorkloadClass.UNKNOWN,
            confidence=0.0,
            reasons=(f"unknown: no telemetry for {key!r} and no declared profile",),
        )

    v = telemetry_verdict(workload, series, feats, t)
    if declared is None:
        return Classification(
            workload=workload.name,
            cls=v.cls,
            confidence=v.confidence,
            reasons=v.reasons[:3],
            telemetry_class=v.cls,
            features=feature_map,
            rightsized=rightsized,
        )
    dcls = WorkloadClass(declared.value)
    if v.cls in (dcls, WorkloadClass.UNKNOWN):
        agree = v.cls is dcls
        return Classification(
            workload=workload.name,
            cls=dcls,
            confidence=max(0.9, v.confidence) if agree else 0.8,
            reasons=(
                f"{dcls.value}: declared profile, "
                + ("telemetry agrees" if agree else "telemetry cannot tell"),
                *v.reasons[:2],
            ),
            declared=declared,
            telemetry_class=v.cls,
            features=feature_map,
            rightsized=rightsized,
        )
    return Classification(
        workload=workload.name,
        cls=dcls,
        confidence=round(max(0.2, 1.0 - v.confidence), 2),
        reasons=(f"{dcls.value}: declared profile wins over telemetry", *v.reasons[:2]),
        declared=declared,
        disagreement=(
            f"declared {dcls.value}, telemetry says {v.cls.value} "
            f"(confidence {v.confidence:.2f}): {v.reasons[0]}"
        ),
        telemetry_class=v.cls,
        features=feature_map,
        rightsized=rightsized,
    )


def classify_project(project: Project, telemetry: TelemetrySet) -> tuple[Classification, ...]:
    """One ``Classification`` per workload, sorted by workload name. Features of every
    series are computed in one vectorised batch."""
    t = thresholds(project.settings.classify)
    by_key = telemetry.by_workload()
    wanted: list[MetricSeries] = []
    for w in project.workloads:
        wanted.extend(by_key.get(w.telemetry or w.name, {}).values())
    computed = dict(zip((id(s) for s in wanted), features(wanted), strict=True))
    out: list[Classification] = []
    for w in sorted(project.workloads, key=lambda w: w.name):
        series = by_key.get(w.telemetry or w.name, {})
        feats = {m: computed[id(s)] for m, s in series.items()}
        out.append(classify_workload(w, series, feats, t, project.settings.headroom))
    return tuple(out)


__all__ = [
    "DEFAULTS",
    "Verdict",
    "classify_project",
    "classify_workload",
    "primary_metric",
    "rightsize",
    "telemetry_verdict",
    "thresholds",
]
