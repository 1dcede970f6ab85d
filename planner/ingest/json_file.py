"""A Prometheus or CloudWatch JSON telemetry file -> the sink: each streamed series'
workload and metric names, its problems, unit conversion and value checks.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import IO

import numpy as np

from planner.ingest.json_responses import Notice, RawSeries, ServerWarning, iter_json_series
from planner.ingest.json_scanner import JsonSyntaxError
from planner.ingest.metrics import METRIC_FIX, resolve_metric, stem_metric
from planner.ingest.sink import MAX_PROBLEMS_PER_FILE, SeriesSink
from planner.ingest.timestamps import (
    OUTSIDE,
    TIMESTAMP_FIX,
    TimestampCache,
    epoch_seconds,
    outside_epoch,
)
from planner.ingest.values import FieldNames, value_problems


def _raw_workload_metric(
    raw: RawSeries, sink: SeriesSink, file_metric: str | None, workload_label: str
) -> tuple[str, str] | None:
    """Workload and metric names of one JSON series (a problem when they cannot be told)."""
    if raw.kind == "prometheus":
        workload = raw.labels.get(workload_label)
        if not workload:
            sink.problem(
                raw.start_line,
                f"{raw.where}.metric",
                f"no {workload_label!r} label",
                f"add a {workload_label} label to the query (label_replace) or choose the "
                "label with workload_label",
            )
            return None
        metric = raw.labels.get("metric") or raw.labels.get("__name__") or file_metric
        if file_metric and (metric is None or resolve_metric(str(metric)) is None):
            metric = file_metric
        if metric is None:
            sink.problem(
                raw.start_line,
                f"{raw.where}.metric",
                "cannot tell the metric",
                "add a metric label or name the file after the metric (cpu.json)",
            )
            return None
        return str(workload), str(metric)
    parts = [x for x in re.split(r"[/\s:]+", raw.label) if x]
    if len(parts) >= 2:
        return parts[0], parts[-1]
    if len(parts) == 1 and file_metric:
        return parts[0], file_metric
    sink.problem(
        raw.start_line,
        f"{raw.where}.Label",
        f"cannot tell workload and metric from {raw.label!r}",
        "set each query's Label to workload/metric (checkout-api/cpu_percent)",
    )
    return None


def emit_raw(sink: SeriesSink, raw: RawSeries, workload: str, metric_name: str) -> None:
    """Checks and unit conversion of one JSON series, then into the sink."""
    where = f"{raw.where}.{raw.values_key}"
    for b in raw.bad:
        if b.kind == "timestamp":
            sink.problem(
                b.line,
                f"{where}[{b.index}]",
                f"unparseable timestamp {b.text!r}",
                TIMESTAMP_FIX,
            )
        elif b.kind == "pair":
            sink.problem(
                b.line,
                f"{where}[{b.index}]",
                f'expected [<unix time>, "<value>"], found {b.text}',
                "export the query_range response as returned (values are strings)",
            )
        else:
            sink.problem(
                b.line,
                f"{where}[{b.index}]",
                f"non-numeric value {b.text!r}",
                "values are numbers",
            )
    ts = np.frombuffer(raw.timestamps, dtype=np.float64) if raw.timestamps else np.zeros(0)
    vals = np.frombuffer(raw.values, dtype=np.float64) if raw.values else np.zeros(0)
    if ts.size != vals.size:
        sink.problem(
            raw.line,
            raw.where,
            f"{ts.size} timestamps but {vals.size} values",
            "export Timestamps and Values together, as GetMetricData returns them",
        )
        return
    info = resolve_metric(metric_name)
    if info is None:
        sink.warn(raw.line, raw.where, f"unknown metric {metric_name!r}; ignored", METRIC_FIX)
        return
    ts = epoch_seconds(ts)
    out_of_range = outside_epoch(ts)
    for i in np.flatnonzero(out_of_range)[: MAX_PROBLEMS_PER_FILE + 1]:
        sink.problem(
            raw.line, f"{where}[{int(i)}]", f"timestamp {float(ts[i]):.0f} {OUTSIDE}", TIMESTAMP_FIX
        )
    kid = sink.key(workload, metric_name, info.unit, raw.line)
    vals = vals * info.factor
    limit = np.full(vals.size, info.absurd_limit)
    lines = np.full(vals.size, raw.line, dtype=np.int64)
    names = FieldNames.indexed(where, vals.size)
    keep = value_problems(sink, vals, limit, lines, names) & ~np.isnan(ts) & ~out_of_range
    sink.add(np.full(int(keep.sum()), kid, dtype=np.int32), ts[keep], vals[keep])


def read_json(f: IO[bytes], sink: SeriesSink, path: Path, workload_label: str) -> None:
    """Stream a Prometheus or CloudWatch JSON response (``json_responses``)."""
    text = io.TextIOWrapper(f, encoding="utf-8")
    file_metric = stem_metric(path)
    try:
        for raw in iter_json_series(text, TimestampCache().parse):
            if isinstance(raw, Notice):
                sink.problem(raw.line, raw.where, raw.message, raw.fix)
                continue
            if isinstance(raw, ServerWarning):
                sink.warn(
                    raw.line,
                    raw.where,
                    f"the server warned: {raw.message}",
                    "the series may be incomplete (a partial response?): export them again",
                )
                continue
            names = _raw_workload_metric(raw, sink, file_metric, workload_label)
            if names is not None:
                emit_raw(sink, raw, *names)
    except JsonSyntaxError as exc:
        sink.problem(
            exc.line,
            "",
            exc.message,
            "export the API response as returned, complete (not truncated)",
        )
    finally:
        text.detach()  # the caller owns (and closes) the binary file
