"""``planner.app``: the services take their world in, report progress, return warnings and
verdicts as values, and print nothing."""

from __future__ import annotations

import gc
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from planner import app
from planner.catalogue import load_default_catalogue
from planner.errors import CheckFailedError, DriftError, PolicyFailure, UsageError

TODAY = date(2026, 11, 27)


def _copy(mini_dir: Path, tmp_path: Path, name: str = "project") -> Path:
    target = tmp_path / name
    shutil.copytree(mini_dir, target)
    return target


def _edit(path: Path, edit: object) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    edit(data)  # type: ignore[operator]
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def test_load_inputs_returns_warnings_and_reports_its_steps(
    mini_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Telemetry of an unknown workload comes back as a warning, nothing is printed, and
    the steps are reported in order."""
    project = _copy(mini_dir, tmp_path)
    (project / "telemetry" / "ghost.csv").write_text(
        "timestamp,workload,metric,value\n2026-10-01T00:00:00Z,ghost,cpu,1.0\n"
    )
    steps: list[str] = []
    inputs = app.load_inputs(project, progress=steps.append)
    assert steps == list(app.LOAD_STEPS)
    assert [w.file for w in inputs.warnings] == ["telemetry/ghost.csv"]
    assert capsys.readouterr() == ("", "")


def test_render_plan_files_writes_nothing_and_returns_the_verdict(
    mini_dir: Path, tmp_path: Path
) -> None:
    """A tier-1 service with one replica: the outputs are rendered in memory, and the
    outcome's failure names the mandatory finding, one line each."""
    project = _copy(mini_dir, tmp_path)

    def one_replica(data: dict[str, list[dict[str, object]]]) -> None:
        data["workloads"][0]["replicas"] = 1

    _edit(project / "inventory.yaml", one_replica)
    out = tmp_path / "out"
    steps: list[str] = []
    outcome = app.render_plan_files(
        app.load_inputs(project),
        catalogue=load_default_catalogue(),
        today=TODAY,
        out=out,
        progress=steps.append,
    )
    assert steps == list(app.PLAN_STEPS)
    assert not out.exists()
    assert {"plan.json", "plan.md"} <= set(outcome.files)
    assert [f.rule_id for f in outcome.blocking] == ["HP-SLA-001"]
    assert isinstance(outcome.failure, PolicyFailure)
    assert outcome.failure.render().startswith("mandatory: HP-SLA-001 workload=checkout-api: ")


def test_stack_drift_names_the_edited_file_and_ignores_a_venv(
    mini_dir: Path, tmp_path: Path
) -> None:
    """Written stacks do not drift; a stack's venv is ignored; a hand edit is drift."""
    out = tmp_path / "out"
    outcome = app.render_plan_files(
        app.load_inputs(mini_dir), catalogue=load_default_catalogue(), today=TODAY, out=out
    )
    app.write_outputs(out, outcome.files)
    expected = app.stack_files(outcome.files)
    site = sorted(p.split("/")[1] for p in expected if p.endswith("/Pulumi.yaml"))[0]
    (out / "stacks" / site / "venv" / "lib").mkdir(parents=True)
    (out / "stacks" / site / "venv" / "lib" / "x.py").write_text("x = 1\n")
    assert app.stack_drift(out, expected) is None
    with (out / "stacks" / site / "__main__.py").open("a", encoding="utf-8") as f:
        f.write("# edited\n")
    drift = app.stack_drift(out, expected, command="hybridplan emit mini --out out")
    assert isinstance(drift, DriftError)
    assert drift.paths == (f"changed: stacks/{site}/__main__.py",)
    assert "regenerate with `hybridplan emit mini --out out`" in drift.fix


def test_check_project_names_budgets_no_plan_fits(mini_dir: Path, tmp_path: Path) -> None:
    """Budgets that make planning infeasible are checked on the cheapest plan without
    them: the outcome says so and fails on the budget rule."""
    project = _copy(mini_dir, tmp_path)

    def tiny_budget(data: dict[str, dict[str, object]]) -> None:
        data["rules"]["HP-COST-001"] = {
            "level": "mandatory",
            "params": {"budgets_usd_per_month": {"payments": 100, "ml": 40000}},
        }

    _edit(project / "policies.yaml", tiny_budget)
    outcome = app.check_project(project, catalogue=load_default_catalogue(), today=TODAY)
    assert outcome.note.startswith("no plan fits the mandatory budgets")
    assert [(f.rule_id, f.scope) for f in outcome.failing] == [("HP-COST-001", "payments")]
    assert isinstance(outcome.failure, PolicyFailure)


def test_an_infeasible_scenario_is_a_failure_not_an_exception(mini_dir: Path) -> None:
    """Moving the database onto the GPU pool fits no plan: the outcome carries the
    diagnosis and ``scenario_failure`` turns it into the run's verdict (exit 1)."""
    world = app.load_world(
        app.load_inputs(mini_dir), catalogue=load_default_catalogue(), today=TODAY
    )
    feasible = app.what_if(
        world,
        app.collect_changes(
            scenario=None, moves=[], prices=[], capacities=[], horizon=24, growth=None
        ),
    )
    assert app.scenario_failure(feasible) is None
    changes = app.collect_changes(
        scenario=None,
        moves=["checkout-api=gpu-pool-us"],
        prices=[],
        capacities=[],
        horizon=None,
        growth=None,
    )
    outcome = app.what_if(world, changes)
    failure = app.scenario_failure(outcome)
    assert isinstance(failure, CheckFailedError)
    assert failure.render() == outcome.infeasible
    assert failure.render().startswith("infeasible: ")
    assert gc.isenabled()  # planned with the collector paused (plan_project), then restored


def test_unknown_workload_suggests_the_nearest(mini_dir: Path) -> None:
    """``cost_workload`` and ``explain_project`` name the nearest workload in the fix."""
    catalogue = load_default_catalogue()
    with pytest.raises(UsageError) as cost:
        app.cost_workload(mini_dir, "checkout", catalogue=catalogue)
    assert (cost.value.message, cost.value.fix) == (
        "unknown workload 'checkout'",
        "did you mean checkout-api?",
    )
    with pytest.raises(UsageError) as explain:
        app.explain_project(mini_dir, "checkout", catalogue=catalogue, today=TODAY)
    assert explain.value.message == f"unknown workload 'checkout' in {mini_dir}"
