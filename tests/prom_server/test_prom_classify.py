"""Classify from a real Prometheus server: the same series read from files and from the
server give the same telemetry and the same classification (class, confidence, reasons,
period, every feature, right-sizing)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from prom_data import (
    AZURE_VMS,
    SYN_MINUTES,
    SYN_START_S,
    azure,
    azure_files_project,
    azure_prometheus_yaml,
    make_project,
    synthetic_values,
)
from promserver import SharedServer
from typer.testing import CliRunner

from planner.app.inputs import read_from_prometheus, telemetry_digest
from planner.classify.telemetry_set import TelemetrySet
from planner.cli import app
from planner.ingest import load_telemetry
from planner.load import load_project
from planner.load.prometheus import load_prometheus

runner = CliRunner()


def _classify_json(*args: str) -> dict[str, Any]:
    result = runner.invoke(app, ["classify", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def _from_prometheus(root: Path, url: str | None = None) -> TelemetrySet:
    spec = load_prometheus(root, url=url)
    assert spec is not None
    return read_from_prometheus(load_project(root), spec, environ={}, now_s=0.0)


def _same_series(a: TelemetrySet, b: TelemetrySet) -> None:
    assert [(s.workload, s.metric, s.unit) for s in a.series] == [
        (s.workload, s.metric, s.unit) for s in b.series
    ]
    for x, y in zip(a.series, b.series, strict=True):
        assert np.array_equal(x.timestamps_s, y.timestamps_s), x.workload
        assert np.array_equal(x.values, y.values), x.workload


@pytest.fixture(scope="module")
def azure_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five Azure VMs' last 10 days as a wide CSV telemetry file."""
    return azure_files_project(tmp_path_factory.mktemp("files") / "azure")


@pytest.fixture(scope="module")
def azure_prom(tmp_path_factory: pytest.TempPathFactory, prom: SharedServer) -> Path:
    """The same VMs read from the server (range 40 days, so two range queries a series)."""
    root = tmp_path_factory.mktemp("prom") / "azure"
    return make_project(root, AZURE_VMS, azure_prometheus_yaml(prom.url))


def test_azure_classify_from_prometheus_equals_files(azure_files: Path, azure_prom: Path) -> None:
    """`classify --format json` of the Azure VMs read from Prometheus is identical to the
    same VMs read from the CSV: every class, confidence, reason, period, feature and
    right-sized request. The result is not trivial: vm964968 is the 65-minute job, vm7438
    steady, vm221719 idle and right-sized down."""
    from_files = _classify_json(str(azure_files))
    from_prom = _classify_json(str(azure_prom))
    assert from_prom["workloads"] == from_files["workloads"]
    assert from_prom["warnings"] == []
    by_name = {w["workload"]: w for w in from_prom["workloads"]}
    job = by_name["vm964968"]
    assert job["class"] == "batch"
    assert job["features"]["cpu"]["period_s"] == pytest.approx(65.45 * 60, abs=60)
    assert "periodic job every 65 min" in job["reasons"][0]
    assert by_name["vm7438"]["class"] == "steady"
    assert by_name["vm221719"]["class"] == "idle"
    assert by_name["vm221719"]["rightsized"]["cpu"] < 1


def test_azure_series_from_prometheus_equal_file_series(
    azure_files: Path, azure_prom: Path
) -> None:
    """The telemetry itself is equal sample for sample: same timestamps (5-minute, UTC),
    same values (Prometheus' float text round-trips), same units (percent)."""
    files = load_telemetry(load_project(azure_files))
    served = _from_prometheus(azure_prom)
    _same_series(served, files)
    assert {s.unit for s in served.series} == {"percent"}
    assert len(served.series[0]) == len(azure().epoch_s)


def test_small_queries_give_the_same_series(tmp_path: Path, prom: SharedServer) -> None:
    """Two workloads a query and 1,000 points a query (3 batches x 12 windows over the 40
    days) read exactly what one large query a batch reads."""
    whole = make_project(tmp_path / "whole", AZURE_VMS, azure_prometheus_yaml(prom.url))
    small = make_project(
        tmp_path / "small",
        AZURE_VMS,
        azure_prometheus_yaml(prom.url, points_per_query=1000, workloads_per_query=2),
    )
    _same_series(_from_prometheus(small), _from_prometheus(whole))


