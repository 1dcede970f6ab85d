"""A workload's ``Classification`` (telemetry verdict reconciled with a declared profile),
and ``classify_project`` for every workload of a project. Pure.

For a workload with telemetry: when its primary series had a **level shift** (see
``planner.classify.regimes``) and the current regime spans at least ``min_days``, every
series is cut at the shift and the class and the right-sized request come from the current
regime; the reasons say so. The class is then checked on each half of the window
(``planner.classify.stability``), which scales the confidence.

A declared ``profile`` wins; when the telemetry says otherwise, ``disagreement`` says how
and ``telemetry_class`` keeps the telemetry's verdict. Without telemetry, a ``training`` /
``inference`` workload with GPUs is classed from its declared kind (confidence 0.5);
anything else is unknown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from planner.classify.calibration import thresholds, usable
from planner.classify.features import Features, features
from planner.classify.rules import primary_metric, telemetry_verdict, verdict_metrics
from planner.classify.series import MetricSeries, telemetry_key
from planner.classify.sizing import rightsize
from planner.classify.stability import halves, halves_of, since, stability
from planner.classify.telemetry_set import TelemetrySet
from planner.classify.verdict import GPU_KINDS, utilisation_scale
from planner.model import Classification, Project, Workload, WorkloadClass, WorkloadKind

SECONDS_PER_DAY = 86400.0
MAX_REASONS = 6
"""Reasons kept per classification: the verdict's, the regime, stability and sizing notes."""

Parts = Sequence[tuple[Mapping[str, MetricSeries], Mapping[str, Features]]]


def _no_telemetry(workload: Workload) -> Classification:
    declared = workload.profile
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
    key = telemetry_key(workload)
    return Classification(
        workload=workload.name,
        cls=WorkloadClass.UNKNOWN,
        confidence=0.0,
        reasons=(f"unknown: no telemetry for {key!r} and no declared profile",),
    )


def _split(series: Mapping[str, MetricSeries]) -> list[dict[str, MetricSeries]]:
    """Each series' first and second halves, as two metric -> series mappings."""
    first: dict[str, MetricSeries] = {}
    second: dict[str, MetricSeries] = {}
    for m, s in series.items():
        first[m], second[m] = halves(s)
    return [first, second]


def _checked(workload: Workload, series: Mapping[str, MetricSeries]) -> dict[str, MetricSeries]:
    """The series whose halves the stability check reads (``verdict_metrics``: a memory
    series beside a cpu one is never read)."""
    keep = verdict_metrics(workload, series)
    return {m: s for m, s in series.items() if m in keep}


def _features_of(parts: Sequence[Mapping[str, MetricSeries]]) -> Parts:
    flat = [s for p in parts for s in p.values()]
    computed = iter(features(flat))
    return [(p, {m: next(computed) for m in p}) for p in parts]


def _current_regime(
    workload: Workload,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
) -> tuple[Mapping[str, MetricSeries], Mapping[str, Features], str]:
    """The series and features of the current regime, and the reason line; the inputs
    unchanged (and an empty reason) without a level shift."""
    metric = primary_metric(workload, list(feats))
    f = feats.get(metric) if metric else None
    if f is None or metric is None or not usable(f, t) or math.isnan(f.shift_at_days):
        return series, feats, ""
    scale = utilisation_scale(workload, series[metric])
    if scale and max(f.level_before, f.level_after) / scale <= t["idle_max_mean"]:
        return series, feats, ""  # from one idle level to another: nothing to size on
    shift = (
        f"level shift on day {f.shift_at_days:.1f} ({f.level_before:.3g} -> {f.level_after:.3g})"
    )
    tail_days = f.days - f.shift_at_days
    if tail_days < t["min_days"]:
        return (
            series,
            feats,
            f"{shift}, {tail_days * 24:.0f} h before the end: too recent to size on",
        )
    cut_s = float(series[metric].timestamps_s[0]) + f.shift_at_days * SECONDS_PER_DAY
    tail = {
        m: since(s, int(np.searchsorted(s.timestamps_s, cut_s, side="left")), len(s))
        for m, s in series.items()
    }
    tail = {m: s for m, s in tail.items() if len(s)}
    tail_feats = dict(zip(tail, features(list(tail.values())), strict=True))
    return tail, tail_feats, f"{shift}: classified and sized on the last {tail_days:.1f} days"


