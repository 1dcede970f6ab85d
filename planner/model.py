"""The domain model: frozen, slotted dataclasses and str-Enums.

These are the pure core's only currency. Inputs (``Project`` and everything under it) are
built by ``planner.load``; outputs (``Plan`` and everything under it) are built by the core
and serialised by ``planner.report``. Nothing here does I/O. Units are in field names
(``memory_gib``, ``usd_per_month``, ``gpu_hours_per_month``); money is USD unless a field
says otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

HOURS_PER_MONTH = 730.0
"""Average hours in a month (8,760 h / 12), the convention AWS pricing uses."""


# --------------------------------------------------------------------------- enums


class WorkloadKind(StrEnum):
    SERVICE = "service"
    DATABASE = "database"
    BATCH = "batch"
    TRAINING = "training"
    INFERENCE = "inference"


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


# --------------------------------------------------------------------------- provenance


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a value came from in the planning project (1-based line/column, 0 if unknown)."""

    file: str
    line: int = 0
    column: int = 0


# --------------------------------------------------------------------------- workloads


@dataclass(frozen=True, slots=True)
class Resources:
    """Per-replica resource request."""

    cpu: float
    memory_gib: float
    gpus: int = 0
    gpu_type: str | None = None
    storage_gib: float = 0.0


@dataclass(frozen=True, slots=True)
class DataSpec:
    residency: Residency = Residency.ANY
    egress_gib_per_month: float = 0.0
    dataset_gib: float = 0.0


@dataclass(frozen=True, slots=True)
class Dependency:
    """``name`` must be reachable; if ``max_latency_ms`` is set the two sites must be
    co-located or within that round-trip latency."""

    name: str
    max_latency_ms: float | None = None


@dataclass(frozen=True, slots=True)
class TrainingSpec:
    gpu_hours_per_month: float
    deadline_days: int | None = None
    checkpoint_gib: float = 0.0


@dataclass(frozen=True, slots=True)
class Workload:
    name: str
    team: str
    kind: WorkloadKind
    tier: int
    replicas: int
    resources: Resources
    data: DataSpec = DataSpec()
    depends_on: tuple[Dependency, ...] = ()
    current_site: str | None = None
    current_option: PricingOption | None = None
    """How the workload is paid for today (prices the baseline); ``None``: the default."""
    pinned_site: str | None = None
    profile: Profile | None = None
    telemetry: str | None = None
    training: TrainingSpec | None = None
    image: str | None = None
    ports: tuple[int, ...] = ()
    allow_spot: bool = True
    source: SourceRef | None = field(default=None, compare=False)


# --------------------------------------------------------------------------- sites


@dataclass(frozen=True, slots=True)
class Capacity:
    """Physical capacity of an owned site. ``gpus`` maps GPU type (``h100``) to count."""

    cpu: float
    memory_gib: float
    gpus: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NodeClass:
    """A homogeneous group of owned servers, the unit the owned-cost model prices."""

    name: str
    count: int
    cpu: float
    memory_gib: float
    capex_usd: float
    power_kw: float
    gpus: int = 0
    gpu_type: str | None = None


@dataclass(frozen=True, slots=True)
class OwnedCost:
    """Cost inputs of owned (colo/on-prem) capacity. ``None`` means "use the catalogue"."""

    node_classes: tuple[NodeClass, ...] = ()
    amortisation: Amortisation = Amortisation.STRAIGHT_LINE
    depreciation_months: int | None = None
    discount_rate_pct: float | None = None
    power_billing: PowerBilling = PowerBilling.PER_KW_MONTH
    colo_usd_per_kw_month: float | None = None
    usd_per_kwh: float | None = None
    pue: float | None = None
    space_usd_per_month: float = 0.0
    labour_usd_per_month: float = 0.0
    support_pct_of_capex_per_year: float | None = None
    cost_basis: CostBasis = CostBasis.AVERAGE


@dataclass(frozen=True, slots=True)
class GpuPoolCost:
    """Cost inputs of a GPU pool. ``owned`` uses ``owned``; ``leased``/``gpuaas`` use the
    contract price per GPU-hour with a monthly minimum commitment."""

    mode: GpuPoolMode = GpuPoolMode.OWNED
    owned: OwnedCost | None = None
    usd_per_gpu_hour: float | None = None
    min_gpu_hours_per_month: float = 0.0
    realised_utilisation: float | None = None


@dataclass(frozen=True, slots=True)
class CloudCost:
    """Cost inputs of a cloud region: the catalogue region to price from, a negotiated
    discount, and which pricing options the organisation will buy."""

    price_region: str
    discount_pct: float = 0.0
    options: tuple[PricingOption, ...] = (
        PricingOption.ON_DEMAND,
        PricingOption.COMMIT_1Y,
        PricingOption.COMMIT_3Y,
        PricingOption.SPOT,
    )


