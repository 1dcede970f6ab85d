"""A tier-1 workload the plan splits over two sites: the plan-time check and the CrossGuard
pack agree on the per-site objects as emitted (each site holds a share below the tier's
minimum; the whole meets it)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from crossguard_harness import run_pack
from world import mini_plan, mini_project

from planner.emit import default_environment, render_stacks
from planner.fs import write_tree
from planner.model import Assignment, PricingOption
from planner.money import Money
from planner.policy import evaluate_plan, evaluate_resources, pack_config
from planner.preview import policy_records, preview_findings, run_preview
from policies.registry import PREVIEW_RULES, RULES

TODAY = date(2026, 11, 27)
SLA = [r for r in RULES if r.id in ("HP-SLA-001", "HP-SLA-002")]


def test_split_tier1_workload_passes_both_checks(tmp_path: Path) -> None:
    """checkout-api (tier 1, 3 replicas) as 2 on colo-eu + 1 on aws-eu-west-1: no SLA
    finding at plan time, on the previewed objects, or from the pack."""
    project, plan = mini_project(), mini_plan()
    placements = tuple(
        replace(
            p,
            assignments=(
                replace(p.assignments[0], replicas=2),
                Assignment(
                    site="aws-eu-west-1",
                    option=PricingOption.ON_DEMAND,
                    replicas=1,
                    per_month=Money.of(100, "USD"),
                ),
            ),
        )
        if p.workload == "checkout-api"
        else p
        for p in plan.placements
    )
    plan = replace(plan, placements=placements)
    assert not [f for f in evaluate_plan(project, plan, today=TODAY, rules=SLA) if not f.waived]

    files = render_stacks(plan, project, default_environment(), command="hybridplan plan x")
    write_tree(tmp_path, files, subdirs=("stacks",))
    config = json.loads(json.dumps(pack_config(project, rules=RULES)))
    records, configs = [], {}
    for site in ("colo-eu", "aws-eu-west-1"):
        result = run_preview(tmp_path / "stacks" / site)
        assert result.ok, result.problems
        assert preview_findings(result, rules=PREVIEW_RULES, today=TODAY) == ()
        records.extend(policy_records(result, site))
        configs[site] = config
    shares = sorted(
        (r.stack, r.props["spec"]["replicas"])  # type: ignore[index]
        for r in records
        if r.type == "kubernetes:apps/v1:Deployment" and r.name == "checkout-api-deployment"
    )
    assert shares == [("aws-eu-west-1", 1), ("colo-eu", 2)]
    findings = evaluate_resources(records, project, TODAY, rules=SLA)
    assert [(f.rule_id, f.scope) for f in findings if not f.waived] == []
    reported, unknown = run_pack([r.id for r in SLA], records, configs)
    assert (reported, unknown) == (set(), set())


pytestmark = pytest.mark.preview
