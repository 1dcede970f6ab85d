"""Tests for planner.ingest: formats, units, time zones, streaming, and every bad input."""

from __future__ import annotations

import gzip
import shutil
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from planner.classify import MetricSeries, TelemetrySet
from planner.errors import InputError
from planner.ingest import (
    load_telemetry,
    parse_timestamp,
    read_telemetry_file,
)
from planner.ingest.json_scanner import PIECE_CHARS
from planner.model import Project, Resources, Workload, WorkloadKind

FIXTURES = Path(__file__).resolve().parents[1] / "data" / "telemetry"
T0 = 1790812800.0  # 2026-10-01T00:00:00Z
START = datetime(2026, 10, 1, tzinfo=UTC)


def _project(root: Path, files: tuple[str, ...], names: tuple[str, ...] = ("web",)) -> Project:
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
    return Project(root=str(root), workloads=workloads, sites=(), telemetry_files=files)


def _load(
    name: str, names: tuple[str, ...] = ("web", "api", "db", "worker", "trainer"), **kw: str
) -> TelemetrySet:
    return load_telemetry(_project(FIXTURES, (name,), names), **kw)  # type: ignore[arg-type]


def _series(ts: TelemetrySet, workload: str, metric: str) -> MetricSeries:
    return ts.by_workload()[workload][metric]


def _errors(name: str) -> list[str]:
    with pytest.raises(InputError) as info:
        _load(name)
    return [p.render() for p in info.value.problems]


# --------------------------------------------------------------------------- formats


def test_long_csv_mini_project() -> None:
    """The mini project's long-form CSV loads as one cpu series in cores."""
    root = Path(__file__).resolve().parents[1] / "data" / "mini"
    ts = load_telemetry(_project(root, ("telemetry/checkout-api.csv",), ("checkout-api",)))
    s = _series(ts, "checkout-api", "cpu")
    assert s.unit == "cores"
    assert s.values.tolist() == [1.10, 0.95]
    assert s.timestamps_s.tolist() == [T0, T0 + 3600]
    assert s.source is not None
    assert s.source.file == "telemetry/checkout-api.csv"
    assert s.source.line == 2


def test_time_zones_normalised_to_utc() -> None:
    """Offsets, Z, epoch seconds, epoch milliseconds and naive times (UTC) agree."""
    ts = _load("timezones.csv")
    web = _series(ts, "web", "cpu")
    assert web.timestamps_s.tolist() == [T0, T0 + 3600, T0 + 7200]
    assert web.values.tolist() == [1.0, 2.0, 3.0]
    assert _series(ts, "api", "cpu").timestamps_s.tolist() == [T0]
    assert _series(ts, "db", "cpu").timestamps_s.tolist() == [T0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-10-01T00:00:00Z", T0),
        ("2026-10-01T02:00:00+02:00", T0),
        ("2026-10-01 00:00:00", T0),
        ("1790812800", T0),
        ("1790812800000", T0),
        ("2026-10-01T00:00:00.500Z", T0 + 0.5),
    ],
    ids=["zulu", "offset", "naive-utc", "epoch-s", "epoch-ms", "fraction"],
)
def test_parse_timestamp(text: str, expected: float) -> None:
    """Each accepted timestamp notation maps to UTC epoch seconds."""
    assert parse_timestamp(text) == expected


def test_duplicates_averaged_and_sorted() -> None:
    """Duplicate timestamps are averaged; out-of-order rows are sorted."""
    s = _series(_load("duplicates.csv"), "web", "cpu")
    assert s.timestamps_s.tolist() == [T0, T0 + 3600]
    assert s.values.tolist() == [1.5, 3.0]
    assert s.duplicates == 1


