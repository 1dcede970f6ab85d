"""CLI tests for `hybridplan plan`: the file contract, atomic output, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import jsonschema
import pytest
import yaml
from typer.testing import CliRunner

from planner.cli import app
from planner.fs import read_tree
from planner.load import schema_for

DATA = Path(__file__).resolve().parent.parent / "data"
MINI = DATA / "mini"

runner = CliRunner()


def _copy_mini(tmp_path: Path) -> Path:
    project = tmp_path / "project"
    shutil.copytree(MINI, project)
    return project


def _edit_yaml(path: Path, edit: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def mini_out(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """tests/data/mini planned once into a temporary OUT; returns (OUT, stdout)."""
    out = tmp_path_factory.mktemp("plan") / "out"
    result = runner.invoke(app, ["plan", str(MINI), "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return out, result.stdout


def test_plan_writes_the_file_contract(mini_out: tuple[Path, str]) -> None:
    """plan.json (valid against its schema), plan.md and one Pulumi stack per used site."""
    out, _ = mini_out
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema_for("plan")).validate(plan)
    assert sorted(w["name"] for w in plan["workloads"]) == [
        "checkout-api",
        "llm-finetune",
        "payments-db",
    ]
    assert (out / "plan.md").read_text(encoding="utf-8").startswith("<!-- hybridplan:plan -->")
    stacks = sorted(p.name for p in (out / "stacks").iterdir() if p.is_dir())
    used = sorted({a["site"] for w in plan["workloads"] for a in w["assignments"]})
    assert stacks == used
    for site in stacks:
        files = sorted(p.name for p in (out / "stacks" / site).iterdir())
        assert files == [
            "Pulumi.prod.yaml",
            "Pulumi.yaml",
            "README.md",
            "__main__.py",
            "hybridplan_stacks",
            "policy-config.json",
            "requirements.txt",
        ]


def test_plan_prints_a_summary_with_units(mini_out: tuple[Path, str]) -> None:
    """The summary table is titled with its unit and ends with a TOTAL row."""
    _, stdout = mini_out
    assert "Plan summary (USD/month)" in stdout
    assert "TOTAL" in stdout


def test_plan_is_byte_identical_when_repeated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same inputs and command give byte-identical plans and stacks (no timestamps,
    stable order); the output folder is named the same, as the header quotes the command."""
    trees = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        monkeypatch.chdir(tmp_path / run)
        result = runner.invoke(app, ["plan", str(MINI), "--out", "out"])
        assert result.exit_code == 0, result.output
        trees.append(read_tree(tmp_path / run / "out"))
    assert trees[0] == trees[1]
    assert len(trees[0]) > 10


