"""CLI tests for `hybridplan validate`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from planner.cli import app

DATA = Path(__file__).resolve().parent.parent / "data"
MINI = DATA / "mini"
BROKEN = DATA / "broken"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())

runner = CliRunner()


def test_valid_project_exits_0_with_a_summary() -> None:
    """tests/data/mini validates: exit 0 and counts of workloads and sites."""
    result = runner.invoke(app, ["validate", str(MINI)])
    assert result.exit_code == 0, result.output
    assert "3 workloads" in result.stdout
    assert "4 sites" in result.stdout


def test_directory_defaults_to_the_current_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without DIR, validate checks the current directory."""
    monkeypatch.chdir(MINI)
    result = runner.invoke(app, ["validate"])
    assert result.exit_code == 0, result.output


def test_json_summary_parses() -> None:
    """--format json prints a machine-readable summary."""
    result = runner.invoke(app, ["validate", str(MINI), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ok"] is True
    assert (data["workloads"], data["sites"], data["waivers"]) == (3, 4, 1)


def test_unknown_field_names_file_line_and_field() -> None:
    """A bad project exits 2 and names file:line:column, the field and the suggestion."""
    result = runner.invoke(app, ["validate", str(BROKEN / "unknown-field")])
    assert result.exit_code == 2
    assert "inventory.yaml:23:25: workloads[1].resources.memory_gb:" in result.stderr
    assert "did you mean 'memory_gib'?" in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_every_broken_case_exits_2_listing_every_problem(case: str) -> None:
    """Each corpus case exits 2 and prints each expected problem line."""
    result = runner.invoke(app, ["validate", str(BROKEN / case)])
    assert result.exit_code == 2
    expected = (BROKEN / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    for line in expected:
        assert line in result.stderr
    assert result.stdout == ""


def test_json_problems_parse() -> None:
    """--format json on a bad project prints every problem as JSON and exits 2."""
    result = runner.invoke(app, ["validate", str(BROKEN / "multiple-files"), "--format", "json"])
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["ok"] is False
    assert [(p["file"], p["line"], p["field"]) for p in data["problems"]] == [
        ("inventory.yaml", 32, "workloads[2].tier"),
        ("policies.yaml", 6, "rules.HP-COST-001.level"),
        ("project.yaml", 5, "settings.horizon_months"),
        ("sites.yaml", 34, "sites[1].availability"),
    ]
    assert all(p["fix"] for p in data["problems"])


def test_missing_directory_exits_2() -> None:
    """A folder that does not exist is an input error, not a crash."""
    result = runner.invoke(app, ["validate", str(BROKEN / "no-such-project")])
    assert result.exit_code == 2
    assert "planning project folder does not exist" in result.stderr


def test_help_has_an_example() -> None:
    """validate --help shows the docstring with an example."""
    result = runner.invoke(app, ["validate", "--help"])
    assert result.exit_code == 0
    assert "Example: hybridplan validate" in result.stdout
