"""Hypothesis strategies and small builders for workloads, sites, offers and whole problems
(imported as ``strategies``).

Shared by the solver's property and unit tests (and anyone else who needs a small world).
Offers are synthetic: they have the shape ``planner.cost.offers_for`` returns (eligible
ones priced, with usage; ineligible ones with a reason) but made-up prices.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import world
from hypothesis import strategies as st

from planner.model import (
    Capacity,
    Constraints,
    DataSpec,
    Dependency,
    Offer,
    PricingOption,
    Residency,
    Resources,
    Settings,
    Site,
    SiteKind,
    TrainingSpec,
    Workload,
    WorkloadKind,
)
from planner.money import Money

# --------------------------------------------------------------------------- builders


def site(
    name: str,
    *,
    kind: SiteKind = SiteKind.KUBERNETES,
    cpu: float = 64.0,
    memory_gib: float = 256.0,
    gpus: Mapping[str, int] | None = None,
    domains: int = 3,
    jurisdiction: Residency = Residency.EU,
    utilisation: float = 1.0,
    latency_ms: Mapping[str, float] | None = None,
) -> Site:
    """A site; cloud sites have no capacity (unlimited) and no cost inputs (offers are
    synthetic)."""
    cap = None if kind is SiteKind.CLOUD else Capacity(cpu, memory_gib, dict(gpus or {}))
    return world.site(
        name,
        kind,
        jurisdiction=jurisdiction,
        failure_domains=tuple(f"{name}-{i}" for i in range(domains)),
        availability_pct=99.95,
        capacity=cap,
        target_utilisation=utilisation,
        latency_ms=dict(latency_ms or {}),
        cloud_cost=None,
    )


def workload(
    name: str,
    *,
    team: str = "t1",
    tier: int = 3,
    replicas: int = 1,
    cpu: float = 1.0,
    memory_gib: float = 2.0,
    gpus: int = 0,
    gpu_type: str | None = None,
    residency: Residency = Residency.ANY,
    current_site: str | None = None,
    pinned_site: str | None = None,
    depends_on: Sequence[tuple[str, float | None]] = (),
    gpu_hours_per_month: float | None = None,
) -> Workload:
    """A workload with sensible defaults."""
    return world.workload(
        name,
        WorkloadKind.TRAINING if gpu_hours_per_month is not None else WorkloadKind.SERVICE,
        team=team,
        tier=tier,
        replicas=replicas,
        resources=Resources(cpu, memory_gib, gpus, gpu_type),
        data=DataSpec(residency=residency),
        depends_on=tuple(Dependency(n, lat) for n, lat in depends_on),
        current_site=current_site,
        pinned_site=pinned_site,
        training=(
            TrainingSpec(gpu_hours_per_month=gpu_hours_per_month)
            if gpu_hours_per_month is not None
            else None
        ),
    )


def offer(
    w: Workload,
    s: Site,
    usd_per_month: float | Money,
    *,
    option: PricingOption | None = None,
    migration_usd: float | Money | None = None,
    eligible: bool = True,
    reason: str | None = None,
    usage: Mapping[str, float] | None = None,
    fixed_usd_per_month: float | None = None,
) -> Offer:
    """An offer for all of ``w``'s replicas on ``s``; usage defaults to the request x replicas.
    Migration defaults to 1,000 USD when ``w`` has a different current site. Amounts given
    as floats are taken at their shortest digits, rounded to the cent (``Money.from_float``);
    ``fixed_usd_per_month`` makes it a training offer with that fixed monthly part."""
    if option is None:
        option = PricingOption.ON_DEMAND if s.kind is SiteKind.CLOUD else PricingOption.OWNED
    if usage is None:
        r = w.resources
        usage = {"cpu": r.cpu * w.replicas, "memory_gib": r.memory_gib * w.replicas}
        if r.gpus and r.gpu_type:
            usage[f"gpus:{r.gpu_type}"] = float(r.gpus * w.replicas)
    if migration_usd is None:
        migration_usd = 1000.0 if w.current_site not in (None, s.name) else 0.0
    return Offer(
        workload=w.name,
        site=s.name,
        option=option,
        per_month=_usd(usd_per_month),
        line_items=(),
        migration=_usd(migration_usd),
        eligible=eligible,
        reason=reason,
        usage=dict(usage),
        fixed_per_month=None if fixed_usd_per_month is None else _usd(fixed_usd_per_month),
    )


def _usd(value: float | Money) -> Money:
    return value if isinstance(value, Money) else Money.from_float(value, "USD")


@dataclass(frozen=True)
class World:
    """A whole synthetic problem: what ``planner.solve.solve_offers`` takes."""

    workloads: tuple[Workload, ...]
    sites: tuple[Site, ...]
    offers: Mapping[str, tuple[Offer, ...]]
    constraints: Constraints = field(default_factory=Constraints)
    settings: Settings = field(default_factory=lambda: Settings(solver_gap=0.0))


def standard_offers(
    workloads: Sequence[Workload], sites: Sequence[Site], prices: Mapping[tuple[str, str], float]
) -> dict[str, tuple[Offer, ...]]:
    """Offers for every workload x site with the given monthly prices. Residency mismatches
    are ineligible ("residency eu: site in us"); tier-1 spot offers too ("no spot for tier 1")."""
    out: dict[str, tuple[Offer, ...]] = {}
    for w in workloads:
        got: list[Offer] = []
        for s in sites:
            usd = prices[(w.name, s.name)]
            bad_residency = (
                w.data.residency is not Residency.ANY and s.jurisdiction is not w.data.residency
            )
            reason = (
                f"residency {w.data.residency.value}: {s.name} is in {s.jurisdiction.value}"
                if bad_residency
                else None
            )
            got.append(offer(w, s, usd, eligible=not bad_residency, reason=reason))
            if s.kind is SiteKind.CLOUD:
                spot_ok = w.tier != 1 and not bad_residency
                got.append(
                    offer(
                        w,
                        s,
                        round(usd * 0.4, 2),
                        option=PricingOption.SPOT,
                        eligible=spot_ok,
                        reason=None if spot_ok else (reason or "no spot for tier 1"),
                    )
                )
        out[w.name] = tuple(got)
    return out


# --------------------------------------------------------------------------- strategies


@st.composite
def worlds(
    draw: st.DrawFn,
    *,
    max_workloads: int = 4,
    max_owned: int = 2,
    cloud: bool | None = None,
    tier1: bool = True,
    budgets: bool = False,
    dependencies: bool = False,
) -> World:
    """A small problem: 1-2 owned sites (1-3 failure domains, tight capacity), an optional
    cloud site, 1-``max_workloads`` workloads with residency and tiers, random prices."""
    n_owned = draw(st.integers(1, max_owned))
    owned = [
        site(
            f"colo-{i}",
            cpu=float(draw(st.integers(4, 24))),
            memory_gib=float(draw(st.integers(16, 96))),
            domains=draw(st.integers(1, 3)),
            jurisdiction=draw(st.sampled_from([Residency.EU, Residency.US])),
            latency_ms={f"colo-{j}": float(draw(st.integers(1, 20))) for j in range(i)},
        )
        for i in range(n_owned)
    ]
    has_cloud = draw(st.booleans()) if cloud is None else cloud
    sites_ = [*owned]
    if has_cloud:
        sites_.append(site("cloud-eu", kind=SiteKind.CLOUD, jurisdiction=Residency.EU))
    n = draw(st.integers(1, max_workloads))
    ws = []
    for i in range(n):
        tier = draw(st.sampled_from([1, 2, 3] if tier1 else [2, 3]))
        ws.append(
            workload(
                f"w{i}",
                team=draw(st.sampled_from(["a", "b"])),
                tier=tier,
                replicas=draw(st.integers(1, 3)),
                cpu=float(draw(st.integers(1, 4))),
                memory_gib=float(draw(st.integers(1, 16))),
                residency=draw(st.sampled_from([Residency.ANY, Residency.ANY, Residency.EU])),
                current_site=draw(st.sampled_from([None, *(s.name for s in sites_)])),
                depends_on=(
                    [(f"w{i - 1}", float(draw(st.sampled_from([1, 10]))))]
                    if dependencies and i > 0 and draw(st.booleans())
                    else []
                ),
            )
        )
    prices = {(w.name, s.name): float(draw(st.integers(10, 1000))) for w in ws for s in sites_}
    constraints = Constraints(min_failure_domains_tier1=draw(st.sampled_from([2, 2, 3])))
    if budgets:
        constraints = replace(
            constraints,
            team_budget_per_month={"a": Money.of(draw(st.integers(100, 3000)), "USD")},
            max_cloud_share=draw(st.sampled_from([None, 0.5, 0.9])),
        )
    return World(
        workloads=tuple(ws),
        sites=tuple(sites_),
        offers=standard_offers(ws, sites_, prices),
        constraints=constraints,
    )


def permuted(world: World, order: Sequence[int], site_order: Sequence[int]) -> World:
    """The same world with workloads, sites and each workload's offers reordered."""
    ws = tuple(world.workloads[i] for i in order)
    ss = tuple(world.sites[i % len(world.sites)] for i in site_order)
    offers = {name: tuple(reversed(o)) for name, o in reversed(list(world.offers.items()))}
    return replace(world, workloads=ws, sites=ss, offers=offers)
