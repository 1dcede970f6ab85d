"""What the core computes: classifications, priced offers, placements, the plan.

Every amount is ``planner.money.Money`` (exact cents), named by its period: ``per_month``,
or a one-off (``migration``). Rates keep their unit in the name (``usd_per_gpu_hour``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from planner.fx import USD, FxRate
from planner.model.enums import (
    BaselineSource,
    Category,
    Level,
    PricingOption,
    Profile,
    WorkloadClass,
)
from planner.model.project import Resources
from planner.model.waves import WavePlan
from planner.money import DEFAULT_CURRENCY, Money

if TYPE_CHECKING:
    from planner.billing import Baseline

_ZERO = Money.zero(DEFAULT_CURRENCY)


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
    """One named component of a cost, traceable to its inputs: a monthly amount in an offer's
    ``line_items`` and an estate's items, a one-off in ``migration_items``."""

    name: str
    amount: Money
    formula: str
    """Human-readable derivation, e.g. ``4 cores x 730 h x 0.0123 USD/core-h``."""
    sources: tuple[str, ...] = ()
    """Catalogue keys or site fields the figure comes from."""


@dataclass(frozen=True, slots=True)
class Offer:
    """A way to run one workload (all replicas, or the training GPU-hours) on one site.
    ``per_month`` is the sum of ``line_items``, ``migration`` the sum of ``migration_items``."""

    workload: str
    site: str
    option: PricingOption
    per_month: Money
    line_items: tuple[LineItem, ...]
    migration: Money = _ZERO
    """One-off cost of moving there from ``current_site`` (0 if it is already there)."""
    migration_items: tuple[LineItem, ...] = ()
    instance_type: str | None = None
    eligible: bool = True
    reason: str | None = None
    """Why the offer is ineligible (residency, GPU type absent, availability, policy)."""
    usage: Mapping[str, float] = field(default_factory=dict)
    """Capacity consumed on the site: ``cpu``, ``memory_gib``, ``gpus:<type>``."""
    usd_per_gpu_hour: Decimal | None = None
    """Training offers: the cost of one more GPU-hour (the slope the solver splits hours by;
    ``per_month = fixed_per_month + gpu_hours x usd_per_gpu_hour`` up to line rounding)."""
    fixed_per_month: Money | None = None
    """Training offers: the part that does not scale with GPU-hours (storage, egress)."""
    billed_gpu_hours: Decimal | None = None
    """Training offers: the GPU-hours billed a month (a commitment: whole instances every
    hour of the month; otherwise the GPU-hours used)."""

    @property
    def key(self) -> str:
        return f"{self.site}/{self.option.value}"


@dataclass(frozen=True, slots=True)
class Assignment:
    """Part of a workload placed on one site with one pricing option."""

    site: str
    option: PricingOption
    replicas: int
    per_month: Money
    instance_type: str | None = None
    gpu_hours_per_month: float | None = None
    """For training: the share of monthly GPU-hours run here."""
    bought: str = ""
    """The server model it runs on when that is one this plan buys (a ``Purchase`` on
    ``site``): ``per_month`` is its share of their cost, and it moves when they arrive."""
    arrival_month: int = 1
    """On bought servers: the month they are usable from (``Purchase.month``); it runs
    on ``waits_on`` for the months before. 1 otherwise."""
    waits_on: str = ""
    """On bought servers: the site it runs on until they arrive (its current site)."""
    waiting_per_month: Money | None = None
    """On bought servers: what this part pays a month on ``waits_on`` until they arrive
    (the MILP's c_b^now for its units); ``None`` otherwise."""


@dataclass(frozen=True, slots=True)
class Placement:
    workload: str
    assignments: tuple[Assignment, ...]
    per_month: Money
    """The sum of the assignments' ``per_month``."""
    migration: Money
    previous_site: str | None
    runner_up: Offer | None = None
    binding: tuple[str, ...] = ()
    """Constraints that shaped this choice (e.g. ``capacity colo-eu cpu``, ``residency eu``)."""
    reason: str = ""
    migration_items: tuple[LineItem, ...] = ()
    """``migration`` term by term (engineering, dataset egress, double running) from the
    chosen offers, each scaled to the share placed by it; they add up to ``migration``."""

    @property
    def sites(self) -> tuple[str, ...]:
        return tuple(sorted({a.site for a in self.assignments}))

    @property
    def moved(self) -> bool:
        return self.previous_site is not None and self.previous_site not in self.sites


