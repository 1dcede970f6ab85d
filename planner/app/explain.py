"""Classifying a project's workloads and explaining one workload's placement."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from planner.app.inputs import (
    LOAD_STEPS,
    Inputs,
    Progress,
    inputs_for,
    no_progress,
    require_workload,
)
from planner.app.plan import plan_project
from planner.catalogue import Catalogue
from planner.load import load_project
from planner.model import Classification
from planner.solve.explain import Explanation, explain_workload, wave_line

CLASSIFY_STEPS = ("classifying",)
"""What ``classify_inputs`` reports."""

EXPLAIN_STEPS = (*LOAD_STEPS, "solving")
"""What ``explain_project`` reports."""


def classify_inputs(
    inputs: Inputs, *, progress: Progress = no_progress, threads: int = 1
) -> tuple[Classification, ...]:
    """Classify every workload of the loaded project from its telemetry, on ``threads``
    threads (the result does not depend on it)."""
    from planner.classify import classify_project

    progress(CLASSIFY_STEPS[0])
    return tuple(classify_project(inputs.project, inputs.telemetry, threads=threads))


def explain_project(
    project_dir: Path,
    workload: str,
    *,
    catalogue: Catalogue,
    today: date,
    progress: Progress = no_progress,
) -> Explanation:
    """Plan ``project_dir`` with the full pipeline and explain ``workload`` (an unknown name
    is a ``UsageError`` before any telemetry is read)."""
    progress(EXPLAIN_STEPS[0])
    project = load_project(project_dir)
    names = sorted(w.name for w in project.workloads)
    require_workload(workload, names, where=f"in {project_dir}")
    inputs = inputs_for(project, progress=progress)
    progress(EXPLAIN_STEPS[-1])
    bundle = plan_project(inputs, catalogue=catalogue, today=today)
    explanation = explain_workload(
        bundle.result,
        bundle.candidates,
        workload,
        constraints=bundle.constraints,
        team_of={w.name: w.team for w in project.workloads},
    )
    return replace(
        explanation,
        wave=wave_line(bundle.plan.waves, workload),
        currency=bundle.plan.currency,
    )