def test_wide_csv_metric_from_file_name_and_column() -> None:
    """Wide form: bare columns take the file name's metric, ``w/metric`` columns their own;
    empty cells are gaps."""
    ts = _load("fleet-memory.csv")
    web = _series(ts, "web", "memory")
    assert web.unit == "gib"
    assert web.timestamps_s.tolist() == [T0, T0 + 7200]
    assert web.values.tolist() == [2.0, 2.5]
    assert _series(ts, "api", "memory").values.tolist() == [4.0, 4.5, 5.0]
    assert _series(ts, "worker", "cpu").values.tolist() == [0.5, 0.75]


def test_prometheus_matrix() -> None:
    """Prometheus query_range: metric from __name__ or a metric label, NaN is a gap,
    memory_bytes converted to GiB."""
    ts = _load("prometheus.json")
    cpu = _series(ts, "web", "cpu")
    assert cpu.timestamps_s.tolist() == [T0, T0 + 7200]
    assert cpu.values.tolist() == [1.5, 2.5]
    mem = _series(ts, "web", "memory")
    assert mem.values.tolist() == [1.0, 2.0]
    assert mem.unit == "gib"


def test_prometheus_workload_label_configurable() -> None:
    """The label naming the workload is configurable; gpu_percent becomes a 0-1 ratio."""
    ts = _load("prometheus_app_label.json", workload_label="app")
    gpu = _series(ts, "api", "gpu")
    assert gpu.values.tolist() == [0.5, 0.75]
    assert gpu.unit == "ratio"


def test_prometheus_missing_workload_label_is_an_error() -> None:
    """Without the configured label the problem says which label and how to fix it."""
    msgs = _errors("prometheus_app_label.json")
    assert msgs == [
        "prometheus_app_label.json:2: data.result[0].metric: no 'workload' label. To fix: add a "
        "workload label to the query (label_replace) or choose the label with workload_label"
    ]


def test_cloudwatch_get_metric_data() -> None:
    """CloudWatch GetMetricData: Label is workload/metric or "workload metric";
    CPU percent keeps its unit; timestamps (newest first) are sorted."""
    ts = _load("cloudwatch.json")
    cpu = _series(ts, "web", "cpu")
    assert cpu.unit == "percent"
    assert cpu.timestamps_s.tolist() == [T0, T0 + 3600]
    assert cpu.values.tolist() == [20.0, 40.0]
    assert _series(ts, "api", "rps").values.tolist() == [12.5]


def test_gzip_and_folder(tmp_path: Path) -> None:
    """A folder entry expands to its files; .csv.gz is decompressed on the fly."""
    (tmp_path / "telemetry").mkdir()
    data = (FIXTURES / "duplicates.csv").read_bytes()
    (tmp_path / "telemetry" / "web.csv.gz").write_bytes(gzip.compress(data))
    shutil.copy(FIXTURES / "prometheus.json", tmp_path / "telemetry" / "p.json")
    ts = load_telemetry(_project(tmp_path, ("telemetry",)))
    assert sorted(ts.by_workload()["web"]) == ["cpu", "memory"]
    cpu = _series(ts, "web", "cpu")
    assert cpu.timestamps_s.tolist() == [T0, T0 + 3600, T0 + 7200]


def test_unit_conversions(tmp_path: Path) -> None:
    """requests_per_minute -> rps, memory_mib -> GiB, gpu_percent -> 0-1."""
    (tmp_path / "t.csv").write_text(
        "timestamp,workload,metric,value\n"
        "2026-10-01T00:00:00Z,web,requests_per_minute,120\n"
        "2026-10-01T00:00:00Z,web,memory_mib,512\n"
        "2026-10-01T00:00:00Z,web,gpu_percent,40\n"
    )
    ts = load_telemetry(_project(tmp_path, ("t.csv",)))
    assert _series(ts, "web", "rps").values.tolist() == [2.0]
    assert _series(ts, "web", "memory").values.tolist() == [0.5]
    assert _series(ts, "web", "gpu").values.tolist() == [0.4]


# --------------------------------------------------------------------------- streaming


