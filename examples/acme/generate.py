"""Generate the Acme example fleet: ``inventory.yaml`` and ``telemetry/<team>.csv``.

Run from the repository root::

    .venv/bin/python examples/acme/generate.py            # writes into examples/acme/
    .venv/bin/python examples/acme/generate.py --out DIR  # writes into DIR (used by tests)

What it writes:

* ``inventory.yaml``: the ~60 workloads of the ``WORKLOADS`` table below.
* ``telemetry/<team>.csv``: thirty days (720 hours from 2026-10-01T00:00:00Z) of hourly
  samples per workload, long form ``timestamp,workload,metric,value``. Metrics: ``cpu``
  (cores used per replica), ``memory`` (GiB per replica), ``rps`` (requests/s, services and
  inference) and ``gpu`` (utilisation 0-1, GPU workloads).

``sites.yaml``, ``project.yaml`` and ``policies.yaml`` are written by hand (their comments cite
the source of every price) and are not touched by this script.

Determinism: every workload draws from its own ``numpy.random.default_rng([SEED, crc32(name)])``,
so the output is byte-identical on every run and adding a workload does not change the
series of the others. Values are written with fixed precision and ``\\n`` line endings. No
timestamps or environment data enter the output.

Each workload's series is shaped to match its intended class (``cls`` in the table), so
that the classifier (issue #3) can recover it:

* ``steady``: level ``u`` x request with ~5-8 % multiplicative noise (CV ~0.05-0.1).
* ``diurnal``: 24 h sine peaking at a local-evening UTC hour, plus a weekend dip.
* ``bursty``: low base (~6 % of request) plus 4-6 random campaign spikes of 2-6 hours.
* ``batch``: on/off, running only in a nightly window (e.g. 01:00-04:00 UTC).
* ``ai-training``: GPU utilisation 0.90-0.97 sustained, short checkpoint dips.
* ``ai-inference``: GPU utilisation tracking a diurnal request rate.
* ``idle``: cpu ~2 % of request (a zombie nobody switched off).
* ``unknown``: only the last 12 hours of data (a service deployed the day before the export).

Deliberate export quirks (see README.md): a 6-hour gap (clickstream-collector), a one-day
gap (reviews-api), one duplicated row (checkout-api in payments.csv), one workload with no
telemetry at all (loyalty-api, not yet deployed).
"""

from __future__ import annotations

import argparse
import math
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np

SEED = 20261001
START = datetime(2026, 10, 1, tzinfo=UTC)
HOURS = 30 * 24
HERE = Path(__file__).resolve().parent
REGISTRY = "registry.acme.example"

# Teams in the order they appear in inventory.yaml.
TEAMS = ("storefront", "payments", "search", "data", "ml", "platform", "growth")


@dataclass(frozen=True)
class W:
    """One workload of the fleet: inventory fields plus how to draw its telemetry."""

    name: str
    team: str
    kind: str
    tier: int
    replicas: int
    cpu: float
    memory_gib: float
    cls: str
    """Intended class (what the classifier should find); ``none`` = no telemetry."""
    current_site: str | None
    current_option: str | None = None
    """How it is paid for today (baseline pricing); ``None`` = on-demand in the cloud."""
    storage_gib: float = 0.0
    residency: str = "any"
    egress_gib_per_month: float = 0.0
    dataset_gib: float = 0.0
    gpus: int = 0
    gpu_type: str | None = None
    image: str | None = None
    ports: tuple[int, ...] = ()
    depends_on: tuple[tuple[str, float | None], ...] = ()
    profile: str | None = None
    pinned_site: str | None = None
    allow_spot: bool | None = None
    training: tuple[float, int, float] | None = None
    """(gpu_hours_per_month, deadline_days, checkpoint_gib)."""
    deploy: dict[str, str | int] = field(default_factory=dict)
    """Inventory ``deploy:`` (schedule, user, data path): the images' own documentation."""
    note: str = ""
    shape: dict[str, float] = field(default_factory=dict)
    """Telemetry knobs: ``u`` (level as a fraction of request), ``peak`` (UTC hour),
    ``amp`` (diurnal amplitude), ``weekend`` (weekend factor), ``start``/``end`` (batch
    window, UTC hours), ``rps`` (peak or mean requests/s)."""


def _svc(team: str, name: str, version: str) -> str:
    return f"{REGISTRY}/{team}/{name}:{version}"


EU_PEAK = 19.0  # 20:00 CET evening shopping peak, in UTC
US_PEAK = 1.0  # 20:00 EST, in UTC

