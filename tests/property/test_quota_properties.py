"""Kueue quotas never exceed the hardware: on random owned GPU pools and cloud sites with
random training (teams, pods, GPUs per pod) and GPU services, the emitted quotas of every
flavor add up to at most what its nodes hold, and every local Job fits one flavor."""

from __future__ import annotations

import math
from collections import defaultdict

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from world import usd

from planner.emit.config import stack_config
from planner.emit.quota import fitting_pods, split_quota
from planner.model import (
    Assignment,
    Capacity,
    CloudCost,
    Placement,
    Plan,
    PricingOption,
    Project,
    Residency,
    Resources,
    Site,
    SiteKind,
    SolverInfo,
    TrainingSpec,
    Workload,
    WorkloadKind,
)

PROFILE = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
SOLVER = SolverInfo(
    method="milp", status="optimal", objective_usd=0.0, lp_bound_usd=0.0, gap=0.0, seconds=0.0
)


@given(
    capacity=st.integers(min_value=0, max_value=512),
    demand=st.dictionaries(
        st.sampled_from(["ml", "search", "vision", "ads"]), st.integers(0, 400), max_size=4
    ),
)
@PROFILE
def test_split_quota_gives_out_exactly_the_capacity(capacity: int, demand: dict[str, int]) -> None:
    """Team quotas are non-negative, add up to the capacity (when any team trains there) and
    never exceed it."""
    split = split_quota(capacity, demand)
    assert set(split) == set(demand)
    assert all(0 <= q <= capacity for q in split.values())
    if demand:
        assert sum(split.values()) == capacity


@given(
    planned=st.integers(1, 16),
    gpus_per_pod=st.sampled_from([1, 2, 4, 8]),
    capacities=st.lists(st.integers(0, 128), max_size=3),
)
@PROFILE
def test_a_capped_job_fits_its_largest_flavor(
    planned: int, gpus_per_pod: int, capacities: list[int]
) -> None:
    """The pods of a capped Job fit the largest flavor, unless not even one pod does."""
    pods = fitting_pods(planned, gpus_per_pod, capacities)
    assert 1 <= pods <= planned
    assert pods * gpus_per_pod <= max(capacities, default=0) or pods == 1


@st.composite
def pools(draw: st.DrawFn) -> tuple[Plan, Project]:
    """An owned GPU pool and a cloud site sharing random training (split by GPU-hours, each
    assignment running the whole Job) and a random GPU inference service on the pool."""
    physical = draw(st.sampled_from([8, 16, 32, 64, 128]))
    utilisation = draw(st.sampled_from([0.5, 0.75, 0.85, 1.0]))
    pool = Site(
        name="pool",
        kind=SiteKind.GPU_POOL,
        provider="self",
        region="r",
        jurisdiction=Residency.US,
        failure_domains=("a",),
        availability_pct=99.5,
        capacity=Capacity(cpu=4096, memory_gib=65536, gpus={"h100": physical}),
        target_utilisation=utilisation,
    )
    cloud = Site(
        name="cloud",
        kind=SiteKind.CLOUD,
        provider="aws",
        region="us-east-1",
        jurisdiction=Residency.US,
        failure_domains=("use1-az1", "use1-az2"),
        availability_pct=99.99,
        capacity=None,
        cloud_cost=CloudCost(price_region="us-east-1"),
    )
    workloads: list[Workload] = []
    placements: list[Placement] = []
    for i in range(draw(st.integers(1, 4))):
        gpus = draw(st.sampled_from([1, 2, 4, 8]))
        pods = draw(st.integers(1, 12))
        w = Workload(
            name=f"train-{i}",
            team=draw(st.sampled_from(["ml", "search"])),
            kind=WorkloadKind.TRAINING,
            tier=3,
            replicas=pods,
            resources=Resources(cpu=12 * gpus, memory_gib=128 * gpus, gpus=gpus, gpu_type="h100"),
            training=TrainingSpec(gpu_hours_per_month=1000.0),
            image="registry.example.com/t:1",
        )
        where = draw(st.sampled_from(["pool", "cloud", "both"]))
        assignments = []
        if where in ("pool", "both"):
            assignments.append(
                Assignment(
                    "pool", PricingOption.OWNED, pods, usd("100.0"), gpu_hours_per_month=600.0
                )
            )
        if where in ("cloud", "both"):
            option = draw(st.sampled_from([PricingOption.SPOT, PricingOption.ON_DEMAND]))
            assignments.append(
                Assignment(
                    "cloud", option, pods, usd("900.0"), "p5.48xlarge", gpu_hours_per_month=400.0
                )
            )
        workloads.append(w)
        placements.append(Placement(w.name, tuple(assignments), usd("1000"), usd("0"), None))
    serving = draw(st.integers(0, 4))
    if serving:
        w = Workload(
            name="infer",
            team="ml",
            kind=WorkloadKind.INFERENCE,
            tier=2,
            replicas=serving,
            resources=Resources(cpu=8, memory_gib=64, gpus=2, gpu_type="h100"),
            image="registry.example.com/i:1",
        )
        workloads.append(w)
        placements.append(
            Placement(
                w.name,
                (Assignment("pool", PricingOption.OWNED, serving, usd("50")),),
                usd("50"),
                usd("0"),
                None,
            )
        )
    project = Project(root=".", workloads=tuple(workloads), sites=(pool, cloud))
    plan = Plan(placements=tuple(placements), site_usage=(), classifications=(), solver=SOLVER)
    return plan, project


@given(world=pools())
@PROFILE
def test_quotas_never_exceed_the_hardware(world: tuple[Plan, Project]) -> None:
    """Per flavor: team quotas add up to at most its capacity; an owned flavor's capacity is
    at most the pool's GPUs x target utilisation; a cloud flavor's is its NodePool's GPU
    limit; every local Job fits one flavor (or is a single pod the rule then reports)."""
    plan, project = world
    for site in project.sites:
        training = stack_config(plan, project, site.name, stack_env="prod").training
        if training is None:
            continue
        held: dict[str, int] = defaultdict(int)
        for queue in training.queues:
            for q in queue.quotas:
                held[q.flavor] += q.gpus
                assert q.borrowing_limit_gpus is None or q.gpus + q.borrowing_limit_gpus <= next(
                    f.capacity_gpus for f in training.flavors if f.name == q.flavor
                )
        for f in training.flavors:
            assert held[f.name] <= f.capacity_gpus
            if site.capacity is not None:
                usable = math.floor(site.capacity.gpus["h100"] * site.target_utilisation)
                assert f.capacity_gpus <= usable
        if site.kind is SiteKind.CLOUD:
            config = stack_config(plan, project, site.name, stack_env="prod").aws_burst
            assert config is not None
            limits = {p.name: p.max_nodes * p.gpus_per_node for p in config.node_pools}
            for f in training.flavors:
                assert f.capacity_gpus == limits[f.node_labels["hybridplan.io/node-pool"]]
        largest = max((f.capacity_gpus for f in training.flavors), default=0)
        for job in training.jobs:
            if job.queue == "training":
                assert job.parallelism * job.gpus_per_pod <= largest or job.parallelism == 1
