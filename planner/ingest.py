"""Telemetry files -> ``TelemetrySet`` (the I/O boundary of the classifier).

Formats, detected by content (and extension for JSON):

* **CSV long form**: header ``timestamp,workload,metric,value`` (any column order; ``time``
  or ``ts`` also name the timestamp column), one sample a line.
* **CSV wide form**: header ``timestamp,<column>,...``; a column is ``workload/metric`` or
  just ``workload``, whose metric is then the file name's last word (``cpu.csv``,
  ``fleet-memory.csv``). Empty cells are gaps.
* **Prometheus** ``query_range`` JSON (``resultType: matrix``): the workload is the label
  named ``workload_label`` (default ``workload``); the metric is the ``metric`` label, else
  ``__name__``, else the file name's last word.
* **CloudWatch** ``GetMetricData`` JSON (one response, or a list of pages): ``Label`` is
  ``workload/metric`` (or ``workload metric``); a bare label takes the metric from the
  file name.

``.gz`` files are decompressed on the fly.

Timestamps are ISO 8601 (with ``Z`` or an offset; naive times are taken as UTC) or epoch
seconds (milliseconds when above 10^11), normalised to UTC seconds. Metric names and units
(``METRIC_ALIASES``): ``cpu`` cores, ``cpu_percent`` percent of the declared request,
``memory`` GiB (``memory_bytes``, ``memory_mib`` converted), ``memory_percent``, ``gpu``
0-1 (``gpu_percent`` converted), ``rps`` (``requests_per_minute`` converted). Empty values
and ``NaN`` are gaps; duplicate timestamps are averaged (``planner.telemetry.normalise``).

Hard errors (``InputError``, every one found, at most ``MAX_PROBLEMS_PER_FILE`` a file):
unparseable timestamps, non-numeric, negative or infinite values, values above
``ABSURD_LIMITS`` (CPU 1e12 cores), timestamps outside 1990-2100. Problems name the file
and line (CSV) or the JSON path. Telemetry for a workload not in the inventory is a
warning and is dropped.

Memory: CSV is read in chunks of ``chunk_lines`` lines; each chunk is turned into numpy
arrays at once, so memory holds the numeric arrays (20 bytes a sample) plus one chunk of
text. JSON responses are parsed whole (Prometheus caps a ``query_range`` series at 11,000
points, so they are bounded by the query, not by history).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from planner.errors import InputError, Problem
from planner.model import Project, SourceRef
from planner.telemetry import MetricSeries, TelemetrySet

__all__ = [
    "ABSURD_LIMITS",
    "METRIC_ALIASES",
    "MetricSeries",
    "TelemetrySet",
    "load_telemetry",
    "parse_timestamp",
    "read_telemetry_file",
]

MAX_PROBLEMS_PER_FILE = 20
EPOCH_MIN_S = 631152000.0  # 1990-01-01T00:00:00Z
EPOCH_MAX_S = 4102444800.0  # 2100-01-01T00:00:00Z

METRIC_ALIASES: Mapping[str, tuple[str, str, float]] = {
    # name (lower case) -> (canonical metric, unit, factor applied to values)
    "cpu": ("cpu", "cores", 1.0),
    "cpu_cores": ("cpu", "cores", 1.0),
    "cpu_usage": ("cpu", "cores", 1.0),
    "cpu_percent": ("cpu", "percent", 1.0),
    "cpu_pct": ("cpu", "percent", 1.0),
    "cpuutilization": ("cpu", "percent", 1.0),  # CloudWatch EC2 CPUUtilization
    "cpu_utilization": ("cpu", "percent", 1.0),
    "memory": ("memory", "gib", 1.0),
    "mem": ("memory", "gib", 1.0),
    "memory_gib": ("memory", "gib", 1.0),
    "memory_mib": ("memory", "gib", 1.0 / 1024),
    "memory_bytes": ("memory", "gib", 1.0 / 2**30),
    "memory_percent": ("memory", "percent", 1.0),
    "mem_used_percent": ("memory", "percent", 1.0),  # CloudWatch agent
    "memoryutilization": ("memory", "percent", 1.0),
    "gpu": ("gpu", "ratio", 1.0),
    "gpu_util": ("gpu", "ratio", 1.0),
    "gpu_utilization": ("gpu", "ratio", 1.0),
    "gpu_percent": ("gpu", "ratio", 0.01),
    "dcgm_fi_dev_gpu_util": ("gpu", "ratio", 0.01),  # NVIDIA DCGM exporter, 0-100
    "rps": ("rps", "rps", 1.0),
    "requests_per_second": ("rps", "rps", 1.0),
    "requests_per_minute": ("rps", "rps", 1.0 / 60),
    "rpm": ("rps", "rps", 1.0 / 60),
}

ABSURD_LIMITS: Mapping[tuple[str, str], float] = {
    # Largest plausible per-replica value after unit conversion; above it is a unit mistake.
    ("cpu", "cores"): 4096.0,  # 4x the largest 2025 single server (~1,000 vCPUs)
    ("cpu", "percent"): 100_000.0,  # 1000x the request (limits far above requests)
    ("memory", "gib"): 65_536.0,  # 64 TiB (largest cloud instances: 32 TiB)
    ("memory", "percent"): 100_000.0,
    ("gpu", "ratio"): 1.05,  # utilisation is 0-1; 5 % slack for sampling rounding
    ("rps", "rps"): 1e8,
}

_TS_NAMES = ("timestamp", "time", "ts")


@dataclass
class _Sink:
    """Accumulates numeric arrays per (workload, metric) key across chunks."""

    rel: str
    keys: dict[tuple[str, str], int] = field(default_factory=dict)
    units: list[str] = field(default_factory=list)
    first_line: list[int] = field(default_factory=list)
    key_chunks: list[npt.NDArray[np.int32]] = field(default_factory=list)
    ts_chunks: list[npt.NDArray[np.float64]] = field(default_factory=list)
    val_chunks: list[npt.NDArray[np.float64]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    overflow: int = 0

    def warn(self, line: int, fld: str, message: str, fix: str = "") -> None:
        if len(self.warnings) < MAX_PROBLEMS_PER_FILE:
            self.warnings.append(Problem(self.rel, line, 0, fld, message, fix))

    def problem(self, line: int, fld: str, message: str, fix: str = "") -> None:
        if len(self.problems) >= MAX_PROBLEMS_PER_FILE:
            self.overflow += 1
            return
        self.problems.append(Problem(self.rel, line, 0, fld, message, fix))

    def key(self, workload: str, metric: str, unit: str, line: int) -> int:
        k = (workload, metric)
        idx = self.keys.get(k)
        if idx is None:
            idx = len(self.keys)
            self.keys[k] = idx
            self.units.append(unit)
            self.first_line.append(line)
        return idx

    def add(
        self,
        keys: npt.NDArray[np.int32],
        ts: npt.NDArray[np.float64],
        vals: npt.NDArray[np.float64],
    ) -> None:
        if keys.size:
            self.key_chunks.append(keys)
            self.ts_chunks.append(ts)
            self.val_chunks.append(vals)

    def series(self) -> list[tuple[MetricSeries, int]]:
        if not self.key_chunks:
            return []
        keys = np.concatenate(self.key_chunks)
        ts = np.concatenate(self.ts_chunks)
        vals = np.concatenate(self.val_chunks)
        self.key_chunks.clear()
        self.ts_chunks.clear()
        self.val_chunks.clear()
        order = np.argsort(keys, kind="stable")
        counts = np.bincount(keys, minlength=len(self.keys))
        bounds = np.concatenate(([0], np.cumsum(counts)))
        ts = ts[order]
        vals = vals[order]
        out: list[tuple[MetricSeries, int]] = []
        for (workload, metric), idx in self.keys.items():
            lo, hi = int(bounds[idx]), int(bounds[idx + 1])
            if hi == lo:
                continue
            out.append(
                (
                    MetricSeries.of(
                        workload,
                        metric,
                        ts[lo:hi],
                        vals[lo:hi],
                        unit=self.units[idx],
                        source=SourceRef(self.rel, self.first_line[idx]),
                    ),
                    self.first_line[idx],
                )
            )
        return out


# --------------------------------------------------------------------------- helpers


def parse_timestamp(text: str) -> float:
    """ISO 8601 or epoch seconds/milliseconds -> UTC epoch seconds. Raises ValueError."""
    s = text.strip()
    if not s:
        raise ValueError("empty timestamp")
    try:
        x = float(s)
    except ValueError:
        dt = datetime.fromisoformat(s)
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        return dt.timestamp()
    if not math.isfinite(x):
        raise ValueError(f"not a time: {s!r}")
    return x / 1000.0 if abs(x) >= 1e11 else x


def _check_epoch(x: float) -> str | None:
    if x < EPOCH_MIN_S or x >= EPOCH_MAX_S:
        return "is outside 1990-2100"
    return None


def resolve_metric(name: str) -> tuple[str, str, float] | None:
    """(metric, unit, factor) for a metric name, or None when unknown."""
    key = name.strip().lower().replace("-", "_").replace(".", "_")
    return METRIC_ALIASES.get(key)


def _stem_metric(path: Path) -> str | None:
    """The metric named by a file's last word: ``fleet-cpu.csv`` -> ``cpu``."""
    stem = path.name
    for suffix in (".gz", ".csv", ".json"):
        stem = stem.removesuffix(suffix)
    words = [w for w in re.split(r"[.\-\s]", stem) if w]
    for n in (2, 1):  # try ``cpu_percent`` style two-word endings first via the full tail
        if len(words) >= n:
            tail = "_".join(words[-n:])
            if resolve_metric(tail) is not None:
                return tail
    if resolve_metric(stem) is not None:
        return stem
    last = stem.rsplit("_", 1)[-1]
    return last if resolve_metric(last) is not None else None


