"""The GPUs a long-running workload holds beyond its replicas (HPA ceiling and surge pod,
``planner.headroom``) are one figure for the solver and for emit's Kueue capacity: a GPU
pool the plan fills is never one whose training queue cannot admit a pod (issue #18)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
import world

from planner.cost import usage_of
from planner.emit import stack_config
from planner.headroom import SURGE_PODS, headroom_pods, held_gpus, hpa_ceiling
from planner.model import (
    Capacity,
    DataSpec,
    Plan,
    Profile,
    Project,
    Residency,
    Resources,
    TrainingSpec,
    WorkloadKind,
)
from planner.solve import partition

POOL_GPUS = 16
"""Two 8-GPU servers: 13.6 usable at 0.85, so Kueue's capacity is at most 13."""
POD_GPUS = 8


def _project() -> Project:
    """A 16-H100 pool, a bursty 2-replica 1-GPU chat service (HPA ceiling 6 pods plus one
    surge pod: 7 GPUs, 2 planned) and a training job of 8-GPU pods that fits the pool's
    hours. Counting the chat service at its planned 2 GPUs, both fit the pool (2 + 8 <=
    13.6); counting what it may hold (7), the pool's Kueue capacity would be 13 - 7 = 6 GPUs:
    less than one pod."""
    node = world.gpu_pool_us().gpu_pool_cost.owned.node_classes[0]
    pool = world.gpu_pool_us(
        capacity=Capacity(cpu=192, memory_gib=4096, gpus={"h100": POOL_GPUS}),
        gpu_pool_cost=replace(
            world.gpu_pool_us().gpu_pool_cost,
            owned=replace(
                world.gpu_pool_us().gpu_pool_cost.owned, node_classes=(replace(node, count=2),)
            ),
        ),
    )
    chat = world.workload(
        "chat",
        WorkloadKind.INFERENCE,
        team="ml",
        tier=3,
        replicas=2,
        resources=Resources(cpu=8, memory_gib=64, gpus=1, gpu_type="h100"),
        data=DataSpec(residency=Residency.US),
        profile=Profile.BURSTY,
        current_site="aws-us-east-1",
        image="registry.example.com/ml/chat:1.0.0",
        ports=(8000,),
    )
    train = world.llm_finetune(
        resources=Resources(cpu=96, memory_gib=1024, gpus=POD_GPUS, gpu_type="h100"),
        data=DataSpec(residency=Residency.US),
        training=TrainingSpec(gpu_hours_per_month=2000),
    )
    return world.project([chat, train], [pool, world.aws_us_east_1()])


def _pinned_project() -> Project:
    """``_project`` with the training job pinned to the pool."""
    project = _project()
    return replace(
        project,
        workloads=tuple(
            replace(w, pinned_site="gpu-pool-us") if w.name == "llm-finetune" else w
            for w in project.workloads
        ),
    )


def test_headroom_is_the_hpa_ceiling_and_the_surge_pod() -> None:
    """Bursty: 3 x replicas plus one surge pod; others: the surge pod; none for databases,
    batch and training."""
    assert hpa_ceiling("bursty", 2) == 6
    assert headroom_pods(WorkloadKind.INFERENCE, "bursty", 2) == 4 + SURGE_PODS
    assert headroom_pods(WorkloadKind.SERVICE, "steady", 3) == SURGE_PODS
    assert held_gpus(WorkloadKind.INFERENCE, "diurnal", 2, 4) == (2 + SURGE_PODS) * 4
    for kind in (WorkloadKind.DATABASE, WorkloadKind.BATCH, WorkloadKind.TRAINING):
        assert headroom_pods(kind, "bursty", 2) == 0


def test_a_gpu_workload_uses_its_headroom_on_a_site() -> None:
    """The offers' usage holds the GPUs emit keeps out of the training quota; the surge
    part is said apart (a split workload pays it on each site)."""
    chat = _project().workload("chat")
    usage = usage_of(chat, chat.resources, "bursty")
    assert usage["gpus:h100"] == 7.0
    assert usage["surge_gpus:h100"] == 1.0
    assert usage_of(chat, chat.resources, "steady")["gpus:h100"] == 3.0


def _held_on(plan: Plan, site: str) -> int:
    """What the chat service may hold on ``site`` (its replicas there, with headroom)."""
    return sum(
        held_gpus(WorkloadKind.INFERENCE, "bursty", a.replicas, 1)
        for a in plan.placement("chat").assignments
        if a.site == site
    )


