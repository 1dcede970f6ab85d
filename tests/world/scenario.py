"""A what-if scenario planned on a loaded, classified project, as ``hybridplan what-if``
does (changes applied, classifications grown, telemetry reused)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from planner.catalogue import Catalogue
from planner.ingest import TelemetrySet
from planner.model import Classification, Project
from planner.pipeline import PlanBundle, build_plan
from planner.whatif import apply_changes, grow_classifications, parse_change


def plan_scenario(
    project: Project,
    catalogue: Catalogue,
    telemetry: TelemetrySet,
    classifications: Sequence[Classification],
    spec: Sequence[tuple[str, str]],
    *,
    today: date,
    **kw: Any,
) -> tuple[Project, PlanBundle]:
    """(the changed project, its plan) for the changes ``spec`` (``(flag, text)`` pairs as
    ``parse_change`` takes them); ``kw`` goes to ``build_plan`` (``reuse=``, ...)."""
    applied = apply_changes(project, catalogue, [parse_change(k, t) for k, t in spec])
    bundle = build_plan(
        applied.project,
        catalogue=applied.catalogue,
        telemetry=telemetry,
        today=today,
        classifications=grow_classifications(classifications, project, applied.growth_factor),
        **kw,
    )
    return applied.project, bundle