def _open_text(path: Path) -> IO[str]:
    if path.name.endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


_METRIC_FIX = "use one of " + ", ".join(sorted(METRIC_ALIASES))


# --------------------------------------------------------------------------- CSV


def _lines(f: IO[str], chunk_lines: int) -> Iterator[list[str]]:
    while True:
        chunk = f.readlines(chunk_lines * 48)
        if not chunk:
            return
        yield chunk


def _value_problems(
    sink: _Sink,
    vals: npt.NDArray[np.float64],
    limits: npt.NDArray[np.float64],
    lines: npt.NDArray[np.int64],
    names: Sequence[str],
) -> npt.NDArray[np.bool_]:
    """Record negative / infinite / absurd values; return the mask of samples to keep."""
    with np.errstate(invalid="ignore"):
        bad = (vals < 0) | np.isinf(vals) | (vals > limits)
    if bad.any():
        for i in np.flatnonzero(bad)[: MAX_PROBLEMS_PER_FILE + 1]:
            v = float(vals[i])
            if v < 0:
                msg, fix = f"negative value {v:g}", "utilisation cannot be negative"
            elif math.isinf(v):
                msg, fix = f"infinite value {v:g}", "export finite numbers (empty = gap)"
            else:
                msg = f"absurd value {v:g} (above {float(limits[i]):g})"
                fix = "check the unit: cpu in cores, memory in GiB, gpu 0-1, rps per second"
            sink.problem(int(lines[i]), names[i], msg, fix)
        sink.overflow += max(0, int(bad.sum()) - MAX_PROBLEMS_PER_FILE - 1)
    keep: npt.NDArray[np.bool_] = ~bad & ~np.isnan(vals)
    return keep


