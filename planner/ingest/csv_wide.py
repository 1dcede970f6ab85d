"""Wide-form CSV (``timestamp,<column>,...``): a column is ``workload/metric`` or just
``workload``, whose metric is then the file name's last word. Empty cells are gaps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import numpy as np
import numpy.typing as npt

from planner.ingest.csv_long import csv_rows
from planner.ingest.metrics import METRIC_FIX, resolve_metric, stem_metric
from planner.ingest.sink import SeriesSink
from planner.ingest.timestamps import TimestampCache, chunk_ts
from planner.ingest.values import FieldNames, floats, floats_slow, value_problems


def _lines(f: IO[str], block_bytes: int) -> Iterator[list[str]]:
    """Whole lines, about ``block_bytes`` of text at a time."""
    while True:
        chunk = f.readlines(block_bytes)
        if not chunk:
            return
        yield chunk


@dataclass(frozen=True, slots=True)
class WideColumns:
    """What a wide-form header says: ``ncol`` fields a row, the columns read (in header
    order) and ``names``, the header's cells, stripped."""

    ncol: int
    columns: tuple[tuple[int, int, float, float], ...]
    """(column index in the row, sink key index, factor, absurd limit) of each value column."""
    names: tuple[str, ...]


def wide_columns(
    header: list[str], sink: SeriesSink, path: Path, *, first_line: int
) -> WideColumns | None:
    """Register the series of a wide-form ``header`` with ``sink`` (problems and warnings
    for columns whose metric is unknown); None when no column is read."""
    file_metric = stem_metric(path)
    columns: list[tuple[int, int, float, float]] = []
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
                first_line - 1, name, f"unknown metric {metric!r}; column ignored", METRIC_FIX
            )
            continue
        key = sink.key(workload, metric, info.unit, first_line - 1)
        columns.append((c, key, info.factor, info.absurd_limit))
    if not columns:
        return None
    return WideColumns(len(header), tuple(columns), tuple(h.strip() for h in header))


def read_wide(
    f: IO[str],
    header: list[str],
    sink: SeriesSink,
    path: Path,
    *,
    block_bytes: int,
    first_line: int,
) -> None:
    """Stream a wide-form CSV after its ``header``, ``block_bytes`` of lines at a time."""
    spec = wide_columns(header, sink, path, first_line=first_line)
    if spec is not None:
        read_wide_rows(f, spec, sink, block_bytes=block_bytes, first_line=first_line)


def read_wide_rows(
    f: IO[str], spec: WideColumns, sink: SeriesSink, *, block_bytes: int, first_line: int
) -> None:
    """Stream the rows of a wide-form CSV (the header read: ``spec``), ``block_bytes`` of
    lines at a time; ``first_line`` is the line number of the first row."""
    ncol = spec.ncol
    col_idx = np.array([c - 1 for c, *_ in spec.columns], dtype=np.int64)
    kids = np.arange(len(spec.columns), dtype=np.int32)
    factors = np.array([fa for *_, fa, _ in spec.columns], dtype=np.float64)
    limits = np.array([li for *_, li in spec.columns], dtype=np.float64)
    names = [spec.names[c] for c, *_ in spec.columns]
    cell_names = list(spec.names[1:])
    clock = TimestampCache()
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
                parsed = next((row for _, row in csv_rows([line], first + i, sink)), None)
                if not parsed:
                    continue
                head, cells = parsed[0], parsed[1:]
                if len(cells) != ncol - 1:
                    sink.problem(
                        first + i,
                        "",
                        f"expected {ncol} fields, found {len(cells) + 1}",
                        "give every row one field per header column (empty = missing)",
                    )
                    continue
            row = floats(cells)
            if row is None:
                row = floats_slow(cells, [first + i] * len(cells), sink, cell_names)
            ts_col.append(head)
            lines.append(first + i)
            blocks.append(row)
        if not blocks:
            continue
        lines_arr = np.asarray(lines, dtype=np.int64)
        ts = chunk_ts(clock, ts_col, lines_arr, sink)
        block = np.vstack(blocks)[:, col_idx] * factors[None, :]
        n_rows, n_cols = block.shape
        flat = block.T.reshape(-1)  # column-major: series after series
        flat_lines = np.tile(lines_arr, n_cols)
        flat_keys = np.repeat(kids, n_rows)
        flat_ts = np.tile(ts, n_cols)
        flat_names = FieldNames.by_column(names, n_rows)
        keep = value_problems(
            sink, flat, np.repeat(limits, n_rows), flat_lines, flat_names
        ) & ~np.isnan(flat_ts)
        sink.add(flat_keys[keep], flat_ts[keep], flat[keep])
