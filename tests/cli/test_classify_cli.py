"""CLI tests for `hybridplan classify`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app

REPO = Path(__file__).resolve().parents[2]
MINI = REPO / "tests" / "data" / "mini"
ACME = REPO / "examples" / "acme"

runner = CliRunner()


def _reject_nan(token: str) -> float:
    raise ValueError(f"non-standard JSON constant {token}")


@pytest.fixture(scope="module")
def acme_json() -> dict[str, object]:
    """`hybridplan classify examples/acme --format json`, parsed strictly."""
    result = runner.invoke(app, ["classify", str(ACME), "--format", "json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout, parse_constant=_reject_nan)
    return data


@pytest.mark.slow  # classifies all of examples/acme's telemetry
def test_acme_table_shows_every_class_with_reasons() -> None:
    """The table lists each workload with class, confidence, reasons and sizes; the summary
    line counts every class of the example fleet."""
    result = runner.invoke(app, ["classify", str(ACME)], env={"COLUMNS": "300"})
    assert result.exit_code == 0, result.output
    out = result.stdout
    for cls in (
        "steady",
        "diurnal",
        "bursty",
        "batch",
        "idle",
        "ai-training",
        "ai-inference",
        "unknown",
    ):
        assert cls in out
    assert "62 workloads:" in out
    assert "1 declared profile(s) disagree with telemetry" in out
    assert "steady / diurnal (disagree)" in out


def test_acme_json_holds_every_feature(acme_json: dict[str, object]) -> None:
    """JSON: one entry per workload with every feature of every metric (NaN as null), the
    thresholds in force and the headroom."""
    workloads = acme_json["workloads"]
    assert isinstance(workloads, list)
    assert len(workloads) == 62
    by_name = {w["workload"]: w for w in workloads}
    web = by_name["storefront-web"]
    assert web["class"] == "diurnal"
    assert set(web["features"]) == {"cpu", "memory", "rps"}
    assert {
        "mean",
        "p50",
        "p95",
        "p99",
        "max",
        "peak_to_mean",
        "cv",
        "duty_cycle",
        "acf_24h",
        "acf_168h",
        "trend_per_month",
        "bursts_per_day",
        "burst_mean_hours",
        "coverage",
        "days",
    } <= set(web["features"]["cpu"])
    assert by_name["wishlist-api"]["class"] == "unknown"
    assert by_name["wishlist-api"]["features"]["cpu"]["acf_24h"] is None
    assert by_name["search-api"]["disagreement"].startswith("declared steady, telemetry says")
    assert acme_json["headroom"] == 1.2
    assert acme_json["thresholds"]["min_days"] == 1.0  # type: ignore[index]


def test_bad_telemetry_exits_2_with_file_and_line(tmp_path: Path) -> None:
    """A negative value in a telemetry file exits 2, naming file and line, no traceback."""
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    (project / "telemetry" / "checkout-api.csv").write_text(
        "timestamp,workload,metric,value\n"
        "2026-10-01T00:00:00Z,checkout-api,cpu,1.0\n"
        "2026-10-01T01:00:00Z,checkout-api,cpu,-3\n"
    )
    result = runner.invoke(app, ["classify", str(project)])
    assert result.exit_code == 2
    assert "telemetry/checkout-api.csv:3: value: negative value -3" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_workload_is_a_warning(tmp_path: Path) -> None:
    """Telemetry for a workload not in the inventory prints a warning and exits 0."""
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    (project / "telemetry" / "ghost.csv").write_text(
        "timestamp,workload,metric,value\n2026-10-01T00:00:00Z,ghost,cpu,1.0\n"
    )
    result = runner.invoke(app, ["classify", str(project)])
    assert result.exit_code == 0, result.output
    assert "warning: telemetry/ghost.csv:2: workload: telemetry for 'ghost'" in result.stderr


def test_help_has_an_example() -> None:
    """--help is the docstring, with an example."""
    result = runner.invoke(app, ["classify", "--help"])
    assert result.exit_code == 0
    assert "Example: hybridplan classify examples/acme" in result.stdout


def test_rightsized_above_declared_is_marked() -> None:
    """catalog-db (tier 2): memory p95 110.51 GiB x 1.2 = 132.62 is above the declared
    128 GiB and says so; cpu p95 8.09 x 1.2 = 9.71, below the declared 16, has no mark."""
    result = runner.invoke(app, ["classify", str(ACME)], env={"COLUMNS": "400"})
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "│ catalog-db " in line)
    assert "132.62 / 128 (above declared)" in row
    assert "9.71 / 16 " in row
    assert "/ 16 (above declared)" not in row
