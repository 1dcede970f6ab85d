"""Purchasing changes apart from moves (issue #12): commitments to sign with their amount,
term and break-even utilisation, commitments to let lapse, spot adopted; each with its own
saving in plan.json and plan.md. Figures by hand from catalogue 2025-h1 (us-east-1:
m6i.large 0.096 USD/h on demand, commit-1y 28 % off = 0.06912; m7i.large spot 0.03495
USD/h + 15 % interruption overhead)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import world
from jsonschema import Draft202012Validator

from planner.model import Plan, PricingOption, Project, Resources
from planner.money import Money
from planner.report import render_plan_md
from planner.report.plan_json import plan_to_dict, render_plan_json

SCHEMA = Path(__file__).resolve().parents[2] / "planner" / "schemas" / "plan.json"
AWS = "aws-us-east-1"


def _project() -> Project:
    """Four workloads on AWS us-east-1, each 2 cores and 8 GiB a replica (one m6i.large):
    a steady 2-replica API without spot, a batch job and a legacy API on a 1-year
    commitment today (both may use spot), and a part-time job (153 h a month, 21 %) that
    may not use spot."""
    res = Resources(cpu=2, memory_gib=8)
    ws = [
        world.workload("steady-api", replicas=2, allow_spot=False, current_site=AWS, resources=res),
        world.workload("nightly-batch", current_site=AWS, resources=res),
        world.workload(
            "legacy-api",
            current_site=AWS,
            current_option=PricingOption.COMMIT_1Y,
            resources=res,
        ),
        world.workload(
            "part-time",
            allow_spot=False,
            current_site=AWS,
            hours_per_month=153.0,
            resources=res,
        ),
    ]
    return world.project(ws, [world.aws_us_east_1()])


def _plan(project: Project) -> Plan:
    return world.planned(project)


def test_changes_with_their_own_savings() -> None:
    """By hand:

    - steady-api signs commit-1y: 2 x 730 h x 0.06912 = 100.92 a month, billed every hour of
      12 months (1,211.04), against 2 x 730 h x 0.096 = 140.16 on demand today: saves 39.24;
      break-even utilisation 100.92 / 140.16 = 72.00 %;
    - nightly-batch adopts spot: 730 h x 0.03495 = 25.51 + 15 % (3.83) = 29.34 against
      70.08 on demand: saves 40.74;
    - legacy-api lets its commitment lapse for spot: 50.46 (730 h x 0.06912) -> 29.34,
      saves 21.12;
    - part-time stays on demand, billed for its 153 h: 153 x 0.096 = 14.69, far below the
      50.46 a commitment would bill for all 730 h: no change.
    Purchasing saves 39.24 + 40.74 + 21.12 = 101.10 a month; nothing moves."""
    plan = _plan(_project())
    by = {c.workload: c for c in plan.purchasing}
    assert [c.workload for c in plan.purchasing] == ["steady-api", "legacy-api", "nightly-batch"]
    sign = by["steady-api"]
    assert (sign.kind, sign.from_option, sign.to_option) == (
        "sign",
        PricingOption.ON_DEMAND,
        PricingOption.COMMIT_1Y,
    )
    assert sign.term_months == 12
    assert sign.committed_per_month == Money.of("100.92", "USD")
    assert sign.committed_total == Money.of("1211.04", "USD")
    assert sign.on_demand_per_month == Money.of("140.16", "USD")
    assert sign.break_even_utilisation == Decimal("0.7200")
    assert sign.saving_per_month == Money.of("39.24", "USD")
    assert (by["nightly-batch"].kind, by["nightly-batch"].saving_per_month) == (
        "spot",
        Money.of("40.74", "USD"),
    )
    assert (by["legacy-api"].kind, by["legacy-api"].saving_per_month) == (
        "lapse",
        Money.of("21.12", "USD"),
    )
    part = plan.placement("part-time")
    assert part is not None
    assert part.assignments[0].option is PricingOption.ON_DEMAND
    assert part.per_month == Money.of("14.69", "USD")


def test_plan_json_and_md_carry_them_apart_from_moves() -> None:
    """plan.json's ``purchasing`` validates and says 101.10 saved by purchasing, 0 by
    moves and 1,211.04 committed; plan.md has "Purchasing changes" with the commitment's
    row (amount, term, break-even) and the spot and lapse rows."""
    project = _project()
    plan = _plan(project)
    d = plan_to_dict(plan, project)["purchasing"]
    assert d["saving_usd_per_month"] == Money.of("101.10", "USD")
    assert d["moves_saving_usd_per_month"] == Money.zero("USD")
    assert d["commitments_total_usd"] == Money.of("1211.04", "USD")
    data = json.loads(render_plan_json(plan, project))
    errors = Draft202012Validator(json.loads(SCHEMA.read_text())).iter_errors(data)
    assert [e.message for e in errors] == []
    text = render_plan_md(plan, project)
    assert "### Purchasing changes" in text
    assert "save **101.10 USD/month** on their own; the moves above save 0.00 USD/month" in text
    row = (
        "| `steady-api` | aws-us-east-1 | on-demand | commit-1y | 12 | 100.92 | 1,211.04 "
        "| 140.16 | 72.0 % | +39.24 |"
    )
    assert row in text
    assert (
        "| `nightly-batch` | aws-us-east-1 | adopt spot | on-demand → spot | 70.08 | 29.34 |"
        in (text)
    )
    assert "| `legacy-api` | aws-us-east-1 | let a commitment lapse | commit-1y → spot |" in text
    assert text.index("### Moved workloads") < text.index("### Purchasing changes")
