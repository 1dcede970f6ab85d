"""The shared test world's standard world (see ``world``): ``tests/data/mini`` as model
objects, plus ``search-api``, and a hand-made plan over it."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from planner.model import (
    Capacity,
    CloudCost,
    ClusterSpec,
    DataSpec,
    Dependency,
    GpuPoolCost,
    GpuPoolMode,
    NodeClass,
    OwnedCost,
    Plan,
    PricingOption,
    Profile,
    Project,
    Residency,
    Resources,
    Site,
    SiteKind,
    SiteUsage,
    SolverInfo,
    TrainingSpec,
    Workload,
    WorkloadClass,
    WorkloadKind,
)
from world.build import assignment, classification, placement, plan, project, site, usd, workload

MINI_ROOT = "tests/data/mini"
MINI_COMMAND = "hybridplan plan tests/data/mini --out out"
"""The command the mini plan's stacks quote in their headers."""
MINI_DIGESTS = {"inventory.yaml": "sha256:" + "a" * 64, "sites.yaml": "sha256:" + "b" * 64}
"""Stand-in input digests (the mini plan's stacks quote them in their headers)."""
DIGEST = "sha256:" + "0123456789abcdef" * 4
"""The mini plan's input digest."""

# --------------------------------------------------------------------------- the mini sites


def colo_eu(**changes: Any) -> Site:
    """Equinix Paris: Kubernetes on 8 owned servers, three failure domains; runs
    CloudNativePG, with storage and snapshot classes and a kubeconfig context."""
    made = site(
        "colo-eu",
        SiteKind.KUBERNETES,
        provider="equinix",
        region="fr-paris",
        jurisdiction=Residency.EU,
        failure_domains=("pa2-a", "pa2-b", "pa3-a"),
        availability_pct=99.95,
        capacity=Capacity(cpu=512, memory_gib=4096),
        target_utilisation=0.75,
        latency_ms={"aws-eu-west-1": 18, "aws-us-east-1": 80},
        owned_cost=OwnedCost(
            node_classes=(NodeClass("r7625", 8, 64, 512, 30000, 0.6),),
            depreciation_months=60,
            colo_usd_per_kw_month=217.30,
            pue=1.4,
            space_usd_per_month=1500,
            labour_usd_per_month=4000,
            support_pct_of_capex_per_year=10,
        ),
        cluster=ClusterSpec(
            context="colo-eu",
            storage_class="fast-ssd",
            snapshot_class="csi-snapshots",
            operators=("cloudnative-pg",),
        ),
    )
    return replace(made, **changes)


def gpu_pool_us(**changes: Any) -> Site:
    """An owned pool of 64 H100s in Virginia, one failure domain."""
    made = site(
        "gpu-pool-us",
        SiteKind.GPU_POOL,
        provider="self",
        region="us-va",
        jurisdiction=Residency.US,
        failure_domains=("ash-1",),
        availability_pct=99.5,
        capacity=Capacity(cpu=768, memory_gib=16384, gpus={"h100": 64}),
        target_utilisation=0.85,
        latency_ms={"aws-us-east-1": 2, "aws-eu-west-1": 75},
        gpu_pool_cost=GpuPoolCost(
            mode=GpuPoolMode.OWNED,
            owned=OwnedCost(
                node_classes=(
                    NodeClass("hgx-h100", 8, 96, 2048, 310000, 10.2, gpus=8, gpu_type="h100"),
                ),
                depreciation_months=60,
                colo_usd_per_kw_month=184.06,
                pue=1.3,
                labour_usd_per_month=6000,
            ),
        ),
        cluster=ClusterSpec(storage_class="local-nvme"),
    )
    return replace(made, **changes)


def aws_eu_west_1(**changes: Any) -> Site:
    """AWS Ireland: on-demand, commitments and spot."""
    made = site(
        "aws-eu-west-1",
        SiteKind.CLOUD,
        region="eu-west-1",
        jurisdiction=Residency.EU,
        failure_domains=("eu-west-1a", "eu-west-1b", "eu-west-1c"),
        availability_pct=99.99,
        cloud_cost=CloudCost(price_region="eu-west-1"),
        cluster=ClusterSpec(storage_class="gp3", operators=("cloudnative-pg",)),
    )
    return replace(made, **changes)


