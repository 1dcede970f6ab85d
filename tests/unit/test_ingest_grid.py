"""Time-major exports on a full grid share one timestamp array across their series; any
other shape is grouped as before, with the same series (issue 15 memory)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from planner.classify import MetricSeries
from planner.ingest.files import read_telemetry_file

START_S = 1_790_812_800  # 2026-10-01T00:00:00Z
HEADER = "timestamp,workload,metric,value\n"
Row = tuple[int, str, float]


def _grid_rows(n_workloads: int, n_times: int) -> list[Row]:
    """Time-major rows: every workload at each instant (workload order varies)."""
    rng = np.random.default_rng(3)
    rows: list[Row] = []
    for t in range(n_times):
        order = rng.permutation(n_workloads)
        rows += [
            (START_S + 300 * t, f"w{i:03d}", round(float(rng.uniform(0, 4)), 3)) for i in order
        ]
    return rows


def _write(path: Path, rows: list[Row]) -> Path:
    path.write_text(HEADER + "".join(f"{t},{w},cpu,{v!r}\n" for t, w, v in rows))
    return path


def _read(path: Path, block_bytes: int) -> list[MetricSeries]:
    result = read_telemetry_file(path, block_bytes=block_bytes)
    assert not result.problems
    return [s for s, _ in result.series]


def _same(a: list[MetricSeries], b: list[MetricSeries]) -> None:
    assert [(s.workload, s.metric, s.unit, s.duplicates) for s in a] == [
        (s.workload, s.metric, s.unit, s.duplicates) for s in b
    ]
    for x, y in zip(a, b, strict=True):
        assert x.timestamps_s.tobytes() == y.timestamps_s.tobytes()
        assert x.values.tobytes() == y.values.tobytes()
        assert not x.timestamps_s.flags.writeable
        assert not x.values.flags.writeable


def _key_major(rows: list[Row]) -> list[Row]:
    """The same rows grouped by workload, each workload's in the order read (the grouping a
    reader does), so its series are the reference."""
    return sorted(rows, key=lambda r: r[1])


@pytest.mark.parametrize("block_bytes", [1 << 22, 777, 4096])
def test_full_grid_shares_one_timestamp_array(tmp_path: Path, block_bytes: int) -> None:
    rows = _grid_rows(12, 40)
    grid = _read(_write(tmp_path / "grid.csv", rows), block_bytes)
    assert len(grid) == 12
    assert all(s.timestamps_s is grid[0].timestamps_s for s in grid)
    assert np.array_equal(grid[0].timestamps_s, START_S + 300.0 * np.arange(40))
    reference = _read(_write(tmp_path / "by_key.csv", _key_major(rows)), block_bytes)
    assert reference[0].timestamps_s is not reference[1].timestamps_s
    _same(grid, reference)


def _missing_cell(rows: list[Row]) -> list[Row]:
    return rows[:100] + rows[101:]


def _key_twice_in_an_instant(rows: list[Row]) -> list[Row]:
    # the 13th row (second instant) repeats the first row's workload at the first instant
    return [*rows[:11], (rows[0][0], rows[0][1], 9.5), *rows[12:]]


def _instant_out_of_order(rows: list[Row]) -> list[Row]:
    return rows[12:24] + rows[:12] + rows[24:]


def _late_workload(rows: list[Row]) -> list[Row]:
    return [r for r in rows if not (r[1] == "w005" and r[0] == START_S)]


@pytest.mark.parametrize(
    "damage", [_missing_cell, _key_twice_in_an_instant, _instant_out_of_order, _late_workload]
)
@pytest.mark.parametrize("block_bytes", [1 << 22, 777])
def test_any_other_shape_is_grouped_as_before(
    tmp_path: Path, damage: Callable[[list[Row]], list[Row]], block_bytes: int
) -> None:
    rows = damage(_grid_rows(12, 40))
    series = _read(_write(tmp_path / "almost.csv", rows), block_bytes)
    assert len({id(s.timestamps_s) for s in series}) == len(series)
    reference = _read(_write(tmp_path / "by_key.csv", _key_major(rows)), block_bytes)
    _same(series, reference)
