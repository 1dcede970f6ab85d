"""Reading a planning project's inputs: the project files and their telemetry."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from planner.errors import Problem, UsageError
from planner.layout import TELEMETRY_DIR
from planner.load import load_project
from planner.model import Project
from planner.names import nearest_names

if TYPE_CHECKING:
    from planner.billing import Baseline
    from planner.ingest import TelemetrySet
    from planner.promql import PrometheusSpec

Progress = Callable[[str], None]
"""Told as each step of a service starts (``"solving"``), in order; the CLI shows it on a
progress bar. The steps a service reports are listed in its ``*_STEPS`` constant."""


def no_progress(step: str) -> None:
    """Report nothing: the default for tests and library callers."""
    del step


PROMETHEUS_DIGEST_KEY = "prometheus"
"""The entry of ``Project.digests`` (the plan's ``inputs``) that stands for telemetry read from
a Prometheus server: the sha256 of the series read, so the plan's input digest changes when
the server's data does (never the URL, which may hold credentials)."""

LOAD_STEPS = ("reading the project", "reading telemetry")
"""What ``load_inputs`` reports (``inputs_for`` only the second)."""


@dataclass(frozen=True, slots=True)
class Inputs:
    """A loaded planning project, its telemetry and its bill."""

    project: Project
    telemetry: TelemetrySet
    bill: Baseline | None = None
    """The baseline of the bill project.yaml names (``billing:``), ``None`` without one:
    the plan's "before" is the bill where it maps spend to a workload."""

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Telemetry that was read but not used (e.g. for a workload not in the inventory);
        the caller shows them."""
        return tuple(self.telemetry.warnings)


def load_inputs(
    project_dir: Path,
    *,
    workload_label: str = "workload",
    prometheus_url: str | None = None,
    progress: Progress = no_progress,
) -> Inputs:
    """Read the planning project in ``project_dir`` and its telemetry. Raises ``InputError``
    listing every problem of the project files, then of the telemetry."""
    progress(LOAD_STEPS[0])
    project = load_project(project_dir)
    return inputs_for(
        project, workload_label=workload_label, prometheus_url=prometheus_url, progress=progress
    )


def inputs_for(
    project: Project,
    *,
    workload_label: str = "workload",
    prometheus_url: str | None = None,
    progress: Progress = no_progress,
) -> Inputs:
    """Read the telemetry and the bill (when project.yaml names one) of a project already
    loaded (for callers that check the project first). Telemetry comes from a Prometheus
    server when ``prometheus_url`` (``--prometheus``) is given or project.yaml has a
    ``prometheus:`` section, else from the telemetry files; ``workload_label`` is the
    label that names the workload in Prometheus JSON files."""
    from planner.app.baseline import read_project_bill  # DuckDB only for a project with a bill
    from planner.ingest import load_telemetry  # see the package docstring: imported when used
    from planner.load.prometheus import load_prometheus

    progress(LOAD_STEPS[1])
    spec = load_prometheus(Path(project.root), url=prometheus_url)
    if spec is None:
        telemetry = load_telemetry(project, workload_label=workload_label)
    else:
        telemetry = read_from_prometheus(project, spec, environ=os.environ, now_s=time.time())
        digests = {**project.digests, PROMETHEUS_DIGEST_KEY: telemetry_digest(telemetry)}
        project = replace(project, digests=dict(sorted(digests.items())))
    bill = read_project_bill(project)
    return Inputs(project, telemetry, None if bill is None else bill.baseline)


def telemetry_digest(telemetry: TelemetrySet) -> str:
    """sha256 of every series' names, unit, timestamps and values, in order."""
    h = hashlib.sha256()
    for s in telemetry.series:
        h.update(f"{s.workload}\0{s.metric}\0{s.unit}\0{len(s)}\0".encode())
        h.update(s.timestamps_s.tobytes())
        h.update(s.values.tobytes())
    return h.hexdigest()


def read_from_prometheus(
    project: Project,
    spec: PrometheusSpec,
    *,
    environ: Mapping[str, str],
    now_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> TelemetrySet:
    """The project's telemetry from the server ``spec`` names (the range ends at
    ``spec.end_s``, else ``now_s``; the auth header is read from ``environ``); telemetry
    files the project also has are not read, with a warning."""
    from planner.classify.series import telemetry_key
    from planner.ingest.prometheus import client_for, read_prometheus

    client = client_for(spec, environ, sleep=sleep)
    telemetry = read_prometheus(
        spec,
        [telemetry_key(w) for w in project.workloads],
        query_range=client.query_range,
        now_s=now_s,
    )
    if not project.telemetry_files:
        return telemetry
    skipped = Problem(
        TELEMETRY_DIR,
        0,
        0,
        "",
        f"{len(project.telemetry_files)} telemetry file(s) not read: telemetry comes from "
        f"Prometheus at {spec.url}",
        "remove the files, or remove prometheus from project.yaml (and --prometheus) to read them",
    )
    return replace(telemetry, warnings=(skipped, *telemetry.warnings))


def require_workload(name: str, known: Sequence[str], *, where: str = "") -> None:
    """Raise ``UsageError`` unless ``name`` is one of ``known``; the fix names the nearest
    names, or all of them (in the order given). ``where`` ends the message (``in DIR``)."""
    if name in known:
        return
    near = nearest_names(name, known)
    hint = f"did you mean {', '.join(near)}?" if near else f"known: {', '.join(known)}"
    suffix = f" {where}" if where else ""
    raise UsageError(f"unknown workload {name!r}{suffix}", fix=hint)
