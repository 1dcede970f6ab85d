"""The planning project as validated input: workloads, sites and their cost inputs,
policies, settings, telemetry series, and the constraints derived from policies.

Cost inputs are as loaded (``float``); the cost model reads them exactly with
``planner.money.decimal_of``. Money derived from them is ``planner.money.Money``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from planner.model.enums import (
    Amortisation,
    CostBasis,
    GpuPoolMode,
    Level,
    PowerBilling,
    PricingOption,
    Profile,
    Residency,
    SiteKind,
    WorkloadKind,
)
from planner.model.fastinit import fast_init
from planner.money import Money

HOURS_PER_MONTH = 730.0
"""Average hours in a month (8,760 h / 12), the convention AWS pricing uses."""


# --------------------------------------------------------------------------- provenance


@fast_init
@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a value came from in the planning project (1-based line/column, 0 if unknown)."""

    file: str
    line: int = 0
    column: int = 0


# --------------------------------------------------------------------------- workloads


@fast_init
@dataclass(frozen=True, slots=True)
class Resources:
    """Per-replica resource request."""

    cpu: float
    memory_gib: float
    gpus: int = 0
    gpu_type: str | None = None
    storage_gib: float = 0.0


@fast_init
@dataclass(frozen=True, slots=True)
class DataSpec:
    residency: Residency = Residency.ANY
    egress_gib_per_month: float = 0.0
    dataset_gib: float = 0.0
    cdn_egress_gib_per_month: float = 0.0
    """Served through a CDN (priced at the catalogue's CDN tiers on every site)."""


@fast_init
@dataclass(frozen=True, slots=True)
class Dependency:
    """``name`` must be reachable; if ``max_latency_ms`` is set the two sites must be
    co-located or within that round-trip latency."""

    name: str
    max_latency_ms: float | None = None


@fast_init
@dataclass(frozen=True, slots=True)
class TrainingSpec:
    gpu_hours_per_month: float
    deadline_days: int | None = None
    checkpoint_gib: float = 0.0


@dataclass(frozen=True, slots=True)
class DeploySpec:
    """How a workload runs on Kubernetes beyond what planning needs (inventory ``deploy:``);
    ``None``: the default (known database images have theirs, see ``planner.images``)."""

    schedule: str | None = None
    """Cron schedule of a batch workload: a CronJob instead of a suspended Job."""
    secret: str | None = None
    """Existing Secret with a database's credentials (referenced, never written)."""
    run_as_user: int | None = None
    run_as_group: int | None = None
    fs_group: int | None = None
    data_path: str | None = None
    """Where a database writes its data (the volume's mount path)."""
    migrated_from: str | None = None
    """A database moved off this site has been migrated: the old copy may be dropped."""


@fast_init
@dataclass(frozen=True, slots=True)
class ObjectStoreSpec:
    """What an object-store workload keeps and serves per month: ``stored_gib`` usable
    (before replication), ``infrequent_pct`` of it in an infrequent-access class, and the
    write (PUT/COPY/POST/LIST) and read (GET) requests. Internet egress is
    ``data.egress_gib_per_month``."""

    stored_gib: float
    infrequent_pct: float = 0.0
    put_requests_per_month: float = 0.0
    get_requests_per_month: float = 0.0