@dataclass(frozen=True, slots=True)
class BuyOffer:
    """One server model an owned site may buy, priced per unit (``planner.cost.buy``):
    what the solver weighs against renting."""

    site: str
    node_class: str
    max_units: int
    lead_time_months: int
    """Months from order to usable capacity; the capex is paid on delivery."""
    depreciation_months: int
    capex: Money
    """Purchase price of one unit."""
    capex_per_month: Money
    """One unit's capex amortised over ``depreciation_months`` (the site's amortisation)."""
    run_per_month: Money
    """One unit's power and support per month."""
    capacity: Mapping[str, float]
    """Usable capacity of one unit (physical x the site's target utilisation): ``cpu``,
    ``memory_gib``, ``gpus:<type>``, ``gpu_hours:<type>``."""
    line_items: tuple[LineItem, ...] = ()

    @property
    def per_month(self) -> Money:
        """One unit's monthly cost while it is depreciated (capex share + power + support)."""
        return self.capex_per_month + self.run_per_month


@dataclass(frozen=True, slots=True)
class Purchase:
    """Servers the plan buys: ``units`` of ``node_class`` at ``site``, ordered at the start
    of month 1 and delivered after the lead time: paid (``capex``, cash) and usable from
    ``month = lead_time_months + 1``; their amortised capex, power and support run from
    then (``planner.report.cash`` enters them as an ``Estate`` bought in ``month``)."""

    site: str
    node_class: str
    units: int
    capex: Money
    """Cash paid at the start of ``month`` for all units."""
    month: int
    """The delivery month: capex paid, servers usable, costs running (lead time + 1)."""
    per_month: Money
    """Monthly cost of all units once delivered (capex amortised + power + support)."""
    idle_per_month: Money
    """The part of ``per_month`` no placement uses (bought capacity left idle)."""
    workloads: tuple[str, ...] = ()
    """Workloads placed on the bought servers (they move in ``month``)."""
    capex_per_month: Money = _ZERO
    """All units' capex amortised over ``depreciation_months`` (part of ``per_month``)."""
    depreciation_months: int = 0
    """Months the capex is amortised over from ``month`` (0: not given)."""


@dataclass(frozen=True, slots=True)
class SiteUsage:
    site: str
    used: Mapping[str, float]
    capacity: Mapping[str, float]
    """Usable capacity (physical x target utilisation); empty for cloud sites."""
    per_month: Money
    """The sum of the ``per_month`` of the assignments on the site."""


@dataclass(frozen=True, slots=True)
class SolverInfo:
    method: str
    """``milp``, ``lp+repair``, ``partitioned-lp`` (100k fleets: ``planner.solve.partition``,
    a Lagrangian bound), ``greedy`` or ``rule``."""
    status: str
    """``optimal`` (within ``solver_gap`` of the bound), ``time_limit`` (the time limit
    stopped the search; the best plan known) or ``feasible`` (a plan with no optimality
    claim: the greedy method; LP + repair's plan above ``solver_gap`` but within
    ``planner.solve.repair.POLISH_ABOVE`` times it, kept unpolished; ``partitioned-lp``
    above ``solver_gap``: ``gap`` says how far)."""
    objective_usd: float
    """The LP/MILP objective (horizon cost, a float of the solver's); plan totals are
    never read from it."""
    lp_bound_usd: float | None
    gap: float | None
    seconds: float
    """The solve's time on the solver's clock: CPU seconds of the planning process (what
    ``solver_time_limit_s`` counts), not written to plan.json (it would not be
    deterministic)."""
    time_limited: bool = False
    """The time limit stopped the search (``status`` ``time_limit``): the plan is the best
    one known, ``gap`` (against ``lp_bound_usd``) says how far from optimal it may be."""
    note: str = ""
    greedy_objective_usd: float | None = None
    """The greedy baseline's objective on the same terms as ``objective_usd`` (``None``
    when the greedy found no plan or was not run)."""


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
class CommittedSpend:
    """Spend a commitment in force (a savings plan, a reservation) covers for a workload the
    plan moves off its current site: it is owed until the commitment expires whatever the
    plan does, so a move does not save it before then.

    ``per_month`` is the workload's EffectiveCost the commitment covered (the bill's
    average); ``months`` the months from the plan's date to ``expires`` (rounded up, capped
    at the horizon; the whole horizon when the expiry is unknown, ``expires`` ``None``);
    ``total`` is ``per_month x months``."""

    workload: str
    commitment_id: str
    per_month: Money
    expires: date | None
    months: int
    total: Money


