"""The migration cost of each move, term by term, in the plan (issue #12): engineering, data
transfer (dataset egress priced by the source, or waived on exit) and double running, in
plan.json and plan.md, adding up to the move's migration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import world
from jsonschema import Draft202012Validator

from planner.model import CloudCost, DataSpec, Plan, PricingOption, Project, Resources, Settings
from planner.money import Money
from planner.report import render_plan_md
from planner.report.plan_json import plan_to_dict, render_plan_json

SCHEMA = Path(__file__).resolve().parents[2] / "planner" / "schemas" / "plan.json"


def _project(*, waiver: bool) -> Project:
    """orders-db (16 cores, 64 GiB, a 1,100 GiB dataset) on AWS eu-west-1 on demand (one
    m6i.4xlarge, 0.856 USD/h x 730 h = 624.88 a month), the cheaper colo-eu beside it, and
    2,000 USD of engineering per move."""
    aws = world.aws_eu_west_1(
        cloud_cost=CloudCost(price_region="eu-west-1", options=(PricingOption.ON_DEMAND,))
    )
    db = world.workload(
        "orders-db",
        allow_spot=False,
        current_site="aws-eu-west-1",
        resources=Resources(cpu=16, memory_gib=64),
        data=DataSpec(dataset_gib=1100),
    )
    settings = Settings(egress_exit_waiver=waiver, engineering_usd_per_move=2000.0)
    return world.project([db], [aws, world.colo_eu()], settings=settings)


def _plan(project: Project) -> Plan:
    return world.planned(project)


@pytest.mark.parametrize(
    ("waiver", "egress", "total"),
    [(False, "90.00", "2714.88"), (True, "0.00", "2624.88")],
    ids=["egress-paid", "exit-waiver"],
)
def test_each_move_shows_every_term(waiver: bool, egress: str, total: str) -> None:
    """By hand: data transfer 100 GiB free + 1,000 GiB x 0.09 = 90.00 (0 under the exit
    waiver); engineering 2,000.00; double running one month at today's 624.88. Total
    2,714.88 (2,624.88 waived), term by term in plan.json and in plan.md's table."""
    project = _project(waiver=waiver)
    plan = _plan(project)
    p = plan.placement("orders-db")
    assert p is not None
    assert p.sites == ("colo-eu",)
    terms = {li.name: li.amount for li in p.migration_items}
    assert terms == {
        "dataset egress from aws-eu-west-1": Money.of(egress, "USD"),
        "engineering": Money.of("2000", "USD"),
        "double running": Money.of("624.88", "USD"),
    }
    assert p.migration == Money.of(total, "USD")
    (w,) = plan_to_dict(plan, project)["workloads"]
    assert [i["usd"] for i in w["migration"]["items"]] == list(terms.values())
    data = json.loads(render_plan_json(plan, project))
    errors = Draft202012Validator(json.loads(SCHEMA.read_text())).iter_errors(data)
    assert [e.message for e in errors] == []
    text = render_plan_md(plan, project)
    cells = [Money.of(a, "USD").format(unit=False) for a in (egress, total)]
    row = f"| `orders-db` | 2,000.00 | {cells[0]} | 624.88 | {cells[1]} |"
    assert row in text
    assert "Migration cost of each move, term by term" in text