class _Clock:
    """Caches parsed timestamps (exports repeat the same instants for every workload);
    cleared when it grows past ``limit`` entries so memory stays bounded."""

    def __init__(self, limit: int = 200_000) -> None:
        self.cache: dict[str, float] = {}
        self.limit = limit

    def parse_many(
        self, col: Sequence[str], first_line: int, sink: _Sink, fld: str
    ) -> npt.NDArray[np.float64]:
        """Epoch seconds for each string, NaN (and a problem) where unparseable."""
        cache = self.cache
        if len(cache) > self.limit:
            cache.clear()
        missing = set(col).difference(cache)
        bad: dict[str, str] = {}
        for s in missing:
            try:
                x = parse_timestamp(s)
            except ValueError as exc:
                bad[s] = f"unparseable timestamp {s!r} ({exc})"
                continue
            why = _check_epoch(x)
            if why:
                bad[s] = f"timestamp {s!r} {why}"
                continue
            cache[s] = x
        if bad:
            for i, s in enumerate(col):
                if s in bad:
                    sink.problem(
                        first_line + i,
                        fld,
                        bad[s],
                        "use ISO 8601 (2026-10-01T00:00:00Z) or epoch seconds",
                    )
            return np.fromiter((cache.get(s, math.nan) for s in col), np.float64, len(col))
        return np.fromiter(map(cache.__getitem__, col), np.float64, len(col))