def classify_workload(
    workload: Workload,
    series: Mapping[str, MetricSeries],
    feats: Mapping[str, Features],
    t: Mapping[str, float],
    headroom: float,
    *,
    parts: Parts | None = None,
) -> Classification:
    """One workload's ``Classification`` from its series and their features; ``parts`` are
    the two halves' series and features, of at least the series ``_checked`` keeps
    (computed here when not given)."""
    if not feats:
        return _no_telemetry(workload)
    feature_map = {m: f.as_dict() for m, f in sorted(feats.items())}
    cur_series, cur_feats, regime = _current_regime(workload, series, feats, t)
    if parts is None or cur_series is not series:
        parts = _features_of(_split(_checked(workload, cur_series)))
    sizing = rightsize(workload, cur_series, cur_feats, t, headroom)
    v = telemetry_verdict(workload, cur_series, cur_feats, t)
    factor, stable = stability(workload, v, parts, t)
    conf = round(v.confidence * factor, 2)
    extra = tuple(r for r in (regime, stable) if r)
    reasons = (*v.reasons[:1], *extra, *v.reasons[1:], *sizing.notes)[:MAX_REASONS]
    base = Classification(
        workload=workload.name,
        cls=v.cls,
        confidence=conf,
        reasons=reasons,
        telemetry_class=v.cls,
        features=feature_map,
        rightsized=sizing.resources,
        peak_check=sizing.peaks,
    )
    declared = workload.profile
    if declared is None:
        return base
    dcls = WorkloadClass(declared.value)
    if v.cls in (dcls, WorkloadClass.UNKNOWN):
        agree = v.cls is dcls
        said = "telemetry agrees" if agree else "telemetry cannot tell"
        return replace(
            base,
            cls=dcls,
            confidence=max(0.9, conf) if agree else 0.8,
            reasons=(f"{dcls.value}: declared profile, {said}", *reasons[:2]),
            declared=declared,
        )
    return replace(
        base,
        cls=dcls,
        confidence=round(max(0.2, 1.0 - conf), 2),
        reasons=(f"{dcls.value}: declared profile wins over telemetry", *reasons[:2]),
        declared=declared,
        disagreement=(
            f"declared {dcls.value}, telemetry says {v.cls.value} "
            f"(confidence {conf:.2f}): {v.reasons[0]}"
        ),
    )


def classify_project(
    project: Project, telemetry: TelemetrySet, *, threads: int = 1
) -> tuple[Classification, ...]:
    """One ``Classification`` per workload, sorted by workload name. Features of every
    series, and of the two halves of each series the stability check reads (``_checked``),
    are computed in one vectorised batch each, on ``threads`` threads (the result does not
    depend on it)."""
    t = thresholds(project.settings.classify)
    by_key = telemetry.by_workload()
    wanted: list[MetricSeries] = []
    checked: list[MetricSeries] = []
    for w in project.workloads:
        series = by_key.get(telemetry_key(w), {})
        wanted.extend(series.values())
        checked.extend(_checked(w, series).values())
    computed = dict(zip((id(s) for s in wanted), features(wanted, threads=threads), strict=True))
    split = dict(zip((id(s) for s in checked), halves_of(checked), strict=True))
    half_list = [h for s in checked for h in split[id(s)]]
    half_feats = dict(
        zip((id(h) for h in half_list), features(half_list, threads=threads), strict=True)
    )
    out: list[Classification] = []
    for w in sorted(project.workloads, key=lambda w: w.name):
        series = by_key.get(telemetry_key(w), {})
        feats = {m: computed[id(s)] for m, s in series.items()}
        halves = [(m, split[id(s)]) for m, s in series.items() if id(s) in split]
        parts = [
            (
                {m: h[i] for m, h in halves},
                {m: half_feats[id(h[i])] for m, h in halves},
            )
            for i in (0, 1)
        ]
        out.append(classify_workload(w, series, feats, t, project.settings.headroom, parts=parts))
    return tuple(out)