def _write_long(path: Path, n_workloads: int, hours: int, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    values = np.round(rng.uniform(0, 50, size=(n_workloads, hours)), 3)
    values[0, :5] = [1e-5, 1234.5678901, 0.0, 7.0, 0.125]
    with path.open("w") as f:
        f.write("timestamp,workload,metric,value\n")
        for h in range(hours):
            stamp = (START + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M:%SZ")
            f.writelines(
                f"{stamp},w{i:04d},cpu,{float(values[i, h])!r}\n" for i in range(n_workloads)
            )
    return values


def test_fast_path_equals_line_by_line(tmp_path: Path) -> None:
    """The vectorised reader and the line-by-line reader give identical series, for any
    block size (block boundaries fall mid-way through the data)."""
    path = tmp_path / "long.csv"
    values = _write_long(path, 30, 48)
    fast = read_telemetry_file(path).series
    small = read_telemetry_file(path, block_bytes=777).series
    # a quoted field anywhere in a block sends that block down the line-by-line path
    text = path.read_text().replace("w0000,cpu", '"w0000",cpu')
    slow_path = tmp_path / "slow.csv"
    slow_path.write_text(text)
    slow = read_telemetry_file(slow_path).series
    for other in (small, slow):
        assert len(other) == len(fast) == 30
        for (a, _), (b, _) in zip(fast, other, strict=True):
            assert (a.workload, a.metric) == (b.workload, b.metric)
            assert np.array_equal(a.timestamps_s, b.timestamps_s)
            assert np.array_equal(a.values, b.values)
    by_name = {s.workload: s for s, _ in fast}
    assert np.array_equal(by_name["w0000"].values, values[0])
    assert np.array_equal(by_name["w0017"].values, values[17])


def _peak_bytes(path: Path, threads: int | None = None) -> tuple[int, int]:
    tracemalloc.start()
    try:
        result = read_telemetry_file(path, block_bytes=1 << 18, threads=threads)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, sum(len(s) for s, _ in result.series)


@pytest.mark.slow  # tracemalloc over big generated files
def test_memory_grows_with_points_not_text(tmp_path: Path) -> None:
    """Streaming: reading 200,000 samples peaks under 40 bytes a sample plus a few blocks,
    and doubling the text per sample (long names, precise timestamps) does not raise it.
    The two are compared on one thread: with reader threads, how many blocks are in flight
    at the peak follows the scheduler (a loaded machine moved it by more than 15 %), so the
    threaded read is held to the absolute bound with two more blocks per reader thread."""
    short = tmp_path / "short.csv"
    _write_long(short, 400, 500)
    long_ = tmp_path / "long.csv"
    long_.write_text(
        short.read_text()
        .replace(",w0", ",a-rather-long-workload-name-from-a-real-fleet-w0")
        .replace(":00Z,", ":00.000000+00:00,")
    )
    assert long_.stat().st_size > 2 * short.stat().st_size
    peak_short, n_short = _peak_bytes(short, threads=1)
    peak_long, n_long = _peak_bytes(long_, threads=1)
    peak_threaded, n_threaded = _peak_bytes(short, threads=2)
    assert n_short == n_long == n_threaded == 200_000
    assert peak_short < 40 * 200_000 + 4 * (1 << 18)
    assert peak_threaded < 40 * 200_000 + (4 + 2 * 2) * (1 << 18)
    assert peak_long < peak_short * 1.15


# --------------------------------------------------------------------------- bad input


def test_bad_timestamp_names_file_and_line() -> None:
    """An unparseable timestamp is a hard error at its file and line."""
    (msg,) = _errors("bad/bad_timestamp.csv")
    assert msg.startswith("bad/bad_timestamp.csv:3: timestamp: unparseable timestamp")
    assert "'yesterday at noon'" in msg
    assert "To fix: use ISO 8601" in msg


def test_non_numeric_value() -> None:
    """A non-numeric value is a hard error at its file and line."""
    assert _errors("bad/non_numeric.csv") == [
        "bad/non_numeric.csv:4: value: non-numeric value 'lots'. To fix: values are numbers"
    ]


def test_negative_value() -> None:
    """A negative utilisation is a hard error at its file and line."""
    assert _errors("bad/negative.csv") == [
        "bad/negative.csv:2: value: negative value -0.5. To fix: utilisation cannot be negative"
    ]


def test_absurd_cpu() -> None:
    """CPU 1e12 cores per replica is a unit mistake, reported with the limit."""
    (msg,) = _errors("bad/absurd.csv")
    assert msg.startswith("bad/absurd.csv:3: value: absurd value 1e+12 (above 4096)")
    assert "check the unit" in msg


def test_gpu_utilisation_above_one() -> None:
    """GPU utilisation 95 (a percentage exported as a ratio) is absurd for a 0-1 metric."""
    (msg,) = _errors("bad/gpu_over_one.csv")
    assert msg.startswith("bad/gpu_over_one.csv:3: value: absurd value 95 (above 1.05)")


def test_wrong_field_count() -> None:
    """A line with too few fields is reported with its line."""
    (msg,) = _errors("bad/wrong_fields.csv")
    assert msg.startswith("bad/wrong_fields.csv:3: expected 4 fields, found 3")


def test_no_timestamp_column() -> None:
    """A CSV without a timestamp column is rejected at the header line."""
    (msg,) = _errors("bad/no_timestamp_column.csv")
    assert msg.startswith("bad/no_timestamp_column.csv:1: no timestamp column")


def test_prometheus_non_numeric_names_json_path() -> None:
    """JSON problems name the line and the JSON path of the bad value."""
    assert _errors("bad/prometheus_non_numeric.json") == [
        "bad/prometheus_non_numeric.json:3: data.result[0].values[1]: non-numeric value "
        "'many'. To fix: values are numbers"
    ]


def test_missing_file(tmp_path: Path) -> None:
    """A listed telemetry file that does not exist is an input error."""
    with pytest.raises(InputError) as info:
        load_telemetry(_project(tmp_path, ("nope.csv",)))
    assert [p.render() for p in info.value.problems] == [
        "nope.csv: telemetry file not found. To fix: fix the path in project.yaml"
    ]


def test_all_problems_of_all_files_at_once(tmp_path: Path) -> None:
    """Problems from several files are reported together, sorted by file and line."""
    for name in ("negative.csv", "non_numeric.csv"):
        shutil.copy(FIXTURES / "bad" / name, tmp_path / name)
    with pytest.raises(InputError) as info:
        load_telemetry(_project(tmp_path, ("non_numeric.csv", "negative.csv")))
    assert [(p.file, p.line) for p in info.value.problems] == [
        ("negative.csv", 2),
        ("non_numeric.csv", 4),
    ]
    assert info.value.message == "2 problems in telemetry"


def test_many_problems_are_capped(tmp_path: Path) -> None:
    """A file full of bad values reports the first 20 and counts the rest."""
    lines = ["timestamp,workload,metric,value"]
    lines += [f"2026-10-01T00:{m:02d}:00Z,web,cpu,-1" for m in range(50)]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(InputError) as info:
        load_telemetry(_project(tmp_path, ("t.csv",)))
    problems = info.value.problems
    assert len(problems) == 21
    assert problems[0].message == "... and 30 more problems in this file"
    assert problems[0].fix == "fix the problems above and run again to see the rest"


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        (
            "wide.csv",
            b"timestamp,web/cpu,api/cpu\n2026-10-01T00:00:00Z,1\n",
            "wide.csv:2: expected 3 fields, found 2. To fix: give every row one field per header "
            "column (empty = missing)",
        ),
        (
            "latin1.csv",
            b"timestamp,workload,metric,value\n2026-10-01T00:00:00Z,w\xe9b,cpu,1\n",
            "latin1.csv: not UTF-8 text (invalid continuation byte). To fix: save the export as "
            "UTF-8 (iconv -t UTF-8)",
        ),
        (
            "cw.json",
            b'{"MetricDataResults": [{"Id": "a", "Label": "web/cpu", '
            b'"Timestamps": ["2026-10-01T00:00:00Z"], "Values": [1, 2]}]}',
            "cw.json:1: MetricDataResults[0]: 1 timestamps but 2 values. To fix: export "
            "Timestamps and Values together, as GetMetricData returns them",
        ),
    ],
    ids=["wide-field-count", "not-utf8", "cloudwatch-lengths"],
)
def test_file_level_problems_say_how_to_fix(
    tmp_path: Path, name: str, data: bytes, expected: str
) -> None:
    """Field-count, encoding and CloudWatch length errors name file and line and a fix."""
    (tmp_path / name).write_bytes(data)
    with pytest.raises(InputError) as info:
        load_telemetry(_project(tmp_path, (name,), ("web", "api")))
    assert [p.render() for p in info.value.problems] == [expected]


