"""planner.solve.explain and ``hybridplan explain``: choice, runner-up, binding, utilisation."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from cost_world import usd
from strategies import offer, site, standard_offers, workload
from typer.testing import CliRunner

from planner.cli import app
from planner.model import Constraints, Residency, SiteKind
from planner.money import json_text
from planner.solve import solve_offers
from planner.solve.candidates import candidates_from_offers
from planner.solve.explain import explain_workload, move_text

MINI = Path(__file__).resolve().parents[2] / "data" / "mini"
runner = CliRunner()


def _world() -> tuple[object, object]:
    colo = site("colo", cpu=4.0, jurisdiction=Residency.EU)
    cloud = site("cloud", kind=SiteKind.CLOUD, jurisdiction=Residency.EU)
    us = site("us", kind=SiteKind.CLOUD, jurisdiction=Residency.US)
    ws = [
        workload("big", cpu=3.0, residency=Residency.EU, team="p"),
        workload("small", cpu=2.0, residency=Residency.EU, team="p"),
    ]
    prices = {
        (w.name, s): p for w in ws for s, p in (("colo", 100.0), ("cloud", 300.0), ("us", 50.0))
    }
    offers = standard_offers(ws, [colo, cloud, us], prices)
    constraints = Constraints(total_budget_per_month=usd(1000))
    result = solve_offers(ws, [colo, cloud, us], offers, constraints)
    return result, candidates_from_offers(offers, constraints, ws)


def test_explains_choice_runner_up_and_binding_capacity() -> None:
    """The workload pushed to the cloud names the full colo as binding and its runner-up."""
    result, cands = _world()
    e = explain_workload(result, cands, "small")  # type: ignore[arg-type]
    assert [a.site for a in e.assignments] == ["cloud"]
    assert "capacity colo cpu" in e.binding
    assert any(b.startswith("us/") and "residency" in b for b in e.binding)
    assert e.runner_up is not None
    assert e.runner_up.site == "colo"
    assert e.assignments[0].option.value == "spot"  # 0.4 x 300
    assert e.runner_up_extra_per_month == usd(-20)
    assert e.offers[0].eligible
    assert [o.chosen for o in e.offers].count(True) == 1
    colo_cpu = next(u for u in e.utilisation if (u.site, u.resource) == ("colo", "cpu"))
    assert (colo_cpu.used, colo_cpu.capacity, colo_cpu.at_limit) == (3.0, 4.0, False)
    # the LP's marginal core goes to "big": (120 - 100) USD/month x 36 months / 3 cores
    assert [(s.row, s.usd_over_horizon_per_unit) for s in e.shadow_prices] == [
        ("capacity colo cpu", 240.0)
    ]


def test_budgets_are_reported_when_constraints_are_given() -> None:
    """With constraints, the budgets the plan spends against are listed."""
    result, cands = _world()
    e = explain_workload(
        result,
        cands,
        "big",
        constraints=Constraints(total_budget_per_month=usd(220)),  # type: ignore[arg-type]
    )
    assert [(b.scope, b.used_per_month, b.at_limit) for b in e.budgets] == [
        ("total", usd(220), True)
    ]
    data = json.loads(json_text(e.to_dict()), parse_float=Decimal)
    assert data["workload"] == "big"
    assert data["budgets"][0]["used_usd_per_month"] == Decimal("220.0")


def test_unknown_workload_is_a_key_error() -> None:
    """explain_workload raises KeyError for a workload the plan does not have."""
    result, cands = _world()
    with pytest.raises(KeyError):
        explain_workload(result, cands, "nope")  # type: ignore[arg-type]


def test_cli_table_on_the_mini_project() -> None:
    """``hybridplan explain payments-db tests/data/mini`` prints choice, runner-up, sites."""
    out = runner.invoke(app, ["explain", "payments-db", str(MINI)], env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "payments-db: placement" in out.stdout
    assert "runner-up: colo-eu/owned" in out.stdout
    assert "site utilisation after planning" in out.stdout
    assert "solver: milp optimal" in out.stdout
    assert "residency: data must stay in eu" in out.stdout


def test_cli_json_on_the_mini_project() -> None:
    """--format json is parseable and complete."""
    out = runner.invoke(app, ["explain", "llm-finetune", str(MINI), "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["workload"] == "llm-finetune"
    assert sum(a["gpu_hours_per_month"] for a in data["assignments"]) == pytest.approx(4000.0)
    assert data["solver"]["status"] in ("optimal", "feasible")


def test_cli_unknown_workload_exits_2_with_a_hint() -> None:
    """An unknown workload is a usage error (exit 2) that suggests the near names."""
    out = runner.invoke(app, ["explain", "payments", str(MINI)])
    assert out.exit_code == 2
    assert "unknown workload 'payments'" in out.output
    assert "payments-db" in out.output


def test_cli_help_has_an_example() -> None:
    """``explain --help`` documents the command with an example."""
    out = runner.invoke(app, ["explain", "--help"], env={"COLUMNS": "200"})
    assert out.exit_code == 0
    assert "Example: hybridplan explain" in out.stdout


def test_cli_infeasible_project_exits_1_with_the_diagnosis(tmp_path: Path) -> None:
    """A team budget below the cheapest plan: exit 1, the diagnosis and a fix, no traceback."""
    project = tmp_path / "mini"
    shutil.copytree(MINI, project)
    policies = project / "policies.yaml"
    policies.write_text(
        policies.read_text().replace("{payments: 20000, ml: 40000}", "{payments: 300, ml: 40000}")
    )
    out = runner.invoke(app, ["explain", "checkout-api", str(project)])
    assert out.exit_code == 1
    assert "infeasible: no plan satisfies every constraint" in out.output
    assert "team payments budget is 300 USD/month" in out.output
    assert "To fix: raise the team payments budget by" in out.output
    assert "Traceback" not in out.output


def test_explain_says_a_burst_moves_in_part() -> None:
    """A training job that stays on its site and bursts into a pool is not said to stay
    (the pool's 10 GPUs hold one 8-GPU pod, not all the job's hours)."""
    pool = site("pool", kind=SiteKind.GPU_POOL, cpu=512, memory_gib=4096, gpus={"h100": 10})
    cloud = site("cloud", kind=SiteKind.CLOUD)
    job = workload("job", gpus=8, gpu_type="h100", gpu_hours_per_month=8760.0, current_site="cloud")
    usage = {"cpu": 96.0, "memory_gib": 1024.0, "gpus:h100": 8.0, "peak_gpus:h100": 8.0}
    offers = {
        "job": (
            offer(job, pool, 8760.0, usage=usage, migration_usd=1000.0),
            offer(job, cloud, 8760.0 * 4.0, usage=usage),
        )
    }
    result = solve_offers([job], [pool, cloud], offers, Constraints())
    e = explain_workload(result, candidates_from_offers(offers, Constraints()), "job")
    assert e.migration == usd(1000)
    assert move_text(e) == "stays on cloud and also runs on pool: moves in part"
    assert (e.to_dict()["moved"], e.to_dict()["partly_moved"]) == (False, True)


def test_horizon_figures_follow_from_the_cents_shown() -> None:
    """Every offer's horizon figure is its USD/month x months + migration as shown, and the
    chosen offer's equals the placement's (no cent drift between the two)."""
    a, b = site("a"), site("b")
    w = workload("api", current_site="b")
    offers = {"api": (offer(w, a, 282.963, migration_usd=8504.66), offer(w, b, 600.004))}
    result = solve_offers([w], [a, b], offers, Constraints())
    e = explain_workload(result, candidates_from_offers(offers, Constraints()), "api")
    for line in e.offers:
        assert line.horizon_total == line.per_month * 36 + line.migration
    chosen = next(line for line in e.offers if line.chosen)
    assert chosen.horizon_total == e.horizon_total
