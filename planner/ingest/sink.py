"""``SeriesSink``: the samples and problems of one telemetry file as it is read, grouped by
(workload, metric) into ``MetricSeries`` at the end.
"""

from __future__ import annotations

import ctypes
import functools
import mmap
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import cast

import numpy as np
import numpy.typing as npt

from planner.classify.series import MetricSeries, is_sorted_unique
from planner.errors import Problem
from planner.model import SourceRef

MAX_PROBLEMS_PER_FILE = 20
TRIM_EVERY_CHUNKS = 32
"""Freed pages are returned to the system every this many chunks, while reading (the
readers' temporaries) and while grouping (the chunks scattered so far), so the heap holds
the chunks and the grouped arrays filled so far, not also what malloc kept of freed ones."""


@dataclass
class SeriesSink:
    """Accumulates numeric arrays per (workload, metric) key across chunks."""

    rel: str
    keys: dict[tuple[str, str], int] = field(default_factory=dict)
    units: list[str] = field(default_factory=list)
    first_line: list[int] = field(default_factory=list)
    key_chunks: list[npt.NDArray[np.int32] | npt.NDArray[np.uint16]] = field(default_factory=list)
    ts_chunks: list[npt.NDArray[np.float64]] = field(default_factory=list)
    ts_runs: list[npt.NDArray[np.int64] | None] = field(default_factory=list)
    """Per chunk: the run lengths when ``ts_chunks`` holds one timestamp per run of equal
    ones (a time-major export: all workloads at one instant, then the next), else None."""
    val_chunks: list[npt.NDArray[np.float64]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    overflow: int = 0
    threads: int = 1
    """Threads that group the samples into series (``series``)."""

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
            # 2 bytes a sample while up to 65,536 keys are known (every file we have seen)
            self.key_chunks.append(keys.astype(np.uint16) if len(self.keys) <= 1 << 16 else keys)
            heads = np.flatnonzero(np.concatenate(([True], ts[1:] != ts[:-1])))
            if heads.size * 4 <= ts.size:
                self.ts_chunks.append(ts[heads])
                self.ts_runs.append(np.diff(np.append(heads, ts.size)))
            else:
                self.ts_chunks.append(ts)
                self.ts_runs.append(None)
            self.val_chunks.append(vals)
            if len(self.val_chunks) % TRIM_EVERY_CHUNKS == 0:
                _return_freed_memory()  # the readers' temporaries, freed but kept by malloc

    def series(self) -> list[tuple[MetricSeries, int]]:
        """Group the samples by key, sorted by (workload, metric); within a key, in the
        order read. Each chunk is scattered into its keys' places in arrays of the whole
        file (values, and timestamps unless the keys share one grid: ``shared_grid``) and
        the chunks scattered are returned to the system as it goes, so the peak is at most
        the chunks read (10 to 18 bytes a sample) plus the grouped arrays (8 or 16), not
        also a concatenated and a reordered copy."""
        if not self.key_chunks:
            return []
        grid = shared_grid(self.key_chunks, self.ts_chunks, self.ts_runs, len(self.keys))
        ts, vals, bounds = _grouped(
            self.key_chunks,
            self.ts_chunks,
            self.ts_runs,
            self.val_chunks,
            len(self.keys),
            with_ts=grid is None,
            threads=self.threads,
        )
        out: list[tuple[MetricSeries, int]] = []
        for (workload, metric), idx in sorted(self.keys.items()):
            lo, hi = int(bounds[idx]), int(bounds[idx + 1])
            if hi == lo:
                continue
            source = SourceRef(self.rel, self.first_line[idx])
            t, v = (ts[lo:hi] if grid is None else grid), vals[lo:hi]
            if is_sorted_unique(t):
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


def _grouped(
    key_chunks: list[npt.NDArray[np.int32] | npt.NDArray[np.uint16]],
    ts_chunks: list[npt.NDArray[np.float64]],
    ts_runs: list[npt.NDArray[np.int64] | None],
    val_chunks: list[npt.NDArray[np.float64]],
    nkeys: int,
    *,
    with_ts: bool = True,
    threads: int = 1,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.int64]]:
    """(timestamps, values, bounds): the chunks' samples ordered by key - key ``k``'s at
    ``bounds[k]:bounds[k + 1]`` in the order read (a stable sort of all samples by key) -
    emptying the chunk lists as it goes. Without ``with_ts`` the timestamps are not
    grouped (an empty array: every key's are the shared grid). Chunks are scattered on
    ``threads`` threads."""
    counts = np.zeros(nkeys, dtype=np.int64)
    for keys in key_chunks:
        counts += np.bincount(keys, minlength=nkeys)
    bounds = np.concatenate(([0], np.cumsum(counts)))
    total = int(bounds[-1])
    ts = _small_pages(total if with_ts else 0)
    vals = _small_pages(total)
    cursor = bounds[:-1].copy()
    # a stable sort of 16-bit keys is a radix sort; wider keys sort as they are
    narrow = np.uint16 if nkeys <= 1 << 16 else np.int32
    scatter = functools.partial(_scatter, ts=ts if with_ts else None, vals=vals, narrow=narrow)
    # chunks fill disjoint places (each from its own cursor): they are scattered on a few
    # threads (numpy releases the GIL in sorts and fancy indexing), a few chunks ahead
    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        ahead: deque[Future[None]] = deque()
        for i in range(len(key_chunks)):
            if i % TRIM_EVERY_CHUNKS == TRIM_EVERY_CHUNKS - 1:
                _return_freed_memory()
            keys, t, runs, v = (
                key_chunks.pop(0),
                ts_chunks.pop(0),
                ts_runs.pop(0),
                val_chunks.pop(0),
            )
            here = np.bincount(keys, minlength=nkeys)
            ahead.append(pool.submit(scatter, keys, t, runs, v, cursor=cursor.copy(), here=here))
            cursor += here
            if len(ahead) > 2 * threads:
                ahead.popleft().result()
        while ahead:
            ahead.popleft().result()
    _return_freed_memory()
    return ts, vals, bounds


