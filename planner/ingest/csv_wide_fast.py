"""The vectorised reader of wide-form CSV (``timestamp,<column>,...``), for clean files.

``read_wide_fast`` reads the rows of a wide file a block of whole lines at a time with
numpy (field positions from the commas, values by ``plain_decimals``) into one matrix,
and makes each column a series directly: no per-cell Python, no grouping of samples, and
the columns without gaps share one read-only timestamp array (the classifier then works
out the file's sampling grid once). It records nothing: on anything unusual - quotes,
CR, blank or comment lines, a wrong number of fields, a cell that is not a plain decimal
(exponents, ``nan``, spaces), a timestamp that does not parse or is implausible, a value
that is negative or absurd, two columns of one series - it gives up (None) and the caller
reads the file again with the general reader (``planner.ingest.csv_wide``), which then
reports every problem with its line. So the series are the general reader's, value for
value, and so are the problems.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import IO

import numpy as np
import numpy.typing as npt

from planner.classify.series import MetricSeries, is_sorted_unique
from planner.ingest.bytefields import MAX_FAST_FIELD, plain_decimals, segment_words
from planner.ingest.csv_fast import comma_grid, line_blocks
from planner.ingest.csv_wide import WideColumns, read_wide_rows
from planner.ingest.sink import SeriesSink
from planner.ingest.timestamps import (
    ISO_UTC_WIDTH,
    check_epoch,
    iso_utc_seconds,
    outside_epoch,
    parse_timestamp,
)
from planner.model import SourceRef

FloatArray = npt.NDArray[np.float64]
_UNUSUAL = (b'"', b"\r", b"\0")
"""Bytes a block must not hold for the vectorised path (quoted fields, CR line ends, NUL,
which would read as the padding of a field). Blank and comment lines need no search:
they fail the count of commas, or their timestamp does not parse."""


@dataclass(frozen=True, slots=True)
class WideBlock:
    """What ``scan_wide_block`` read from a block of whole lines."""

    timestamps_s: FloatArray
    """Epoch seconds of each row."""
    cells: FloatArray
    """Every field after the timestamp, rows x (ncol - 1); NaN where empty (a gap)."""


def read_wide_any(
    f: IO[bytes],
    spec: WideColumns,
    sink: SeriesSink,
    *,
    reopen: Callable[[], AbstractContextManager[IO[bytes]]],
    block_bytes: int,
    first_line: int,
) -> list[tuple[MetricSeries, int]] | None:
    """The rows of a wide-form file after its header (``spec``; ``f`` is positioned on
    the first row, line ``first_line``): its series when ``read_wide_fast`` reads them,
    else None, the file read again by the general reader into ``sink`` (``reopen`` gives
    the file's bytes positioned on the first row again)."""
    try:
        fast = read_wide_fast(f, spec, sink, block_bytes=block_bytes)
    except (OSError, EOFError, zlib.error):
        # a truncated or corrupt file: the general reader meets it again, after the
        # problems of the rows before it
        fast = None
    if fast is not None:
        return fast
    with reopen() as again:
        text = io.TextIOWrapper(again, encoding="utf-8", newline="")
        try:
            read_wide_rows(text, spec, sink, block_bytes=block_bytes, first_line=first_line)
        finally:
            text.detach()
    return None


def read_wide_fast(
    f: IO[bytes], spec: WideColumns, sink: SeriesSink, *, block_bytes: int
) -> list[tuple[MetricSeries, int]] | None:
    """Each series of the wide-form rows in ``f`` (the keys ``spec`` registered with
    ``sink``), as ``SeriesSink.series`` gives them: sorted by (workload, metric), each with
    the line of its header. None when any row is unusual (see the module doc); nothing is
    recorded in ``sink`` either way."""
    keys = [key for _, key, _, _ in spec.columns]
    if len(set(keys)) != len(keys):
        return None
    col_idx = np.array([c - 1 for c, *_ in spec.columns], dtype=np.int64)
    factors = np.array([fa for *_, fa, _ in spec.columns], dtype=np.float64)
    limits = np.array([li for *_, li in spec.columns], dtype=np.float64)
    clock: dict[bytes, float] = {}
    ts_parts: list[FloatArray] = []
    val_parts: list[FloatArray] = []
    for block in line_blocks(f, block_bytes):
        scan = scan_wide_block(block, spec.ncol, clock)
        if scan is None:
            return None
        vals = scan.cells[:, col_idx] * factors[None, :]
        with np.errstate(invalid="ignore"):
            if bool(((vals < 0) | np.isinf(vals) | (vals > limits[None, :])).any()):
                return None
        ts_parts.append(scan.timestamps_s)
        val_parts.append(np.ascontiguousarray(vals.T))
    if not ts_parts:
        return []
    ts = np.concatenate(ts_parts)
    ts.setflags(write=False)
    columns = val_parts[0] if len(val_parts) == 1 else np.concatenate(val_parts, axis=1)
    del val_parts
    grid_ok = is_sorted_unique(ts)
    column_of = {key: j for j, key in enumerate(keys)}
    gappy = np.asarray(np.isnan(columns).any(axis=1), dtype=np.bool_)
    out: list[tuple[MetricSeries, int]] = []
    for (workload, metric), key in sorted(sink.keys.items()):
        j = column_of[key]
        v = columns[j]
        t = ts
        if gappy[j]:
            keep = ~np.isnan(v)
            t, v = ts[keep], v[keep]
        if not v.size:
            continue
        unit, line = sink.units[key], sink.first_line[key]
        source = SourceRef(sink.rel, line)
        if grid_ok if t is ts else is_sorted_unique(t):
            v.setflags(write=False)
            t.setflags(write=False)
            series = MetricSeries(workload, metric, unit, t, v, 0, source)
        else:
            series = MetricSeries.of(workload, metric, t, v, unit=unit, source=source)
        out.append((series, line))
    return out


def scan_wide_block(block: bytes, ncol: int, clock: dict[bytes, float]) -> WideBlock | None:
    """The timestamps and cells of a block of whole lines of ``ncol`` fields, None when the
    block is unusual (see the module doc). ``clock`` caches timestamp texts -> seconds."""
    if not block or ncol < 2 or any(b in block for b in _UNUSUAL):
        return None
    grid = comma_grid(block, ncol)
    if grid is None:
        return None
    raw, words, nl, c, line_start = grid.raw, grid.words, grid.nl, grid.commas, grid.line_start
    n, k = nl.size, ncol - 1
    timestamps = _timestamps(block, raw, line_start, c[:, 0], clock)
    if timestamps is None:
        return None
    start = (c + 1).reshape(-1)
    length = np.concatenate((c[:, 1:], nl[:, None]), axis=1).reshape(-1) - start
    if int(length.max()) > MAX_FAST_FIELD:
        return None
    cells = np.full(n * k, np.nan)
    filled = np.flatnonzero(length > 0)
    if filled.size:
        f_start, f_len = start[filled], length[filled]
        v_words = np.stack(segment_words(words, f_start, f_len), axis=1)
        vals, ok = plain_decimals(v_words, int(f_len.max()))
        if not bool(ok.all()):
            return None
        cells[filled] = vals
    return WideBlock(timestamps, cells.reshape(n, k))


def _timestamps(
    block: bytes,
    raw: npt.NDArray[np.uint8],
    line_start: npt.NDArray[np.intp],
    first_comma: npt.NDArray[np.intp],
    clock: dict[bytes, float],
) -> FloatArray | None:
    """Epoch seconds of each line's first field, None when one does not parse or is
    implausible (``parse_timestamp``, ``check_epoch``): all at once when every one is
    ``YYYY-MM-DDTHH:MM:SSZ`` (``iso_utc_seconds``), else one by one."""
    if bool(np.all(first_comma - line_start == ISO_UTC_WIDTH)):
        seconds = iso_utc_seconds(raw, line_start)
        if seconds is not None:
            return None if bool(outside_epoch(seconds).any()) else seconds
    out = np.empty(line_start.size, dtype=np.float64)
    for i, (a, b) in enumerate(zip(line_start.tolist(), first_comma.tolist(), strict=True)):
        text = block[a:b]
        x = clock.get(text)
        if x is None:
            try:
                x = parse_timestamp(text.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                return None
            if check_epoch(x):
                return None
            clock[text] = x
        out[i] = x
    return out