@pytest.mark.parametrize("method", ["milp", "lp+repair", "greedy"])
def test_the_pool_keeps_room_for_a_training_pod_and_kueue_admits_it(method: str) -> None:
    """With the training job pinned to the pool, every solver leaves it room for one 8-GPU
    pod beside what the chat service may hold there (so chat goes to the cloud), and the
    emitted ClusterQueue admits the Job's pod. (Counting chat at its planned 2 GPUs, as
    before, put both on the pool and left Kueue 6 GPUs: the Job would never start.)"""
    project = _pinned_project()
    pool = project.site("gpu-pool-us")
    plan = world.planned(project, method)
    usable = math.floor(POOL_GPUS * pool.target_utilisation)
    held = _held_on(plan, pool.name)
    assert plan.placement("llm-finetune").sites == (pool.name,)
    assert held <= usable - POD_GPUS
    used = next(u for u in plan.site_usage if u.site == pool.name).used
    assert used.get("gpus:h100", 0.0) <= POOL_GPUS * pool.target_utilisation + 1e-6

    training = stack_config(plan, project, pool.name, stack_env="prod").training
    assert training is not None
    (flavor,) = training.flavors
    assert flavor.capacity_gpus == usable - held >= POD_GPUS
    (queue,) = training.queues
    (quota,) = queue.quotas
    assert quota.gpus + (quota.borrowing_limit_gpus or 0) >= POD_GPUS
    (job,) = [j for j in training.jobs if j.workload == "llm-finetune"]
    assert job.parallelism * job.gpus_per_pod <= flavor.capacity_gpus


def test_the_partitioned_lp_keeps_the_room_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fleet big enough to be solved in parts (here: any, the threshold lowered) with
    training on a pool: the parts' LPs leave the room rows to the greedy completion, which
    keeps them, so the plan still leaves room for one 8-GPU pod beside chat's headroom.
    (Before, a model with a room binary was never partitioned: the 100k fleet's whole LP
    ran out of time and its plan was the greedy one with no bound.)"""
    monkeypatch.setattr(partition, "PARTITION_MIN_BLOCKS", 1)
    project = _pinned_project()
    pool = project.site("gpu-pool-us")
    plan = world.planned(project, "lp+repair")
    assert plan.solver.method == partition.METHOD
    assert plan.solver.lp_bound_usd is not None
    usable = math.floor(POOL_GPUS * pool.target_utilisation)
    assert plan.placement("llm-finetune").sites == (pool.name,)
    assert _held_on(plan, pool.name) <= usable - POD_GPUS
    training = stack_config(plan, project, pool.name, stack_env="prod").training
    assert training is not None
    (flavor,) = training.flavors
    assert flavor.capacity_gpus >= POD_GPUS


def test_the_room_is_kept_only_where_training_runs() -> None:
    """Unpinned, the cheapest plan that keeps every training pod admissible runs chat on
    the pool with all its headroom and the training job on the cloud: the pool reserves no
    training room it does not need."""
    project = _project()
    plan = world.planned(project, "milp")
    assert plan.placement("chat").sites == ("gpu-pool-us",)
    assert plan.placement("llm-finetune").sites == ("aws-us-east-1",)
    used = next(u for u in plan.site_usage if u.site == "gpu-pool-us").used
    assert used["gpus:h100"] == pytest.approx(_held_on(plan, "gpu-pool-us")) == 7.0


@pytest.mark.parametrize("method", ["milp", "lp+repair", "greedy"])
def test_a_split_workload_holds_its_surge_pod_on_each_site(method: str) -> None:
    """A tier-1 4-GPU service split between the one-domain pool and the cloud holds its
    replicas there plus one surge pod per site (not a share of one): what the pool's usage
    says is exactly what emit deducts from its Kueue capacity."""
    chat = replace(
        _project().workload("chat"),
        tier=1,
        replicas=3,
        profile=Profile.STEADY,
        resources=Resources(cpu=8, memory_gib=64, gpus=4, gpu_type="h100"),
    )
    base = _project()
    pool = replace(base.site("gpu-pool-us"), availability_pct=99.95)  # tier 1 may run there
    project = replace(base, workloads=(chat,), sites=(pool, base.site("aws-us-east-1")))
    plan = world.planned(project, method)
    on_pool = sum(a.replicas for a in plan.placement("chat").assignments if a.site == "gpu-pool-us")
    assert 0 < on_pool < 3  # tier 1 spans two failure domains: the pool has one
    used = next(u for u in plan.site_usage if u.site == "gpu-pool-us").used
    assert used["gpus:h100"] == pytest.approx(held_gpus(chat.kind, "steady", on_pool, 4))
