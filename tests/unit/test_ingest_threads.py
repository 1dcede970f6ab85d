"""The long-form CSV scanned on several threads reads exactly what the serial reader reads:
the same series (bytes), first lines, problems and warnings, in the same order (issue 15
speed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from planner.classify import MetricSeries
from planner.ingest.files import FileResult, read_telemetry_file
from planner.ingest.timestamps import parse_timestamp

START_S = 1_790_812_800  # 2026-10-01T00:00:00Z
HEADER = "timestamp,workload,metric,value\n"


def _lines(n_workloads: int, n_times: int, seed: int) -> list[str]:
    """Time-major sample lines (ISO and epoch timestamps, varied value spellings)."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    for t in range(n_times):
        s = START_S + 300 * t
        stamp = f"{s}" if t % 7 == 3 else _iso(s)
        for i in rng.permutation(n_workloads):
            v = float(rng.uniform(0, 4))
            text = (f"{v:.3f}", f"{v:.6e}", str(round(v)), f"{v!r}")[int(rng.integers(4))]
            metric = "cpu_percent" if i % 11 == 0 else "cpu"
            out.append(f"{stamp},w{i:04d},{metric},{text}\n")
    return out


def _iso(epoch_s: int) -> str:
    return np.datetime_as_string(np.datetime64(epoch_s, "s")) + "Z"


def _read(path: Path, block_bytes: int, threads: int) -> FileResult:
    return read_telemetry_file(path, block_bytes=block_bytes, threads=threads)


def _fingerprint(r: FileResult) -> list[object]:
    """Everything a result says, arrays as bytes."""
    out: list[object] = [r.problems, r.warnings]
    for s, line in r.series:
        out.append((s.workload, s.metric, s.unit, s.duplicates, s.source, line))
        out += [s.timestamps_s.tobytes(), s.values.tobytes()]
    return out


def _reference(lines: list[str]) -> dict[tuple[str, str], MetricSeries]:
    """Series parsed one line at a time with ``float`` and ``parse_timestamp``."""
    rows: dict[tuple[str, str], tuple[list[float], list[float]]] = {}
    for ln in lines:
        stamp, w, m, v = ln.rstrip("\n").split(",")
        ts, vals = rows.setdefault((w, m), ([], []))
        ts.append(parse_timestamp(stamp))
        vals.append(float(v) * (0.01 if m == "cpu_percent" else 1.0))
    return {k: MetricSeries.of(k[0], k[1], ts, v) for k, (ts, v) in rows.items()}


@pytest.mark.parametrize("block_bytes", [1500, 1 << 16], ids=["small-blocks", "64k-blocks"])
def test_threads_read_the_serial_series(tmp_path: Path, block_bytes: int) -> None:
    """2 and 3 scan threads give the serial reader's result, which is the line-by-line
    reference's values and timestamps."""
    lines = _lines(300, 40, seed=5)
    path = tmp_path / "cpu.csv"
    path.write_text(HEADER + "".join(lines))
    serial = _read(path, block_bytes, threads=1)
    assert not serial.problems
    for threads in (2, 3):
        assert _fingerprint(_read(path, block_bytes, threads)) == _fingerprint(serial)
    ref = _reference(lines)
    got = {(s.workload, s.metric): s for s, _ in serial.series}
    assert sorted(got) == sorted(ref)
    for key, s in ref.items():
        scale = 100.0 if key[1] == "cpu_percent" else 1.0
        assert got[key].timestamps_s.tobytes() == s.timestamps_s.tobytes()
        np.testing.assert_allclose(got[key].values, s.values * scale, rtol=1e-15)


BAD_LINES = {
    "value": "2026-10-01T00:00:00Z,w0001,cpu,abc\n",
    "fields": "2026-10-01T00:00:00Z,w0001,cpu\n",
    "timestamp": "2026-13-45T00:00:00Z,w0002,cpu,1.5\n",
    "quoted": '"2026-10-01T00:00:00Z",w0003,cpu,"x"\n',
    "negative": "2026-10-01T00:00:00Z,w0004,cpu,-2.5\n",
    "empty-value": "2026-10-01T00:00:00Z,w0005,cpu,\n",
}


@pytest.mark.parametrize("block_bytes", [1500, 1 << 16], ids=["small-blocks", "64k-blocks"])
def test_threads_locate_the_serial_problems(tmp_path: Path, block_bytes: int) -> None:
    """Malformed lines spread through the file are the same problems, at the same lines, in
    the same order, whatever the threads; blank lines, comments and an unknown metric are
    skipped or warned about alike."""
    lines = _lines(120, 30, seed=9)
    for j, bad in enumerate(BAD_LINES.values()):
        lines.insert(200 + 517 * j, bad)
    lines.insert(1500, "\n")
    lines.insert(2100, "# a comment\n")
    lines.insert(2600, "2026-10-01T00:00:00Z,w0006,disk,3\n")
    # line numbers count the header and start at 1
    at = {kind: lines.index(bad) + 2 for kind, bad in BAD_LINES.items()}
    path = tmp_path / "cpu.csv"
    path.write_text(HEADER + "".join(lines))
    serial = _read(path, block_bytes, threads=1)
    problem_lines = sorted(p.line for p in serial.problems)
    # the empty value is a gap, not a problem; the rest is one problem each
    assert problem_lines == sorted(v for k, v in at.items() if k != "empty-value")
    assert [w.message for w in serial.warnings] == ["unknown metric 'disk'; ignored"]
    for threads in (2, 4):
        assert _fingerprint(_read(path, block_bytes, threads)) == _fingerprint(serial)
