"""The baseline from the bill (``hybridplan baseline``): the project's FOCUS exports mapped to
its workloads and averaged over full months."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from planner.app.inputs import Progress, no_progress
from planner.billing import Baseline, SourceInfo, baseline_view, compute_baseline
from planner.catalogue import load_default_catalogue
from planner.errors import InputError, Problem, UsageError
from planner.fx import USD, FxRate, project_rate
from planner.layout import PROJECT
from planner.load import load_project
from planner.load.billing import load_billing
from planner.model import Project
from planner.money import DEFAULT_CURRENCY

_SIZE = re.compile(r"[0-9]+(\.[0-9]+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)", re.IGNORECASE)

BASELINE_STEPS = ("reading the project", "reading the bill", "averaging")
"""What ``baseline_project`` reports, in order."""


@dataclass(frozen=True, slots=True)
class BaselineOutcome:
    """A bill's baseline, the export files read and how they were grouped."""

    baseline: Baseline
    files: tuple[str, ...]
    sources: tuple[SourceInfo, ...]
    currency: FxRate = USD
    """The project currency the baseline is shown in (the bill is USD)."""

    def view(self) -> dict[str, Any]:
        """Everything ``hybridplan baseline`` shows, as plain data."""
        return baseline_view(self.baseline, files=self.files, sources=self.sources)


def requested_cores(project: Project) -> dict[str, Fraction]:
    """Declared cores x replicas of each workload: the ``requested-cores`` split's weights."""
    return {w.name: Fraction(repr(w.resources.cpu)) * w.replicas for w in project.workloads}


def read_project_bill(
    project: Project,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    progress: Progress = no_progress,
) -> BaselineOutcome | None:
    """The baseline of the bill a loaded project names (``None`` when its project.yaml has
    no ``billing:`` section). Raises ``InputError`` for every problem of the section or the
    exports. ``progress`` is told ``reading the bill`` and ``averaging``."""
    if memory_limit is not None and not _SIZE.fullmatch(memory_limit.strip()):
        raise UsageError(
            f"--memory-limit {memory_limit!r} is not a size",
            fix="give a number and a unit, e.g. --memory-limit 640MB or 2GB",
        )
    names = [w.name for w in project.workloads]
    loaded = load_billing(Path(project.root), workloads=names, default_currency=DEFAULT_CURRENCY)
    if loaded is None:
        return None
    from planner.billing import duck  # DuckDB is imported when a bill is read
    from planner.billing.scan import read_bill

    spec, files = loaded
    progress(BASELINE_STEPS[1])
    settings = duck.EngineSettings(
        threads=threads, memory_limit=memory_limit or duck.EngineSettings().memory_limit
    )
    currency = spec.currency or DEFAULT_CURRENCY
    bill = read_bill(files, spec, names, currency=currency, settings=settings)
    progress(BASELINE_STEPS[2])
    baseline = compute_baseline(
        bill, spec, workloads=names, cores=requested_cores(project), currency=currency
    )
    return BaselineOutcome(baseline, tuple(f.name for f in files), bill.sources)


def baseline_project(
    project_dir: Path,
    *,
    threads: int | None = None,
    memory_limit: str | None = None,
    progress: Progress = no_progress,
) -> BaselineOutcome:
    """Read the project in ``project_dir`` and the FOCUS exports its ``billing:`` section
    names, and compute the baseline. Raises ``InputError`` for a project without a billing
    section and for every problem of the project, the section or the exports."""
    progress(BASELINE_STEPS[0])
    project = load_project(project_dir)
    outcome = read_project_bill(
        project, threads=threads, memory_limit=memory_limit, progress=progress
    )
    if outcome is None:
        raise InputError(
            [
                Problem(
                    PROJECT,
                    0,
                    0,
                    "billing",
                    "the project names no bill",
                    "add a billing: section with the FOCUS exports to read, e.g. "
                    "billing: {exports: [bills/*.parquet], rules: [{workload_tag: app}]} "
                    "(see `hybridplan schema project`)",
                )
            ]
        )
    return replace(outcome, currency=project_rate(project, load_default_catalogue()))
