"""Rules 1-9: a workload's features -> ``Verdict`` (class, confidence, reasons that quote
the numbers). Pure: values in, values out.

The decision, for each workload (telemetry is matched on ``Workload.telemetry``, else the
workload name), on its *primary* metric - ``gpu`` for training/inference or GPU workloads
when present, else ``cpu``, else ``rps``, ``gpu``, ``memory``:

1. **unknown** when there is less than ``min_days`` of data or the coverage is below
   ``min_coverage`` - the reason gives both numbers; we never guess.
2. **idle** (zombie) when mean and p95 utilisation are below ``idle_max_mean`` /
   ``idle_max_p95`` of the declared request (cpu cores / request, percent / 100, GPU 0-1),
   its peaks stay below ``idle_max_peak`` of it (the p99 of ``cpu_max``, the per-interval
   maxima, when given, else of the series itself: a VM that idles at 1 % but reaches 40 %
   every few hours is working, not a zombie), and an ``rps`` series, if any, averages at
   most ``idle_max_rps``.
3-4. **ai-training** / **ai-inference** (``planner.classify.gpu``): a verdict from the GPU
   series - sustained (mean >= ``training_min_gpu_mean``, busy >= ``training_min_duty``)
   is training-like, following requests (hourly r with ``rps`` or ``tokens`` >=
   ``inference_min_rps_corr``) is inference - with the declared kind as the prior; a
   disagreement is reported in the reasons.
5. **batch** (periodic on/off): duty cycle <= ``batch_max_duty`` and a real period
   (``planner.classify.periods``: any period from 10 minutes to 7 days, at the series' own
   interval) whose autocorrelation is >= ``batch_min_acf``: "periodic job every 65 min".
6. **diurnal**: a daily or weekly period with autocorrelation >= ``diurnal_min_acf`` and CV
   >= ``diurnal_min_cv``: "daily cycle (24 h, ACF 0.81)". A job every 65 minutes also
   correlates 24 h later (22 periods): its period is 65 min, so it is not diurnal.
7. **steady**: CV <= ``steady_max_cv`` and p95/mean <= ``steady_max_p95_to_mean``.
8. **bursty**: CV >= ``bursty_min_cv`` or p99/mean >= ``bursty_min_p99_to_mean``.
9. otherwise the nearer of steady and bursty by CV, at confidence 0.4, saying so.

A series with a level shift is classified on its current regime and a trend is reported
(``planner.classify.project``). **Confidence** = (0.5 + 0.5 x margin) x (0.6 + 0.4 x min(1,
days / 14)) x (0.5 + 0.5 x coverage), where margin in [0, 1] is how far the deciding
feature is past its threshold, relative to the threshold; ``planner.classify.stability``
then scales it by how well the class holds on parts of the window. Unknown has confidence 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from planner.classify.calibration import usable
from planner.classify.features import Features
from planner.classify.gpu import gpu_verdict
from planner.classify.series import MetricSeries
from planner.classify.verdict import (
    GPU_KINDS,
    Verdict,
    confidence,
    margin_over,
    margin_to_one,
    margin_under,
    utilisation_scale,
)
from planner.classify.wording import (
    calendar_cycle,
    cycle_text,
    duration_text,
    fmt,
    period_text,
    span_text,
)
from planner.model import Workload, WorkloadClass


def primary_metric(workload: Workload, metrics: Sequence[str]) -> str | None:
    """The metric a workload is classified on (see the module doc)."""
    gpu_first = workload.kind in GPU_KINDS or workload.resources.gpus > 0
    order = ("gpu", "cpu", "rps", "memory") if gpu_first else ("cpu", "rps", "gpu", "memory")
    for m in order:
        if m in metrics:
            return m
    return sorted(metrics)[0] if metrics else None


VERDICT_EXTRAS = frozenset({"rps", "tokens", "gpu", "cpu_max"})
"""The metrics rules 2-4 read besides the primary one (``_idle``: rps, cpu_max;
``planner.classify.gpu``: gpu, rps, tokens)."""


def verdict_metrics(workload: Workload, metrics: Iterable[str]) -> frozenset[str]:
    """The metrics among ``metrics`` whose series and features ``telemetry_verdict`` reads:
    the primary one and ``VERDICT_EXTRAS``. Given only these it gives the same verdict as
    given all (the others never decide the primary metric: it is the first present of a
    fixed order, else the first name)."""
    names = list(metrics)
    primary = primary_metric(workload, names)
    return frozenset(m for m in names if m == primary or m in VERDICT_EXTRAS)


def telemetry_verdict(
    workload: Workload,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
    *,
    words: bool = True,
) -> Verdict:
    """Classify one workload from its features (rules 1-9 of the module doc). Without
    ``words`` the shape rules (5-9) leave out their reasons: the class and confidence are
    the same."""
    metric = primary_metric(workload, list(feats))
    if metric is None:
        return Verdict(WorkloadClass.UNKNOWN, 0.0, ("no telemetry",), None)
    f = feats[metric]
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
    idle, peak_note = _idle(workload, metric, series, feats, t)
    if idle is not None:
        return idle
    gpu = gpu_verdict(workload, metric, series, feats, t)
    if gpu is not None:
        return gpu
    v = shape_verdict(metric, f, t, words=words)
    if peak_note:
        return Verdict(v.cls, v.confidence, (*v.reasons[:1], peak_note, *v.reasons[1:]), v.metric)
    return v


def _idle(
    workload: Workload,
    metric: str,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
) -> tuple[Verdict | None, str]:
    """Rule 2: the idle verdict, or None and (when only the peaks kept it from idle) why."""
    f = feats[metric]
    scale = utilisation_scale(workload, series[metric])
    if scale is None:
        return None, ""
    mean_u, p95_u = f.mean / scale, f.p95 / scale
    rps_f = feats.get("rps")
    rps_busy = rps_f is not None and usable(rps_f, t) and rps_f.mean > t["idle_max_rps"]
    if not (mean_u <= t["idle_max_mean"] and p95_u <= t["idle_max_p95"]) or rps_busy:
        return None, ""
    peak_metric = metric
    max_f = feats.get("cpu_max") if metric == "cpu" else None
    if max_f is not None and usable(max_f, t):
        peak_metric, pf, pscale = "cpu_max", max_f, utilisation_scale(workload, series["cpu_max"])
    else:
        pf, pscale = f, scale
    peak_u = pf.p99 / pscale if pscale else math.nan
    if peak_u > t["idle_max_peak"]:
        return None, (
            f"not idle: mean {mean_u:.1%} and p95 {p95_u:.1%} of the request, but {peak_metric} "
            f"p99 reaches {peak_u:.0%} (> {t['idle_max_peak']:.0%}): regular peaks are work"
        )
    margin = 1.0 - p95_u / t["idle_max_p95"] if t["idle_max_p95"] > 0 else 1.0
    return (
        Verdict(
            WorkloadClass.IDLE,
            confidence(margin, f),
            (
                f"idle: {metric} mean {mean_u:.1%} and p95 {p95_u:.1%} of the request "
                f"(thresholds {t['idle_max_mean']:.0%} / {t['idle_max_p95']:.0%}), peaks "
                f"({peak_metric} p99) {peak_u:.1%}, {span_text(f.days)}",
            ),
            metric,
        ),
        "",
    )


def shape_verdict(
    metric: str, f: Features, t: Mapping[str, float], *, words: bool = True
) -> Verdict:
    """Rules 5-9: batch, diurnal, steady, bursty from the shape of one series (without
    ``words``: no reasons, the same class and confidence)."""
    span = span_text(f.days) if words else ""
    periodic = not math.isnan(f.period_s)
    acf = f.acf_period if periodic else math.nan
    cycle = cycle_text(f.period_s, acf) if periodic and words else ""
    calendar = calendar_cycle(f.period_s)
    no_cycle = "no cycle from 10 min to 7 days"

    if f.duty_cycle <= t["batch_max_duty"] and periodic and acf >= t["batch_min_acf"]:
        margin = min(
            margin_under(f.duty_cycle, t["batch_max_duty"]),
            margin_to_one(acf, t["batch_min_acf"]),
        )
        if not words:
            return Verdict(WorkloadClass.BATCH, confidence(margin, f), (), metric)
        what = f"periodic job every {period_text(f.period_s)} (ACF {acf:.2f})"
        return Verdict(
            WorkloadClass.BATCH,
            confidence(margin, f),
            (
                f"batch: {what}, on {f.duty_cycle:.0%} of the time (<= {t['batch_max_duty']:.0%})",
                f"{metric} p50 {f.p50:.3g}, p95 {f.p95:.3g}, {span}",
            ),
            metric,
        )
    if calendar and acf >= t["diurnal_min_acf"] and f.cv >= t["diurnal_min_cv"]:
        margin = margin_to_one(acf, t["diurnal_min_acf"])
        if not words:
            return Verdict(WorkloadClass.DIURNAL, confidence(margin, f), (), metric)
        return Verdict(
            WorkloadClass.DIURNAL,
            confidence(margin, f),
            (
                f"diurnal: {cycle} (>= {t['diurnal_min_acf']:.2f}), CV {f.cv:.2f}, "
                f"p95/mean {fmt(f.p95_to_mean)}, {span}",
            ),
            metric,
        )
    shape_cycle = cycle if periodic else no_cycle
    if f.cv <= t["steady_max_cv"] and f.p95_to_mean <= t["steady_max_p95_to_mean"]:
        margin = margin_under(f.cv, t["steady_max_cv"])
        if not words:
            return Verdict(WorkloadClass.STEADY, confidence(margin, f), (), metric)
        return Verdict(
            WorkloadClass.STEADY,
            confidence(margin, f),
            (f"steady: CV {f.cv:.2f}, p95/mean {fmt(f.p95_to_mean)}, {shape_cycle}, {span}",),
            metric,
        )
    if f.cv >= t["bursty_min_cv"] or f.p99_to_mean >= t["bursty_min_p99_to_mean"]:
        margin = max(
            margin_over(f.cv, t["bursty_min_cv"]),
            margin_over(f.p99_to_mean, t["bursty_min_p99_to_mean"]),
        )
        if not words:
            return Verdict(WorkloadClass.BURSTY, confidence(margin, f), (), metric)
        return Verdict(
            WorkloadClass.BURSTY,
            confidence(margin, f),
            (
                f"bursty: CV {f.cv:.2f}, p99/mean {fmt(f.p99_to_mean)}, "
                f"max/mean {fmt(f.peak_to_mean)}",
                f"{f.bursts_per_day:.1f} bursts a day lasting {duration_text(f.burst_mean_hours)} "
                f"on average, {shape_cycle}, {span}",
            ),
            metric,
        )
    mid = (t["steady_max_cv"] + t["bursty_min_cv"]) / 2
    cls = WorkloadClass.STEADY if f.cv < mid else WorkloadClass.BURSTY
    if not words:
        return Verdict(cls, 0.4, (), metric)
    return Verdict(
        cls,
        0.4,
        (
            f"{cls.value} (weak): CV {f.cv:.2f} lies between the steady "
            f"(<= {t['steady_max_cv']:.2f}) and bursty (>= {t['bursty_min_cv']:.2f}) "
            f"thresholds, p95/mean {fmt(f.p95_to_mean)}, {shape_cycle}, {span}",
        ),
        metric,
    )
