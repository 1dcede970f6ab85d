"""``TelemetrySet``: every series of a project plus warnings. Kept apart from
``planner.classify.series`` (numpy) so that a project without telemetry files is validated
without importing numpy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from planner.errors import Problem

if TYPE_CHECKING:
    from planner.classify.series import MetricSeries


@dataclass(frozen=True, slots=True)
class TelemetrySet:
    """Every series read from a planning project, plus non-fatal warnings."""

    series: tuple[MetricSeries, ...] = ()
    warnings: tuple[Problem, ...] = ()

    def by_workload(self) -> dict[str, dict[str, MetricSeries]]:
        """workload -> metric -> series."""
        out: dict[str, dict[str, MetricSeries]] = {}
        for s in self.series:
            out.setdefault(s.workload, {})[s.metric] = s
        return out

    def __len__(self) -> int:
        return len(self.series)
