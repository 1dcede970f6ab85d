"""Rules 1-9: a workload's features -> ``Verdict`` (class, confidence, reasons that quote
the numbers). Pure: values in, values out.

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

**Confidence** = (0.5 + 0.5 x margin) x (0.6 + 0.4 x min(1, days / 14)) x (0.5 + 0.5 x
coverage), where margin in [0, 1] is how far the deciding feature is past its threshold,
relative to the threshold. Unknown has confidence 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from planner.classify.calibration import usable
from planner.classify.features import Features
from planner.classify.series import MetricSeries
from planner.classify.timeseries import hourly_correlation
from planner.model import Workload, WorkloadClass, WorkloadKind

GPU_KINDS = (WorkloadKind.TRAINING, WorkloadKind.INFERENCE)


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


def _margin_to_one(x: float, threshold: float) -> float:
    """How far ``x`` is past a lower ``threshold`` on a 0-1 scale, as a fraction of the way
    from the threshold to 1."""
    return (x - threshold) / max(1e-9, 1 - threshold)


def _margin_under(x: float, threshold: float) -> float:
    """How far ``x`` is below an upper ``threshold``, relative to the threshold."""
    return (threshold - x) / max(1e-9, threshold)


def _margin_over(x: float, threshold: float) -> float:
    """How far ``x`` is above a lower ``threshold``, relative to the threshold."""
    return (x - threshold) / max(1e-9, threshold)


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
                _margin_to_one(gmean, t["training_min_gpu_mean"]),
                _margin_to_one(gpu_f.duty_cycle, t["training_min_duty"]),
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
                    margin = _margin_to_one(r, t["inference_min_rps_corr"])
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
            _margin_under(f.duty_cycle, t["batch_max_duty"]),
            _margin_to_one(acf, t["batch_min_acf"]),
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
        margin = _margin_to_one(acf, t["diurnal_min_acf"])
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
        margin = _margin_under(f.cv, t["steady_max_cv"])
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
            _margin_over(f.cv, t["bursty_min_cv"]),
            _margin_over(f.p99_to_mean, t["bursty_min_p99_to_mean"]),
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