def _floats(col: Sequence[str]) -> npt.NDArray[np.float64] | None:
    try:
        return np.array(col, dtype=np.float64)
    except ValueError:
        return None


def _floats_slow(
    col: Sequence[str], lines: Sequence[int], sink: _Sink, names: Sequence[str]
) -> npt.NDArray[np.float64]:
    out = np.empty(len(col), dtype=np.float64)
    for i, s in enumerate(col):
        s2 = s.strip()
        if not s2:
            out[i] = math.nan
            continue
        try:
            out[i] = float(s2)
        except ValueError:
            out[i] = math.nan
            sink.problem(lines[i], names[i], f"non-numeric value {s!r}", "values are numbers")
    return out


def _read_long(
    f: IO[str], header: list[str], sink: _Sink, chunk_lines: int
) -> None:
    lower = [h.strip().lower() for h in header]
    t_i = next(lower.index(n) for n in _TS_NAMES if n in lower)
    w_i, m_i, v_i = lower.index("workload"), lower.index("metric"), lower.index("value")
    ncol = len(header)
    clock = _Clock()
    metric_info: dict[str, tuple[str, str, float] | None] = {}
    factors = np.zeros(0, dtype=np.float64)
    limits = np.zeros(0, dtype=np.float64)
    line_no = 2
    for chunk in _lines(f, chunk_lines):
        rows = list(csv.reader(chunk))
        first = line_no
        line_no += len(chunk)
        lines_arr = np.arange(first, first + len(rows), dtype=np.int64)
        if any(len(r) != ncol for r in rows):
            keep_rows: list[list[str]] = []
            keep_lines: list[int] = []
            for i, r in enumerate(rows):
                if not r or (len(r) == 1 and not r[0].strip()) or r[0].startswith("#"):
                    continue
                if len(r) != ncol:
                    sink.problem(
                        first + i, "", f"expected {ncol} fields, found {len(r)}",
                        "one sample a line: timestamp,workload,metric,value",
                    )
                    continue
                keep_rows.append(r)
                keep_lines.append(first + i)
            rows = keep_rows
            lines_arr = np.asarray(keep_lines, dtype=np.int64)
        if not rows:
            continue
        cols = list(zip(*rows, strict=True))
        ts_col, w_col, m_col, v_col = cols[t_i], cols[w_i], cols[m_i], cols[v_i]
        for m in set(m_col).difference(metric_info):
            metric_info[m] = resolve_metric(m)
            if metric_info[m] is None:
                sink.warn(
                    int(lines_arr[m_col.index(m)]), "metric",
                    f"unknown metric {m!r}; ignored", _METRIC_FIX,
                )
        pairs = list(zip(w_col, m_col, strict=True))
        new = {p for p in set(pairs).difference(sink.keys) if metric_info[p[1]] is not None}
        if new:
            for i, (w, m) in enumerate(pairs):
                info = metric_info[m]
                if (w, m) in new and info is not None:
                    sink.key(w, m, info[1], int(lines_arr[i]))
                    new.discard((w, m))
                    if not new:
                        break
            factors = np.array(
                [_factor(metric_info, m) for (_, m) in sink.keys], dtype=np.float64
            )
            limits = np.array([_limit(metric_info, m) for (_, m) in sink.keys], dtype=np.float64)
        key_of = sink.keys
        kids = np.fromiter((key_of.get(p, -1) for p in pairs), np.int32, len(pairs))
        ts = _chunk_ts(clock, ts_col, lines_arr, sink)
        vals = _floats(v_col)
        names = _Repeat("value", len(v_col))
        if vals is None:
            vals = _floats_slow(v_col, [int(x) for x in lines_arr], sink, names)
        known = kids >= 0
        safe = np.where(known, kids, 0)
        if factors.size:
            vals = vals * np.where(known, factors[safe], 1.0)
            lim = np.where(known, limits[safe], np.inf)
        else:
            lim = np.full(vals.shape, np.inf)
        keep = _value_problems(sink, vals, lim, lines_arr, names) & known & ~np.isnan(ts)
        sink.add(kids[keep], ts[keep], vals[keep])