def test_unknown_workload_and_metric_are_warnings() -> None:
    """Telemetry for a workload not in the inventory, and an unknown metric, are
    warnings (with file and line) and are dropped; the rest loads."""
    ts = load_telemetry(_project(FIXTURES, ("unknown_workload.csv",), ("web",)))
    assert [w.render() for w in ts.warnings] == [
        "unknown_workload.csv:4: workload: telemetry for 'ghost', which is not in the "
        "inventory; ignored. To fix: add the workload to inventory.yaml, or set a "
        "workload's telemetry: ghost",
        "unknown_workload.csv:5: metric: unknown metric 'disk_iops'; ignored. To fix: use one "
        "of " + ", ".join(sorted(__import__("planner.ingest").ingest.METRIC_ALIASES)),
    ]
    assert list(ts.by_workload()) == ["web"]
    assert _series(ts, "web", "cpu").values.tolist() == [1.0, 1.1]


def test_telemetry_key_matches_workload(tmp_path: Path) -> None:
    """A workload's ``telemetry`` key selects series recorded under another name."""
    shutil.copy(FIXTURES / "duplicates.csv", tmp_path / "d.csv")
    w = Workload(
        name="frontend",
        team="t",
        kind=WorkloadKind.SERVICE,
        tier=2,
        replicas=1,
        resources=Resources(cpu=1, memory_gib=1),
        telemetry="web",
    )
    project = Project(root=str(tmp_path), workloads=(w,), sites=(), telemetry_files=("d.csv",))
    ts = load_telemetry(project)
    assert ts.warnings == ()
    assert list(ts.by_workload()) == ["web"]


