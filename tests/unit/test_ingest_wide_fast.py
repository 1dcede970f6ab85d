"""The vectorised wide-form CSV reader (``csv_wide_fast``) reads what the general wide reader
reads - the same series, to the byte, the same first lines - and gives up on anything
unusual, so that the general reader reports the problem on its line (issue 18 speed)."""

from __future__ import annotations

import csv
import gzip
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from planner.ingest import load_telemetry, parse_timestamp
from planner.ingest.csv_wide import read_wide, wide_columns
from planner.ingest.csv_wide_fast import read_wide_fast
from planner.ingest.files import FileResult, open_text_lines, read_telemetry_file
from planner.ingest.sink import SeriesSink
from planner.ingest.timestamps import iso_utc_seconds
from planner.model import Project, Resources, Workload, WorkloadKind

START = datetime(2026, 10, 1, tzinfo=UTC)


def _stamp(hour: int) -> str:
    return (START + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _wide(path: Path, columns: list[str], rows: list[list[str]]) -> Path:
    """A wide file: ``rows`` are [timestamp, cell, ...]."""
    lines = [",".join(["timestamp", *columns])] + [",".join(r) for r in rows]
    data = ("\n".join(lines) + "\n").encode()
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def _clean_rows(n_cols: int, hours: int, seed: int) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    return [[_stamp(h), *(f"{v:.3f}" for v in rng.uniform(0, 50, n_cols))] for h in range(hours)]


def _general(path: Path, block_bytes: int = 1 << 22) -> FileResult:
    """The file read by the general wide reader alone (``read_wide`` into a sink)."""
    sink = SeriesSink(path.as_posix())
    with open_text_lines(path) as f:
        header = next(csv.reader([f.readline().decode("utf-8-sig")]))
        text = io.TextIOWrapper(f, encoding="utf-8", newline="")
        read_wide(text, header, sink, path, block_bytes=block_bytes, first_line=2)
        text.detach()
    if sink.problems:
        return FileResult((), tuple(sink.problems), tuple(sink.warnings))
    return FileResult(tuple(sink.series()), (), tuple(sink.warnings))


def _fingerprint(r: FileResult) -> list[object]:
    """Everything a result says, arrays as bytes."""
    out: list[object] = [r.problems, r.warnings]
    for s, line in r.series:
        out.append((s.workload, s.metric, s.unit, s.duplicates, s.source, line))
        out += [s.timestamps_s.tobytes(), s.values.tobytes()]
    return out


def _fast_only(path: Path) -> object:
    """What ``read_wide_fast`` itself returns for the file (None: it gave up)."""
    sink = SeriesSink(path.as_posix())
    with open_text_lines(path) as f:
        header = next(csv.reader([f.readline().decode("utf-8-sig")]))
        spec = wide_columns(header, sink, path, first_line=2)
        assert spec is not None
        return read_wide_fast(f, spec, sink, block_bytes=1 << 22)


COLUMNS = ["a/cpu", "a/memory_mib", "b/cpu", "b/gpu_percent", "c/cpu", "d/bogus"]


@pytest.mark.parametrize("block_bytes", [1 << 22, 301], ids=["one-block", "small-blocks"])
@pytest.mark.parametrize("name", ["fleet.csv", "fleet.csv.gz"], ids=["csv", "gz"])
def test_clean_file_equals_general_reader(tmp_path: Path, name: str, block_bytes: int) -> None:
    """A clean file (units converted, an unknown metric ignored, a gz copy, blocks cut
    mid-file) gives the general reader's series; columns without gaps share one read-only
    timestamp array."""
    path = _wide(tmp_path / name, COLUMNS, _clean_rows(len(COLUMNS), 100, 1))
    fast = read_telemetry_file(path, block_bytes=block_bytes)
    assert _fingerprint(fast) == _fingerprint(_general(path, block_bytes))
    assert [s.metric for s, _ in fast.series] == ["cpu", "memory_mib", "cpu", "gpu_percent", "cpu"]
    assert [w.message for w in fast.warnings] == [
        "unknown metric 'bogus'; column ignored",
    ]
    grids = {id(s.timestamps_s) for s, _ in fast.series}
    assert len(grids) == 1
    assert not fast.series[0][0].timestamps_s.flags.writeable
    assert fast.series[0][0].timestamps_s[1] == parse_timestamp(_stamp(1))


def test_gaps_and_duplicate_timestamps_equal_general_reader(tmp_path: Path) -> None:
    """Empty cells are gaps, an instant repeated is averaged, instants out of order are
    sorted - as the general reader does; the file still takes the fast path."""
    rows = _clean_rows(3, 30, 2)
    rows[4][1] = ""  # a gap in a/cpu
    rows[5][1:] = ["", "", ""]  # a row of gaps
    rows[7][0] = rows[6][0]  # a duplicate instant
    rows[9], rows[10] = rows[10], rows[9]  # out of order
    path = _wide(tmp_path / "gappy.csv", ["a/cpu", "b/cpu", "c/memory"], rows)
    assert _fast_only(path) is not None
    fast = read_telemetry_file(path)
    assert _fingerprint(fast) == _fingerprint(_general(path))
    by = {s.workload: s for s, _ in fast.series}
    assert by["a"].duplicates == 1
    assert len(by["a"]) == 30 - 2 - 1


def test_file_metric_and_epoch_timestamps(tmp_path: Path) -> None:
    """Bare workload columns take the metric from the file name; epoch-second and offset
    timestamps are parsed one by one, as the general reader parses them."""
    rows = _clean_rows(2, 12, 3)
    for i, r in enumerate(rows):
        r[0] = str(int(parse_timestamp(r[0]))) if i % 2 else r[0].replace("Z", "+00:00")
    path = _wide(tmp_path / "team-memory.csv", ["a", "b"], rows)
    fast = read_telemetry_file(path)
    assert _fast_only(path) is not None
    assert _fingerprint(fast) == _fingerprint(_general(path))
    assert [s.metric for s, _ in fast.series] == ["memory", "memory"]


UNUSUAL = {
    "non-numeric": (3, 2, "x1"),
    "exponent": (3, 2, "1e3"),
    "nan": (3, 2, "nan"),
    "spaces": (3, 2, " 1.5 "),
    "negative": (3, 2, "-1.5"),
    "absurd-gpu": (3, 4, "250"),
    "bad-timestamp": (3, 0, "2026-13-01T00:00:00Z"),
    "too-old": (3, 0, "1980-01-01T00:00:00Z"),
    "quoted": (3, 2, '"1.5"'),
    "extra-field": (3, 2, "1.5,2.5"),
}


@pytest.mark.parametrize("case", sorted(UNUSUAL), ids=sorted(UNUSUAL))
def test_unusual_file_falls_back_with_the_general_problems(tmp_path: Path, case: str) -> None:
    """Anything unusual makes the fast reader give up; the file is read again by the
    general reader, whose problems (with their lines) or series come out."""
    row, col, cell = UNUSUAL[case]
    rows = _clean_rows(len(COLUMNS), 20, 4)
    rows[row][col] = cell
    path = _wide(tmp_path / "odd.csv", COLUMNS, rows)
    assert _fast_only(path) is None
    result = read_telemetry_file(path)
    assert _fingerprint(result) == _fingerprint(_general(path))
    if case in {"exponent", "nan", "quoted", "spaces"}:
        assert result.series  # unusual, but valid
        assert not result.problems
    else:
        assert result.problems
        assert result.problems[0].line == row + 2  # the header is line 1


@pytest.mark.parametrize(
    "text",
    ["\n", "# a comment\n", "\r\n"],
    ids=["blank-line", "comment-line", "crlf"],
)
def test_blank_comment_and_crlf_lines(tmp_path: Path, text: str) -> None:
    """Blank and comment lines between rows, and CRLF line ends, give the general
    reader's series (through the general reader where the fast one gives up)."""
    path = tmp_path / "lines.csv"
    rows = _clean_rows(3, 10, 5)
    body = [",".join(["timestamp", "a/cpu", "b/cpu", "c/cpu"])] + [",".join(r) for r in rows]
    if text == "\r\n":
        data = "\r\n".join(body) + "\r\n"
    else:
        data = "\n".join([*body[:4], text.rstrip("\n"), *body[4:]]) + "\n"
    path.write_text(data, newline="")
    result = read_telemetry_file(path)
    assert _fingerprint(result) == _fingerprint(_general(path))
    assert len(result.series) == 3


def test_load_telemetry_same_on_any_thread_count(tmp_path: Path) -> None:
    """A project's files read on several threads give the serial result."""
    folder = tmp_path / "telemetry"
    folder.mkdir()
    names = []
    for i in range(5):
        cols = [f"w{i}{j}/cpu" for j in range(4)]
        names += [c.split("/")[0] for c in cols]
        _wide(folder / f"team-{i}.csv", cols, _clean_rows(4, 48, 10 + i))
    workloads = tuple(
        Workload(
            name=n,
            team="t",
            kind=WorkloadKind.SERVICE,
            tier=2,
            replicas=1,
            resources=Resources(cpu=2, memory_gib=4),
        )
        for n in names
    )
    project = Project(
        root=str(tmp_path), workloads=workloads, sites=(), telemetry_files=("telemetry",)
    )
    serial = load_telemetry(project, threads=1)
    threaded = load_telemetry(project, threads=4)
    assert [s.workload for s in serial.series] == sorted(names)
    for a, b in zip(serial.series, threaded.series, strict=True):
        assert (a.workload, a.metric, a.source) == (b.workload, b.metric, b.source)
        assert a.timestamps_s.tobytes() == b.timestamps_s.tobytes()
        assert a.values.tobytes() == b.values.tobytes()


def test_iso_utc_seconds_is_parse_timestamp() -> None:
    """ISO UTC texts at numpy speed give parse_timestamp's seconds (leap days, centuries,
    year 1 and 9999); impossible dates and times give None."""
    rng = np.random.default_rng(7)
    days = rng.integers(0, 3_652_058, 5000)  # 0001-01-01 .. 9999-12-31
    secs = rng.integers(0, 86400, 5000)
    base = datetime(1, 1, 1, tzinfo=UTC)
    texts = [
        (base + timedelta(days=int(d), seconds=int(s))).strftime("%Y-%m-%dT%H:%M:%SZ")
        for d, s in zip(days, secs, strict=True)
    ]
    texts = [t if len(t) == 20 else t.zfill(20) for t in texts]
    texts += ["2024-02-29T23:59:59Z", "2000-02-29T12:00:00Z", "1970-01-01T00:00:00Z"]
    raw = np.frombuffer(",".join(texts).encode(), dtype=np.uint8)
    got = iso_utc_seconds(raw, np.arange(len(texts)) * 21)
    assert got is not None
    assert got.tolist() == [parse_timestamp(t) for t in texts]
    for bad in (
        "2023-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2024-13-01T00:00:00Z",
        "2024-01-00T00:00:00Z",
        "2024-01-01T24:00:00Z",
        "2024-01-01T00:00:60Z",
        "0000-01-01T00:00:00Z",
        "2024-01-01 00:00:00Z",
        "2024-01-01T00:00:00+",
    ):
        one = np.frombuffer(bad.encode(), dtype=np.uint8)
        assert iso_utc_seconds(one, np.array([0])) is None, bad


def test_unusual_gz_file_is_read_again_from_its_first_row(tmp_path: Path) -> None:
    """A compressed file the fast reader gives up on (after a comment line above the
    header) is opened again past its header: the general reader's problem and line."""
    rows = _clean_rows(3, 40, 6)
    rows[30][2] = "oops"
    body = "\n".join(["# exported", "timestamp,a/cpu,b/cpu,c/cpu", *(",".join(r) for r in rows)])
    path = tmp_path / "odd.csv.gz"
    path.write_bytes(gzip.compress((body + "\n").encode()))
    result = read_telemetry_file(path, block_bytes=256)
    assert [(p.line, p.field, p.message) for p in result.problems] == [
        (33, "b/cpu", "non-numeric value 'oops'")
    ]


def test_truncated_gz_file_reports_the_rows_before_the_cut(tmp_path: Path) -> None:
    """A truncated compressed file: the problems of the rows read before the cut, then
    the cut itself, as the general reader reports them."""
    rows = _clean_rows(3, 400, 8)
    rows[2][1] = "bad"
    body = "\n".join(["timestamp,a/cpu,b/cpu,c/cpu", *(",".join(r) for r in rows)]) + "\n"
    data = gzip.compress(body.encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(data[: len(data) * 2 // 3])
    result = read_telemetry_file(path, block_bytes=512)
    assert [p.line for p in result.problems] == [4, 0]
    assert result.problems[1].message.startswith("cannot read")
