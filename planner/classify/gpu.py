"""GPU workloads: a training / inference verdict from the series, with the declared kind as
the prior (rules 3-4 of ``planner.classify.rules``), and the GPU count they need. Pure.

**Evidence from the series.** *Sustained*: GPU mean >= ``training_min_gpu_mean`` and busy
(duty cycle) >= ``training_min_duty`` - training keeps its GPUs busy. *Request-driven*: the
GPU series follows a ``rps`` (else ``tokens``) series, hourly Pearson r >=
``inference_min_rps_corr`` - inference serves requests. Request-driven wins over sustained
(a busy inference fleet is both); neither is no evidence.

**Prior.** Kind ``inference`` stays ai-inference unless nothing but sustained load is seen,
which is reported as a disagreement (batch inference looks like that too); without
evidence it is "assumed, not measured". Kind ``training`` (or another kind with GPUs) is
ai-training when sustained, ai-inference when request-driven (reported as a disagreement
for kind training: the series outweighs the label), and otherwise falls through to the
shape rules (GPUs busy three hours a night are batch).

**GPU count** (``rightsize_gpus``): a GPU series in 0-1 is the busy share of the declared
GPUs. The count is ``ceil(p95 x headroom x declared)``, never below the GPUs the series
shows busy at once (``ceil(max x declared)``), never above the declared count, and at least
one: an idle 8-GPU job does not keep 8 GPUs.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from planner.classify.calibration import usable
from planner.classify.features import Features
from planner.classify.series import MetricSeries
from planner.classify.timeseries import hourly_correlation
from planner.classify.verdict import Verdict, confidence, margin_to_one
from planner.classify.wording import fmt, span_text
from planner.model import Workload, WorkloadClass, WorkloadKind


def _load_series(
    series: Mapping[str, MetricSeries], feats: Mapping[str, Features], t: Mapping[str, float]
) -> str | None:
    """The request-load metric to correlate GPU utilisation with: rps, else tokens."""
    for m in ("rps", "tokens"):
        if m in series and m in feats and usable(feats[m], t):
            return m
    return None


def _tokens_text(feats: Mapping[str, Features], t: Mapping[str, float]) -> str | None:
    f = feats.get("tokens")
    if f is None or not usable(f, t):
        return None
    return f"serving {f.mean:,.0f} tokens/s on average (p95 {f.p95:,.0f})"


def gpu_verdict(
    workload: Workload,
    metric: str,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
) -> Verdict | None:
    """Rules 3-4 (module doc); None when the shape rules decide."""
    gpu_f = feats.get("gpu") if "gpu" in feats and usable(feats["gpu"], t) else None
    kind = workload.kind
    if kind is WorkloadKind.INFERENCE:
        if workload.resources.gpus == 0 and gpu_f is None:
            return None
    elif gpu_f is None or (kind is not WorkloadKind.TRAINING and workload.resources.gpus == 0):
        return None
    f = feats[metric]
    gscale = 100.0 if gpu_f is not None and series["gpu"].unit == "percent" else 1.0
    sustained = False
    busy = ""
    if gpu_f is not None:
        gmean = gpu_f.mean / gscale
        sustained = (
            gmean >= t["training_min_gpu_mean"] and gpu_f.duty_cycle >= t["training_min_duty"]
        )
        busy = (
            f"mean utilisation {gmean:.2f} (>= {t['training_min_gpu_mean']:.2f}), busy "
            f"{gpu_f.duty_cycle:.0%} of the time, p95 {gpu_f.p95 / gscale:.2f}, "
            f"{span_text(gpu_f.days)}"
        )
    load = _load_series(series, feats, t)
    r, hours = math.nan, 0
    if load is not None and gpu_f is not None:
        r, hours = hourly_correlation(series["gpu"], series[load])
    driven = not math.isnan(r) and r >= t["inference_min_rps_corr"]
    follows = (
        f"GPU utilisation follows {load}, hourly r {fmt(r)} over {hours} h "
        f"(>= {t['inference_min_rps_corr']:.2f})"
    )
    tokens = _tokens_text(feats, t)
    gpus = workload.resources.gpus
    declared = f"kind {kind.value}, {gpus} GPUs declared"

    if driven:
        assert load is not None
        lf = feats[load]
        margin = margin_to_one(r, t["inference_min_rps_corr"])
        reasons = [f"ai-inference: {follows}"]
        if kind is not WorkloadKind.INFERENCE:
            reasons.append(f"{declared}: the series says inference, not training")
        reasons.append(
            tokens
            or f"{load} mean {lf.mean:.3g}, p95/mean {fmt(lf.p95_to_mean)}, CV {fmt(lf.cv)}, "
            f"{span_text(f.days)}"
        )
        return Verdict(
            WorkloadClass.AI_INFERENCE, confidence(0.5 + 0.5 * margin, f), tuple(reasons), metric
        )
    if kind is WorkloadKind.INFERENCE:
        if sustained:
            return Verdict(
                WorkloadClass.AI_INFERENCE,
                confidence(0.0, f),
                (
                    f"ai-inference: declared kind inference with {gpus} GPUs; the series "
                    f"looks like training (sustained GPU, {busy}) and does not follow "
                    "requests: check the kind",
                    *((tokens,) if tokens else ()),
                ),
                metric,
            )
        if load is not None and gpu_f is not None:
            lf = feats[load]
            return Verdict(
                WorkloadClass.AI_INFERENCE,
                confidence(0.0, f),
                (
                    f"ai-inference: kind inference with {gpus} GPUs and a {load} series "
                    f"(mean {lf.mean:.3g}), but GPU tracks requests weakly: hourly r "
                    f"{fmt(r)} < {t['inference_min_rps_corr']:.2f}",
                    *((tokens,) if tokens else ()),
                ),
                metric,
            )
        if load is not None:
            lf = feats[load]
            return Verdict(
                WorkloadClass.AI_INFERENCE,
                confidence(0.5, lf),
                (
                    f"ai-inference: kind inference with {gpus} GPUs, request-driven: {load} "
                    f"mean {lf.mean:.3g}, CV {fmt(lf.cv)}, {span_text(lf.days)}",
                ),
                load,
            )
        return Verdict(
            WorkloadClass.AI_INFERENCE,
            round(0.6 * confidence(0.0, f), 2),
            (
                f"ai-inference: kind inference with {gpus} GPUs; no rps series, so "
                "request-driven load is assumed, not measured",
                f"{metric} mean {f.mean:.3g}, CV {fmt(f.cv)}, {span_text(f.days)}",
            ),
            metric,
        )
    if sustained:
        assert gpu_f is not None
        margin = min(
            margin_to_one(gpu_f.mean / gscale, t["training_min_gpu_mean"]),
            margin_to_one(gpu_f.duty_cycle, t["training_min_duty"]),
        )
        return Verdict(
            WorkloadClass.AI_TRAINING,
            confidence(0.5 + 0.5 * margin, gpu_f),
            (f"ai-training: sustained GPU, {busy}", declared),
            "gpu",
        )
    return None


def rightsize_gpus(
    workload: Workload,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
    headroom: float,
) -> tuple[int, str] | None:
    """(GPUs, why) per replica from the GPU series (module doc); None without one."""
    gpus = workload.resources.gpus
    f = feats.get("gpu")
    s = series.get("gpu")
    if gpus <= 0 or f is None or s is None or not usable(f, t):
        return None
    scale = 100.0 if s.unit == "percent" else 1.0
    p95, peak = f.p95 / scale, f.max / scale
    in_use = math.ceil(peak * gpus - 1e-9)
    want = max(1, in_use, math.ceil(p95 * headroom * gpus - 1e-9))
    n = min(gpus, want)
    if n >= gpus:
        return gpus, f"GPUs: keeps {gpus} (p95 {p95:.2f} x {headroom:g} headroom, max {peak:.2f})"
    return n, (
        f"GPUs: {n} of {gpus} (p95 utilisation {p95:.2f} x {headroom:g} headroom, at most "
        f"{in_use} busy at once)"
    )