def aws_us_east_1(**changes: Any) -> Site:
    """AWS N. Virginia: no 3-year commitment, but capacity blocks and a negotiated p5 price."""
    made = site(
        "aws-us-east-1",
        SiteKind.CLOUD,
        region="us-east-1",
        jurisdiction=Residency.US,
        failure_domains=("use1-az1", "use1-az2", "use1-az4"),
        availability_pct=99.99,
        cloud_cost=CloudCost(
            price_region="us-east-1",
            options=(
                PricingOption.ON_DEMAND,
                PricingOption.COMMIT_1Y,
                PricingOption.SPOT,
                PricingOption.CAPACITY_BLOCK,
            ),
        ),
        price_overrides={"aws.p5.48xlarge.us-east-1.on-demand": 55.04},
        cluster=ClusterSpec(storage_class="gp3", operators=("cloudnative-pg",)),
    )
    return replace(made, **changes)


def mini_sites() -> tuple[Site, ...]:
    """The four sites of ``tests/data/mini/sites.yaml``, in file order."""
    return (colo_eu(), gpu_pool_us(), aws_eu_west_1(), aws_us_east_1())


# --------------------------------------------------------------------------- the mini workloads


def checkout_api(**changes: Any) -> Workload:
    """Payments' tier-1 API, 2 ms from its database, serving 500 GiB a month."""
    made = workload(
        "checkout-api",
        WorkloadKind.SERVICE,
        team="payments",
        tier=1,
        replicas=3,
        resources=Resources(cpu=2, memory_gib=4),
        data=DataSpec(residency=Residency.EU, egress_gib_per_month=500),
        depends_on=(Dependency("payments-db", 2),),
        current_site="aws-eu-west-1",
        telemetry="checkout-api",
        image="registry.example.com/payments/checkout-api:1.42.0",
        ports=(8080,),
    )
    return replace(made, **changes)


def payments_db(**changes: Any) -> Workload:
    """Payments' tier-1 Postgres, declared steady, EU data."""
    made = workload(
        "payments-db",
        WorkloadKind.DATABASE,
        team="payments",
        tier=1,
        replicas=3,
        resources=Resources(cpu=4, memory_gib=32, storage_gib=500),
        data=DataSpec(residency=Residency.EU, egress_gib_per_month=10, dataset_gib=400),
        current_site="aws-eu-west-1",
        profile=Profile.STEADY,
        image="postgres:16.4",
        ports=(5432,),
    )
    return replace(made, **changes)


def llm_finetune(**changes: Any) -> Workload:
    """ML's fine-tuning job: 4,000 H100-hours a month within 30 days."""
    made = workload(
        "llm-finetune",
        WorkloadKind.TRAINING,
        team="ml",
        tier=3,
        replicas=1,
        resources=Resources(cpu=96, memory_gib=1024, gpus=8, gpu_type="h100", storage_gib=2000),
        data=DataSpec(dataset_gib=5000),
        training=TrainingSpec(gpu_hours_per_month=4000, deadline_days=30, checkpoint_gib=800),
        current_site="aws-us-east-1",
        image="registry.example.com/ml/finetune:2.0.1",
    )
    return replace(made, **changes)


def search_api(**changes: Any) -> Workload:
    """Web's bursty tier-2 API (not in tests/data/mini): gives the Irish region a tenant."""
    made = workload(
        "search-api",
        WorkloadKind.SERVICE,
        team="web",
        tier=2,
        replicas=2,
        resources=Resources(cpu=1, memory_gib=2),
        profile=Profile.BURSTY,
        current_site="aws-eu-west-1",
        image="registry.example.com/web/search-api:3.1.0",
        ports=(8080, 9090),
        depends_on=(Dependency("search-cache"),),
    )
    return replace(made, **changes)


def search_cache(**changes: Any) -> Workload:
    """search-api's redis (not in tests/data/mini): a database without an operator on its
    site, so a single-primary StatefulSet although the plan sizes two replicas."""
    made = workload(
        "search-cache",
        WorkloadKind.DATABASE,
        team="web",
        tier=3,
        replicas=2,
        resources=Resources(cpu=1, memory_gib=4, storage_gib=20),
        current_site="aws-eu-west-1",
        profile=Profile.STEADY,
        image="redis:7.4",
        ports=(6379,),
    )
    return replace(made, **changes)