@fast_init
@dataclass(frozen=True, slots=True)
class ManagedSpec:
    """The engine of a managed-db (``postgres``, ``mysql``), search (``opensearch``) or cache
    (``redis``, ``valkey``) workload; per replica, ``resources`` choose the managed class and
    ``storage_gib`` its storage. ``extra_backup_gib``: backups kept beyond the free allowance
    (100 % of provisioned storage, RDS)."""

    engine: str
    extra_backup_gib: float = 0.0


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
    objects: ObjectStoreSpec | None = None
    """Required for kind ``object-store``: what it stores and serves."""
    managed: ManagedSpec | None = None
    """Required for kinds ``managed-db``, ``search`` and ``cache``: the engine."""
    image: str | None = None
    ports: tuple[int, ...] = ()
    allow_spot: bool = True
    deploy: DeploySpec = DeploySpec()
    hours_per_month: float | None = None
    """Hours a month the workload runs (a batch schedule); ``None``: always on (730 h).
    Cloud capacity bought by the hour (on-demand, spot) is priced for these hours only; a
    commitment bills every hour of its term, so it is priced for 730 h."""
    hours_source: str = ""
    """Where ``hours_per_month`` comes from when not declared (``telemetry duty cycle``:
    ``planner.cost.duty``); ``""``: declared in the inventory."""
    source: SourceRef | None = field(default=None, compare=False)


# --------------------------------------------------------------------------- sites


@dataclass(frozen=True, slots=True)
class ClusterSpec:
    """The site's Kubernetes cluster as its stacks deploy to it (sites.yaml ``cluster:``)."""

    context: str | None = None
    """kubeconfig context; ``None``: the kubeconfig's current context."""
    storage_class: str | None = None
    """StorageClass of database volumes; ``None``: the cluster default (if any)."""
    snapshot_class: str | None = None
    """VolumeSnapshotClass for CloudNativePG backups; ``None``: no scheduled backup."""
    operators: tuple[str, ...] = ()
    """Operators installed on the cluster (``cloudnative-pg``)."""


@dataclass(frozen=True, slots=True)
class Capacity:
    """Physical capacity of an owned site. ``gpus`` maps GPU type (``h100``) to count."""

    cpu: float
    memory_gib: float
    gpus: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class NodeClass:
    """A homogeneous group of owned servers, the unit the owned-cost model prices. Capex
    and power per server are numbers as loaded, or exact decimals (the catalogue's default
    nodes, a what-if change); the cost model reads them exactly."""

    name: str
    count: int
    cpu: float
    memory_gib: float
    capex_usd: float | Decimal
    power_kw: float | Decimal
    gpus: int = 0
    gpu_type: str | None = None
    purchase_month: int | None = None
    """Bought in this month of the horizon (capacity a what-if adds: 1), its own estate
    (``planner.cost.estates``); ``None``: with the site's hardware (``OwnedCost``)."""


