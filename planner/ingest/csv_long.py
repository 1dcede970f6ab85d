"""Long-form CSV (``timestamp,workload,metric,value`` in any column order), streamed in
blocks of whole lines: clean blocks are parsed by numpy without per-line Python, anything
else line by line with exact problems.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from functools import partial
from typing import IO

import numpy as np
import numpy.typing as npt

from planner.ingest.bytefields import (
    FNV,
    MAX_FAST_FIELD,
    parse_decimals,
    segment_hash,
    segment_words,
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
        self.k_sorted = np.zeros(0, dtype=np.uint64)
        self.k_ids = np.zeros(0, dtype=np.int32)
        """``k_hash`` as sorted arrays (``_index_keys``) for lookups of whole blocks."""

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
            if int(length.min()) <= 0 or int(length.max()) > MAX_FAST_FIELD:
                return False

        def text(j: int, row: int) -> str:
            st, ln = int(seg[j][0][row]), int(seg[j][1][row])
            return block[st : st + ln].decode("utf-8")

        # timestamps: parse each distinct string once (cached by hash across blocks)
        th = segment_hash(words, *seg[self.t_i])
        t_uniq, t_first, t_inv = _unique(th)
        epochs = np.empty(t_uniq.size, dtype=np.float64)
        for i, (h, r) in enumerate(zip(t_uniq.tolist(), t_first.tolist(), strict=True)):
            x = self.clock.parse_hashed(h, partial(text, self.t_i, r))
            if x is None:
                return False
            epochs[i] = x
        # values
        v_start, v_len = seg[self.v_i]
        v_words = np.stack(segment_words(words, v_start, v_len), axis=1)
        vals = parse_decimals(v_words, int(v_len.max()))
        if vals is None:
            return False
        # keys: distinct (workload, metric) pairs (cached by hash across blocks)
        with np.errstate(over="ignore"):
            kh = segment_hash(words, *seg[self.w_i]) * FNV ^ segment_hash(words, *seg[self.m_i])
        kids = self._known_keys(kh)
        if kids is None:
            k_uniq, k_first, k_inv = np.unique(kh, return_index=True, return_inverse=True)
            kid_of = np.empty(k_uniq.size, dtype=np.int32)
            k_cache = self.k_hash
            for i, (h, r) in enumerate(zip(k_uniq.tolist(), k_first.tolist(), strict=True)):
                kid = k_cache.get(h)
                if kid is None:
                    kid = self._register(text(self.w_i, r), text(self.m_i, r), first_line + r)
                    k_cache[h] = kid
                kid_of[i] = kid
            kids = kid_of[k_inv]
            del k_uniq
            self._index_keys()
        del t_uniq
        lines = np.arange(first_line, first_line + n, dtype=np.int64)
        self._emit(kids, epochs[t_inv], vals, lines)
        return True

    def _known_keys(self, kh: npt.NDArray[np.uint64]) -> npt.NDArray[np.int32] | None:
        """The key index of every hash in ``kh`` when all were seen in earlier blocks (one
        binary search each, no sort), else None."""
        known = self.k_sorted
        if not known.size:
            return None
        pos = np.minimum(np.searchsorted(known, kh), known.size - 1)
        if not np.array_equal(known[pos], kh):
            return None
        return self.k_ids[pos]

    def _index_keys(self) -> None:
        """Sorted arrays of the hashes in ``k_hash`` and their key indexes."""
        hashes = np.fromiter(self.k_hash.keys(), dtype=np.uint64, count=len(self.k_hash))
        ids = np.fromiter(self.k_hash.values(), dtype=np.int32, count=len(self.k_hash))
        order = np.argsort(hashes)
        self.k_sorted, self.k_ids = hashes[order], ids[order]

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


def _unique(
    h: npt.NDArray[np.uint64],
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """``np.unique(h, return_index=True, return_inverse=True)``, sorting only the first of
    each run of equal values when there are few runs (the timestamps of a time-major
    export: one run per instant)."""
    heads = np.flatnonzero(np.concatenate(([True], h[1:] != h[:-1])))
    if heads.size * 4 > h.size:
        return np.unique(h, return_index=True, return_inverse=True)
    uniq, first, inverse = np.unique(h[heads], return_index=True, return_inverse=True)
    runs = np.diff(np.append(heads, h.size))
    return uniq, heads[first], np.repeat(inverse, runs)


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
    fb: IO[bytes], header: list[str], sink: SeriesSink, block_bytes: int, first_line: int
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