# fmt: off
WORKLOADS: tuple[W, ...] = (
    # ------------------------------------------------------------------ storefront
    W("storefront-web", "storefront", "service", tier=2, replicas=12, cpu=2, memory_gib=4,
      cls="diurnal", current_site="aws-us-east-1", egress_gib_per_month=12000,
      image=_svc("storefront", "storefront-web", "5.12.3"), ports=(8080,),
      depends_on=(("catalog-api", 20),), profile="diurnal",
      shape={"u": 0.45, "peak": US_PEAK, "amp": 0.6, "weekend": 1.15, "rps": 2400}),
    W("storefront-web-eu", "storefront", "service", tier=2, replicas=8, cpu=2, memory_gib=4,
      cls="diurnal", current_site="aws-eu-west-1", residency="eu", egress_gib_per_month=8000,
      image=_svc("storefront", "storefront-web", "5.12.3"), ports=(8080,),
      shape={"u": 0.45, "peak": EU_PEAK, "amp": 0.6, "weekend": 1.15, "rps": 1500}),
    W("catalog-api", "storefront", "service", tier=2, replicas=8, cpu=2, memory_gib=8,
      cls="diurnal", current_site="aws-us-east-1", egress_gib_per_month=1500,
      image=_svc("storefront", "catalog-api", "3.4.0"), ports=(8080,),
      depends_on=(("catalog-db", 2),),
      shape={"u": 0.4, "peak": US_PEAK, "amp": 0.5, "weekend": 1.1, "rps": 3100}),
    W("catalog-db", "storefront", "database", tier=2, replicas=3, cpu=16, memory_gib=128,
      cls="steady", current_site="aws-us-east-1", storage_gib=1500, dataset_gib=1100,
      image="postgres:16.4", ports=(5432,), shape={"u": 0.45}),
    W("cart-api", "storefront", "service", tier=1, replicas=6, cpu=2, memory_gib=4, cls="diurnal",
      current_site="aws-us-east-1", egress_gib_per_month=600,
      image=_svc("storefront", "cart-api", "2.9.1"), ports=(8080,), depends_on=(("cart-redis", 1),),
      shape={"u": 0.4, "peak": US_PEAK, "amp": 0.55, "weekend": 1.15, "rps": 900}),
    W("cart-redis", "storefront", "database", tier=1, replicas=3, cpu=4, memory_gib=32,
      cls="steady", current_site="aws-us-east-1", storage_gib=50, dataset_gib=20, image="redis:7.4",
      ports=(6379,), shape={"u": 0.3}),
    W("image-resizer", "storefront", "service", tier=3, replicas=6, cpu=4, memory_gib=8,
      cls="diurnal", current_site="aws-us-east-1", egress_gib_per_month=20000,
      image=_svc("storefront", "image-resizer", "1.8.0"), ports=(8080,),
      shape={"u": 0.35, "peak": US_PEAK, "amp": 0.6, "weekend": 1.1, "rps": 450}),
    W("reviews-api", "storefront", "service", tier=3, replicas=3, cpu=1, memory_gib=2,
      cls="diurnal", current_site="aws-us-east-1", egress_gib_per_month=200,
      image=_svc("storefront", "reviews-api", "1.22.4"), ports=(8080,),
      depends_on=(("reviews-db", 5),),
      shape={"u": 0.35, "peak": US_PEAK, "amp": 0.5, "weekend": 1.1, "rps": 220},
      note="one-day telemetry gap (2026-10-20)"),
    W("reviews-db", "storefront", "database", tier=3, replicas=2, cpu=4, memory_gib=32,
      cls="steady", current_site="aws-us-east-1", storage_gib=400, dataset_gib=250,
      image="postgres:16.4", ports=(5432,), shape={"u": 0.35}),
    W("storefront-legacy-cms", "storefront", "service", tier=3, replicas=2, cpu=2, memory_gib=4,
      cls="idle", current_site="aws-us-east-1", image=_svc("storefront", "legacy-cms", "0.9.7"),
      ports=(80,), shape={"u": 0.02, "rps": 0.02},
      note="zombie: replaced by the headless CMS in 2025, never switched off"),
    W("wishlist-api", "storefront", "service", tier=2, replicas=3, cpu=1, memory_gib=2,
      cls="unknown", current_site="aws-us-east-1",
      image=_svc("storefront", "wishlist-api", "0.1.0"), ports=(8080,),
      depends_on=(("cart-redis", 2),),
      shape={"u": 0.4, "peak": US_PEAK, "amp": 0.5, "weekend": 1.1, "rps": 80},
      note="deployed 2026-10-30: only the last 12 hours of telemetry"),
    # ------------------------------------------------------------------ payments
    W("checkout-api", "payments", "service", tier=1, replicas=6, cpu=2, memory_gib=4, cls="diurnal",
      current_site="aws-eu-west-1", residency="eu", egress_gib_per_month=500,
      image=_svc("payments", "checkout-api", "1.42.0"), ports=(8080,),
      depends_on=(("payments-db", 2),),
      shape={"u": 0.4, "peak": EU_PEAK, "amp": 0.6, "weekend": 1.15, "rps": 350},
      note="one duplicated row in payments.csv"),
    W("payments-api", "payments", "service", tier=1, replicas=6, cpu=2, memory_gib=4, cls="diurnal",
      current_site="aws-eu-west-1", residency="eu", egress_gib_per_month=300,
      image=_svc("payments", "payments-api", "4.3.2"), ports=(8443,),
      depends_on=(("payments-db", 2), ("fraud-scoring", 10)),
      shape={"u": 0.35, "peak": EU_PEAK, "amp": 0.55, "weekend": 1.1, "rps": 420}),
    W("payments-db", "payments", "database", tier=1, replicas=3, cpu=8, memory_gib=64, cls="steady",
      current_site="aws-eu-west-1", storage_gib=1500, residency="eu", dataset_gib=900,
      image="postgres:16.4", ports=(5432,), profile="steady", shape={"u": 0.4}),
    W("ledger-db", "payments", "database", tier=1, replicas=3, cpu=8, memory_gib=64, cls="steady",
      current_site="colo-eu", storage_gib=2000, residency="eu", dataset_gib=1400,
      image="postgres:16.4", ports=(5432,), profile="steady", pinned_site="colo-eu",
      shape={"u": 0.45}, note="pinned: the ledger location is registered with the regulator"),
    W("fraud-scoring", "payments", "service", tier=1, replicas=4, cpu=4, memory_gib=8,
      cls="diurnal", current_site="aws-eu-west-1", residency="eu",
      image=_svc("payments", "fraud-scoring", "2.0.5"), ports=(8080,),
      depends_on=(("feature-store-api", None),),
      shape={"u": 0.4, "peak": EU_PEAK, "amp": 0.5, "weekend": 1.1, "rps": 420}),
    W("payments-gateway-us", "payments", "service", tier=1, replicas=4, cpu=2, memory_gib=4,
      cls="diurnal", current_site="aws-us-east-1", residency="us", egress_gib_per_month=300,
      image=_svc("payments", "payments-api", "4.3.2"), ports=(8443,),
      depends_on=(("payments-db-us", 2),),
      shape={"u": 0.35, "peak": US_PEAK, "amp": 0.55, "weekend": 1.1, "rps": 380}),
    W("payments-db-us", "payments", "database", tier=1, replicas=3, cpu=8, memory_gib=64,
      cls="steady", current_site="aws-us-east-1", storage_gib=1200, residency="us", dataset_gib=700,
      image="postgres:16.4", ports=(5432,), shape={"u": 0.38}),
    W("psp-webhooks", "payments", "service", tier=2, replicas=3, cpu=1, memory_gib=2, cls="steady",
      current_site="aws-eu-west-1", residency="eu", image=_svc("payments", "psp-webhooks", "1.5.0"),
      ports=(8080,), shape={"u": 0.3, "rps": 60}),
    W("payouts-batch", "payments", "batch", tier=2, replicas=2, cpu=4, memory_gib=16, cls="batch",
      current_site="colo-eu", residency="eu", image=_svc("payments", "payouts", "3.1.0"),
      allow_spot=False, shape={"u": 0.85, "start": 2, "end": 5},
      note="no spot: a payout run must not be interrupted"),
    W("invoice-renderer", "payments", "batch", tier=3, replicas=2, cpu=4, memory_gib=8, cls="batch",
      current_site="aws-eu-west-1", residency="eu", egress_gib_per_month=150,
      image=_svc("payments", "invoice-renderer", "1.3.3"), shape={"u": 0.8, "start": 3, "end": 5}),
    # ------------------------------------------------------------------ search
    W("search-api", "search", "service", tier=2, replicas=8, cpu=4, memory_gib=8, cls="diurnal",
      current_site="aws-us-east-1", egress_gib_per_month=2500,
      image=_svc("search", "search-api", "7.1.0"), ports=(8080,),
      depends_on=(("search-opensearch", 2),), profile="steady",
      shape={"u": 0.4, "peak": US_PEAK, "amp": 0.6, "weekend": 1.1, "rps": 1800},
      note="declared steady, telemetry clearly diurnal (deliberate disagreement)"),
    W("search-opensearch", "search", "database", tier=2, replicas=6, cpu=8, memory_gib=64,
      cls="steady", current_site="colo-us", storage_gib=2000, dataset_gib=4500,
      image="opensearchproject/opensearch:2.17.1", ports=(9200,), shape={"u": 0.5},
      deploy={"run_as_user": 1000, "data_path": "/usr/share/opensearch/data"}),
    W("query-suggest", "search", "service", tier=3, replicas=4, cpu=1, memory_gib=4, cls="diurnal",
      current_site="aws-us-east-1", image=_svc("search", "query-suggest", "2.2.0"), ports=(8080,),
      depends_on=(("search-opensearch", 5),),
      shape={"u": 0.35, "peak": US_PEAK, "amp": 0.6, "weekend": 1.1, "rps": 2600}),
    W("search-indexer", "search", "batch", tier=3, replicas=4, cpu=8, memory_gib=32, cls="batch",
      current_site="aws-us-east-1", image=_svc("search", "indexer", "7.1.0"),
      shape={"u": 0.9, "start": 1, "end": 4}),
    W("search-embeddings", "search", "inference", tier=2, replicas=4, cpu=4, memory_gib=16,
      cls="ai-inference", current_site="aws-us-east-1", gpus=1, gpu_type="l4",
      image=_svc("search", "embeddings-server", "0.8.2"), ports=(8000,),
      shape={"u": 0.35, "peak": US_PEAK, "amp": 0.6, "weekend": 1.05, "rps": 650}),
    W("ranking-features-db", "search", "database", tier=2, replicas=3, cpu=4, memory_gib=32,
      cls="steady", current_site="aws-us-east-1", storage_gib=300, dataset_gib=180,
      image="redis:7.4", ports=(6379,), shape={"u": 0.35}),
    # ------------------------------------------------------------------ data
    W("kafka", "data", "database", tier=2, replicas=6, cpu=8, memory_gib=32, cls="steady",
      current_site="colo-us", storage_gib=4000, dataset_gib=6000, image="apache/kafka:3.8.0",
      ports=(9092,), shape={"u": 0.45},
      # apache/kafka writes its KRaft logs to its default log.dirs (inside the container).
      deploy={"run_as_user": 1000, "data_path": "/tmp/kraft-combined-logs"}),  # noqa: S108
    W("clickstream-collector", "data", "service", tier=2, replicas=6, cpu=2, memory_gib=4,
      cls="diurnal", current_site="aws-us-east-1",
      image=_svc("data", "clickstream-collector", "2.6.1"), ports=(8080,),
      depends_on=(("kafka", 10),),
      shape={"u": 0.4, "peak": US_PEAK, "amp": 0.6, "weekend": 1.15, "rps": 5200},
      note="six-hour telemetry gap (2026-10-12 03:00-08:59)"),
    W("etl-orders-nightly", "data", "batch", tier=3, replicas=4, cpu=8, memory_gib=32, cls="batch",
      current_site="aws-us-east-1", image=_svc("data", "etl-orders", "1.19.0"), profile="batch",
      shape={"u": 0.85, "start": 1, "end": 4},
      deploy={"schedule": "0 1 * * *"}),
    W("etl-clickstream-nightly", "data", "batch", tier=3, replicas=8, cpu=8, memory_gib=32,
      cls="batch", current_site="aws-us-east-1", dataset_gib=3000,
      image=_svc("data", "etl-clickstream", "1.7.2"), shape={"u": 0.9, "start": 0, "end": 4},
      deploy={"schedule": "0 0 * * *"}),
    W("warehouse-loader", "data", "batch", tier=3, replicas=2, cpu=4, memory_gib=16, cls="batch",
      current_site="aws-us-east-1", egress_gib_per_month=900,
      image=_svc("data", "warehouse-loader", "0.14.0"), shape={"u": 0.8, "start": 4, "end": 6}),
    W("airflow-scheduler", "data", "service", tier=2, replicas=2, cpu=2, memory_gib=8, cls="steady",
      current_site="aws-us-east-1", image="apache/airflow:2.10.2", ports=(8080,),
      shape={"u": 0.3, "rps": 15}),
    W("reporting-db", "data", "database", tier=2, replicas=2, cpu=8, memory_gib=64, cls="steady",
      current_site="colo-eu", storage_gib=3000, residency="eu", dataset_gib=2200,
      image="postgres:16.4", ports=(5432,), shape={"u": 0.4}),
    W("dq-checks", "data", "batch", tier=3, replicas=2, cpu=2, memory_gib=8, cls="batch",
      current_site="aws-eu-west-1", residency="eu", image=_svc("data", "dq-checks", "0.6.0"),
      shape={"u": 0.8, "start": 5, "end": 7}),
    W("dbt-runner", "data", "batch", tier=3, replicas=2, cpu=2, memory_gib=8, cls="batch",
      current_site="aws-eu-west-1", residency="eu", image=_svc("data", "dbt-runner", "1.8.7"),
      shape={"u": 0.75, "start": 3, "end": 5}),
    W("hadoop-edge-gateway", "data", "service", tier=3, replicas=2, cpu=4, memory_gib=16,
      cls="idle", current_site="colo-us", image=_svc("data", "hadoop-edge", "2.7.3"), ports=(8443,),
      shape={"u": 0.02, "rps": 0.01},
      note="zombie: the Hadoop cluster behind it was retired in 2025"),
    # ------------------------------------------------------------------ ml
    W("foundation-finetune", "ml", "training", tier=3, replicas=8, cpu=96, memory_gib=1536,
      cls="ai-training", current_site="aws-us-east-1", current_option="capacity-block",
      storage_gib=4000, dataset_gib=20000, gpus=8,
      gpu_type="h100", image=_svc("ml", "finetune", "3.2.0"), training=(30000, 30, 2400),
      shape={"u": 0.55, "gpu": 0.94}, note="64x H100 foundation-model fine-tune"),
    W("recsys-train", "ml", "training", tier=3, replicas=2, cpu=96, memory_gib=1536,
      cls="ai-training", current_site="aws-us-east-1", current_option="spot",
      storage_gib=2000, dataset_gib=6000, gpus=8,
      gpu_type="h100", image=_svc("ml", "recsys-train", "1.11.0"), training=(8000, 14, 300),
      shape={"u": 0.5, "gpu": 0.92}),
    W("fraud-model-train", "ml", "training", tier=3, replicas=1, cpu=96, memory_gib=1536,
      cls="ai-training", current_site="gpu-pool-us", storage_gib=1000, dataset_gib=800, gpus=8,
      gpu_type="h100", image=_svc("ml", "fraud-train", "0.9.4"), training=(3500, 7, 60),
      shape={"u": 0.45, "gpu": 0.95}),
    W("assistant-llm", "ml", "inference", tier=3, replicas=2, cpu=32, memory_gib=320,
      cls="ai-inference", current_site="aws-us-east-1", current_option="commit-1y",
      storage_gib=500, egress_gib_per_month=400,
      gpus=4, gpu_type="h100", image=_svc("ml", "assistant-vllm", "0.6.3"), ports=(8000,),
      depends_on=(("feature-store-api", None),),
      shape={"u": 0.3, "peak": US_PEAK, "amp": 0.55, "weekend": 0.9, "rps": 45},
      note="beta shopping assistant (tier 3: best effort): a 70B model, 4x H100 per replica"),
    W("feature-store-db", "ml", "database", tier=2, replicas=3, cpu=8, memory_gib=64, cls="steady",
      current_site="aws-us-east-1", storage_gib=800, dataset_gib=500, image="redis:7.4",
      ports=(6379,), shape={"u": 0.4}),
    W("feature-store-api", "ml", "service", tier=2, replicas=4, cpu=2, memory_gib=8, cls="steady",
      current_site="aws-us-east-1", image=_svc("ml", "feature-store", "0.23.1"), ports=(6566,),
      depends_on=(("feature-store-db", 2),), shape={"u": 0.35, "rps": 900}),
    W("mlflow-tracking", "ml", "service", tier=3, replicas=1, cpu=2, memory_gib=8, cls="steady",
      current_site="colo-us", storage_gib=500, image="ghcr.io/mlflow/mlflow:v2.17.0", ports=(5000,),
      shape={"u": 0.25, "rps": 8}),
    W("embeddings-backfill", "ml", "batch", tier=3, replicas=4, cpu=8, memory_gib=32, cls="batch",
      current_site="aws-us-east-1", dataset_gib=1200,
      image=_svc("ml", "embeddings-backfill", "0.4.0"), shape={"u": 0.9, "start": 2, "end": 6}),
    W("jupyterhub", "ml", "service", tier=3, replicas=2, cpu=4, memory_gib=32, cls="diurnal",
      current_site="aws-us-east-1", image="quay.io/jupyterhub/jupyterhub:5.2", ports=(8000,),
      shape={"u": 0.3, "peak": 16, "amp": 0.7, "weekend": 0.35, "rps": 6}),
    # ------------------------------------------------------------------ platform
    W("ingress-gateway", "platform", "service", tier=1, replicas=6, cpu=2, memory_gib=4,
      cls="diurnal", current_site="aws-us-east-1", egress_gib_per_month=3000,
      image="envoyproxy/envoy:v1.31.2", ports=(443, 8443),
      shape={"u": 0.4, "peak": US_PEAK, "amp": 0.55, "weekend": 1.1, "rps": 9000}),
    W("auth-api", "platform", "service", tier=1, replicas=4, cpu=1, memory_gib=2, cls="diurnal",
      current_site="aws-us-east-1", image=_svc("platform", "auth-api", "6.0.2"), ports=(8080,),
      depends_on=(("identity-db", 2),),
      shape={"u": 0.35, "peak": US_PEAK, "amp": 0.5, "weekend": 1.1, "rps": 1200}),
    W("identity-db", "platform", "database", tier=1, replicas=3, cpu=4, memory_gib=32, cls="steady",
      current_site="aws-us-east-1", storage_gib=300, dataset_gib=120, image="postgres:16.4",
      ports=(5432,), shape={"u": 0.35}),
    W("vault", "platform", "service", tier=1, replicas=3, cpu=1, memory_gib=2, cls="steady",
      current_site="colo-us", storage_gib=20, image="hashicorp/vault:1.18.1", ports=(8200,),
      shape={"u": 0.2, "rps": 40}),
    W("ci-runners", "platform", "service", tier=3, replicas=10, cpu=8, memory_gib=16, cls="diurnal",
      current_site="aws-us-east-1", image=_svc("platform", "ci-runner", "17.5.0"),
      shape={"u": 0.45, "peak": 16, "amp": 0.75, "weekend": 0.3, "rps": 3},
      note="office-hours diurnal with a deep weekend dip"),
    W("artifact-registry", "platform", "service", tier=2, replicas=2, cpu=2, memory_gib=8,
      cls="steady", current_site="colo-us", storage_gib=6000, image="goharbor/harbor-core:v2.11.1",
      ports=(8080,), shape={"u": 0.3, "rps": 35}),
    W("prometheus", "platform", "database", tier=2, replicas=2, cpu=8, memory_gib=64, cls="steady",
      current_site="colo-us", storage_gib=2000, image="quay.io/prometheus/prometheus:v2.55.0",
      ports=(9090,), shape={"u": 0.55},
      deploy={"run_as_user": 65534, "data_path": "/prometheus"}),
    W("loki", "platform", "database", tier=2, replicas=3, cpu=4, memory_gib=32, cls="steady",
      current_site="colo-eu", storage_gib=3000, image="grafana/loki:3.2.1", ports=(3100,),
      shape={"u": 0.45},
      deploy={"run_as_user": 10001, "data_path": "/loki"}),
    W("grafana", "platform", "service", tier=3, replicas=2, cpu=1, memory_gib=2, cls="diurnal",
      current_site="colo-us", image="grafana/grafana:11.3.0", ports=(3000,),
      depends_on=(("prometheus", 10),),
      shape={"u": 0.3, "peak": 15, "amp": 0.6, "weekend": 0.4, "rps": 12}),
    # ------------------------------------------------------------------ growth
    W("campaign-landing", "growth", "service", tier=2, replicas=6, cpu=2, memory_gib=4,
      cls="bursty", current_site="aws-us-east-1", egress_gib_per_month=4000,
      image=_svc("growth", "campaign-landing", "2.4.0"), ports=(8080,), profile="bursty",
      shape={"u": 0.06, "rps": 3500}),
    W("promo-engine", "growth", "service", tier=2, replicas=4, cpu=2, memory_gib=4, cls="bursty",
      current_site="aws-us-east-1", image=_svc("growth", "promo-engine", "1.9.1"), ports=(8080,),
      depends_on=(("growth-analytics-db", 10),), shape={"u": 0.07, "rps": 1800}),
    W("email-sender", "growth", "service", tier=3, replicas=4, cpu=1, memory_gib=2, cls="bursty",
      current_site="aws-eu-west-1", egress_gib_per_month=700,
      image=_svc("growth", "email-sender", "3.0.4"), ports=(8080,), shape={"u": 0.05, "rps": 900}),
    W("push-notifier", "growth", "service", tier=3, replicas=3, cpu=1, memory_gib=2, cls="bursty",
      current_site="aws-us-east-1", image=_svc("growth", "push-notifier", "1.2.0"), ports=(8080,),
      shape={"u": 0.05, "rps": 1500}),
    W("ab-testing-api", "growth", "service", tier=2, replicas=3, cpu=1, memory_gib=2, cls="diurnal",
      current_site="aws-us-east-1", image=_svc("growth", "ab-testing", "2.1.0"), ports=(8080,),
      shape={"u": 0.35, "peak": US_PEAK, "amp": 0.5, "weekend": 1.1, "rps": 1400}),
    W("growth-analytics-db", "growth", "database", tier=3, replicas=2, cpu=4, memory_gib=32,
      cls="steady", current_site="aws-us-east-1", storage_gib=800, dataset_gib=600,
      image="clickhouse/clickhouse-server:24.8", ports=(8123, 9000), shape={"u": 0.35},
      deploy={"run_as_user": 101, "data_path": "/var/lib/clickhouse"}),
    W("loyalty-api", "growth", "service", tier=2, replicas=3, cpu=1, memory_gib=2, cls="none",
      current_site=None, image=_svc("growth", "loyalty-api", "0.0.1"), ports=(8080,),
      depends_on=(("identity-db", 10),), profile="diurnal",
      note="not deployed yet: no current site and no telemetry; the team declares diurnal"),
)
# fmt: on


