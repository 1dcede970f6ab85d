"""A hand-made plan for tests/data/mini, for the emit and offline-preview tests.

Built by hand (no loader, no solver) so these tests pin the emit contract only. The project
mirrors tests/data/mini plus one workload, ``search-api`` (team ``web``, bursty), so that
every site kind holds something:

- ``colo-eu`` (kubernetes): checkout-api (tier 1, diurnal, right-sized) and payments-db
  (tier 1 database, StatefulSet);
- ``gpu-pool-us`` (gpu-pool): llm-finetune's owned share, 3,000 GPU-h - the MultiKueue
  manager;
- ``aws-us-east-1`` (cloud): llm-finetune's burst share, 1,000 GPU-h on spot;
- ``aws-eu-west-1`` (cloud): search-api on EKS, one replica on-demand and one on spot.

Loaded by path (``load()``) because ``tests/pulumi`` is not a package (a package named
``pulumi`` would shadow the SDK).
"""

from __future__ import annotations

from planner.model import (
    Assignment,
    Capacity,
    Classification,
    CloudCost,
    DataSpec,
    Dependency,
    Placement,
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
from planner.money import Money

DIGEST = "sha256:" + "0123456789abcdef" * 4


def mini_project() -> Project:
    """tests/data/mini as model objects, plus ``search-api``."""
    sites = (
        Site(
            name="colo-eu",
            kind=SiteKind.KUBERNETES,
            provider="equinix",
            region="fr-paris",
            jurisdiction=Residency.EU,
            failure_domains=("pa2-a", "pa2-b", "pa3-a"),
            availability_pct=99.95,
            capacity=Capacity(cpu=512, memory_gib=4096),
            target_utilisation=0.75,
        ),
        Site(
            name="gpu-pool-us",
            kind=SiteKind.GPU_POOL,
            provider="self",
            region="us-va",
            jurisdiction=Residency.US,
            failure_domains=("ash-1",),
            availability_pct=99.5,
            capacity=Capacity(cpu=768, memory_gib=16384, gpus={"h100": 64}),
            target_utilisation=0.85,
        ),
        Site(
            name="aws-eu-west-1",
            kind=SiteKind.CLOUD,
            provider="aws",
            region="eu-west-1",
            jurisdiction=Residency.EU,
            failure_domains=("eu-west-1a", "eu-west-1b", "eu-west-1c"),
            availability_pct=99.99,
            capacity=None,
            cloud_cost=CloudCost(price_region="eu-west-1"),
        ),
        Site(
            name="aws-us-east-1",
            kind=SiteKind.CLOUD,
            provider="aws",
            region="us-east-1",
            jurisdiction=Residency.US,
            failure_domains=("use1-az1", "use1-az2", "use1-az4"),
            availability_pct=99.99,
            capacity=None,
            cloud_cost=CloudCost(price_region="us-east-1"),
        ),
    )
    workloads = (
        Workload(
            name="checkout-api",
            team="payments",
            kind=WorkloadKind.SERVICE,
            tier=1,
            replicas=3,
            resources=Resources(cpu=2, memory_gib=4),
            data=DataSpec(residency=Residency.EU, egress_gib_per_month=500),
            depends_on=(Dependency("payments-db", 2),),
            current_site="aws-eu-west-1",
            telemetry="checkout-api",
            image="registry.example.com/payments/checkout-api:1.42.0",
            ports=(8080,),
        ),
        Workload(
            name="payments-db",
            team="payments",
            kind=WorkloadKind.DATABASE,
            tier=1,
            replicas=3,
            resources=Resources(cpu=4, memory_gib=32, storage_gib=500),
            data=DataSpec(residency=Residency.EU, egress_gib_per_month=10, dataset_gib=400),
            current_site="aws-eu-west-1",
            profile=Profile.STEADY,
            image="postgres:16.4",
            ports=(5432,),
        ),
        Workload(
            name="llm-finetune",
            team="ml",
            kind=WorkloadKind.TRAINING,
            tier=3,
            replicas=1,
            resources=Resources(cpu=96, memory_gib=1024, gpus=8, gpu_type="h100", storage_gib=2000),
            data=DataSpec(dataset_gib=5000),
            training=TrainingSpec(gpu_hours_per_month=4000, deadline_days=30, checkpoint_gib=800),
            current_site="aws-us-east-1",
            image="registry.example.com/ml/finetune:2.0.1",
        ),
        Workload(
            name="search-api",
            team="web",
            kind=WorkloadKind.SERVICE,
            tier=2,
            replicas=2,
            resources=Resources(cpu=1, memory_gib=2),
            profile=Profile.BURSTY,
            current_site="aws-eu-west-1",
            image="registry.example.com/web/search-api:3.1.0",
            ports=(8080, 9090),
        ),
    )
    return Project(
        root="tests/data/mini",
        workloads=workloads,
        sites=sites,
        digests={"inventory.yaml": "sha256:" + "a" * 64, "sites.yaml": "sha256:" + "b" * 64},
    )


def usd(amount: str) -> Money:
    """An amount as the cost model gives it: rounded to the cent (1234.5678 -> 1234.57)."""
    return Money.of(amount, "USD")


def mini_plan() -> Plan:
    """A plan with placements on every site kind and llm-finetune split pool + cloud."""
    placements = (
        Placement(
            workload="checkout-api",
            assignments=(Assignment("colo-eu", PricingOption.OWNED, 3, usd("410")),),
            per_month=usd("410"),
            migration=usd("8000"),
            previous_site="aws-eu-west-1",
            reason="co-located with payments-db (2 ms)",
        ),
        Placement(
            workload="payments-db",
            assignments=(Assignment("colo-eu", PricingOption.OWNED, 3, usd("1234.5678")),),
            per_month=usd("1234.5678"),
            migration=usd("12000"),
            previous_site="aws-eu-west-1",
            reason="steady load: owned capacity beats commit-3y",
        ),
        Placement(
            workload="llm-finetune",
            assignments=(
                Assignment(
                    "gpu-pool-us", PricingOption.OWNED, 1, usd("45750"), gpu_hours_per_month=3000.0
                ),
                Assignment(
                    "aws-us-east-1",
                    PricingOption.SPOT,
                    1,
                    usd("18000"),
                    instance_type="p5.48xlarge",
                    gpu_hours_per_month=1000.0,
                ),
            ),
            per_month=usd("63750"),
            migration=usd("10500"),
            previous_site="aws-us-east-1",
            reason="owned H100s first; the deadline needs 1,000 GPU-h more on spot",
        ),
        Placement(
            workload="search-api",
            assignments=(
                Assignment("aws-eu-west-1", PricingOption.ON_DEMAND, 1, usd("70"), "m7g.large"),
                Assignment("aws-eu-west-1", PricingOption.SPOT, 1, usd("25"), "m7g.large"),
            ),
            per_month=usd("95"),
            migration=usd("0"),
            previous_site="aws-eu-west-1",
            reason="bursty and small: stays in the cloud",
        ),
    )
    classifications = (
        Classification(
            workload="checkout-api",
            cls=WorkloadClass.DIURNAL,
            confidence=0.92,
            reasons=("24 h autocorrelation 0.81",),
            rightsized=Resources(cpu=1.5, memory_gib=3.2),
        ),
        Classification(
            workload="payments-db",
            cls=WorkloadClass.STEADY,
            confidence=1.0,
            reasons=("declared steady",),
            declared=Profile.STEADY,
        ),
        Classification(
            workload="llm-finetune",
            cls=WorkloadClass.AI_TRAINING,
            confidence=1.0,
            reasons=("kind training",),
        ),
        Classification(
            workload="search-api",
            cls=WorkloadClass.BURSTY,
            confidence=1.0,
            reasons=("declared bursty",),
            declared=Profile.BURSTY,
        ),
    )
    return Plan(
        placements=placements,
        site_usage=(
            SiteUsage("colo-eu", {"cpu": 16.5}, {"cpu": 384.0}, usd("1644.57")),
            SiteUsage("gpu-pool-us", {"gpus:h100": 8}, {"gpus:h100": 54.4}, usd("45750")),
            SiteUsage("aws-us-east-1", {}, {}, usd("18000")),
            SiteUsage("aws-eu-west-1", {}, {}, usd("95")),
        ),
        classifications=classifications,
        solver=SolverInfo("milp", "optimal", 65489.5678, 65489.5678, 0.0, 0.2),
        per_month=usd("65489.57"),
        migration=usd("30500"),
        input_digest=DIGEST,
        catalogue_version="2026-11",
    )
