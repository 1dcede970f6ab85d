"""Why a workload runs where it runs: ``explain_workload`` for ``hybridplan explain``.

Pure: it reads a solved plan (a ``PlacementResult`` or a ``Plan``) and the candidates that
went into it, and returns an ``Explanation`` value; rendering is the CLI's job. Amounts are
``Money`` (the placement's and offers' own, never the LP's); shadow prices are LP duals.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from planner.fx import USD, FxRate
from planner.model import (
    Assignment,
    Constraints,
    Offer,
    Placement,
    PricingOption,
    SiteUsage,
    SolverInfo,
)
from planner.model.waves import WavePlan, month_label
from planner.money import Money
from planner.solve.candidates import Candidates
from planner.solve.extract import RowState

TIGHT_REL = 1e-6


class Solved(Protocol):
    """What an explanation needs from a solved plan (``PlacementResult`` and ``Plan``)."""

    @property
    def placements(self) -> tuple[Placement, ...]: ...

    @property
    def site_usage(self) -> tuple[SiteUsage, ...]: ...

    @property
    def solver(self) -> SolverInfo: ...

    @property
    def horizon_months(self) -> int: ...


@dataclass(frozen=True, slots=True)
class OfferLine:
    """One offer of the workload, as the solver saw it."""

    site: str
    option: PricingOption
    per_month: Money
    migration: Money
    horizon_total: Money
    """``horizon_months x per_month + migration``: what the objective compares."""
    eligible: bool
    reason: str | None
    chosen: bool
    instance_type: str | None = None


@dataclass(frozen=True, slots=True)
class Utilisation:
    """One resource of one site after planning."""

    site: str
    resource: str
    used: float
    capacity: float | None
    """Usable capacity (physical x target utilisation); ``None`` for cloud (unlimited)."""
    pct: float | None
    at_limit: bool
    spend: Money | None = None
    """A cloud site (resource ``usd_per_month``): its monthly spend in the plan."""


@dataclass(frozen=True, slots=True)
class BudgetLine:
    """A monthly budget of ``Constraints`` and how much of it the plan spends."""

    scope: str
    limit_per_month: Money
    used_per_month: Money
    at_limit: bool


@dataclass(frozen=True, slots=True)
class ShadowPrice:
    """A capacity or budget row and what one more unit of it would save (LP relaxation)."""

    row: str
    used: float
    limit: float
    at_limit: bool
    usd_over_horizon_per_unit: float


@dataclass(frozen=True, slots=True)
class WaveLine:
    """A moved workload's wave (``planner.waves``): when, with whom, and why."""

    number: int
    waves: int
    start_month: int
    end_month: int
    start: str
    """``start_month`` as a calendar month (``YYYY-MM``)."""
    group: tuple[str, ...]
    with_workloads: tuple[str, ...]
    """Every workload of the wave, in cutover order."""
    reasons: tuple[str, ...]

    def text(self) -> str:
        """``wave 2 of 5, month 2 (2027-02)``."""
        span = (
            f"month {self.start_month}"
            if self.start_month == self.end_month
            else f"months {self.start_month}-{self.end_month}"
        )
        return f"wave {self.number} of {self.waves}, {span} (from {self.start})"


