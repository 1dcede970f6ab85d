"""Long-form CSV (``timestamp,workload,metric,value`` in any column order), streamed in
blocks of whole lines: clean blocks are scanned by numpy without per-line Python (on a few
threads, ``planner.ingest.csv_fast``) and committed in file order, anything else is read
line by line with exact problems.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import partial
from typing import IO

import numpy as np
import numpy.typing as npt

from planner.ingest.csv_fast import (
    BlockScan,
    KeyIndex,
    Layout,
    known_keys,
    line_blocks,
    scan_block,
    scan_blocks,
    scan_threads,
)
from planner.ingest.metrics import METRIC_FIX, MetricUnit, resolve_metric
from planner.ingest.sink import SeriesSink
from planner.ingest.timestamps import (
    TS_NAMES,
    TimestampCache,
    chunk_ts,
)
from planner.ingest.values import FieldNames, floats, floats_slow, value_problems


class _LongReader:
    """Long-form CSV: a vectorised path for clean blocks of lines, a line-by-line path
    (exact problems with line numbers) for anything else."""

    def __init__(self, header: list[str], sink: SeriesSink) -> None:
        lower = [h.strip().lower() for h in header]
        self.t_i = next(lower.index(n) for n in TS_NAMES if n in lower)
        self.w_i = lower.index("workload")
        self.m_i = lower.index("metric")
        self.v_i = lower.index("value")
        self.ncol = len(header)
        self.sink = sink
        self.clock = TimestampCache()
        self.metric_info: dict[str, MetricUnit | None] = {}
        self.factors = np.zeros(0, dtype=np.float64)
        self.limits = np.zeros(0, dtype=np.float64)
        self.k_hash: dict[int, int] = {}
        self.k_index: KeyIndex = (np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int32))
        """``k_hash`` as sorted arrays (``_index_keys``) for lookups of whole blocks."""
        self.layout = Layout(self.ncol, self.t_i, self.w_i, self.m_i, self.v_i)

    # -- shared tail -------------------------------------------------------------------
    def _metric(self, m: str, line: int) -> MetricUnit | None:
        if m not in self.metric_info:
            self.metric_info[m] = resolve_metric(m)
            if self.metric_info[m] is None:
                self.sink.warn(line, "metric", f"unknown metric {m!r}; ignored", METRIC_FIX)
        return self.metric_info[m]

    def _register(self, w: str, m: str, line: int) -> int:
        """Key index of (workload, metric), -1 for an unknown metric."""
        idx = self.sink.keys.get((w, m))
        if idx is not None:
            return idx
        info = self._metric(m, line)
        if info is None:
            return -1
        idx = self.sink.key(w, m, info.unit, line)
        self.factors = np.append(self.factors, info.factor)
        self.limits = np.append(self.limits, info.absurd_limit)
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
        names = FieldNames.same("value", len(vals))
        keep = value_problems(self.sink, vals, lim, lines, names) & known & ~np.isnan(ts)
        self.sink.add(kids[keep], ts[keep], vals[keep])

    # -- fast path ---------------------------------------------------------------------
    def key_index(self) -> KeyIndex:
        """The keys registered so far, for ``scan_block``'s lookups."""
        return self.k_index

    def feed_bytes(self, block: bytes, first_line: int) -> bool:
        """Parse a block of complete lines at numpy speed; False (and no effect) when the
        block needs the line-by-line path (see ``scan_block``; also unparseable
        timestamps)."""
        scan = scan_block(block, self.layout, self.k_index)
        return scan is not None and self.commit(scan, first_line)

    def commit(self, scan: BlockScan, first_line: int) -> bool:
        """Add a scanned block's samples (blocks are committed in file order); False (and
        no effect) when a timestamp is unparseable: the block needs the line-by-line path."""
        epochs = np.empty(scan.t_hash.size, dtype=np.float64)
        rows = scan.t_first.tolist()
        for i, (h, r) in enumerate(zip(scan.t_hash.tolist(), rows, strict=True)):
            x = self.clock.parse_hashed(h, partial(scan.text, scan.t_span, r))
            if x is None:
                return False
            epochs[i] = x
        kids = scan.key_ids
        if kids is None:
            kids = known_keys(self.k_index, scan.key_hash)
        if kids is None:
            kh = scan.key_hash
            k_uniq, k_first, k_inv = np.unique(kh, return_index=True, return_inverse=True)
            kid_of = np.empty(k_uniq.size, dtype=np.int32)
            k_cache = self.k_hash
            for i, (h, r) in enumerate(zip(k_uniq.tolist(), k_first.tolist(), strict=True)):
                kid = k_cache.get(h)
                if kid is None:
                    w, m = scan.text(scan.w_span, r), scan.text(scan.m_span, r)
                    kid = self._register(w, m, first_line + r)
                    k_cache[h] = kid
                kid_of[i] = kid
            kids = kid_of[k_inv]
            self._index_keys()
        lines = np.arange(first_line, first_line + scan.n, dtype=np.int64)
        self._emit(kids, epochs[scan.t_inv], scan.values, lines)
        return True

    def _index_keys(self) -> None:
        """Sorted arrays of the hashes in ``k_hash`` and their key indexes."""
        hashes = np.fromiter(self.k_hash.keys(), dtype=np.uint64, count=len(self.k_hash))
        ids = np.fromiter(self.k_hash.values(), dtype=np.int32, count=len(self.k_hash))
        order = np.argsort(hashes)
        self.k_index = (hashes[order], ids[order])

    # -- line-by-line path -------------------------------------------------------------
    def feed_lines(self, chunk: list[str], first: int) -> None:
        """Parse lines one by one, recording every problem with its line number."""
        ncol = self.ncol
        keep_rows: list[list[str]] = []
        keep_lines: list[int] = []
        for i, r in csv_rows(chunk, first, self.sink):
            if not r or (len(r) == 1 and not r[0].strip()) or r[0].startswith("#"):
                continue
            if len(r) != ncol:
                self.sink.problem(
                    i,
                    "",
                    f"expected {ncol} fields, found {len(r)}",
                    "one sample a line: timestamp,workload,metric,value",
                )
                continue
            keep_rows.append(r)
            keep_lines.append(i)
        if not keep_rows:
            return
        lines = np.asarray(keep_lines, dtype=np.int64)
        cols = list(zip(*keep_rows, strict=True))
        ts_col, w_col, m_col, v_col = cols[self.t_i], cols[self.w_i], cols[self.m_i], cols[self.v_i]
        kids = np.array(
            [self._register(w, m, ln) for w, m, ln in zip(w_col, m_col, keep_lines, strict=True)],
            dtype=np.int32,
        )
        ts = chunk_ts(self.clock, ts_col, lines, self.sink)
        vals = floats(v_col)
        if vals is None:
            vals = floats_slow(v_col, keep_lines, self.sink, FieldNames.same("value", len(v_col)))
        self._emit(kids, ts, vals, lines)