# --------------------------------------------------------------------------- inventory


def _num(x: float) -> str:
    """A number as YAML: integers without a decimal point."""
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def inventory_yaml(workloads: tuple[W, ...]) -> str:
    """The inventory file's text (comments included); pure."""
    out = [
        "# Generated by `.venv/bin/python examples/acme/generate.py`; do not edit by hand:",
        "# edit the WORKLOADS table in generate.py and rerun it.",
        "# yaml-language-server: $schema=../../planner/schemas/inventory.json",
        "apiVersion: hybridplan/v1",
        "kind: Inventory",
        "workloads:",
    ]
    for team in TEAMS:
        out.append(f"  # ---------------------------------------------------------------- {team}")
        for w in workloads:
            if w.team != team:
                continue
            intended = "no telemetry" if w.cls == "none" else w.cls
            comment = f"intended class: {intended}" + (f"; {w.note}" if w.note else "")
            out.append(f"  # {comment}")
            out.append(f"  - name: {w.name}")
            out.append(f"    team: {w.team}")
            out.append(f"    kind: {w.kind}")
            out.append(f"    tier: {w.tier}")
            out.append(f"    replicas: {w.replicas}")
            res = [f"cpu: {_num(w.cpu)}", f"memory_gib: {_num(w.memory_gib)}"]
            if w.gpus:
                res += [f"gpus: {w.gpus}", f"gpu_type: {w.gpu_type}"]
            res.append(f"storage_gib: {_num(w.storage_gib)}")
            out.append(f"    resources: {{{', '.join(res)}}}")
            if w.image:
                out.append(f"    image: {w.image}")
            if w.ports:
                out.append(f"    ports: [{', '.join(str(p) for p in w.ports)}]")
            out.append(
                f"    data: {{residency: {w.residency}, "
                f"egress_gib_per_month: {_num(w.egress_gib_per_month)}, "
                f"dataset_gib: {_num(w.dataset_gib)}}}"
            )
            if w.depends_on:
                out.append("    depends_on:")
                for dep, lat in w.depends_on:
                    lat_s = "" if lat is None else f", max_latency_ms: {_num(lat)}"
                    out.append(f"      - {{name: {dep}{lat_s}}}")
            if w.training:
                gh, days, ckpt = w.training
                out.append(
                    f"    training: {{gpu_hours_per_month: {_num(gh)}, "
                    f"deadline_days: {days}, checkpoint_gib: {_num(ckpt)}}}"
                )
            if w.current_site:
                out.append(f"    current_site: {w.current_site}")
            if w.current_option:
                out.append(f"    current_option: {w.current_option}")
            if w.pinned_site:
                out.append(f"    pinned_site: {w.pinned_site}")
            if w.allow_spot is not None:
                out.append(f"    allow_spot: {str(w.allow_spot).lower()}")
            if w.profile:
                out.append(f"    profile: {w.profile}")
            if w.deploy:
                fields = ", ".join(
                    f"{k}: {v!r}" if isinstance(v, str) and " " in v else f"{k}: {v}"
                    for k, v in w.deploy.items()
                )
                out.append(f"    deploy: {{{fields}}}")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- telemetry

