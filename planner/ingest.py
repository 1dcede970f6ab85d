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

Memory: CSV is read ``block_bytes`` (4 MiB) of whole lines at a time; each block is turned
into numpy arrays at once (clean long-form blocks without any per-line Python: fields are
located, hashed and converted by numpy), so memory holds the numeric arrays (20 bytes a
sample while reading, about 36 while grouping by series, 16 after) plus one block. JSON is
streamed too (``planner.ingest_json``: 256 KiB of text at a time, large arrays scanned item
by item); its problems name the JSON path and the line.
"""

from __future__ import annotations

import csv
import gzip
import io
import math
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import numpy.typing as npt

from planner.classify.series import MetricSeries, TelemetrySet
from planner.errors import InputError, Problem
from planner.ingest_json import JsonSyntaxError, Notice, RawSeries, iter_json_series
from planner.model import Project, SourceRef

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
BLOCK_BYTES = 1 << 22
"""CSV is read 4 MiB at a time (whole lines): the text held in memory at once."""
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
        """Group the samples by key, sorted by (workload, metric). Arrays are concatenated
        and reordered one at a time: the peak is about 36 bytes a sample (1.8x the data)."""
        if not self.key_chunks:
            return []
        keys = np.concatenate(self.key_chunks)
        self.key_chunks.clear()
        order = np.argsort(keys, kind="stable")
        counts = np.bincount(keys, minlength=len(self.keys))
        del keys
        bounds = np.concatenate(([0], np.cumsum(counts)))
        ts = np.concatenate(self.ts_chunks)
        self.ts_chunks.clear()
        ts = ts[order]
        vals = np.concatenate(self.val_chunks)
        self.val_chunks.clear()
        vals = vals[order]
        del order
        out: list[tuple[MetricSeries, int]] = []
        for (workload, metric), idx in sorted(self.keys.items()):
            lo, hi = int(bounds[idx]), int(bounds[idx + 1])
            if hi == lo:
                continue
            source = SourceRef(self.rel, self.first_line[idx])
            t, v = ts[lo:hi], vals[lo:hi]
            if t.size < 2 or bool(np.all(t[1:] > t[:-1])):
                # already sorted and unique: read-only views of arrays nobody else holds
                t.setflags(write=False)
                v.setflags(write=False)
                series = MetricSeries(workload, metric, self.units[idx], t, v, 0, source)
            else:
                series = MetricSeries.of(
                    workload, metric, t, v, unit=self.units[idx], source=source
                )
            out.append((series, self.first_line[idx]))
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


def _open_binary(path: Path) -> IO[bytes]:
    if path.name.endswith(".gz"):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return path.open("rb")


_METRIC_FIX = "use one of " + ", ".join(sorted(METRIC_ALIASES))


# --------------------------------------------------------------------------- CSV


def _lines(f: IO[str], block_bytes: int) -> Iterator[list[str]]:
    while True:
        chunk = f.readlines(block_bytes)
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


_FNV = np.uint64(0x100000001B3)
_MASKS = np.array([(1 << (8 * k)) - 1 for k in range(8)] + [2**64 - 1], dtype=np.uint64)
_MAX_FAST_FIELD = 64
"""Fields longer than this (bytes) send a block to the line-by-line path."""


def _segment_words(
    words: npt.NDArray[np.uint64], start: npt.NDArray[np.int64], length: npt.NDArray[np.int64]
) -> list[npt.NDArray[np.uint64]]:
    """The bytes of each segment as little-endian 64-bit words, zero past its end.
    ``words[i]`` is the 8 bytes starting at byte i (an overlapping, unaligned view)."""
    n_words = int(-(-int(length.max()) // 8)) if length.size else 0
    last = words.shape[0] - 1
    out = []
    for k in range(n_words):
        rem = np.clip(length - 8 * k, 0, 8)
        at = start + 8 * k if k == 0 else np.minimum(start + 8 * k, last)
        out.append(words[at] & _MASKS[rem])
    return out


def _segment_hash(
    words: npt.NDArray[np.uint64], start: npt.NDArray[np.int64], length: npt.NDArray[np.int64]
) -> npt.NDArray[np.uint64]:
    """64-bit FNV-style hash of each segment (used to find distinct strings; with at most
    a few million distinct keys a collision has probability below 1e-6)."""
    h = length.astype(np.uint64)
    with np.errstate(over="ignore"):
        for w in _segment_words(words, start, length):
            h = (h ^ w) * _FNV
    return h


def _parse_decimals(
    v_words: npt.NDArray[np.uint64], max_len: int
) -> npt.NDArray[np.float64] | None:
    """Values from fixed-width byte fields (one row of 64-bit words per value, zero-padded).

    Plain decimals (``-12.345``, at most 15 digits) are converted by numpy arithmetic:
    an exact integer mantissa divided by an exact power of ten is correctly rounded, so the
    result equals ``float(text)``. Other rows (exponents, ``nan``) go through numpy's string
    conversion. None when a value is not a number."""
    n = v_words.shape[0]
    cols = np.ascontiguousarray(v_words).view(np.uint8).reshape(n, -1)[:, :max_len].T.copy()
    mant = np.zeros(n, dtype=np.int64)
    frac = np.zeros(n, dtype=np.int64)
    digits = np.zeros(n, dtype=np.int64)
    seen_dot = np.zeros(n, dtype=np.bool_)
    neg = cols[0] == 45
    ok = np.ones(n, dtype=np.bool_)
    for j in range(max_len):
        b = cols[j]
        is_digit = (b >= 48) & (b <= 57)
        is_dot = b == 46
        ok &= is_digit | is_dot | (b == 0) | (neg if j == 0 else False)
        ok &= ~(is_dot & seen_dot)
        mant = np.where(is_digit, mant * 10 + (b.astype(np.int64) - 48), mant)
        frac += is_digit & seen_dot
        digits += is_digit
        seen_dot |= is_dot
    ok &= (digits > 0) & (digits <= 15)
    vals = mant / (10.0**frac)
    vals = np.where(neg, -vals, vals)
    if not ok.all():
        rest = np.flatnonzero(~ok)
        width = 8 * v_words.shape[1]
        raw = np.ascontiguousarray(v_words[rest]).view(f"S{width}")[:, 0]
        try:
            vals[rest] = raw.astype(np.float64)
        except ValueError:
            return None
    return vals


class _LongReader:
    """Long-form CSV: a vectorised path for clean blocks of lines, a line-by-line path
    (exact problems with line numbers) for anything else."""

    def __init__(self, header: list[str], sink: _Sink) -> None:
        lower = [h.strip().lower() for h in header]
        self.t_i = next(lower.index(n) for n in _TS_NAMES if n in lower)
        self.w_i = lower.index("workload")
        self.m_i = lower.index("metric")
        self.v_i = lower.index("value")
        self.ncol = len(header)
        self.sink = sink
        self.clock = _Clock()
        self.metric_info: dict[str, tuple[str, str, float] | None] = {}
        self.factors = np.zeros(0, dtype=np.float64)
        self.limits = np.zeros(0, dtype=np.float64)
        self.t_hash: dict[int, float] = {}
        self.k_hash: dict[int, int] = {}

    # -- shared tail -------------------------------------------------------------------
    def _metric(self, m: str, line: int) -> tuple[str, str, float] | None:
        if m not in self.metric_info:
            self.metric_info[m] = resolve_metric(m)
            if self.metric_info[m] is None:
                self.sink.warn(line, "metric", f"unknown metric {m!r}; ignored", _METRIC_FIX)
        return self.metric_info[m]

    def _register(self, w: str, m: str, line: int) -> int:
        """Key index of (workload, metric), -1 for an unknown metric."""
        idx = self.sink.keys.get((w, m))
        if idx is not None:
            return idx
        info = self._metric(m, line)
        if info is None:
            return -1
        idx = self.sink.key(w, m, info[1], line)
        self.factors = np.append(self.factors, info[2])
        self.limits = np.append(self.limits, ABSURD_LIMITS.get(info[:2], math.inf))
        return idx

    def _emit(
        self,
        kids: npt.NDArray[np.int32],
        ts: npt.NDArray[np.float64],
        vals: npt.NDArray[np.float64],
        lines: npt.NDArray[np.int64],
    ) -> None:
        known = kids >= 0
        safe = np.where(known, kids, 0)
        if self.factors.size:
            vals = vals * np.where(known, self.factors[safe], 1.0)
            lim = np.where(known, self.limits[safe], np.inf)
        else:
            lim = np.full(vals.shape, np.inf)
        names = _Repeat("value", len(vals))
        keep = _value_problems(self.sink, vals, lim, lines, names) & known & ~np.isnan(ts)
        self.sink.add(kids[keep], ts[keep], vals[keep])

    # -- fast path ---------------------------------------------------------------------
    def feed_bytes(self, block: bytes, first_line: int) -> bool:
        """Parse a block of complete lines at numpy speed; False (and no effect) when the
        block needs the line-by-line path (quotes, CR, comments, blank lines, wrong field
        counts, empty fields, unparseable timestamps or values)."""
        if (
            not block
            or b'"' in block
            or b"\r" in block
            or b"\n\n" in block
            or b"\n#" in block
            or block.startswith((b"#", b"\n"))
        ):
            return False
        padded = block + b"\0" * 8
        raw = np.frombuffer(padded, dtype=np.uint8)
        words = np.ndarray(shape=(len(padded) - 7,), dtype="<u8", buffer=padded, strides=(1,))
        nl = np.flatnonzero(raw == 10)
        n = nl.size
        commas = np.flatnonzero(raw == 44)
        k = self.ncol - 1
        if n == 0 or commas.size != n * k:
            return False
        c = commas.reshape(n, k)
        line_start = np.concatenate(([0], nl[:-1] + 1))
        if not (bool(np.all(c[:, 0] >= line_start)) and bool(np.all(c[:, -1] < nl))):
            return False
        seg_start = [line_start] + [c[:, j] + 1 for j in range(k)]
        seg_end = [c[:, j] for j in range(k)] + [nl]
        seg = [(seg_start[j], seg_end[j] - seg_start[j]) for j in range(self.ncol)]
        for j in (self.t_i, self.w_i, self.m_i, self.v_i):
            length = seg[j][1]
            if int(length.min()) <= 0 or int(length.max()) > _MAX_FAST_FIELD:
                return False

        def text(j: int, row: int) -> str:
            st, ln = int(seg[j][0][row]), int(seg[j][1][row])
            return block[st : st + ln].decode("utf-8")

        # timestamps: parse each distinct string once (cached by hash across blocks)
        th = _segment_hash(words, *seg[self.t_i])
        t_uniq, t_first, t_inv = np.unique(th, return_index=True, return_inverse=True)
        epochs = np.empty(t_uniq.size, dtype=np.float64)
        t_cache = self.t_hash
        if len(t_cache) > self.clock.limit:
            t_cache.clear()
        for i, (h, r) in enumerate(zip(t_uniq.tolist(), t_first.tolist(), strict=True)):
            x = t_cache.get(h)
            if x is None:
                try:
                    x = parse_timestamp(text(self.t_i, r))
                except ValueError:
                    return False
                if _check_epoch(x):
                    return False
                t_cache[h] = x
            epochs[i] = x
        # values
        v_start, v_len = seg[self.v_i]
        v_words = np.stack(_segment_words(words, v_start, v_len), axis=1)
        vals = _parse_decimals(v_words, int(v_len.max()))
        if vals is None:
            return False
        # keys: distinct (workload, metric) pairs (cached by hash across blocks)
        with np.errstate(over="ignore"):
            kh = _segment_hash(words, *seg[self.w_i]) * _FNV ^ _segment_hash(words, *seg[self.m_i])
        k_uniq, k_first, k_inv = np.unique(kh, return_index=True, return_inverse=True)
        kid_of = np.empty(k_uniq.size, dtype=np.int32)
        k_cache = self.k_hash
        for i, (h, r) in enumerate(zip(k_uniq.tolist(), k_first.tolist(), strict=True)):
            kid = k_cache.get(h)
            if kid is None:
                kid = self._register(text(self.w_i, r), text(self.m_i, r), first_line + r)
                k_cache[h] = kid
            kid_of[i] = kid
        del t_uniq, k_uniq
        lines = np.arange(first_line, first_line + n, dtype=np.int64)
        self._emit(kid_of[k_inv], epochs[t_inv], vals, lines)
        return True

    # -- line-by-line path -------------------------------------------------------------
    def feed_lines(self, chunk: list[str], first: int) -> None:
        """Parse lines one by one, recording every problem with its line number."""
        rows = list(csv.reader(chunk))
        ncol = self.ncol
        keep_rows: list[list[str]] = []
        keep_lines: list[int] = []
        for i, r in enumerate(rows):
            if not r or (len(r) == 1 and not r[0].strip()) or r[0].startswith("#"):
                continue
            if len(r) != ncol:
                self.sink.problem(
                    first + i,
                    "",
                    f"expected {ncol} fields, found {len(r)}",
                    "one sample a line: timestamp,workload,metric,value",
                )
                continue
            keep_rows.append(r)
            keep_lines.append(first + i)
        if not keep_rows:
            return
        lines = np.asarray(keep_lines, dtype=np.int64)
        cols = list(zip(*keep_rows, strict=True))
        ts_col, w_col, m_col, v_col = cols[self.t_i], cols[self.w_i], cols[self.m_i], cols[self.v_i]
        kids = np.array(
            [self._register(w, m, ln) for w, m, ln in zip(w_col, m_col, keep_lines, strict=True)],
            dtype=np.int32,
        )
        ts = _chunk_ts(self.clock, ts_col, lines, self.sink)
        vals = _floats(v_col)
        if vals is None:
            vals = _floats_slow(v_col, keep_lines, self.sink, _Repeat("value", len(v_col)))
        self._emit(kids, ts, vals, lines)


def _read_long(
    fb: IO[bytes], header: list[str], sink: _Sink, block_bytes: int, first_line: int
) -> None:
    """Stream a long-form CSV in blocks of whole lines (``block_bytes`` at a time)."""
    reader = _LongReader(header, sink)
    carry = b""
    line_no = first_line
    while True:
        data = fb.read(block_bytes)
        if data:
            buf = carry + data
            cut = buf.rfind(b"\n")
            if cut < 0:
                carry = buf
                continue
            block, carry = buf[: cut + 1], buf[cut + 1 :]
        else:
            block, carry = carry, b""
            if block and not block.endswith(b"\n"):
                block += b"\n"
        if not block:
            return
        n_lines = block.count(b"\n")
        if not reader.feed_bytes(block, line_no):
            try:
                lines = block.decode("utf-8").split("\n")[:-1]
            except UnicodeDecodeError as exc:
                sink.problem(
                    line_no,
                    "",
                    f"not UTF-8 text ({exc.reason})",
                    "save the export as UTF-8 (iconv -t UTF-8)",
                )
                return
            reader.feed_lines([ln.rstrip("\r") for ln in lines], line_no)
        line_no += n_lines
        if not data:
            return


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
    f: IO[str], header: list[str], sink: _Sink, path: Path, *, block_bytes: int, first_line: int
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
                first_line - 1,
                name,
                f"cannot tell the metric of column {name!r}",
                "name the column workload/metric (checkout-api/cpu) or the file after the "
                "metric (cpu.csv)",
            )
            continue
        info = resolve_metric(metric)
        if info is None:
            sink.warn(
                first_line - 1, name, f"unknown metric {metric!r}; column ignored", _METRIC_FIX
            )
            continue
        columns.append((c, workload, info[1], info[2], ABSURD_LIMITS.get(info[:2], math.inf)))
        sink.key(workload, metric, info[1], first_line - 1)
    if not columns:
        return
    ncol = len(header)
    col_idx = np.array([c - 1 for c, *_ in columns], dtype=np.int64)
    kids = np.arange(len(columns), dtype=np.int32)
    factors = np.array([fa for *_, fa, _ in columns], dtype=np.float64)
    limits = np.array([li for *_, li in columns], dtype=np.float64)
    names = [header[c].strip() for c, *_ in columns]
    clock = _Clock()
    line_no = first_line
    for chunk in _lines(f, block_bytes):
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
                    sink.problem(
                        first + i,
                        "",
                        f"expected {ncol} fields, found {len(cells) + 1}",
                        "give every row one field per header column (empty = missing)",
                    )
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


def _raw_workload_metric(
    raw: RawSeries, sink: _Sink, file_metric: str | None, workload_label: str
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


def _emit_raw(sink: _Sink, raw: RawSeries, workload: str, metric_name: str) -> None:
    """Checks and unit conversion of one JSON series, then into the sink."""
    where = f"{raw.where}.{raw.values_key}"
    for b in raw.bad:
        if b.kind == "timestamp":
            sink.problem(
                b.line,
                f"{where}[{b.index}]",
                f"unparseable timestamp {b.text!r}",
                "use ISO 8601 (2026-10-01T00:00:00Z) or epoch seconds",
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
        sink.warn(raw.line, raw.where, f"unknown metric {metric_name!r}; ignored", _METRIC_FIX)
        return
    ts = np.where(ts >= 1e11, ts / 1000.0, ts)
    with np.errstate(invalid="ignore"):
        out_of_range = (ts < EPOCH_MIN_S) | (ts >= EPOCH_MAX_S)
    for i in np.flatnonzero(out_of_range)[: MAX_PROBLEMS_PER_FILE + 1]:
        sink.problem(
            raw.line,
            f"{where}[{int(i)}]",
            f"timestamp {float(ts[i]):.0f} is outside 1990-2100",
            "use ISO 8601 (2026-10-01T00:00:00Z) or epoch seconds",
        )
    kid = sink.key(workload, metric_name, info[1], raw.line)
    vals = vals * info[2]
    limit = np.full(vals.size, ABSURD_LIMITS.get(info[:2], math.inf))
    lines = np.full(vals.size, raw.line, dtype=np.int64)
    names = _IndexedNames(where, vals.size)
    keep = _value_problems(sink, vals, limit, lines, names) & ~np.isnan(ts) & ~out_of_range
    sink.add(np.full(int(keep.sum()), kid, dtype=np.int32), ts[keep], vals[keep])


class _IndexedNames(Sequence[str]):
    """``where[i]`` for each sample, without building the list."""

    def __init__(self, where: str, n: int) -> None:
        self.where = where
        self.n = n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: Any) -> Any:
        return f"{self.where}[{int(i)}]"


def _read_json(f: IO[bytes], sink: _Sink, path: Path, workload_label: str) -> None:
    """Stream a Prometheus or CloudWatch JSON response (``planner.ingest_json``)."""
    text = io.TextIOWrapper(f, encoding="utf-8")
    file_metric = _stem_metric(path)
    cache: dict[str, float] = {}

    def parse_ts(s: str) -> float:
        x = cache.get(s)
        if x is None:
            x = parse_timestamp(s)
            if len(cache) < 100_000:
                cache[s] = x
        return x

    try:
        for raw in iter_json_series(text, parse_ts):
            if isinstance(raw, Notice):
                sink.problem(raw.line, raw.where, raw.message, raw.fix)
                continue
            names = _raw_workload_metric(raw, sink, file_metric, workload_label)
            if names is not None:
                _emit_raw(sink, raw, *names)
    except JsonSyntaxError as exc:
        sink.problem(
            exc.line,
            "",
            exc.message,
            "export the API response as returned, complete (not truncated)",
        )
    finally:
        text.detach()  # the caller owns (and closes) the binary file


# --------------------------------------------------------------------------- files


def read_telemetry_file(
    path: Path,
    *,
    rel: str | None = None,
    workload_label: str = "workload",
    block_bytes: int = BLOCK_BYTES,
) -> FileResult:
    """Read one file: its series (with the line of their first sample), hard problems and
    warnings. Series are empty when there are problems."""
    name = rel or path.as_posix()
    sink = _Sink(name)
    base = path.name.removesuffix(".gz")
    try:
        with _open_binary(path) as f:
            if base.endswith(".json"):
                _read_json(f, sink, path, workload_label)
            else:
                header_line = f.readline()
                header_no = 1
                while header_line.startswith(b"#"):
                    header_line = f.readline()
                    header_no += 1
                header = next(csv.reader([header_line.decode("utf-8-sig")]), [])
                lower = {h.strip().lower() for h in header}
                if not header or not lower.intersection(_TS_NAMES):
                    sink.problem(
                        header_no,
                        "",
                        "no timestamp column in the CSV header",
                        "start with timestamp,workload,metric,value (long form) or "
                        "timestamp,<workload>,... (wide form)",
                    )
                elif {"workload", "metric", "value"} <= lower:
                    _read_long(f, header, sink, block_bytes, header_no + 1)
                else:
                    text = io.TextIOWrapper(f, encoding="utf-8", newline="")
                    try:
                        _read_wide(
                            text,
                            header,
                            sink,
                            path,
                            block_bytes=block_bytes,
                            first_line=header_no + 1,
                        )
                    finally:
                        text.detach()
    except UnicodeDecodeError as exc:
        sink.problem(
            0, "", f"not UTF-8 text ({exc.reason})", "save the export as UTF-8 (iconv -t UTF-8)"
        )
    except OSError as exc:
        sink.problem(
            0,
            "",
            f"cannot read: {exc}",
            "check the file is readable, and gzip-compressed only if named .gz",
        )
    if sink.overflow:
        sink.problems.append(
            Problem(
                name,
                0,
                0,
                "",
                f"... and {sink.overflow} more problems in this file",
                "fix the problems above and run again to see the rest",
            )
        )
    if sink.problems:
        return FileResult((), tuple(sink.problems), tuple(sink.warnings))
    return FileResult(tuple(sink.series()), (), tuple(sink.warnings))


@dataclass(frozen=True, slots=True)
class FileResult:
    series: tuple[tuple[MetricSeries, int], ...]
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


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
    block_bytes: int = BLOCK_BYTES,
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
            path, rel=rel, workload_label=workload_label, block_bytes=block_bytes
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
            canonical = resolved[0] if resolved else s.metric
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
    if problems:
        plural = "s" if len(problems) != 1 else ""
        raise InputError(problems, message=f"{len(problems)} problem{plural} in telemetry")
    ordered = tuple(merged[k] for k in sorted(merged))
    return TelemetrySet(series=ordered, warnings=tuple(sorted(warnings, key=Problem.sort_key)))