@dataclass(frozen=True, slots=True)
class BuyableClass:
    """A server model an owned site may buy: the solver decides how many units (0 to
    ``max_units``). Bought units are usable from month ``lead_time_months``; they are
    priced like the site's own servers (its depreciation, power billing and support)."""

    name: str
    cpu: float
    memory_gib: float
    capex_usd: float | Decimal
    power_kw: float | Decimal
    max_units: int
    lead_time_months: int = 0
    gpus: int = 0
    gpu_type: str | None = None
    source: SourceRef | None = field(default=None, compare=False)


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
    purchase_month: int = 0
    """``<= 0``: the hardware is owned today (bought before month 1); ``>= 1``: bought at
    the start of that month of the horizon (capex cash in that month)."""
    residual_value_pct: float = 0.0
    """Sale value of the hardware at the end of depreciation, percent of capex."""
    refresh: bool = False
    """Buy the hardware again when its depreciation ends (cash in that month)."""
    racks_and_power_paid: bool = False
    """The servers go into racks and contracted power already paid for: space and per-kW
    power are not charged to them (incremental cost only)."""


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
    price_overrides: Mapping[str, float | Decimal] = field(default_factory=dict)
    """Catalogue keys overridden for this site (negotiated prices): numbers as loaded, or
    exact decimals a what-if scenario set; read exactly (``planner.money.decimal_of``)."""
    cluster: ClusterSpec = ClusterSpec()
    buy: tuple[BuyableClass, ...] = ()
    """Server models the plan may buy here (owned sites only)."""
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
class WaveSettings:
    """How the moves are grouped into migration waves (``project.yaml`` ``settings.waves``,
    ``planner.waves``)."""

    max_moves_per_wave: int = 5
    """Workloads moved per wave at most. 5: a small team's cutovers in one month, the wave
    size AWS's and Azure's migration guides start pilots with (assumption, Dec 2026)."""
    max_data_tb_per_wave: float = 20.0
    """Data moved per wave at most, in TB (10^12 bytes) of datasets: about what one 10 Gbit/s
    link copies in 5 days at 50 % use (assumption, Dec 2026)."""
    start_month: str | None = None
    """Calendar month (``YYYY-MM``) of month 1 of the plan; ``None``: the month of the plan's
    date (``today``), which the shell passes in."""
    target_waves: int | None = None
    """Spread the moves over about this many waves (``what-if --waves N``): the move limit
    becomes ``ceil(moves / N)`` when that is smaller."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Planning settings (``project.yaml``); every field has a documented default."""

    horizon_months: int = 36
    discount_rate_pct: float = 8.0
    currency: str = "USD"
    """The currency the project's figures are shown in (``planner.fx``); amounts are
    computed in the catalogue's (USD) and converted at the catalogue's dated rate."""
    headroom: float = 1.2
    """Right-sizing multiplier over p95 (p99 for tier 1)."""
    classify: Mapping[str, float] = field(default_factory=dict)
    """Overrides of classifier thresholds by name (see ``planner.classify.DEFAULTS``)."""
    engineering_usd_per_move: float = 8000.0
    double_running_months: float = 1.0
    double_running_months_by_kind: Mapping[str, float] = field(
        default_factory=lambda: {"batch": 0.0, "training": 0.0}
    )
    """Overrides of ``double_running_months`` by workload kind: a batch or training job is
    stopped at the source and resumed at the target (from its checkpoint), never run in both
    places, so 0 by default."""
    egress_exit_waiver: bool = False
    """The source cloud waives data transfer out for leaving it (AWS, Google Cloud and Azure
    announced such waivers in 2024, on request): dataset egress of a move out is 0."""
    solver_time_limit_s: float = 30.0
    solver_gap: float = 0.005
    tier_availability_pct: Mapping[int, float] = field(
        default_factory=lambda: {1: 99.95, 2: 99.9, 3: 99.0}
    )
    min_replicas_by_tier: Mapping[int, int] = field(default_factory=lambda: {1: 3, 2: 2, 3: 1})
    waves: WaveSettings = WaveSettings()
    """Migration waves (``planner.waves``)."""
    currency_source: SourceRef | None = field(default=None, compare=False)
    """Where project.yaml sets ``currency`` (for located errors); ``None`` by default."""


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
    _workload_index: Mapping[str, Workload] = field(init=False, repr=False, compare=False)
    _site_index: Mapping[str, Site] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Indexes by name, built once (``replace`` rebuilds them); the first of a duplicated
        # name wins, as a scan in order would find it.
        object.__setattr__(self, "_workload_index", {w.name: w for w in reversed(self.workloads)})
        object.__setattr__(self, "_site_index", {s.name: s for s in reversed(self.sites)})

    def workload(self, name: str) -> Workload:
        """The workload called ``name`` (``KeyError`` if none)."""
        return self._workload_index[name]

    def find_workload(self, name: str) -> Workload | None:
        """The workload called ``name``, or ``None``."""
        return self._workload_index.get(name)

    def site(self, name: str) -> Site:
        """The site called ``name`` (``KeyError`` if none)."""
        return self._site_index[name]


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

    team_budget_per_month: Mapping[str, Money] = field(default_factory=dict)
    site_budget_per_month: Mapping[str, Money] = field(default_factory=dict)
    total_budget_per_month: Money | None = None
    max_cloud_share: float | None = None
    """Maximum fraction (0-1) of monthly spend on cloud sites."""
    min_failure_domains_tier1: int = 2
    prunes: tuple[Prune, ...] = ()
