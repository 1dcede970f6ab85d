"""A project planned end to end with the shipped catalogue and no telemetry."""

from __future__ import annotations

from datetime import date

from planner.catalogue import load_default_catalogue
from planner.ingest import TelemetrySet
from planner.model import Plan, Project
from planner.pipeline import build_plan

TODAY = date(2026, 12, 1)


def planned(project: Project, method: str = "auto") -> Plan:
    """``project`` planned with the default catalogue, no telemetry, on ``TODAY``, by the
    solver ``method`` (``build_plan``'s)."""
    return build_plan(
        project,
        catalogue=load_default_catalogue(),
        telemetry=TelemetrySet(series=()),
        today=TODAY,
        method=method,
    ).plan