class _Repeat(Sequence[str]):
    """The same field name for every sample, without building a list."""

    def __init__(self, name: str, n: int) -> None:
        self.name = name
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: Any) -> Any:
        return self.name


def _factor(info: Mapping[str, tuple[str, str, float] | None], m: str) -> float:
    i = info.get(m)
    return i[2] if i else 1.0


def _limit(info: Mapping[str, tuple[str, str, float] | None], m: str) -> float:
    i = info.get(m)
    return ABSURD_LIMITS.get((i[0], i[1]), math.inf) if i else math.inf


def _chunk_ts(
    clock: _Clock, col: Sequence[str], lines: npt.NDArray[np.int64], sink: _Sink
) -> npt.NDArray[np.float64]:
    if lines.size and int(lines[-1]) - int(lines[0]) == lines.size - 1:
        return clock.parse_many(col, int(lines[0]), sink, "timestamp")
    out = np.empty(len(col), dtype=np.float64)
    for i, s in enumerate(col):
        out[i] = clock.parse_many([s], int(lines[i]), sink, "timestamp")[0]
    return out


def _read_wide(
    f: IO[str], header: list[str], sink: _Sink, path: Path, chunk_lines: int
) -> None:
    file_metric = _stem_metric(path)
    columns: list[tuple[int, str, str, float, float]] = []  # (col, workload, unit, factor, lim)
    for c, raw_name in enumerate(header[1:], start=1):
        name = raw_name.strip()
        if "/" in name:
            workload, metric = name.rsplit("/", 1)
        elif file_metric is not None:
            workload, metric = name, file_metric
        else:
            sink.problem(
                1, name, f"cannot tell the metric of column {name!r}",
                "name the column workload/metric (checkout-api/cpu) or the file after the "
                "metric (cpu.csv)",
            )
            continue
        info = resolve_metric(metric)
        if info is None:
            sink.warn(1, name, f"unknown metric {metric!r}; column ignored", _METRIC_FIX)
            continue
        columns.append((c, workload, info[1], info[2], ABSURD_LIMITS.get(info[:2], math.inf)))
        sink.key(workload, metric, info[1], 1)
    if not columns:
        return
    ncol = len(header)
    col_idx = np.array([c - 1 for c, *_ in columns], dtype=np.int64)
    kids = np.arange(len(columns), dtype=np.int32)
    factors = np.array([fa for *_, fa, _ in columns], dtype=np.float64)
    limits = np.array([li for *_, li in columns], dtype=np.float64)
    names = [header[c].strip() for c, *_ in columns]
    clock = _Clock()
    line_no = 2
    for chunk in _lines(f, max(1, chunk_lines // max(1, ncol))):
        first = line_no
        line_no += len(chunk)
        ts_col: list[str] = []
        lines: list[int] = []
        blocks: list[npt.NDArray[np.float64]] = []
        for i, raw in enumerate(chunk):
            line = raw.rstrip("\r\n")
            if not line.strip() or line.startswith("#"):
                continue
            head, _, rest = line.partition(",")
            cells = rest.split(",")
            if len(cells) != ncol - 1 or '"' in line:
                parsed = next(csv.reader([line]))
                head, cells = parsed[0], parsed[1:]
                if len(cells) != ncol - 1:
                    sink.problem(first + i, "", f"expected {ncol} fields, found {len(cells) + 1}")
                    continue
            row = _floats(cells)
            if row is None:
                row = _floats_slow(
                    cells, [first + i] * len(cells), sink, [h.strip() for h in header[1:]]
                )
            ts_col.append(head)
            lines.append(first + i)
            blocks.append(row)
        if not blocks:
            continue
        lines_arr = np.asarray(lines, dtype=np.int64)
        ts = _chunk_ts(clock, ts_col, lines_arr, sink)
        block = np.vstack(blocks)[:, col_idx] * factors[None, :]
        n_rows, n_cols = block.shape
        flat = block.T.reshape(-1)  # column-major: series after series
        flat_lines = np.tile(lines_arr, n_cols)
        flat_keys = np.repeat(kids, n_rows)
        flat_ts = np.tile(ts, n_cols)
        flat_names = _LazyNames(names, n_rows)
        keep = _value_problems(
            sink, flat, np.repeat(limits, n_rows), flat_lines, flat_names
        ) & ~np.isnan(flat_ts)
        sink.add(flat_keys[keep], flat_ts[keep], flat[keep])


class _LazyNames(Sequence[str]):
    """Column name of flat index i (column-major), without building the list."""

    def __init__(self, names: Sequence[str], n_rows: int) -> None:
        self.names = names
        self.n_rows = n_rows

    def __len__(self) -> int:
        return len(self.names) * self.n_rows

    def __getitem__(self, i: Any) -> Any:
        return self.names[int(i) // self.n_rows]


# --------------------------------------------------------------------------- JSON


def _json_series(
    sink: _Sink,
    workload: str,
    metric_name: str,
    points: Sequence[tuple[Any, Any]],
    where: str,
) -> None:
    info = resolve_metric(metric_name)
    if info is None:
        sink.warn(0, where, f"unknown metric {metric_name!r}; ignored", _METRIC_FIX)
        return
    kid = sink.key(workload, metric_name, info[1], 0)
    limit = ABSURD_LIMITS.get(info[:2], math.inf)
    ts = np.empty(len(points), dtype=np.float64)
    vals = np.empty(len(points), dtype=np.float64)
    for i, (t, v) in enumerate(points):
        try:
            x = parse_timestamp(str(t))
            why = _check_epoch(x)
            if why:
                raise ValueError(why)
            ts[i] = x
        except ValueError as exc:
            ts[i] = math.nan
            sink.problem(0, f"{where}[{i}]", f"unparseable timestamp {t!r} ({exc})")
        if v is None or (isinstance(v, str) and not v.strip()):
            vals[i] = math.nan
            continue
        try:
            vals[i] = float(v) * info[2]
        except (TypeError, ValueError):
            vals[i] = math.nan
            sink.problem(0, f"{where}[{i}]", f"non-numeric value {v!r}", "values are numbers")
    lines = np.zeros(len(points), dtype=np.int64)
    names = [f"{where}[{i}]" for i in range(len(points))]
    keep = _value_problems(sink, vals, np.full(len(points), limit), lines, names)
    keep &= ~np.isnan(ts)
    sink.add(np.full(int(keep.sum()), kid, dtype=np.int32), ts[keep], vals[keep])


def _read_prometheus(doc: Any, sink: _Sink, path: Path, workload_label: str) -> None:
    data = doc.get("data") if isinstance(doc, dict) else None
    result = data.get("result") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(result, list):
        sink.problem(0, "data.result", "not a Prometheus query_range response")
        return
    if data.get("resultType", "matrix") != "matrix":
        sink.problem(
            0, "data.resultType", f"result type {data.get('resultType')!r} is not matrix",
            "export a range query (query_range), not an instant query",
        )
        return
    file_metric = _stem_metric(path)
    for n, item in enumerate(result):
        where = f"data.result[{n}]"
        labels = item.get("metric", {}) if isinstance(item, dict) else {}
        workload = labels.get(workload_label)
        if not workload:
            sink.problem(
                0, f"{where}.metric", f"no {workload_label!r} label",
                f"add a {workload_label} label to the query (label_replace) or choose the "
                "label with workload_label",
            )
            continue
        metric = labels.get("metric") or labels.get("__name__") or file_metric
        if file_metric and (metric is None or resolve_metric(metric) is None):
            metric = file_metric
        if metric is None:
            sink.problem(
                0, f"{where}.metric", "cannot tell the metric",
                "add a metric label or name the file after the metric (cpu.json)",
            )
            continue
        values = item.get("values", [])
        if not isinstance(values, list):
            sink.problem(0, f"{where}.values", "values is not a list")
            continue
        _json_series(sink, str(workload), str(metric), values, f"{where}.values")


def _read_cloudwatch(doc: Any, sink: _Sink, path: Path) -> None:
    pages = doc if isinstance(doc, list) else [doc]
    file_metric = _stem_metric(path)
    for p, page in enumerate(pages):
        results = page.get("MetricDataResults") if isinstance(page, dict) else None
        if not isinstance(results, list):
            sink.problem(0, f"[{p}].MetricDataResults", "not a GetMetricData response")
            continue
        for n, item in enumerate(results):
            where = f"MetricDataResults[{n}]"
            if len(pages) > 1:
                where = f"[{p}].{where}"
            label = str(item.get("Label") or item.get("Id") or "")
            parts = [x for x in re.split(r"[/\s:]+", label) if x]
            if len(parts) >= 2:
                workload, metric = parts[0], parts[-1]
            elif len(parts) == 1 and file_metric:
                workload, metric = parts[0], file_metric
            else:
                sink.problem(
                    0, f"{where}.Label", f"cannot tell workload and metric from {label!r}",
                    "set each query's Label to workload/metric (checkout-api/cpu_percent)",
                )
                continue
            ts = item.get("Timestamps", [])
            vs = item.get("Values", [])
            if len(ts) != len(vs):
                sink.problem(0, where, f"{len(ts)} timestamps but {len(vs)} values")
                continue
            _json_series(sink, workload, metric, list(zip(ts, vs, strict=True)), f"{where}.Values")


# --------------------------------------------------------------------------- files


def read_telemetry_file(
    path: Path,
    *,
    rel: str | None = None,
    workload_label: str = "workload",
    chunk_lines: int = 65536,
) -> FileResult:
    """Read one file: its series (with the line of their first sample), hard problems and
    warnings. Series are empty when there are problems."""
    name = rel or path.as_posix()
    sink = _Sink(name)
    base = path.name.removesuffix(".gz")
    try:
        with _open_text(path) as f:
            if base.endswith(".json"):
                try:
                    doc = json.load(f)
                except json.JSONDecodeError as exc:
                    sink.problem(exc.lineno, "", f"invalid JSON: {exc.msg}")
                    doc = None
                if doc is not None:
                    if _is_cloudwatch(doc):
                        _read_cloudwatch(doc, sink, path)
                    else:
                        _read_prometheus(doc, sink, path, workload_label)
            else:
                header_line = f.readline()
                while header_line.startswith("#"):
                    header_line = f.readline()
                header = next(csv.reader([header_line]), [])
                lower = {h.strip().lower() for h in header}
                if not header or not lower.intersection(_TS_NAMES):
                    sink.problem(
                        1, "", "no timestamp column in the CSV header",
                        "start with timestamp,workload,metric,value (long form) or "
                        "timestamp,<workload>,... (wide form)",
                    )
                elif {"workload", "metric", "value"} <= lower:
                    _read_long(f, header, sink, chunk_lines)
                else:
                    _read_wide(f, header, sink, path, chunk_lines)
    except (OSError, UnicodeDecodeError) as exc:
        sink.problem(0, "", f"cannot read: {exc}")
    if sink.overflow:
        sink.problems.append(
            Problem(name, 0, 0, "", f"... and {sink.overflow} more problems in this file")
        )
    if sink.problems:
        return FileResult((), tuple(sink.problems), tuple(sink.warnings))
    return FileResult(tuple(sink.series()), (), tuple(sink.warnings))


@dataclass(frozen=True, slots=True)
class FileResult:
    series: tuple[tuple[MetricSeries, int], ...]
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


def _is_cloudwatch(doc: Any) -> bool:
    if isinstance(doc, list):
        return bool(doc) and isinstance(doc[0], dict) and "MetricDataResults" in doc[0]
    return isinstance(doc, dict) and "MetricDataResults" in doc


def telemetry_paths(project: Project) -> list[tuple[Path, str]]:
    """(absolute path, path relative to the project) of every telemetry file; folders are
    expanded to their ``.csv`` / ``.json`` (optionally ``.gz``) files, sorted."""
    root = Path(project.root)
    out: list[tuple[Path, str]] = []
    for rel in project.telemetry_files:
        p = root / rel
        if p.is_dir():
            for q in sorted(p.rglob("*")):
                if q.is_file() and q.name.removesuffix(".gz").endswith((".csv", ".json")):
                    out.append((q, q.relative_to(root).as_posix()))
        else:
            out.append((p, rel))
    return out


def load_telemetry(
    project: Project,
    *,
    workload_label: str = "workload",
    chunk_lines: int = 65536,
) -> TelemetrySet:
    """Read every telemetry file of ``project`` (see the module doc for formats).

    Raises ``InputError`` listing every hard problem; telemetry for workloads not in the
    inventory becomes a warning in ``TelemetrySet.warnings`` and is dropped.
    """
    known = {w.telemetry or w.name for w in project.workloads}
    problems: list[Problem] = []
    warnings: list[Problem] = []
    merged: dict[tuple[str, str], MetricSeries] = {}
    for path, rel in telemetry_paths(project):
        if not path.exists():
            problems.append(
                Problem(rel, 0, 0, "", "telemetry file not found", "fix the path in project.yaml")
            )
            continue
        result = read_telemetry_file(
            path, rel=rel, workload_label=workload_label, chunk_lines=chunk_lines
        )
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
                            rel, line, 0, "workload",
                            f"telemetry for {s.workload!r}, which is not in the inventory; "
                            "ignored",
                            "add the workload to inventory.yaml, or set a workload's "
                            f"telemetry: {s.workload}",
                        )
                    )
                continue
            resolved = resolve_metric(s.metric)
            canonical = resolved[0] if resolved else s.metric
            key = (s.workload, canonical)
            prev = merged.get(key)
            if prev is not None:
                if prev.unit != s.unit:
                    problems.append(
                        Problem(
                            rel, line, 0, "metric",
                            f"{s.workload} {canonical} is in {s.unit} here but in "
                            f"{prev.unit} in {prev.source.file if prev.source else '?'}",
                            "export one unit per workload and metric",
                        )
                    )
                    continue
                s = MetricSeries.of(
                    s.workload, canonical,
                    np.concatenate((prev.timestamps_s, s.timestamps_s)),
                    np.concatenate((prev.values, s.values)),
                    unit=s.unit, source=prev.source,
                )
            elif s.metric != canonical:
                s = MetricSeries(
                    s.workload, canonical, s.unit, s.timestamps_s, s.values,
                    s.duplicates, s.source,
                )
            merged[key] = s
    if problems:
        plural = "s" if len(problems) != 1 else ""
        raise InputError(problems, message=f"{len(problems)} problem{plural} in telemetry")
    ordered = tuple(merged[k] for k in sorted(merged))
    return TelemetrySet(series=ordered, warnings=tuple(sorted(warnings, key=Problem.sort_key)))
