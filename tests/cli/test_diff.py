"""``hybridplan diff``: exit codes and output on two plan.json files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from plan_fakes import check_gfm, sample_plan, sample_project
from typer.testing import CliRunner

from planner.cli import app
from planner.model import Plan
from planner.report import render_plan_json

runner = CliRunner()


def _head() -> Plan:
    base = sample_plan()
    keep = tuple(p for p in base.placements if p.workload != "search-api")
    return replace(
        base,
        placements=keep,
        usd_per_month=sum(p.usd_per_month for p in keep),
        findings=base.findings[:1],
    )


@pytest.fixture
def plans(tmp_path: Path) -> tuple[Path, Path]:
    """Two plan.json files: the sample plan and one without search-api."""
    project = sample_project()
    base, head = tmp_path / "base" / "plan.json", tmp_path / "head" / "plan.json"
    base.parent.mkdir()
    head.parent.mkdir()
    base.write_text(render_plan_json(sample_plan(), project), encoding="utf-8")
    head.write_text(render_plan_json(_head(), project), encoding="utf-8")
    return base, head


def test_diff_md(plans: tuple[Path, Path]) -> None:
    """The default output is GFM naming the removed workload and the resolved finding."""
    result = runner.invoke(app, ["diff", str(plans[0]), str(plans[1])])
    assert result.exit_code == 0, result.output
    assert "### Workloads removed (1)" in result.output
    assert "`search-api`" in result.output
    assert "### Findings resolved (1)" in result.output
    check_gfm(result.output)


def test_diff_json_accepts_out_folders(plans: tuple[Path, Path]) -> None:
    """--format json prints the diff document; OUT folders stand for their plan.json."""
    result = runner.invoke(
        app, ["diff", str(plans[0].parent), str(plans[1].parent), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["kind"] == "PlanDiff"
    assert [w["name"] for w in data["removed"]] == ["search-api"]
    assert data["totals"]["delta_usd_per_month"] == -100.0


def test_diff_output_file(plans: tuple[Path, Path], tmp_path: Path) -> None:
    """--output writes the diff to a file instead of stdout."""
    out = tmp_path / "diff.md"
    result = runner.invoke(app, ["diff", str(plans[0]), str(plans[1]), "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("## Plan diff:")


def test_diff_missing_file(plans: tuple[Path, Path], tmp_path: Path) -> None:
    """A missing file is an input error (exit 2) that says what to pass instead."""
    result = runner.invoke(app, ["diff", str(plans[0]), str(tmp_path / "nope.json")])
    assert result.exit_code == 2
    assert "cannot read the plan" in result.output
    assert "To fix:" in result.output


def test_diff_invalid_plan(plans: tuple[Path, Path]) -> None:
    """A plan.json that breaks the schema is rejected with the failing field (exit 2)."""
    data = json.loads(plans[1].read_text(encoding="utf-8"))
    data["totals"]["usd_per_month"] = "lots"
    plans[1].write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(app, ["diff", str(plans[0]), str(plans[1])])
    assert result.exit_code == 2
    assert "totals.usd_per_month" in result.output


def test_diff_not_json(plans: tuple[Path, Path]) -> None:
    """A file that is not JSON is rejected with its line and column (exit 2)."""
    plans[1].write_text("{\n  oops\n}\n", encoding="utf-8")
    result = runner.invoke(app, ["diff", str(plans[0]), str(plans[1])])
    assert result.exit_code == 2
    assert "plan.json:2:3" in result.output


def test_diff_help() -> None:
    """--help shows the docstring with an example."""
    result = runner.invoke(app, ["diff", "--help"])
    assert result.exit_code == 0
    assert "Example: hybridplan diff" in result.output
