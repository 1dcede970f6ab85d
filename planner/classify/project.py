"""A workload's ``Classification`` (telemetry verdict reconciled with a declared profile),
and ``classify_project`` for every workload of a project. Pure.

A declared ``profile`` wins; when the telemetry says otherwise, ``disagreement`` says how
and ``telemetry_class`` keeps the telemetry's verdict. Without telemetry, a ``training`` /
``inference`` workload with GPUs is classed from its declared kind (confidence 0.5);
anything else is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping

from planner.classify.calibration import thresholds
from planner.classify.features import Features, features
from planner.classify.rules import GPU_KINDS, telemetry_verdict
from planner.classify.series import MetricSeries, TelemetrySet, telemetry_key
from planner.classify.sizing import rightsize
from planner.model import Classification, Project, Workload, WorkloadClass, WorkloadKind


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
        key = telemetry_key(workload)
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
        wanted.extend(by_key.get(telemetry_key(w), {}).values())
    computed = dict(zip((id(s) for s in wanted), features(wanted), strict=True))
    out: list[Classification] = []
    for w in sorted(project.workloads, key=lambda w: w.name):
        series = by_key.get(telemetry_key(w), {})
        feats = {m: computed[id(s)] for m, s in series.items()}
        out.append(classify_workload(w, series, feats, t, project.settings.headroom))
    return tuple(out)
