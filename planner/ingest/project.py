"""``load_telemetry``: every telemetry file of a project, merged per workload and canonical
metric into a ``TelemetrySet``; telemetry for workloads not in the inventory is a warning.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from planner.classify.series import MetricSeries, telemetry_key
from planner.classify.telemetry_set import TelemetrySet
from planner.errors import InputError, Problem
from planner.ingest.csv_fast import scan_threads
from planner.ingest.files import BLOCK_BYTES, FileResult, read_telemetry_file, telemetry_paths
from planner.ingest.metrics import resolve_metric
from planner.model import Project


def load_telemetry(
    project: Project,
    *,
    workload_label: str = "workload",
    block_bytes: int = BLOCK_BYTES,
    threads: int | None = None,
) -> TelemetrySet:
    """Read every telemetry file of ``project`` (see the module doc for formats).

    Raises ``InputError`` listing every hard problem; telemetry for workloads not in the
    inventory becomes a warning in ``TelemetrySet.warnings`` and is dropped. Several files
    are read on ``threads`` threads at once (default ``scan_threads()``; numpy releases
    the GIL), one file alone on as many; the files are merged in their order, so the
    result does not depend on it.
    """
    known = {telemetry_key(w) for w in project.workloads}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    merged: dict[tuple[str, str], MetricSeries] = {}
    paths = telemetry_paths(project)
    n_threads = scan_threads() if threads is None else max(1, threads)
    per_file = 1 if len(paths) > 1 else n_threads  # threads over files, or within the one

    def read(where: tuple[Path, str]) -> FileResult | None:
        path, rel = where
        if not path.exists():
            return None
        return read_telemetry_file(
            path, rel=rel, workload_label=workload_label, block_bytes=block_bytes, threads=per_file
        )

    with ThreadPoolExecutor(max_workers=n_threads, thread_name_prefix="telemetry") as pool:
        results = pool.map(read, paths) if n_threads > 1 and len(paths) > 1 else map(read, paths)
        for (_, rel), result in zip(paths, results, strict=True):
            _merge(result, rel, known=known, merged=merged, problems=problems, warnings=warnings)
    if problems:
        plural = "s" if len(problems) != 1 else ""
        raise InputError(problems, message=f"{len(problems)} problem{plural} in telemetry")
    ordered = tuple(merged[k] for k in sorted(merged))
    return TelemetrySet(series=ordered, warnings=tuple(sorted(warnings, key=Problem.sort_key)))


def _merge(
    result: FileResult | None,
    rel: str,
    *,
    known: set[str],
    merged: dict[tuple[str, str], MetricSeries],
    problems: list[Problem],
    warnings: list[Problem],
) -> None:
    """Add one file's series, problems and warnings (``None``: the file is missing)."""
    if result is None:
        problems.append(
            Problem(rel, 0, 0, "", "telemetry file not found", "fix the path in project.yaml")
        )
        return
    problems.extend(result.problems)
    warnings.extend(result.warnings)
    unknown_seen: set[str] = set()
    for s0, line in result.series:
        s = s0
        if s.workload not in known:
            if s.workload not in unknown_seen:
                unknown_seen.add(s.workload)
                warnings.append(
                    Problem(
                        rel,
                        line,
                        0,
                        "workload",
                        f"telemetry for {s.workload!r}, which is not in the inventory; ignored",
                        "add the workload to inventory.yaml, or set a workload's "
                        f"telemetry: {s.workload}",
                    )
                )
            continue
        resolved = resolve_metric(s.metric)
        canonical = resolved.metric if resolved else s.metric
        key = (s.workload, canonical)
        prev = merged.get(key)
        if prev is not None:
            if prev.unit != s.unit:
                problems.append(
                    Problem(
                        rel,
                        line,
                        0,
                        "metric",
                        f"{s.workload} {canonical} is in {s.unit} here but in "
                        f"{prev.unit} in {prev.source.file if prev.source else '?'}",
                        "export one unit per workload and metric",
                    )
                )
                continue
            s = MetricSeries.of(
                s.workload,
                canonical,
                np.concatenate((prev.timestamps_s, s.timestamps_s)),
                np.concatenate((prev.values, s.values)),
                unit=s.unit,
                source=prev.source,
            )
        elif s.metric != canonical:
            s = MetricSeries(
                s.workload,
                canonical,
                s.unit,
                s.timestamps_s,
                s.values,
                s.duplicates,
                s.source,
            )
        merged[key] = s