def _scatter(
    keys: npt.NDArray[np.int32] | npt.NDArray[np.uint16],
    t: npt.NDArray[np.float64],
    runs: npt.NDArray[np.int64] | None,
    v: npt.NDArray[np.float64],
    *,
    cursor: npt.NDArray[np.int64],
    here: npt.NDArray[np.int64],
    ts: npt.NDArray[np.float64] | None,
    vals: npt.NDArray[np.float64],
    narrow: type[np.uint16] | type[np.int32],
) -> None:
    """Put one chunk's samples in their keys' places: key k's from ``cursor[k]`` on, in
    the order read (``here``: the chunk's samples of each key)."""
    order = np.argsort(keys.astype(narrow, copy=False), kind="stable")
    sorted_keys = keys[order]
    first_here = np.cumsum(here) - here
    dest = cursor[sorted_keys] + (np.arange(keys.size) - first_here[sorted_keys])
    if ts is not None:
        ts[dest] = (t if runs is None else np.repeat(t, runs))[order]
    vals[dest] = v[order]


def shared_grid(
    key_chunks: list[npt.NDArray[np.int32] | npt.NDArray[np.uint16]],
    ts_chunks: list[npt.NDArray[np.float64]],
    ts_runs: list[npt.NDArray[np.int64] | None],
    nkeys: int,
) -> npt.NDArray[np.float64] | None:
    """The one timestamp array every key's samples have, in the order read, when the file
    is time-major on a full grid (each instant, strictly increasing, holds every key exactly
    once), as a read-only array; else None. The series then share it instead of holding
    8 bytes a sample of grouped timestamps."""
    if nkeys == 0 or any(runs is None for runs in ts_runs):
        return None
    heads: list[npt.NDArray[np.float64]] = []
    lengths: list[npt.NDArray[np.int64]] = []
    for chunk_t, chunk_runs in zip(ts_chunks, ts_runs, strict=True):
        assert chunk_runs is not None
        t, runs = chunk_t, chunk_runs
        if heads and heads[-1][-1] == t[0]:  # an instant split between two chunks
            lengths[-1] = lengths[-1].copy()
            lengths[-1][-1] += runs[0]
            t, runs = t[1:], runs[1:]
        if t.size:
            heads.append(t)
            lengths.append(runs)
    grid = np.concatenate(heads)
    if not bool(np.all(np.concatenate(lengths) == nkeys)) or not bool(np.all(grid[1:] > grid[:-1])):
        return None
    # every key once per instant: the i-th sample read is in instant i // nkeys
    seen = np.zeros(nkeys, dtype=np.int64)
    done = 0
    for keys in key_chunks:
        first_run = done // nkeys
        last_run = (done + keys.size - 1) // nkeys - first_run
        code = (np.arange(done, done + keys.size) // nkeys - first_run) * nkeys + keys
        counts = np.bincount(code, minlength=(last_run + 1) * nkeys)
        counts[:nkeys] += seen
        if int(counts.max()) > 1:
            return None
        done += keys.size
        seen = counts[last_run * nkeys :] if done % nkeys else np.zeros(nkeys, dtype=np.int64)
    grid.setflags(write=False)
    return grid


def _small_pages(n: int) -> npt.NDArray[np.float64]:
    """An uninitialised float array of ``n`` on ordinary (4 KiB) pages. numpy asks for huge
    pages (2 MiB) for large arrays, and a scatter of time-major chunks into key-major order
    touches every one of them from the first chunk on: the whole array would be resident
    while the chunks still are. On small pages it fills in as the chunks are freed."""
    if n == 0:
        return np.empty(0, dtype=np.float64)
    region = mmap.mmap(-1, n * 8)
    if hasattr(mmap, "MADV_NOHUGEPAGE"):
        region.madvise(mmap.MADV_NOHUGEPAGE)
    return np.frombuffer(region, dtype=np.float64)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None on other C libraries."""
    try:
        return cast("Callable[[int], int]", ctypes.CDLL(None).malloc_trim)
    except (OSError, AttributeError):
        return None


def _return_freed_memory() -> None:
    """Give the pages of the freed chunks back to the system: they are under a megabyte
    each, so glibc keeps them in its heap once freed (its mmap threshold has risen), and
    the rest of the run (classification, the solver) would hold them for nothing."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