@dataclass(frozen=True, slots=True)
class Site:
    name: str
    kind: SiteKind
    provider: str
    region: str
    jurisdiction: Residency
    failure_domains: tuple[str, ...]
    availability_pct: float
    capacity: Capacity | None
    """``None`` for cloud sites: capacity is treated as unlimited."""
    target_utilisation: float = 0.8
    latency_ms: Mapping[str, float] = field(default_factory=dict)
    """Round-trip latency to other sites by name (symmetric; same site is 0)."""
    owned_cost: OwnedCost | None = None
    gpu_pool_cost: GpuPoolCost | None = None
    cloud_cost: CloudCost | None = None
    price_overrides: Mapping[str, float] = field(default_factory=dict)
    """Catalogue keys overridden for this site (negotiated prices)."""
    source: SourceRef | None = field(default=None, compare=False)


# --------------------------------------------------------------------------- policies (input)


@dataclass(frozen=True, slots=True)
class Waiver:
    rule_id: str
    scope_kind: str
    """``workload``, ``team`` or ``site``."""
    scope: str
    reason: str
    expires: str
    """ISO date ``YYYY-MM-DD``."""
    source: SourceRef | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class RuleConfig:
    """The project's override of one rule: level and parameters."""

    rule_id: str
    level: Level | None = None
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PolicyConfig:
    rules: tuple[RuleConfig, ...] = ()
    waivers: tuple[Waiver, ...] = ()


# --------------------------------------------------------------------------- project


@dataclass(frozen=True, slots=True)
class Settings:
    """Planning settings (``project.yaml``); every field has a documented default."""

    horizon_months: int = 36
    discount_rate_pct: float = 8.0
    currency: str = "USD"
    headroom: float = 1.2
    """Right-sizing multiplier over p95 (p99 for tier 1)."""
    classify: Mapping[str, float] = field(default_factory=dict)
    """Overrides of classifier thresholds by name (see ``planner.classify.DEFAULTS``)."""
    engineering_usd_per_move: float = 8000.0
    double_running_months: float = 1.0
    solver_time_limit_s: float = 30.0
    solver_gap: float = 0.005
    tier_availability_pct: Mapping[int, float] = field(
        default_factory=lambda: {1: 99.95, 2: 99.9, 3: 99.0}
    )
    min_replicas_by_tier: Mapping[int, int] = field(default_factory=lambda: {1: 3, 2: 2, 3: 1})


@dataclass(frozen=True, slots=True)
class Series:
    """One utilisation series: hourly (or finer) samples in UTC, seconds since epoch."""

    workload: str
    metric: str
    """``cpu`` (cores), ``memory`` (GiB), ``gpu`` (utilisation 0-1), ``rps``."""
    timestamps_s: tuple[float, ...]
    values: tuple[float, ...]
    source: SourceRef | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Project:
    """Everything one planning run needs, already validated."""

    root: str
    workloads: tuple[Workload, ...]
    sites: tuple[Site, ...]
    policies: PolicyConfig = PolicyConfig()
    settings: Settings = Settings()
    telemetry_files: tuple[str, ...] = ()
    """Paths (relative to ``root``) of telemetry files, read by the telemetry loader."""
    digests: Mapping[str, str] = field(default_factory=dict)
    """sha256 of each input file by relative path: the plan's input digest is built from it."""

    def workload(self, name: str) -> Workload:
        for w in self.workloads:
            if w.name == name:
                return w
        raise KeyError(name)

    def site(self, name: str) -> Site:
        for s in self.sites:
            if s.name == name:
                return s
        raise KeyError(name)


@dataclass(frozen=True, slots=True)
class Prune:
    """A policy rule removing offers from the solver's choice before it runs."""

    workload: str
    site: str
    option: PricingOption | None
    """``None`` prunes every option on the site."""
    rule_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Constraints:
    """Plan-wide limits the solver must respect, derived from policies (``planner.policy``)."""

    team_budget_usd_per_month: Mapping[str, float] = field(default_factory=dict)
    site_budget_usd_per_month: Mapping[str, float] = field(default_factory=dict)
    total_budget_usd_per_month: float | None = None
    max_cloud_share: float | None = None
    """Maximum fraction (0-1) of monthly spend on cloud sites."""
    min_failure_domains_tier1: int = 2
    prunes: tuple[Prune, ...] = ()


# --------------------------------------------------------------------------- analysis results