Series = dict[str, np.ndarray]


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng([SEED, zlib.crc32(name.encode())])


def _hours() -> np.ndarray:
    return np.arange(HOURS, dtype=float)


def _weekend_mask(h: np.ndarray) -> np.ndarray:
    # 2026-10-01 is a Thursday (weekday 3); Saturday and Sunday are weekdays 5 and 6.
    weekday = (START.weekday() + (h // 24).astype(int)) % 7
    return weekday >= 5


def _diurnal_factor(w: W, h: np.ndarray) -> np.ndarray:
    hour = h % 24
    daily = 1 + w.shape["amp"] * np.sin(2 * math.pi * (hour - w.shape["peak"] + 6) / 24)
    return daily * np.where(_weekend_mask(h), w.shape["weekend"], 1.0)


def _noise(rng: np.random.Generator, n: int, cv: float) -> np.ndarray:
    return np.clip(rng.normal(1.0, cv, n), 1 - 3 * cv, 1 + 3 * cv)


def _steady(w: W, rng: np.random.Generator) -> Series:
    n = HOURS
    cv = float(rng.uniform(0.05, 0.08))
    cpu = w.cpu * w.shape["u"] * _noise(rng, n, cv)
    mem = w.memory_gib * min(0.85, 0.5 + w.shape["u"]) * _noise(rng, n, 0.01)
    s: Series = {"cpu": cpu, "memory": mem}
    if w.kind in ("service", "inference") and "rps" in w.shape:
        s["rps"] = w.shape["rps"] * _noise(rng, n, cv)
    return s


def _diurnal(w: W, h: np.ndarray, rng: np.random.Generator) -> Series:
    f = _diurnal_factor(w, h)
    load = f / f.max()
    cpu = w.cpu * w.shape["u"] * (0.15 + 0.85 * load) / 0.6 * _noise(rng, h.size, 0.04)
    mem = w.memory_gib * 0.5 * (0.9 + 0.1 * load) * _noise(rng, h.size, 0.01)
    rps = w.shape["rps"] * load * _noise(rng, h.size, 0.05)
    return {"cpu": cpu, "memory": mem, "rps": rps}


def _bursty(w: W, rng: np.random.Generator) -> Series:
    n = HOURS
    h = _hours()
    base = 1 + 0.2 * np.sin(2 * math.pi * (h % 24 - US_PEAK + 6) / 24)
    spike = np.zeros(n)
    for _ in range(int(rng.integers(4, 7))):
        start = int(rng.integers(24, n - 12))
        length = int(rng.integers(2, 7))
        height = float(rng.uniform(8, 15))
        spike[start : start + length] = np.maximum(spike[start : start + length], height)
    level = (base + spike) * _noise(rng, n, 0.08)
    cpu = np.minimum(w.cpu * w.shape["u"] * level, w.cpu * 0.98)
    mem = w.memory_gib * (0.3 + 0.03 * np.minimum(level, 15)) * _noise(rng, n, 0.01)
    rps = w.shape["rps"] * level / 16
    return {"cpu": cpu, "memory": mem, "rps": rps}


def _batch(w: W, h: np.ndarray, rng: np.random.Generator) -> Series:
    hour = h % 24
    on = (hour >= w.shape["start"]) & (hour < w.shape["end"])
    cpu = np.where(on, w.cpu * w.shape["u"] * _noise(rng, h.size, 0.06), w.cpu * 0.01)
    mem = np.where(on, w.memory_gib * 0.65 * _noise(rng, h.size, 0.03), w.memory_gib * 0.02)
    return {"cpu": cpu, "memory": mem}


def _idle(w: W, rng: np.random.Generator) -> Series:
    n = HOURS
    cpu = w.cpu * w.shape["u"] * _noise(rng, n, 0.15)
    mem = w.memory_gib * 0.3 * _noise(rng, n, 0.005)
    s: Series = {"cpu": cpu, "memory": mem}
    if "rps" in w.shape:
        s["rps"] = np.abs(rng.normal(w.shape["rps"], w.shape["rps"] / 2, n))
    return s


def _training(w: W, rng: np.random.Generator) -> Series:
    n = HOURS
    gpu = np.clip(rng.normal(w.shape["gpu"], 0.012, n), 0.9, 0.97)
    # A checkpoint every ~8 hours costs part of an hour of GPU time.
    ckpt = np.arange(n) % 8 == 7
    gpu = np.where(ckpt, gpu - rng.uniform(0.0, 0.03, n), gpu).clip(0.9, 0.97)
    cpu = w.cpu * w.shape["u"] * _noise(rng, n, 0.05)
    mem = w.memory_gib * 0.7 * _noise(rng, n, 0.01)
    return {"cpu": cpu, "memory": mem, "gpu": gpu}


def _inference(w: W, h: np.ndarray, rng: np.random.Generator) -> Series:
    s = _diurnal(w, h, rng)
    load = s["rps"] / w.shape["rps"]
    s["gpu"] = np.clip(0.12 + 0.75 * load + rng.normal(0, 0.02, h.size), 0.0, 1.0)
    return s


def telemetry_for(w: W) -> tuple[np.ndarray, Series]:
    """Hour indices and metric series of one workload; pure given its name."""
    rng = _rng(w.name)
    h = _hours()
    makers: dict[str, Callable[[], Series]] = {
        "steady": lambda: _steady(w, rng),
        "diurnal": lambda: _diurnal(w, h, rng),
        "bursty": lambda: _bursty(w, rng),
        "batch": lambda: _batch(w, h, rng),
        "idle": lambda: _idle(w, rng),
        "ai-training": lambda: _training(w, rng),
        "ai-inference": lambda: _inference(w, h, rng),
        "unknown": lambda: _diurnal(w, h, rng),
    }
    series = makers[w.cls]()
    keep = np.ones(HOURS, dtype=bool)
    if w.cls == "unknown":
        keep[: HOURS - 12] = False  # deployed 12 hours before the export
    if w.name == "clickstream-collector":
        keep[11 * 24 + 3 : 11 * 24 + 9] = False  # 2026-10-12 03:00-08:59 export outage
    if w.name == "reviews-api":
        keep[19 * 24 : 20 * 24] = False  # 2026-10-20: agent down for the day
    return h[keep], {m: v[keep] for m, v in series.items()}


PRECISION = {"cpu": 3, "memory": 2, "gpu": 3, "rps": 1}
METRIC_ORDER = ("cpu", "memory", "gpu", "rps")


def _stamp(hour: int) -> str:
    return (START + timedelta(hours=hour)).strftime("%Y-%m-%dT%H:%M:%SZ")


def telemetry_csv(team: str, workloads: tuple[W, ...]) -> str:
    """One team's long-form CSV text, sorted by workload, metric, timestamp; pure."""
    lines = ["timestamp,workload,metric,value"]
    stamps = [_stamp(i) for i in range(HOURS)]
    for w in sorted((w for w in workloads if w.team == team), key=lambda w: w.name):
        if w.cls == "none":
            continue
        hours, series = telemetry_for(w)
        for metric in METRIC_ORDER:
            if metric not in series:
                continue
            digits = PRECISION[metric]
            for hour, value in zip(hours.astype(int), series[metric], strict=True):
                lines.append(f"{stamps[hour]},{w.name},{metric},{max(value, 0.0):.{digits}f}")
                if w.name == "checkout-api" and metric == "cpu" and hour == 14 * 24 + 9:
                    lines.append(lines[-1])  # the exporter retried: a duplicated row
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- main


def generate(out: Path) -> list[Path]:
    """Write inventory.yaml and telemetry/<team>.csv under ``out``; return the paths."""
    (out / "telemetry").mkdir(parents=True, exist_ok=True)
    written = [out / "inventory.yaml"]
    written[0].write_text(inventory_yaml(WORKLOADS), encoding="utf-8", newline="\n")
    for team in TEAMS:
        path = out / "telemetry" / f"{team}.csv"
        path.write_text(telemetry_csv(team, WORKLOADS), encoding="utf-8", newline="\n")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder to write into")
    args = parser.parse_args(argv)
    for path in generate(args.out):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
