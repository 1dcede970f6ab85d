"""A variant of the mini plan that uses every Karpenter feature - a Capacity Block share,
multi-node training, negotiated prices - previewed offline: the objects validate against the
Karpenter v1.14.1 CRDs and the deploy-readiness rules find nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from world import MINI_COMMAND, mini_plan, mini_project, usd

from planner.emit import default_environment, render_stacks
from planner.fs import write_tree
from planner.model import Assignment, CloudCost, PricingOption
from planner.preview import PreviewResult, preview_findings, run_preview
from policies.registry import PREVIEW_RULES

TODAY = date(2026, 11, 27)


@pytest.fixture(scope="module")
def worker(tmp_path_factory: pytest.TempPathFactory) -> PreviewResult:
    """aws-us-east-1 running llm-finetune as 2 pods on spot and on a Capacity Block, with a
    negotiated on-demand price and a 5 % discount."""
    plan, project = mini_plan(), mini_project()
    workloads = tuple(
        replace(w, replicas=2) if w.name == "llm-finetune" else w for w in project.workloads
    )
    sites = tuple(
        replace(
            s,
            price_overrides={"aws.p5.48xlarge.us-east-1.on-demand": 55.04},
            cloud_cost=CloudCost(price_region="us-east-1", discount_pct=5.0),
        )
        if s.name == "aws-us-east-1"
        else s
        for s in project.sites
    )
    placements = tuple(
        replace(
            p,
            assignments=(
                Assignment("gpu-pool-us", PricingOption.OWNED, 2, usd("45750.0"), None, 3000.0),
                Assignment(
                    "aws-us-east-1", PricingOption.SPOT, 2, usd("9000.0"), "p5.48xlarge", 500.0
                ),
                Assignment(
                    "aws-us-east-1",
                    PricingOption.CAPACITY_BLOCK,
                    2,
                    usd("9800.0"),
                    "p5.48xlarge",
                    500.0,
                ),
            ),
        )
        if p.workload == "llm-finetune"
        else p
        for p in plan.placements
    )
    files = render_stacks(
        replace(plan, placements=placements),
        replace(project, workloads=workloads, sites=sites),
        default_environment(),
        command=MINI_COMMAND,
    )
    out = tmp_path_factory.mktemp("karpenter-out")
    write_tree(out, files, subdirs=("stacks",))
    return run_preview(Path(out) / "stacks" / "aws-us-east-1")


def test_every_karpenter_object_validates_and_passes_the_rules(worker: PreviewResult) -> None:
    """Two NodeClasses, two NodePools, two NodeOverlays: schema-valid, no finding."""
    assert worker.problems == ()
    counts = worker.counts()
    assert counts["kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"] == 2
    assert counts["kubernetes:karpenter.sh/v1:NodePool"] == 2
    assert counts["kubernetes:karpenter.sh/v1alpha1:NodeOverlay"] == 2
    assert preview_findings(worker, rules=PREVIEW_RULES, today=TODAY) == ()


def test_capacity_block_pool_selects_the_sites_reservations(worker: PreviewResult) -> None:
    """The reserved pool uses the node class that selects reservations tagged for the site;
    the spot pool of the multi-node Job is pinned to one zone."""
    block = worker.named(
        "kubernetes:karpenter.sh/v1:NodePool", "training-h100-capacity-block-nodepool"
    )
    assert block.inputs["spec"]["template"]["spec"]["nodeClassRef"]["name"] == (
        "hybridplan-gpu-reserved"
    )
    reserved = worker.named(
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass", "hybridplan-gpu-reserved-ec2nodeclass"
    )
    assert reserved.inputs["spec"]["capacityReservationSelectorTerms"] == [
        {"tags": {"hybridplan.io/capacity-block": "aws-us-east-1"}}
    ]
    spot = worker.named("kubernetes:karpenter.sh/v1:NodePool", "training-h100-spot-nodepool")
    zones = [
        r
        for r in spot.inputs["spec"]["template"]["spec"]["requirements"]
        if r["key"] == "topology.k8s.aws/zone-id"
    ]
    assert zones == [{"key": "topology.k8s.aws/zone-id", "operator": "In", "values": ["use1-az1"]}]
    overlay = worker.named("kubernetes:karpenter.sh/v1alpha1:NodeOverlay", "discount-nodeoverlay")
    assert overlay.inputs["spec"]["priceAdjustment"] == "-5%"
