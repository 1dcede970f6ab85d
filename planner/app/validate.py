"""Validating a planning project: every check ``plan`` makes on its inputs, every problem of
every file in one pass."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from planner.app.inputs import Progress, no_progress
from planner.catalogue import Catalogue
from planner.errors import InputError, Problem
from planner.load import load_project
from planner.model import Project

if TYPE_CHECKING:
    from planner.classify.telemetry_set import TelemetrySet

VALIDATE_STEPS = ("reading the project", "reading telemetry", "checking cost inputs")
"""What ``validate_inputs`` reports."""


@dataclass(frozen=True, slots=True)
class Validated:
    """A project that passed every input check; ``telemetry`` is ``None`` when it was not
    read (``telemetry=False``)."""

    project: Project
    telemetry: TelemetrySet | None

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Telemetry read but not used (e.g. for a workload not in the inventory)."""
        return tuple(self.telemetry.warnings) if self.telemetry is not None else ()


def validate_inputs(
    project_dir: Path,
    *,
    catalogue: Catalogue,
    telemetry: bool = True,
    workload_label: str = "workload",
    progress: Progress = no_progress,
) -> Validated:
    """Check the project in ``project_dir`` as ``plan`` would read it: the project files
    (syntax, schemas, names, references), its telemetry files (unless ``telemetry`` is
    false) and its cost inputs against ``catalogue``. Raises one ``InputError`` listing the
    problems of every file; the telemetry files are read for their own problems even when
    the project files are broken."""
    from planner.cost import validate_cost_inputs

    problems: list[Problem] = []
    progress(VALIDATE_STEPS[0])
    project: Project | None = None
    try:
        project = load_project(project_dir)
    except InputError as exc:
        problems.extend(exc.problems)
    series: TelemetrySet | None = None
    if telemetry:
        progress(VALIDATE_STEPS[1])
        if project is not None and not project.telemetry_files:
            series = _no_telemetry()
        elif project is not None:
            from planner.ingest import load_telemetry  # numpy and the readers

            try:
                series = load_telemetry(project, workload_label=workload_label)
            except InputError as exc:
                problems.extend(exc.problems)
        else:
            problems.extend(_telemetry_file_problems(Path(project_dir), workload_label))
    if project is not None:
        progress(VALIDATE_STEPS[2])
        try:
            validate_cost_inputs(project, catalogue)
        except InputError as exc:
            problems.extend(exc.problems)
    if problems or project is None:
        raise InputError(problems)
    return Validated(project, series)


def _telemetry_file_problems(root: Path, workload_label: str) -> list[Problem]:
    """The problems of each file under ``telemetry/`` read on its own (the project files
    are broken, so which workloads they feed is unknown)."""
    from planner.ingest.files import read_telemetry_file
    from planner.load.files import list_telemetry

    problems: list[Problem] = []
    if not root.is_dir():
        return problems
    # Every file under telemetry/, as plan reads them; the folder's own problems (not a
    # folder) were reported by load_project already.
    for rel in list_telemetry(root, [], {}):
        result = read_telemetry_file(root / rel, rel=rel, workload_label=workload_label)
        problems.extend(result.problems)
    return problems


def _no_telemetry() -> TelemetrySet:
    """What ``load_telemetry`` returns for a project without telemetry files, without
    importing the readers (and numpy): a tenth of a second of a 10,000-workload validate."""
    from planner.classify.telemetry_set import TelemetrySet

    return TelemetrySet()
