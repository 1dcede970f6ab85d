"""``hybridplan check``: exit codes, the budget message, JSON and SARIF output."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from planner.cli import app

runner = CliRunner()
TODAY = ["--today", "2026-11-27"]


def _copy(mini_dir: Path, tmp_path: Path, rules: dict[str, object]) -> Path:
    """A copy of tests/data/mini whose policies.yaml has ``rules`` merged in."""
    target = tmp_path / "project"
    shutil.copytree(mini_dir, target)
    policies = yaml.safe_load((target / "policies.yaml").read_text(encoding="utf-8"))
    policies["rules"].update(rules)
    (target / "policies.yaml").write_text(yaml.safe_dump(policies), encoding="utf-8")
    return target


def test_clean_project_exits_0(mini_dir: Path) -> None:
    """The mini project passes every mandatory rule: exit 0."""
    result = runner.invoke(app, ["check", str(mini_dir), *TODAY])
    assert result.exit_code == 0, result.output
    assert "0 mandatory" in result.stdout


def test_advisory_findings_only_exit_0(mini_dir: Path, tmp_path: Path) -> None:
    """An advisory finding (cloud share over a tiny cap) is shown, and the exit code is 0."""
    project = _copy(mini_dir, tmp_path, {"HP-COST-004": {"params": {"max_share": 0.01}}})
    result = runner.invoke(app, ["check", str(project), *TODAY, "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [f["rule_id"] for f in data["findings"]] == ["HP-COST-004"]
    assert data["summary"]["advisory"] == 1


def test_budget_below_cost_exits_1_with_rule_and_figures(mini_dir: Path, tmp_path: Path) -> None:
    """A team budget below the cheapest plan fails with HP-COST-001 and the numbers."""
    project = _copy(
        mini_dir,
        tmp_path,
        {
            "HP-COST-001": {
                "level": "mandatory",
                "params": {"budgets_usd_per_month": {"payments": 100, "ml": 40000}},
            }
        },
    )
    table = runner.invoke(app, ["check", str(project), *TODAY])
    assert table.exit_code == 1, table.output
    assert "HP-COST-001" in table.stdout
    assert "unwaived mandatory finding(s): HP-COST-001" in table.stderr
    assert "Traceback" not in table.output
    result = runner.invoke(app, ["check", str(project), *TODAY, "--format", "json"])
    assert result.exit_code == 1
    (finding,) = json.loads(result.stdout)["findings"]
    assert (finding["rule_id"], finding["scope"]) == ("HP-COST-001", "payments")
    assert re.search(
        r"team payments spends [\d,.]+ USD/month, over its budget of 100\.00 USD/month by "
        r"[\d,.]+ USD",
        finding["message"],
    )
    assert finding["evidence"]["budget_usd_per_month"] == 100


def test_sarif_to_file(mini_dir: Path, tmp_path: Path) -> None:
    """--format sarif --output writes a SARIF 2.1.0 log; the exit code still follows the rules."""
    project = _copy(mini_dir, tmp_path, {"HP-COST-002": {"params": {"max_usd_per_month": 1}}})
    out = tmp_path / "reports" / "policy.sarif"
    result = runner.invoke(
        app,
        [
            "check",
            str(project),
            *TODAY,
            "--format",
            "sarif",
            "--output",
            str(out),
            "--uri-prefix",
            "plans/mini",
        ],
    )
    assert result.exit_code == 1, result.output
    log = json.loads(out.read_text(encoding="utf-8"))
    assert log["version"] == "2.1.0"
    (res,) = log["runs"][0]["results"]
    assert res["ruleId"] == "HP-COST-002"
    uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "plans/mini/policies.yaml"


@pytest.mark.parametrize(
    ("args", "fragment"),
    [(["--today", "tomorrow"], "--today"), (["--output", "x.json"], "--output needs")],
    ids=["bad-date", "output-without-format"],
)
def test_usage_errors_exit_2(mini_dir: Path, args: list[str], fragment: str) -> None:
    """Bad options exit 2 with a message, before any planning."""
    result = runner.invoke(app, ["check", str(mini_dir), *args])
    assert result.exit_code == 2
    assert fragment in result.stderr


def test_unknown_rule_in_policies_exits_2(mini_dir: Path, tmp_path: Path) -> None:
    """A policies.yaml naming a rule that does not exist is an input error."""
    project = _copy(mini_dir, tmp_path, {"HP-COST-099": {"level": "advisory"}})
    result = runner.invoke(app, ["check", str(project), *TODAY])
    assert result.exit_code == 2
    assert "unknown rule 'HP-COST-099'" in result.stderr


def test_help_has_an_example() -> None:
    """The command's help is its docstring, with an example."""
    result = runner.invoke(app, ["check", "--help"])
    assert result.exit_code == 0
    assert "Example: hybridplan check" in result.stdout


@pytest.mark.preview
def test_check_with_emitted_stacks(mini_dir: Path, tmp_path: Path) -> None:
    """--stacks previews the emitted stacks and checks their resources too (mini: clean)."""
    out = tmp_path / "out"
    planned = runner.invoke(app, ["plan", str(mini_dir), "--out", str(out)])
    assert planned.exit_code == 0, planned.output
    result = runner.invoke(
        app, ["check", str(mini_dir), *TODAY, "--stacks", str(out / "stacks"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["mandatory"] == 0
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = runner.invoke(app, ["check", str(mini_dir), *TODAY, "--stacks", str(empty)])
    assert missing.exit_code == 2
    assert "holds no emitted stacks" in missing.stderr


@pytest.mark.preview
def test_check_fails_on_a_stack_that_does_not_preview(mini_dir: Path, tmp_path: Path) -> None:
    """--stacks exits 1 when a stack's program fails offline: its resources went unchecked,
    and `pulumi preview` would fail on it too (it was a warning and exit 0)."""
    out = tmp_path / "out"
    assert runner.invoke(app, ["plan", str(mini_dir), "--out", str(out)]).exit_code == 0
    config = next((out / "stacks").glob("*/Pulumi.prod.yaml"))
    doc = yaml.safe_load(config.read_text(encoding="utf-8"))
    stack_key = next(k for k in doc["config"] if k.endswith(":stack"))
    doc["config"][stack_key]["surprise"] = 1
    config.write_text(yaml.safe_dump(doc), encoding="utf-8")
    result = runner.invoke(app, ["check", str(mini_dir), *TODAY, "--stacks", str(out / "stacks")])
    assert result.exit_code == 1, result.output
    assert "unknown key(s) surprise" in result.output + result.stderr
