"""planner.emit for AWS sites: Karpenter NodePools as the plan priced them (capacity types,
limits, weights, zones), negotiated prices as NodeOverlays, EFA for multi-node training,
and the input errors that keep an unsizable pool from being emitted."""

from __future__ import annotations

from dataclasses import replace

import pytest
from world import mini_plan, mini_project, usd

from planner.emit.config import stack_config
from planner.emit.instances import ZONE_ID_LABEL, ZONE_LABEL, zone_label
from planner.errors import InputError
from planner.model import Assignment, CloudCost, Plan, PricingOption, Project
from stacks.spec import StackConfig


def _mini() -> tuple[Plan, Project]:
    return mini_plan(), mini_project()


def _training(
    plan: Plan, project: Project, *assignments: Assignment, pods: int = 1
) -> tuple[Plan, Project]:
    """The mini plan with llm-finetune running ``pods`` pods and these AWS assignments
    instead of its spot burst."""
    workloads = tuple(
        replace(w, replicas=pods) if w.name == "llm-finetune" else w for w in project.workloads
    )
    placements = tuple(
        replace(
            p,
            assignments=(
                *(replace(a, replicas=pods) for a in p.assignments if a.site == "gpu-pool-us"),
                *assignments,
            ),
        )
        if p.workload == "llm-finetune"
        else p
        for p in plan.placements
    )
    return replace(plan, placements=placements), replace(project, workloads=workloads)


def _config(plan: Plan, project: Project, site: str) -> StackConfig:
    return stack_config(plan, project, site, stack_env="prod")


def test_multi_node_training_gets_efa_and_one_zone() -> None:
    """A 2-pod burst Job to AWS asks for the 32 EFA devices of a p5.48xlarge per pod, the
    queues cover them, and the worker's training NodePool stays in the site's first zone
    (a zone id, so labelled topology.k8s.aws/zone-id)."""
    plan, project = _training(
        *_mini(),
        Assignment("aws-us-east-1", PricingOption.SPOT, 2, usd("18000.0"), "p5.48xlarge", 1000.0),
        pods=2,
    )
    pool = _config(plan, project, "gpu-pool-us").training
    assert pool is not None
    burst = next(j for j in pool.jobs if j.multikueue)
    local = next(j for j in pool.jobs if not j.multikueue)
    assert (burst.parallelism, burst.efa_per_pod, local.efa_per_pod) == (2, 32, 0)
    assert pool.burst is not None
    assert pool.burst.quotas[0].efa == 64
    worker = _config(plan, project, "aws-us-east-1")
    assert worker.aws_burst is not None
    (nodes,) = worker.aws_burst.node_pools
    assert (nodes.zone, nodes.zone_label) == ("use1-az1", ZONE_ID_LABEL)
    assert worker.training is not None
    assert worker.training.queues[0].quotas[0].efa == 64


def test_capacity_block_is_reserved_capacity_in_its_own_zone() -> None:
    """A share bought as a Capacity Block is a reserved NodePool; it is not pinned to a zone
    (the block already is, and pinning another would match nothing)."""
    plan, project = _training(
        *_mini(),
        Assignment(
            "aws-us-east-1", PricingOption.CAPACITY_BLOCK, 2, usd("31000.0"), "p5.48xlarge", 800.0
        ),
        pods=2,
    )
    config = _config(plan, project, "aws-us-east-1").aws_burst
    assert config is not None
    (nodes,) = config.node_pools
    assert (nodes.name, nodes.capacity_type, nodes.zone) == (
        "training-h100-capacity-block",
        "reserved",
        None,
    )


def test_weights_follow_the_price_per_gpu_hour() -> None:
    """Three options of one GPU type: the cheapest per GPU-hour weighs 100, then 99, 98;
    each pool holds the Job's pods (8 GPUs each)."""
    plan, project = _training(
        *_mini(),
        Assignment("aws-us-east-1", PricingOption.SPOT, 1, usd("3000.0"), "p5.48xlarge", 1000.0),
        Assignment(
            "aws-us-east-1", PricingOption.COMMIT_1Y, 1, usd("4000.0"), "p5.48xlarge", 1000.0
        ),
        Assignment(
            "aws-us-east-1", PricingOption.ON_DEMAND, 1, usd("12000.0"), "p5.48xlarge", 1000.0
        ),
    )
    config = _config(plan, project, "aws-us-east-1").aws_burst
    assert config is not None
    got = {
        p.option: (p.capacity_type, p.weight, p.max_nodes * p.gpus_per_node)
        for p in config.node_pools
    }
    assert got == {
        "spot": ("spot", 100, 8),
        "commit-1y": ("on-demand", 99, 8),
        "on-demand": ("on-demand", 98, 8),
    }
    training = _config(plan, project, "aws-us-east-1").training
    assert training is not None
    assert [f.name for f in training.flavors] == ["h100-spot", "h100-commit-1y", "h100-on-demand"]


def test_negotiated_prices_become_node_overlays() -> None:
    """A price override of the site's region is a price NodeOverlay; another region's is
    ignored; a discount is a priceAdjustment."""
    plan, project = _mini()
    sites = tuple(
        replace(
            s,
            price_overrides={
                "aws.p5.48xlarge.us-east-1.on-demand": 55.04,
                "aws.p5.48xlarge.us-west-2.on-demand": 60.0,
                "aws.p5.48xlarge.us-east-1.spot": 21.5,
            },
            cloud_cost=CloudCost(price_region="us-east-1", discount_pct=12.0),
        )
        if s.name == "aws-us-east-1"
        else s
        for s in project.sites
    )
    config = _config(plan, replace(project, sites=sites), "aws-us-east-1").aws_burst
    assert config is not None
    got = {
        o.name: (o.instance_types, o.capacity_types, o.price, o.price_adjustment)
        for o in config.overlays
    }
    assert got == {
        "price-p5-48xlarge-on-demand": (("p5.48xlarge",), ("on-demand",), "55.04", None),
        "price-p5-48xlarge-spot": (("p5.48xlarge",), ("spot",), "21.5", None),
        "discount": ((), ("on-demand", "reserved", "spot"), None, "-12%"),
    }


def test_an_unknown_gpu_instance_is_an_input_error() -> None:
    """An instance type without known GPUs cannot size a NodePool limit: refused with the
    known types, rather than a pool that provisions nothing or too much."""
    plan, project = _training(
        *_mini(),
        Assignment("aws-us-east-1", PricingOption.SPOT, 1, usd("3000.0"), "x9.metal", 1000.0),
    )
    with pytest.raises(InputError) as info:
        _config(plan, project, "aws-us-east-1")
    assert "x9.metal" in info.value.problems[0].message


def test_a_pod_larger_than_its_instance_is_an_input_error() -> None:
    """An 8-GPU training pod on a 1-GPU instance type would never schedule: refused."""
    plan, project = _training(
        *_mini(),
        Assignment("aws-us-east-1", PricingOption.SPOT, 1, usd("3000.0"), "g6.xlarge", 1000.0),
    )
    with pytest.raises(InputError) as info:
        _config(plan, project, "aws-us-east-1")
    assert "does not fit g6.xlarge" in info.value.problems[0].message


@pytest.mark.parametrize(
    ("zone", "label"),
    [("use1-az1", ZONE_ID_LABEL), ("eu-west-1a", ZONE_LABEL), ("apne1-az4", ZONE_ID_LABEL)],
)
def test_zone_label(zone: str, label: str) -> None:
    """Zone ids and zone names are told apart (Karpenter labels nodes with both)."""
    assert zone_label(zone) == label