# --------------------------------------------------------------------------- streaming JSON


def _prometheus_doc(n_series: int, points: int, seed: int = 4) -> dict[str, object]:
    rng = np.random.default_rng(seed)
    result = [
        {
            "metric": {"workload": f"w{i}", "metric": "cpu", "odd": 'a "quoted" label, [x]'},
            "values": [
                [T0 + 60 * k + 0.5, repr(round(float(v), 4))]
                for k, v in enumerate(rng.uniform(0, 8, size=points))
            ],
        }
        for i in range(n_series)
    ]
    return {"status": "success", "data": {"resultType": "matrix", "result": result}}


@pytest.mark.parametrize("piece", [7, 64, 1 << 20], ids=["7-chars", "64-chars", "1-MiB"])
def test_json_stream_matches_json_load(piece: int) -> None:
    """The streaming scanner yields exactly what json.load sees, whatever the piece size
    (pieces end inside strings, numbers and pairs), on indented and minified JSON."""
    import io
    import json

    from planner.ingest.json_responses import RawSeries, iter_json_series

    doc = _prometheus_doc(3, 40)
    for text in (json.dumps(doc, indent=1), json.dumps(doc, separators=(",", ":"))):
        raws = list(iter_json_series(io.StringIO(text), parse_timestamp, piece_chars=piece))
        assert [r.where for r in raws] == [f"data.result[{i}]" for i in range(3)]
        for raw, item in zip(raws, doc["data"]["result"], strict=True):  # type: ignore[index]
            assert isinstance(raw, RawSeries)
            assert raw.labels == item["metric"]
            assert list(raw.timestamps) == [t for t, _ in item["values"]]
            assert list(raw.values) == [float(v) for _, v in item["values"]]
            assert raw.bad == []