def mini_workloads() -> tuple[Workload, ...]:
    """The three workloads of ``tests/data/mini/inventory.yaml``, ``search-api`` and its
    ``search-cache``."""
    return (checkout_api(), payments_db(), llm_finetune(), search_api(), search_cache())


def mini_project(**changes: Any) -> Project:
    """``tests/data/mini`` as model objects, plus ``search-api``."""
    made = project(mini_workloads(), mini_sites(), root=MINI_ROOT, digests=dict(MINI_DIGESTS))
    return replace(made, **changes)


# --------------------------------------------------------------------------- the mini plan


def mini_plan() -> Plan:
    """Every site kind holds something, and llm-finetune is split between pool and cloud:

    - ``colo-eu``: checkout-api (right-sized) and payments-db (a CloudNativePG Cluster of
      3 instances);
    - ``gpu-pool-us``: llm-finetune's owned share, 3,000 GPU-h (the MultiKueue manager);
    - ``aws-us-east-1``: llm-finetune's burst share, 1,000 GPU-h on spot;
    - ``aws-eu-west-1``: search-api on EKS, one replica on-demand and one on spot, and
      search-cache (redis, no operator there: one primary although two are planned).
    """
    owned = PricingOption.OWNED
    placements = (
        placement(
            "checkout-api",
            [assignment("colo-eu", owned, 3, 410.0)],
            migration=usd("8000"),
            previous_site="aws-eu-west-1",
            reason="co-located with payments-db (2 ms)",
        ),
        placement(
            "payments-db",
            [assignment("colo-eu", owned, 3, 1234.5678)],
            migration=usd("12000"),
            previous_site="aws-eu-west-1",
            reason="steady load: owned capacity beats commit-3y",
        ),
        placement(
            "llm-finetune",
            [
                assignment("gpu-pool-us", owned, 1, 45750.0, gpu_hours_per_month=3000.0),
                assignment(
                    "aws-us-east-1",
                    PricingOption.SPOT,
                    1,
                    18000.0,
                    instance_type="p5.48xlarge",
                    gpu_hours_per_month=1000.0,
                ),
            ],
            migration=usd("10500"),
            previous_site="aws-us-east-1",
            reason="owned H100s first; the deadline needs 1,000 GPU-h more on spot",
        ),
        placement(
            "search-api",
            [
                assignment(
                    "aws-eu-west-1", PricingOption.ON_DEMAND, 1, 70.0, instance_type="m7g.large"
                ),
                assignment("aws-eu-west-1", PricingOption.SPOT, 1, 25.0, instance_type="m7g.large"),
            ],
            previous_site="aws-eu-west-1",
            reason="bursty and small: stays in the cloud",
        ),
        placement(
            "search-cache",
            [assignment("aws-eu-west-1", PricingOption.ON_DEMAND, 2, 60.0)],
            previous_site="aws-eu-west-1",
            reason="next to search-api",
        ),
    )
    classifications = (
        classification(
            "checkout-api",
            WorkloadClass.DIURNAL,
            "24 h autocorrelation 0.81",
            confidence=0.92,
            rightsized=Resources(cpu=1.5, memory_gib=3.2),
        ),
        classification(
            "payments-db", WorkloadClass.STEADY, "declared steady", declared=Profile.STEADY
        ),
        classification("llm-finetune", WorkloadClass.AI_TRAINING, "kind training"),
        classification(
            "search-api", WorkloadClass.BURSTY, "declared bursty", declared=Profile.BURSTY
        ),
        classification(
            "search-cache", WorkloadClass.STEADY, "declared steady", declared=Profile.STEADY
        ),
    )
    total = usd("65549.57")  # the parts as the cost model rounds them (1234.5678 -> 1234.57)
    return plan(
        placements,
        site_usage=(
            SiteUsage("colo-eu", {"cpu": 16.5}, {"cpu": 384.0}, usd("1644.57")),
            SiteUsage("gpu-pool-us", {"gpus:h100": 8}, {"gpus:h100": 54.4}, usd("45750")),
            SiteUsage("aws-us-east-1", {}, {}, usd("18000")),
            SiteUsage("aws-eu-west-1", {}, {}, usd("155")),
        ),
        classifications=classifications,
        solver=SolverInfo("milp", "optimal", 65549.5678, 65549.5678, 0.0, 0.2),
        per_month=total,
        input_digest=DIGEST,
        catalogue_version="2026-11",
    )
