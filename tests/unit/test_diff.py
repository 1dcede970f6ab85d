"""planner.report.diff: two plans -> moves, cost deltas, added/removed, findings."""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from plan_fakes import check_gfm, sample_plan, sample_project, usd

from planner import report
from planner.errors import UsageError
from planner.model import Assignment, Placement, Plan, PricingOption, SiteUsage
from planner.money import Money, json_text


def _head_plan() -> Plan:
    """The sample plan with the training back in the cloud, search-api gone, a new job."""
    base = sample_plan()
    keep = [p for p in base.placements if p.workload not in {"llm-finetune", "search-api"}]
    llm = Placement(
        workload="llm-finetune",
        assignments=(
            Assignment(
                "aws-us-east-1",
                PricingOption.CAPACITY_BLOCK,
                1,
                usd("55000"),
                instance_type="p5.48xlarge",
                gpu_hours_per_month=4000.0,
            ),
        ),
        per_month=usd("55000"),
        migration=usd("0"),
        previous_site="aws-us-east-1",
        reason="capacity blocks at -45 % beat the owned pool",
    )
    nightly = Placement(
        workload="nightly-etl",
        assignments=(Assignment("colo-eu", PricingOption.OWNED, 1, usd("300")),),
        per_month=usd("300"),
        migration=usd("0"),
        previous_site=None,
    )
    db = next(p for p in keep if p.workload == "payments-db")
    db2 = replace(
        db, per_month=usd("1300"), assignments=(replace(db.assignments[0], per_month=usd("1300")),)
    )
    placements = (*(p for p in keep if p.workload != "payments-db"), db2, llm, nightly)
    return replace(
        base,
        placements=placements,
        per_month=Money.total((p.per_month for p in placements), "USD"),
        migration=Money.total((p.migration for p in placements), "USD"),
        findings=(base.findings[0],),
        site_usage=(
            replace(base.site_usage[0], per_month=usd("1644.57") + usd("65.43") + usd("300")),
            replace(base.site_usage[1], used={}, per_month=usd("0")),
            base.site_usage[2],
            SiteUsage("aws-us-east-1", used={}, capacity={}, per_month=usd("55000")),
        ),
    )


def _dicts() -> tuple[dict[str, object], dict[str, object]]:
    project = sample_project()
    return report.plan_to_dict(sample_plan(), project), report.plan_to_dict(_head_plan(), project)


def test_identical_plans_have_empty_diff() -> None:
    """A plan diffed with itself has no moves, no cost changes and a zero delta."""
    base, _ = _dicts()
    d = report.diff_plans(base, base)
    assert report.is_empty(d)
    assert "No change." in report.render_diff_md(d)


def test_moves_added_removed() -> None:
    """The training's move, the removed and the added workload are reported by name."""
    base, head = _dicts()
    d = report.diff_plans(base, head)
    assert [(m["name"], m["base_sites"], m["head_sites"]) for m in d["moves"]] == [
        ("llm-finetune", ["gpu-pool-us"], ["aws-us-east-1"])
    ]
    assert d["moves"][0]["delta_usd_per_month"] == usd("-6000")
    assert [w["name"] for w in d["added"]] == ["nightly-etl"]
    assert [w["name"] for w in d["removed"]] == ["search-api"]
    assert [(c["name"], c["delta_usd_per_month"]) for c in d["cost_changes"]] == [
        ("payments-db", usd("65.43"))
    ]


def test_totals_and_groups() -> None:
    """Total, site and team deltas are head minus base, exactly."""
    base, head = _dicts()
    d = report.diff_plans(base, head)
    expected = _head_plan().per_month - sample_plan().per_month
    assert d["totals"]["delta_usd_per_month"] == expected
    sites = {r["name"]: r["delta_usd_per_month"] for r in d["sites"]}
    # search-api (100 USD/month on aws-eu-west-1) is gone from HEAD
    assert sites == {
        "aws-eu-west-1": usd("-100"),
        "aws-us-east-1": usd("55000"),
        "colo-eu": usd("365.43"),
        "gpu-pool-us": usd("-61000"),
    }
    teams = {r["name"]: r["delta_usd_per_month"] for r in d["teams"]}
    assert teams["ml"] == usd("-6000")
    assert teams["search | discovery"] == usd("-100")


def test_findings_added_and_resolved() -> None:
    """Open findings are matched by rule id and scope; waived ones are ignored."""
    base, head = _dicts()
    d = report.diff_plans(base, head)
    assert d["findings_added"] == []
    assert [f["rule_id"] for f in d["findings_resolved"]] == ["HP-COST-001"]
    back = report.diff_plans(head, base)
    assert [f["rule_id"] for f in back["findings_added"]] == ["HP-COST-001"]


def test_diff_is_antisymmetric() -> None:
    """Swapping base and head negates the total delta and swaps added and removed."""
    base, head = _dicts()
    fwd, back = report.diff_plans(base, head), report.diff_plans(head, base)
    assert fwd["totals"]["delta_usd_per_month"] == -back["totals"]["delta_usd_per_month"]
    assert fwd["added"] == back["removed"]


@pytest.mark.parametrize(
    "broken",
    [{"kind": "Inventory"}, {"kind": "Plan", "schema_version": 99}],
    ids=["wrong-kind", "future-schema"],
)
def test_rejects_non_plans(broken: dict[str, object]) -> None:
    """Anything but a plan.json of a known schema version is a usage error with a fix."""
    base, _ = _dicts()
    with pytest.raises(UsageError, match=r"not a hybridplan plan\.json") as exc:
        report.diff_plans(base, broken)
    assert exc.value.fix


def test_render_md_is_gfm() -> None:
    """The Markdown diff parses: its tables are tables."""
    base, head = _dicts()
    text = report.render_diff_md(report.diff_plans(base, head))
    check_gfm(text)
    assert "### Moves (1)" in text
    assert "### Workloads added (1)" in text
    assert "### Findings resolved (1)" in text


@pytest.mark.parametrize("which", ["base", "head"])
def test_figures_of_a_plan_are_those_of_its_plan_json(which: str) -> None:
    """What-if reads a plan's figures from the domain values, diff from plan.json: both
    readings agree, so both commands compare the same figures."""
    from planner.policy.output import finding_to_dict

    plan = sample_plan() if which == "base" else _head_plan()
    project = sample_project()
    direct = report.figures_of_plan(plan, project)
    read = report.figures_of_json(report.plan_to_dict(plan, project))
    assert replace(direct, findings=()) == replace(read, findings=())
    assert [finding_to_dict(f) for f in direct.findings] == [
        finding_to_dict(f) for f in read.findings
    ]
    assert report.diff_to_dict(report.compare_plans(direct, direct)) == report.diff_plans(
        report.plan_to_dict(plan, project), report.plan_to_dict(plan, project)
    )


@pytest.mark.parametrize("exact", [True, False], ids=["decimal", "float"])
def test_figures_read_from_the_file_equal_the_plans(exact: bool) -> None:
    """plan.json text read back (numbers as Decimal, or as floats by a plain json.loads)
    gives the same Money figures as the plan itself, to the cent."""
    plan, project = _head_plan(), sample_project()
    text = report.render_plan_json(plan, project)
    data = json.loads(text, parse_float=Decimal) if exact else json.loads(text)
    read = report.figures_of_json(data)
    assert replace(read, findings=()) == replace(report.figures_of_plan(plan, project), findings=())
    assert json_text(report.diff_plans(data, data)) == json_text(
        report.diff_to_dict(report.compare_plans(read, read))
    )