@dataclass(frozen=True, slots=True)
class PeakCheck:
    """How a right-sized CPU request and its emitted limit meet the observed per-interval
    peaks (``planner.classify.sizing``); shares are of the intervals (or days) observed."""

    metric: str
    """The series the peaks come from: ``cpu_max`` when given, else ``cpu``."""
    step_s: float
    """Sampling interval of that series: averages over it hide shorter peaks."""
    request_cores: float
    limit_cores: float
    peak_p99_cores: float
    peak_max_cores: float
    share_above_request: float
    share_above_limit: float
    days_above_limit: float
    """Share of the days with at least one interval above the limit."""


@dataclass(frozen=True, slots=True)
class Classification:
    workload: str
    cls: WorkloadClass
    confidence: float
    reasons: tuple[str, ...]
    declared: Profile | None = None
    disagreement: str | None = None
    """Set when a declared profile wins over a telemetry verdict that differs."""
    telemetry_class: WorkloadClass | None = None
    features: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    """metric -> feature name -> value."""
    rightsized: Resources | None = None
    """Recommended per-replica request; ``None`` when there is no usable telemetry."""
    peak_check: PeakCheck | None = None
    """The right-sized CPU request against the observed peaks; ``None`` without CPU data."""


@dataclass(frozen=True, slots=True)
class LineItem:
    """One named component of a monthly cost, traceable to its inputs."""

    name: str
    usd_per_month: float
    formula: str
    """Human-readable derivation, e.g. ``4 cores x 730 h x 0.0123 USD/core-h``."""
    sources: tuple[str, ...] = ()
    """Catalogue keys or site fields the figure comes from."""


@dataclass(frozen=True, slots=True)
class Offer:
    """A way to run one workload (all replicas, or the training GPU-hours) on one site."""

    workload: str
    site: str
    option: PricingOption
    usd_per_month: float
    line_items: tuple[LineItem, ...]
    migration_usd: float = 0.0
    """One-off cost of moving there from ``current_site`` (0 if it is already there)."""
    migration_items: tuple[LineItem, ...] = ()
    instance_type: str | None = None
    eligible: bool = True
    reason: str | None = None
    """Why the offer is ineligible (residency, GPU type absent, availability, policy)."""
    usage: Mapping[str, float] = field(default_factory=dict)
    """Capacity consumed on the site: ``cpu``, ``memory_gib``, ``gpus:<type>``."""

    @property
    def key(self) -> str:
        return f"{self.site}/{self.option.value}"


@dataclass(frozen=True, slots=True)
class Assignment:
    """Part of a workload placed on one site with one pricing option."""

    site: str
    option: PricingOption
    replicas: int
    usd_per_month: float
    instance_type: str | None = None
    gpu_hours_per_month: float | None = None
    """For training: the share of monthly GPU-hours run here."""


@dataclass(frozen=True, slots=True)
class Placement:
    workload: str
    assignments: tuple[Assignment, ...]
    usd_per_month: float
    migration_usd: float
    previous_site: str | None
    runner_up: Offer | None = None
    binding: tuple[str, ...] = ()
    """Constraints that shaped this choice (e.g. ``capacity colo-eu cpu``, ``residency eu``)."""
    reason: str = ""

    @property
    def sites(self) -> tuple[str, ...]:
        return tuple(sorted({a.site for a in self.assignments}))

    @property
    def moved(self) -> bool:
        return self.previous_site is not None and self.previous_site not in self.sites


@dataclass(frozen=True, slots=True)
class SiteUsage:
    site: str
    used: Mapping[str, float]
    capacity: Mapping[str, float]
    """Usable capacity (physical x target utilisation); empty for cloud sites."""
    usd_per_month: float


@dataclass(frozen=True, slots=True)
class SolverInfo:
    method: str
    """``milp``, ``lp+repair``, ``greedy`` or ``rule``."""
    status: str
    objective_usd: float
    lp_bound_usd: float | None
    gap: float | None
    seconds: float
    time_limited: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    rule_id: str
    name: str
    category: Category
    level: Level
    scope_kind: str
    scope: str
    message: str
    evidence: Mapping[str, object] = field(default_factory=dict)
    waived: bool = False
    waiver_reason: str | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    placements: tuple[Placement, ...]
    site_usage: tuple[SiteUsage, ...]
    classifications: tuple[Classification, ...]
    solver: SolverInfo
    findings: tuple[Finding, ...] = ()
    baseline_usd_per_month: float = 0.0
    """Monthly cost of the current placement (``current_site`` of each workload)."""
    usd_per_month: float = 0.0
    migration_usd: float = 0.0
    horizon_months: int = 36
    input_digest: str = ""
    catalogue_version: str = ""
    workload_baseline_usd_per_month: Mapping[str, float] = field(default_factory=dict)
    """Monthly cost of each workload where it runs today (the baseline offer by workload
    name); new workloads are absent. Used by ``planner.report`` for savings per move."""
