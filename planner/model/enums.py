"""The model's str-Enums: kinds, classes, pricing options, policy levels."""

from __future__ import annotations

from enum import StrEnum


class WorkloadKind(StrEnum):
    SERVICE = "service"
    DATABASE = "database"
    BATCH = "batch"
    TRAINING = "training"
    INFERENCE = "inference"
    OBJECT_STORE = "object-store"
    """Objects in buckets: S3 on a cloud site, a replicated storage array on an owned one
    (``Workload.objects``; ``resources`` is the owned side's gateway)."""
    MANAGED_DB = "managed-db"
    """A PostgreSQL or MySQL database: RDS on a cloud site, self-run pods (CloudNativePG
    where the site runs it) on an owned one (``Workload.managed``)."""
    SEARCH = "search"
    """A search cluster: OpenSearch Service on a cloud site, pods on an owned one."""
    CACHE = "cache"
    """A Redis or Valkey cache: ElastiCache on a cloud site, pods on an owned one."""


STATEFUL_KINDS: frozenset[WorkloadKind] = frozenset(
    {WorkloadKind.DATABASE, WorkloadKind.MANAGED_DB, WorkloadKind.SEARCH, WorkloadKind.CACHE}
)
"""Kinds that run on Kubernetes as a database: a volume per replica, a StatefulSet (or
CloudNativePG for PostgreSQL where the site runs it), no autoscaling; emitted with kind
``database`` (a managed-db, search or cache placed on an owned site is self-run)."""


MANAGED_KINDS: frozenset[WorkloadKind] = frozenset(
    {WorkloadKind.MANAGED_DB, WorkloadKind.SEARCH, WorkloadKind.CACHE}
)
"""Kinds a cloud site runs as its managed service (RDS, OpenSearch, ElastiCache): priced as
such and left out of the site's Kubernetes stack."""


def emitted_kind(kind: WorkloadKind) -> str:
    """The kind the stacks see: ``database`` for every stateful kind."""
    return WorkloadKind.DATABASE.value if kind in STATEFUL_KINDS else kind.value


class BaselineSource(StrEnum):
    """Where a workload's cost today ("before") comes from."""

    BILL = "bill"
    """The cloud bill: its monthly EffectiveCost averaged over full months (issue #13)."""
    ESTIMATE = "estimate"
    """The catalogue: the workload's declared size priced where it runs today."""


class Profile(StrEnum):
    """A usage profile a user may declare for a workload."""

    STEADY = "steady"
    DIURNAL = "diurnal"
    BURSTY = "bursty"
    BATCH = "batch"


class WorkloadClass(StrEnum):
    """What the classifier concludes from telemetry (or from a declared profile)."""

    STEADY = "steady"
    DIURNAL = "diurnal"
    BURSTY = "bursty"
    BATCH = "batch"
    IDLE = "idle"
    AI_TRAINING = "ai-training"
    AI_INFERENCE = "ai-inference"
    UNKNOWN = "unknown"


class Residency(StrEnum):
    """Where a workload's data may live."""

    EU = "eu"
    US = "us"
    ANY = "any"


class SiteKind(StrEnum):
    KUBERNETES = "kubernetes"
    GPU_POOL = "gpu-pool"
    CLOUD = "cloud"


class PricingOption(StrEnum):
    """How capacity on a site is paid for."""

    OWNED = "owned"
    LEASED = "leased"
    ON_DEMAND = "on-demand"
    COMMIT_1Y = "commit-1y"
    COMMIT_3Y = "commit-3y"
    SPOT = "spot"
    CAPACITY_BLOCK = "capacity-block"


class Amortisation(StrEnum):
    STRAIGHT_LINE = "straight-line"
    ANNUITY = "annuity"


class PowerBilling(StrEnum):
    """Colo power is either bundled per contracted kW per month, or metered per kWh."""

    PER_KW_MONTH = "per-kw-month"
    PER_KWH = "per-kwh"


class CostBasis(StrEnum):
    """Average cost spreads the whole owned estate over used capacity; marginal treats
    spare capacity as already paid for (only power and consumables are incremental)."""

    AVERAGE = "average"
    MARGINAL = "marginal"


class GpuPoolMode(StrEnum):
    OWNED = "owned"
    LEASED = "leased"
    GPUAAS = "gpuaas"


class Level(StrEnum):
    """Policy enforcement level."""

    ADVISORY = "advisory"
    MANDATORY = "mandatory"
    DISABLED = "disabled"


class Category(StrEnum):
    COST = "cost"
    SLA = "sla"
    RESIDENCY = "residency"
    HYGIENE = "hygiene"
    DEPLOY = "deploy"
    """Deploy readiness: what would make ``pulumi up`` fail or hang on a real cluster."""