def _expected_aggregates(workload: str) -> tuple[list[int], list[float], list[float]]:
    """5-minute evaluation times and the mean and max of the minute samples in each
    (t - 5 min, t]: what avg_over_time / max_over_time over $window give."""
    values = [float(v) for v in synthetic_values(workload)]
    times, means, maxes = [], [], []
    first = SYN_START_S - SYN_START_S % 300
    last = SYN_START_S + 60 * (SYN_MINUTES - 1)
    for t in range(first, last + 300, 300):
        window = [v for i, v in enumerate(values) if t - 300 < SYN_START_S + 60 * i <= t]
        if window:
            times.append(t)
            means.append(sum(window) / len(window))
            maxes.append(max(window))
    return times, means, maxes


def test_default_queries_push_means_and_maxima_into_promql(
    tmp_path: Path, prom: SharedServer
) -> None:
    """Without queries, cpu is avg_over_time and cpu_max max_over_time of the recorded
    `cpu` series over each 5-minute step: the server turns minute samples into the
    5-minute means and per-interval maxima the classifier wants. `web.1` reads its own
    series, not `webx1`'s (its name is matched literally, not as a regex)."""
    yaml = f"prometheus:\n  range: 3d\n  end: {SYN_START_S + 2 * 86400}\n"
    root = make_project(tmp_path / "p", ("api", "web.1"), yaml)
    telemetry = _from_prometheus(root, url=prom.url)
    got = {(s.workload, s.metric): s for s in telemetry.series}
    assert sorted(got) == [
        ("api", "cpu"),
        ("api", "cpu_max"),
        ("web.1", "cpu"),
        ("web.1", "cpu_max"),
    ]
    for workload in ("api", "web.1"):
        times, means, maxes = _expected_aggregates(workload)
        assert got[(workload, "cpu")].timestamps_s.tolist() == times
        assert np.allclose(got[(workload, "cpu")].values, means, rtol=1e-12, atol=0)
        assert got[(workload, "cpu_max")].values.tolist() == maxes
    assert got[("web.1", "cpu_max")].values.max() < 1


def test_plan_reads_prometheus(azure_prom: Path, prom: SharedServer, tmp_path: Path) -> None:
    """`plan --prometheus URL` plans from the server's telemetry: the plan's classes are
    those classify gives."""
    out = tmp_path / "out"
    result = runner.invoke(
        app, ["plan", str(azure_prom), "--out", str(out), "--prometheus", prom.url]
    )
    assert result.exit_code == 0, result.output
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    classes = _classify_json(str(azure_prom))
    expected = {w["workload"]: (w["class"], w["reasons"]) for w in classes["workloads"]}
    got = {
        w["name"]: (w["classification"]["class"], w["classification"]["reasons"])
        for w in plan["workloads"]
    }
    assert got == expected
    assert set(plan["inputs"]) == {"inventory.yaml", "project.yaml", "prometheus", "sites.yaml"}
    assert plan["inputs"]["prometheus"] == telemetry_digest(_from_prometheus(azure_prom))


def test_files_beside_a_prometheus_section_are_not_read(
    azure_files: Path, prom: SharedServer, tmp_path: Path
) -> None:
    """A project with telemetry files and a prometheus section reads the server only, and
    says the files were left unread (a warning, not an error)."""
    root = Path(shutil.copytree(azure_files, tmp_path / "both"))
    (root / "project.yaml").write_text(
        "apiVersion: hybridplan/v1\nkind: Project\n" + azure_prometheus_yaml(prom.url),
        encoding="utf-8",
    )
    data = _classify_json(str(root))
    assert [w["message"] for w in data["warnings"]] == [
        f"1 telemetry file(s) not read: telemetry comes from Prometheus at {prom.url}"
    ]
    assert data["workloads"] == _classify_json(str(azure_files))["workloads"]