def test_plan_json_format_is_machine_readable(tmp_path: Path) -> None:
    """--format json prints the plan document on stdout."""
    result = runner.invoke(
        app, ["plan", str(MINI), "--out", str(tmp_path / "o"), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["kind"] == "Plan"


def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    """An invalid project exits 2 with file:line and field, and OUT keeps its old content."""
    project = _copy_mini(tmp_path)
    text = (project / "inventory.yaml").read_text(encoding="utf-8")
    (project / "inventory.yaml").write_text(text.replace("memory_gib: 4,", "memory_gb: 4,"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "plan.json").write_text("previous\n")
    result = runner.invoke(app, ["plan", str(project), "--out", str(out)])
    assert result.exit_code == 2
    assert "inventory.yaml:10:" in result.stderr
    assert "did you mean 'memory_gib'?" in result.stderr
    assert read_tree(out) == {"plan.json": "previous\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "project"]


def test_missing_project_folder_exits_2(tmp_path: Path) -> None:
    """A folder that does not exist is an input error, not a traceback."""
    result = runner.invoke(app, ["plan", str(tmp_path / "nope"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert not (tmp_path / "o").exists()


def test_infeasible_budget_exits_1_with_a_diagnosis_and_writes_nothing(tmp_path: Path) -> None:
    """A mandatory total budget below the cheapest plan is infeasible: exit 1, the diagnosis
    names the budget, and nothing is written."""
    project = _copy_mini(tmp_path)

    def tiny_budget(doc: dict[str, object]) -> None:
        rules = doc["rules"]
        assert isinstance(rules, dict)
        rules["HP-COST-002"] = {"level": "mandatory", "params": {"max_usd_per_month": 100}}

    _edit_yaml(project / "policies.yaml", tiny_budget)
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(project), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "infeasible" in result.stderr
    assert "budget" in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists()


def test_plan_json_has_the_greedy_figure(mini_out: tuple[Path, str]) -> None:
    """plan.json says what the greedy baseline costs and how much cheaper the plan is."""
    out, _ = mini_out
    solver = json.loads((out / "plan.json").read_text(encoding="utf-8"))["solver"]
    assert solver["status"] == "optimal"
    assert solver["greedy_objective_usd"] >= solver["objective_usd"]
    greedy, objective = solver["greedy_objective_usd"], solver["objective_usd"]
    assert solver["cheaper_than_greedy"] == round((greedy - objective) / greedy, 4)


@pytest.mark.parametrize("budget", [False, True], ids=["feasible", "infeasible-budget"])
def test_a_tiny_time_limit_is_a_timeout_never_infeasible(tmp_path: Path, budget: bool) -> None:
    """solver_time_limit_s of a microsecond: HiGHS stops at once (it counts from its own
    start), the greedy plan is written with status time_limit and exit 0; a budget no plan
    meets is still proven infeasible (exit 1) by the diagnosis."""
    project = _copy_mini(tmp_path)

    def tiny_limit(doc: dict[str, dict[str, object]]) -> None:
        doc["settings"]["solver_time_limit_s"] = 1e-6

    def tiny_budget(doc: dict[str, dict[str, object]]) -> None:
        doc["rules"]["HP-COST-002"] = {"level": "mandatory", "params": {"max_usd_per_month": 100}}

    _edit_yaml(project / "project.yaml", tiny_limit)
    if budget:
        _edit_yaml(project / "policies.yaml", tiny_budget)
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(project), "--out", str(out)])
    if budget:
        assert result.exit_code == 1, result.output
        assert "budget" in result.stderr
        return
    assert result.exit_code == 0, result.output
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema_for("plan")).validate(plan)
    solver = plan["solver"]
    assert solver["status"] == "time_limit"
    assert solver["time_limited"] is True
    assert solver["objective_usd"] <= solver["greedy_objective_usd"]
    assert solver["cheaper_than_greedy"] >= 0.0
    assert "solver_time_limit_s = 1e-06" in solver["note"]


def test_mandatory_finding_exits_1_but_writes_the_report(tmp_path: Path) -> None:
    """A tier-1 service with one replica breaks HP-SLA-001 (mandatory): the plan is still
    written for review, and the exit code is 1."""
    project = _copy_mini(tmp_path)

    def one_replica(doc: dict[str, object]) -> None:
        workloads = doc["workloads"]
        assert isinstance(workloads, list)
        workloads[0]["replicas"] = 1

    _edit_yaml(project / "inventory.yaml", one_replica)
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(project), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "HP-SLA-001" in result.stderr
    plan = json.loads((out / "plan.json").read_text(encoding="utf-8"))
    assert any(f["rule_id"] == "HP-SLA-001" for f in plan["findings"])


def test_header_command_reproduces_a_non_default_env(tmp_path: Path) -> None:
    """Stacks planned with --env staging say so in the command that regenerates them."""
    out = tmp_path / "out"
    result = runner.invoke(app, ["plan", str(MINI), "--out", str(out), "--env", "staging"])
    assert result.exit_code == 0, result.output
    stack = next(p for p in (out / "stacks").iterdir() if p.is_dir())
    assert (stack / "Pulumi.staging.yaml").is_file()
    assert "--env staging" in (stack / "Pulumi.staging.yaml").read_text(encoding="utf-8")