@dataclass(frozen=True, slots=True)
class Explanation:
    """Where ``workload`` runs, what it would cost elsewhere, and what held it there."""

    workload: str
    assignments: tuple[Assignment, ...]
    per_month: Money
    migration: Money
    horizon_months: int
    horizon_total: Money
    previous_site: str | None
    moved: bool
    reason: str
    binding: tuple[str, ...]
    runner_up: OfferLine | None
    runner_up_extra_per_month: Money | None
    """Runner-up monthly cost minus the chosen one's (positive: the runner-up costs more)."""
    runner_up_extra_horizon: Money | None
    """The same over the horizon, migration included: what the choice saves."""
    offers: tuple[OfferLine, ...]
    """Every offer, cheapest over the horizon first (eligible before ineligible)."""
    utilisation: tuple[Utilisation, ...]
    """Every site the workload uses or could use, per resource."""
    budgets: tuple[BudgetLine, ...]
    solver: SolverInfo
    shadow_prices: tuple[ShadowPrice, ...] = ()
    """Rows of the sites this workload could use (and budgets) with a positive shadow
    price; empty when the solved plan carries no row duals (a ``Plan``)."""
    wave: WaveLine | None = None
    """The migration wave the workload moves in, and why; ``None`` when it does not move."""
    currency: FxRate = USD
    """The project currency the explanation is shown in (amounts stay USD)."""

    @property
    def partly_moved(self) -> bool:
        """Keeps its current site and also runs elsewhere (pays migration for that share)."""
        sites = {a.site for a in self.assignments}
        return self.previous_site in sites and len(sites) > 1

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form for ``planner.money.json_text`` (plain types and ``Money``; stable
        key order is the caller's ``sort_keys``)."""

        def offer(o: OfferLine) -> dict[str, object]:
            return {
                "site": o.site,
                "option": o.option.value,
                "instance_type": o.instance_type,
                "usd_per_month": o.per_month,
                "migration_usd": o.migration,
                "horizon_usd": o.horizon_total,
                "eligible": o.eligible,
                "reason": o.reason,
                "chosen": o.chosen,
            }

        return {
            "workload": self.workload,
            "assignments": [
                {
                    "site": a.site,
                    "option": a.option.value,
                    "replicas": a.replicas,
                    "usd_per_month": a.per_month,
                    "instance_type": a.instance_type,
                    "gpu_hours_per_month": a.gpu_hours_per_month,
                }
                for a in self.assignments
            ],
            "usd_per_month": self.per_month,
            "migration_usd": self.migration,
            "horizon_months": self.horizon_months,
            "horizon_usd": self.horizon_total,
            "previous_site": self.previous_site,
            "moved": self.moved,
            "partly_moved": self.partly_moved,
            "reason": self.reason,
            "binding": list(self.binding),
            "runner_up": None if self.runner_up is None else offer(self.runner_up),
            "runner_up_extra_usd_per_month": self.runner_up_extra_per_month,
            "runner_up_extra_horizon_usd": self.runner_up_extra_horizon,
            "offers": [offer(o) for o in self.offers],
            "utilisation": [
                {
                    "site": u.site,
                    "resource": u.resource,
                    "used": u.spend if u.spend is not None else u.used,
                    "capacity": u.capacity,
                    "pct": u.pct,
                    "at_limit": u.at_limit,
                }
                for u in self.utilisation
            ],
            "budgets": [
                {
                    "scope": b.scope,
                    "limit_usd_per_month": b.limit_per_month,
                    "used_usd_per_month": b.used_per_month,
                    "at_limit": b.at_limit,
                }
                for b in self.budgets
            ],
            "shadow_prices": [
                {
                    "row": s.row,
                    "used": s.used,
                    "limit": s.limit,
                    "at_limit": s.at_limit,
                    "usd_over_horizon_per_unit": s.usd_over_horizon_per_unit,
                }
                for s in self.shadow_prices
            ],
            "wave": None
            if self.wave is None
            else {
                "number": self.wave.number,
                "waves": self.wave.waves,
                "start_month": self.wave.start_month,
                "end_month": self.wave.end_month,
                "start": self.wave.start,
                "group": list(self.wave.group),
                "workloads": list(self.wave.with_workloads),
                "reasons": list(self.wave.reasons),
            },
            "solver": {
                "method": self.solver.method,
                "status": self.solver.status,
                "objective_usd": self.solver.objective_usd,
                "lp_bound_usd": self.solver.lp_bound_usd,
                "gap": self.solver.gap,
                "time_limited": self.solver.time_limited,
                "note": self.solver.note,
            },
        }


def _line(o: Offer, horizon: int, chosen: set[tuple[str, str]]) -> OfferLine:
    # exact, so each row (and the chosen one against the placement's own horizon figure)
    # can be checked by hand
    return OfferLine(
        site=o.site,
        option=o.option,
        per_month=o.per_month,
        migration=o.migration,
        horizon_total=o.per_month * horizon + o.migration,
        eligible=o.eligible,
        reason=o.reason,
        chosen=(o.site, o.option) in chosen,
        instance_type=o.instance_type,
    )


def _at_limit(used: float, limit: float) -> bool:
    return used >= limit - TIGHT_REL * max(1.0, abs(limit))


def _budget(scope: str, limit: Money, used: Money) -> BudgetLine:
    return BudgetLine(scope, limit, used, used >= limit)


def explain_workload(
    result: Solved,
    candidates: Candidates,
    name: str,
    *,
    constraints: Constraints | None = None,
    team_of: Mapping[str, str] | None = None,
) -> Explanation:
    """Explain ``name``'s placement. Raises ``KeyError`` if the plan has no such workload.

    ``constraints`` (and ``team_of``, workload -> team, for team budgets) add the budgets
    the plan spends against."""
    placement = next((p for p in result.placements if p.workload == name), None)
    if placement is None:
        raise KeyError(name)
    horizon = result.horizon_months
    chosen = {(a.site, a.option.value) for a in placement.assignments}
    try:
        offers = candidates.get(name).offers
    except KeyError:
        offers = ()
    lines = sorted(
        (_line(o, horizon, chosen) for o in offers),
        key=lambda o: (not o.eligible, o.horizon_total.cents, o.site, o.option),
    )
    paid = placement.per_month * horizon + placement.migration
    runner = placement.runner_up
    runner_line = _line(runner, horizon, chosen) if runner is not None else None
    extra_month = extra_h = None
    if runner_line is not None:
        extra_month = runner_line.per_month - placement.per_month
        extra_h = runner_line.horizon_total - paid

    relevant = {o.site for o in offers if o.eligible} | {a.site for a in placement.assignments}
    util: list[Utilisation] = []
    for su in sorted(result.site_usage, key=lambda s: s.site):
        if su.site not in relevant:
            continue
        keys = sorted(set(su.capacity) | set(su.used))
        if not keys:
            util.append(Utilisation(su.site, "usd_per_month", 0.0, None, None, False, su.per_month))
            continue
        for res in keys:
            used = float(su.used.get(res, 0.0))
            cap = su.capacity.get(res)
            pct = round(100.0 * used / cap, 1) if cap else None
            util.append(
                Utilisation(
                    su.site,
                    res,
                    round(used, 3),
                    None if cap is None else round(float(cap), 3),
                    pct,
                    cap is not None and cap > 0 and _at_limit(used, float(cap)),
                )
            )

    budgets: list[BudgetLine] = []
    if constraints is not None:
        cur = placement.per_month.currency
        spend_site = {su.site: su.per_month for su in result.site_usage}
        teams = team_of or {}
        team = teams.get(name)
        if team is not None and team in constraints.team_budget_per_month:
            spent = (p.per_month for p in result.placements if teams.get(p.workload) == team)
            budgets.append(
                _budget(
                    f"team {team}",
                    constraints.team_budget_per_month[team],
                    Money.total(spent, cur),
                )
            )
        for site in sorted({a.site for a in placement.assignments}):
            if site in constraints.site_budget_per_month:
                budgets.append(
                    _budget(
                        f"site {site}",
                        constraints.site_budget_per_month[site],
                        spend_site.get(site, Money.zero(cur)),
                    )
                )
        if constraints.total_budget_per_month is not None:
            total = Money.total((p.per_month for p in result.placements), cur)
            budgets.append(_budget("total", constraints.total_budget_per_month, total))

    shadow: list[ShadowPrice] = []
    rows: tuple[RowState, ...] = getattr(result, "rows", ())
    for st in rows:
        value = st.shadow_usd
        if value is None or value <= 1e-9:
            continue
        parts = st.label.split(" ")
        mine = st.kind != "capacity" or (len(parts) > 1 and parts[1] in relevant)
        if mine:
            shadow.append(
                ShadowPrice(
                    st.label,
                    round(st.used, 3),
                    round(st.limit, 3),
                    st.tight,
                    round(value, 2),
                )
            )

    return Explanation(
        workload=name,
        assignments=placement.assignments,
        per_month=placement.per_month,
        migration=placement.migration,
        horizon_months=horizon,
        horizon_total=paid,
        previous_site=placement.previous_site,
        moved=placement.moved,
        reason=placement.reason,
        binding=placement.binding,
        runner_up=runner_line,
        runner_up_extra_per_month=extra_month,
        runner_up_extra_horizon=extra_h,
        offers=tuple(lines),
        utilisation=tuple(util),
        budgets=tuple(budgets),
        solver=result.solver,
        shadow_prices=tuple(shadow),
    )


def move_text(e: Explanation) -> str:
    """How the placement relates to where the workload runs today: ``new``, ``moves from
    S``, ``stays on S`` or ``stays on S and also runs on T: moves in part``."""
    if e.previous_site is None:
        return "new"
    if e.moved:
        return f"moves from {e.previous_site}"
    others = sorted({a.site for a in e.assignments} - {e.previous_site})
    if others:
        return f"stays on {e.previous_site} and also runs on {', '.join(others)}: moves in part"
    return f"stays on {e.previous_site}"


def wave_line(waves: WavePlan | None, name: str) -> WaveLine | None:
    """``name``'s wave in ``waves``, or ``None`` when it does not move."""
    move = None if waves is None else waves.move(name)
    if waves is None or move is None:
        return None
    w = waves.waves[move.wave - 1]
    return WaveLine(
        number=w.number,
        waves=len(waves.waves),
        start_month=w.start_month,
        end_month=w.end_month,
        start=month_label(waves.start_month, w.start_month - 1),
        group=move.group,
        with_workloads=w.workloads,
        reasons=move.reasons,
    )
