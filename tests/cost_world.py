"""A tiny, round-numbered price world for the cost tests (imported as ``cost_world``).

Prices are chosen so every expected figure can be worked out by hand in the test:

* split rule: m6i.xlarge (4 vCPU, 16 GiB) 0.2 USD/h and r6i.xlarge (4 vCPU, 32 GiB) 0.3 USD/h
  -> 0.025 USD/vCPU-h and 0.00625 USD/GiB-h; a 64-core / 256 GiB node splits 50 / 50;
* p5.48xlarge 100 USD/h on demand, 30 spot, 40 capacity block; 8 x h100;
* commitments 30 % (1y) and 50 % (3y); egress 100 GiB free, then 0.1 to 1,000 GiB, then 0.05.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import world

from planner.catalogue import Catalogue, parse_catalogue
from planner.model import (
    Capacity,
    CloudCost,
    DataSpec,
    GpuPoolCost,
    GpuPoolMode,
    NodeClass,
    OwnedCost,
    PricingOption,
    Residency,
    Resources,
    Site,
    SiteKind,
    TrainingSpec,
    Workload,
    WorkloadKind,
)
from planner.money import Money


def usd(value: str | int | float | Decimal) -> Money:
    """An expected amount in USD: exact from a string, int or Decimal; a float (a figure
    worked out in a test's docstring) taken at its shortest digits, rounded to the cent."""
    if isinstance(value, float):
        return Money.from_float(value, "USD")
    return Money.of(value, "USD")


def _p(value: float, unit: str = "usd-per-hour", **extra: Any) -> dict[str, Any]:
    return {"value": value, "unit": unit, "source": "t", "date": "2025-01-01", **extra}


def tiny_data() -> dict[str, Any]:
    """The raw catalogue mapping (a fresh copy each call, so tests may edit it)."""
    return {
        "version": "test-1",
        "captured": "2025-01-01",
        "currency": "USD",
        "sources": {"t": {"title": "test prices", "ref": "tests/cost_world.py", "date": "2025"}},
        "instances": {
            "aws.m6i.large": {"family": "m6i", "vcpu": 2, "memory_gib": 8},
            "aws.m6i.xlarge": {"family": "m6i", "vcpu": 4, "memory_gib": 16},
            "aws.r6i.xlarge": {"family": "r6i", "vcpu": 4, "memory_gib": 32},
            "aws.p5.48xlarge": {
                "family": "p5",
                "vcpu": 192,
                "memory_gib": 2048,
                "gpus": 8,
                "gpu_type": "h100",
            },
        },
        "split": {
            "reference_region": "r1",
            "general": "aws.m6i.xlarge",
            "memory": "aws.r6i.xlarge",
            "gpu": {"h100": "aws.p5.48xlarge"},
        },
        "node_defaults": {
            "general-purpose": {"cpu": 64, "memory_gib": 256},
            "hgx-h100": {"cpu": 100, "memory_gib": 1000, "gpus": 8, "gpu_type": "h100"},
        },
        "prices": {
            "aws.m6i.large.r1.on-demand": _p(0.1),
            "aws.m6i.large.r1.spot": _p(0.04),
            "aws.m6i.xlarge.r1.on-demand": _p(0.2),
            "aws.m6i.xlarge.r1.spot": _p(0.08),
            "aws.r6i.xlarge.r1.on-demand": _p(0.3),
            "aws.p5.48xlarge.r1.on-demand": _p(100.0),
            "aws.p5.48xlarge.r1.spot": _p(30.0),
            "aws.p5.48xlarge.r1.capacity-block": _p(40.0),
            "aws.p5.48xlarge.r2.on-demand": _p(120.0),
            "aws.discount.commit-1y-pct": _p(30, "pct"),
            "aws.discount.commit-3y-pct": _p(50, "pct"),
            "aws.egress.internet.tier-1": _p(0.0, "usd-per-gib", up_to_gib=100),
            "aws.egress.internet.tier-2": _p(0.1, "usd-per-gib", up_to_gib=1000),
            "aws.egress.internet.tier-3": _p(0.05, "usd-per-gib"),
            "aws.ebs.gp3.r1": _p(0.1, "usd-per-gib-month"),
            "aws.s3.standard.r1": _p(0.02, "usd-per-gib-month"),
            "spot.interruption-overhead-pct.training": _p(10, "pct"),
            "spot.interruption-overhead-pct.service": _p(20, "pct"),
            "gpuaas.default.h100": _p(3.0, "usd-per-gpu-hour"),
            "owned.colo-usd-per-kw-month": _p(200.0, "usd-per-kw-month"),
            "owned.pue": _p(1.5, "ratio"),
            "owned.usd-per-kwh": _p(0.1, "usd-per-kwh"),
            "owned.depreciation-months": _p(60, "months"),
            "owned.discount-rate-pct": _p(10, "pct"),
            "owned.support-pct-of-capex-per-year": _p(12, "pct"),
            "owned.storage.usd-per-gib-month": _p(0.0, "usd-per-gib-month"),
            "owned.egress.usd-per-gib": _p(0.0, "usd-per-gib"),
            "owned.node.general-purpose.capex-usd": _p(12000, "usd"),
            "owned.node.general-purpose.power-kw": _p(0.5, "kw"),
            "owned.node.hgx-h100.capex-usd": _p(240000, "usd"),
            "owned.node.hgx-h100.power-kw": _p(10.0, "kw"),
        },
    }


def tiny_catalogue() -> Catalogue:
    return parse_catalogue(tiny_data(), source="tests/cost_world.py")


def colo(**owned: Any) -> Site:
    """10 nodes x (64 cores, 256 GiB, 12,000 USD, 0.5 kW); 200 USD/kW-month; space 1,000,
    labour 2,000, support 12 %/yr; 60 months straight line; target utilisation 0.5.
    Monthly: capex 2,000 + power 1,000 + space 1,000 + labour 2,000 + support 1,200 = 7,200."""
    args: dict[str, Any] = {
        "node_classes": (NodeClass("std", 10, 64, 256, 12000, 0.5),),
        "depreciation_months": 60,
        "colo_usd_per_kw_month": 200.0,
        "space_usd_per_month": 1000.0,
        "labour_usd_per_month": 2000.0,
        "support_pct_of_capex_per_year": 12.0,
    }
    args.update(owned)
    return world.site(
        "colo",
        SiteKind.KUBERNETES,
        provider="equinix",
        region="x",
        failure_domains=("a", "b"),
        availability_pct=99.95,
        capacity=Capacity(640, 2560),
        target_utilisation=0.5,
        owned_cost=OwnedCost(**args),
    )


def pool(utilisation: float = 0.5, **owned: Any) -> Site:
    """2 GPU nodes x (8 h100, 240,000 USD, 10 kW); 200 USD/kW-month; no support, labour or
    space. Monthly: capex 480,000 / 60 = 8,000 + power 20 kW x 200 = 4,000 = 12,000."""
    args: dict[str, Any] = {
        "node_classes": (NodeClass("hgx", 2, 100, 1000, 240000, 10.0, gpus=8, gpu_type="h100"),),
        "depreciation_months": 60,
        "colo_usd_per_kw_month": 200.0,
        "support_pct_of_capex_per_year": 0.0,
    }
    args.update(owned)
    return world.site(
        "pool",
        SiteKind.GPU_POOL,
        region="y",
        jurisdiction=Residency.US,
        failure_domains=("a",),
        availability_pct=99.5,
        capacity=Capacity(200, 2000, {"h100": 16}),
        target_utilisation=0.9,
        gpu_pool_cost=GpuPoolCost(
            mode=GpuPoolMode.OWNED, owned=OwnedCost(**args), realised_utilisation=utilisation
        ),
    )


def leased_pool(price: float | None = 2.5, minimum: float = 0.0) -> Site:
    """A pool of 16 H100s leased at ``price`` USD/GPU-hour with a monthly minimum."""
    return world.site(
        "lease",
        SiteKind.GPU_POOL,
        provider="lambda",
        region="y",
        jurisdiction=Residency.US,
        failure_domains=("a",),
        availability_pct=99.5,
        capacity=Capacity(200, 2000, {"h100": 16}),
        gpu_pool_cost=GpuPoolCost(
            mode=GpuPoolMode.LEASED, usd_per_gpu_hour=price, min_gpu_hours_per_month=minimum
        ),
    )


def cloud(
    region: str = "r1", discount_pct: float = 0.0, jurisdiction: Residency = Residency.EU, **kw: Any
) -> Site:
    """AWS in ``region`` selling every pricing option, three failure domains."""
    return world.site(
        "cloud",
        SiteKind.CLOUD,
        region=region,
        jurisdiction=jurisdiction,
        failure_domains=("a", "b", "c"),
        availability_pct=99.99,
        cloud_cost=CloudCost(
            price_region=region,
            discount_pct=discount_pct,
            options=(
                PricingOption.ON_DEMAND,
                PricingOption.COMMIT_1Y,
                PricingOption.COMMIT_3Y,
                PricingOption.SPOT,
                PricingOption.CAPACITY_BLOCK,
            ),
        ),
        **kw,
    )


def service(**kw: Any) -> Workload:
    """3 replicas x (3 cores, 12 GiB, 100 GiB storage), 1,500 GiB egress, tier 2, EU data."""
    args: dict[str, Any] = {
        "team": "t",
        "replicas": 3,
        "resources": Resources(cpu=3, memory_gib=12, storage_gib=100),
        "data": DataSpec(residency=Residency.EU, egress_gib_per_month=1500, dataset_gib=1000),
    }
    args.update(kw)
    return world.workload(args.pop("name", "api"), args.pop("kind", WorkloadKind.SERVICE), **args)


def trainer(hours: float = 800.0, **kw: Any) -> Workload:
    """Training: ``hours`` GPU-hours of 8 x h100 (96 cores, 1,024 GiB), 500 GiB checkpoints."""
    args: dict[str, Any] = {
        "team": "ml",
        "tier": 3,
        "resources": Resources(cpu=96, memory_gib=1024, gpus=8, gpu_type="h100"),
        "training": TrainingSpec(gpu_hours_per_month=hours, deadline_days=10, checkpoint_gib=500),
    }
    args.update(kw)
    return world.workload(
        args.pop("name", "train"), args.pop("kind", WorkloadKind.TRAINING), **args
    )