def test_cloudwatch_pages_and_bad_timestamp(tmp_path: Path) -> None:
    """A list of GetMetricData pages is read page by page; a bad timestamp is reported
    with its page, index and line."""
    (tmp_path / "cw.json").write_text(
        '[{"MetricDataResults": [{"Id": "a", "Label": "web/cpu",\n'
        '   "Timestamps": ["2026-10-01T00:00:00Z"], "Values": [1.5]}]},\n'
        ' {"MetricDataResults": [{"Id": "b", "Label": "web/cpu",\n'
        '   "Timestamps": ["not a time"], "Values": [2.0]}]}]\n'
    )
    with pytest.raises(InputError) as info:
        load_telemetry(_project(tmp_path, ("cw.json",)))
    assert [p.render() for p in info.value.problems] == [
        "cw.json:4: [1].MetricDataResults[0].Values[0]: unparseable timestamp 'not a time'. "
        "To fix: use ISO 8601 (2026-10-01T00:00:00Z) or epoch seconds"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '{"data": {"result": [{"metric": {"workload": "web", "metric": "cpu"},\n'
            '"values": []}\n, ]}}',
            "t.json:3: invalid JSON: expected '{', found ']'. To fix: export the API response "
            "as returned, complete (not truncated)",
        ),
        (
            '{"status": "success", "data": {"resultType": "vector", "result": []}}',
            "t.json:1: data.resultType: result type 'vector' is not matrix. To fix: export a "
            "range query (query_range), not an instant query",
        ),
        (
            '{"items": []}',
            "t.json:1: (document): not a Prometheus query_range or CloudWatch GetMetricData "
            "response. To fix: export the API response as returned (data.result / "
            "MetricDataResults)",
        ),
        (
            '{"data": {"result": [{"metric": {"workload": "web", "metric": "cpu"}, '
            '"values": [[1790812800, 1.5]]}]}}',
            't.json:1: data.result[0].values[0]: expected [<unix time>, "<value>"], found '
            "[1790812800, 1.5]. To fix: export the query_range response as returned (values are "
            "strings)",
        ),
    ],
    ids=["syntax", "vector", "unknown-document", "unquoted-value"],
)
def test_json_document_problems(tmp_path: Path, text: str, expected: str) -> None:
    """Malformed or unexpected JSON documents are input errors with a line."""
    (tmp_path / "t.json").write_text(text)
    with pytest.raises(InputError) as info:
        load_telemetry(_project(tmp_path, ("t.json",)))
    assert [p.render() for p in info.value.problems] == [expected]


@pytest.mark.slow  # tracemalloc over big generated files
def test_json_memory_grows_with_points_not_text(tmp_path: Path) -> None:
    """Streaming JSON: 100,000 Prometheus points peak under 40 bytes a point plus a few
    pieces of text, and the same points in three times the text (indented) do not raise
    the peak - json.load would hold every pair as Python objects."""
    import json

    doc = _prometheus_doc(20, 5000)
    small = tmp_path / "small.json"
    small.write_text(json.dumps(doc, separators=(",", ":")))
    big = tmp_path / "big.json"
    big.write_text(json.dumps(doc, indent=8))
    assert big.stat().st_size > 3 * small.stat().st_size
    peaks = []
    for path in (small, big):
        tracemalloc.start()
        try:
            result = read_telemetry_file(path)
            peaks.append(tracemalloc.get_traced_memory()[1])
        finally:
            tracemalloc.stop()
        assert result.problems == ()
        assert sum(len(s) for s, _ in result.series) == 100_000
    assert peaks[0] < 40 * 100_000 + 4 * PIECE_CHARS
    assert peaks[1] < peaks[0] * 1.15