@dataclass(frozen=True, slots=True)
class PurchasingChange:
    """A change in how the plan buys a workload's capacity, apart from where it runs
    (``planner.cost.purchasing``): a commitment to sign (``kind`` ``sign``), one to let
    lapse (``lapse``: it stays on the site, off the commitment), spot adopted (``spot``) or
    another option (``other``).

    ``before``/``after``/``saving`` are per month for a workload that stays on its site in
    one part (``None`` otherwise: a commitment signed for a moved or new workload, whose
    saving is the move's). For a commitment: ``committed_per_month`` is its compute line,
    billed every hour of ``term_months`` whatever the workload uses (``committed_total``
    over the term); ``break_even_utilisation`` the share of the hours it must run for the
    commitment to cost no more than on-demand (commitment rate / on-demand rate)."""

    workload: str
    site: str
    kind: str
    from_option: PricingOption | None
    to_option: PricingOption
    after_per_month: Money
    before_per_month: Money | None = None
    saving_per_month: Money | None = None
    moved: bool = False
    term_months: int = 0
    committed_per_month: Money | None = None
    committed_total: Money | None = None
    on_demand_per_month: Money | None = None
    """On-demand for the same capacity at every hour of the month (730 h)."""
    break_even_utilisation: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Estate:
    """An owned site's whole estate, for the cash and accrual views (``planner.cost.estates``).

    ``purchase_month <= 0``: owned before the horizon (the hardware is sunk: only its run
    costs, refreshes and residual values fall in it); ``>= 1``: bought at the start of that
    month. Amortisation (``capex_per_month``) lasts ``depreciation_months`` from the
    purchase; with ``refresh`` the hardware is bought again when it ends."""

    site: str
    capex: Money
    """The hardware's purchase price (every node class)."""
    capex_per_month: Money
    """The amortised capital charge while depreciating (the estate's "capex" line)."""
    run_per_month: Money
    """Power, space, labour and support: paid every month the estate runs."""
    depreciation_months: int
    purchase_month: int = 0
    residual: Money = _ZERO
    """Sale value of the hardware at the end of its depreciation."""
    refresh: bool = False
    label: str = ""
    """Hardware added to the site after its own (``8 x hgx-h100-added``: capacity a what-if
    adds), bought whether or not the plan uses the site; ``""``: the site's hardware."""

    @property
    def per_month(self) -> Money:
        """The estate's monthly cost while depreciating (the accrual view)."""
        return self.capex_per_month + self.run_per_month

    @property
    def owned_today(self) -> bool:
        return self.purchase_month <= 0


@dataclass(frozen=True, slots=True)
class Plan:
    placements: tuple[Placement, ...]
    site_usage: tuple[SiteUsage, ...]
    classifications: tuple[Classification, ...]
    solver: SolverInfo
    findings: tuple[Finding, ...] = ()
    baseline_per_month: Money = _ZERO
    """Monthly cost of the current placement (the sum of ``workload_baseline_per_month``)."""
    per_month: Money = _ZERO
    """The sum of the placements' ``per_month`` and the purchases' ``idle_per_month``."""
    migration: Money = _ZERO
    """The sum of the placements' ``migration``."""
    horizon_months: int = 36
    input_digest: str = ""
    catalogue_version: str = ""
    purchases: tuple[Purchase, ...] = ()
    """Servers to buy, sorted by (site, node class); their idle share is in ``per_month``."""
    workload_baseline_per_month: Mapping[str, Money] = field(default_factory=dict)
    """Monthly cost of each workload where it runs today: the bill's EffectiveCost where the
    project's bill maps spend to it, else the catalogue estimate (``baseline_source``); new
    workloads are absent. Used by ``planner.report`` for savings per move."""
    baseline_source: Mapping[str, BaselineSource] = field(default_factory=dict)
    """Where each ``workload_baseline_per_month`` figure comes from: bill or estimate."""
    workload_estimate_per_month: Mapping[str, Money] = field(default_factory=dict)
    """The catalogue estimate of each workload with a current site (shown beside the bill)."""
    bill: Baseline | None = None
    """The project's bill (``billing:`` in project.yaml): coverage, unmapped spend,
    commitments; ``None`` when the project names no bill."""
    committed: tuple[CommittedSpend, ...] = ()
    """Committed spend the moves do not save before the commitments expire."""
    estates: tuple[Estate, ...] = ()
    """The owned sites' whole estates, sorted by site: the report puts the share no workload
    pays for on its own line ("idle owned capacity") and builds the cash view from them."""
    waves: WavePlan | None = None
    """The order and months of the moves (``planner.waves``); ``None``: not scheduled."""
    purchasing: tuple[PurchasingChange, ...] = ()
    """Commitments to sign or let lapse, spot adopted: by kind, workload, site."""
    currency: FxRate = USD
    """The project currency (``settings.currency``) and its dated rate from the catalogue:
    the reports show every amount in it (``planner.fx.to_currency``); amounts stay USD."""
    catalogue_captured: str = ""
    """The catalogue's ``captured`` date (a rate much older than it is stale)."""
    _placement_index: Mapping[str, Placement] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # By workload name, built once (``replace`` rebuilds it): emit and report look a
        # placement up per workload.
        index = {p.workload: p for p in reversed(self.placements)}
        object.__setattr__(self, "_placement_index", index)

    def placement(self, workload: str) -> Placement | None:
        """The placement of ``workload``, or ``None`` when the plan has none."""
        return self._placement_index.get(workload)