def csv_rows(lines: list[str], first: int, sink: SeriesSink) -> Iterator[tuple[int, list[str]]]:
    """``(line number, fields)`` of each of ``lines`` (one CSV record a line, the first
    numbered ``first``); a line the csv module refuses (a field over its size limit, a stray
    quote) is a problem at its line and skipped."""
    reader = csv.reader(lines)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            sink.problem(
                first + reader.line_num - 1,
                "",
                f"unreadable CSV line: {exc}",
                "one sample a line, fields of ordinary length, quotes balanced",
            )
            continue
        yield first + reader.line_num - 1, row


def read_long(
    fb: IO[bytes],
    header: list[str],
    sink: SeriesSink,
    block_bytes: int,
    first_line: int,
    *,
    threads: int | None = None,
) -> None:
    """Stream a long-form CSV in blocks of whole lines (``block_bytes`` at a time), scanned
    on ``threads`` threads (default ``scan_threads()``) and committed in order."""
    reader = _LongReader(header, sink)
    line_no = first_line
    n_threads = scan_threads() if threads is None else threads
    scans = scan_blocks(line_blocks(fb, block_bytes), reader.layout, reader.key_index, n_threads)
    for block, scan in scans:
        if scan is not None and reader.commit(scan, line_no):
            line_no += scan.n
            continue
        n_lines = block.count(b"\n")
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
