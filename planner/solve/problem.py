"""The placement problem as plain values: blocks of workloads, columns, rows, a CSC matrix.

``build_model`` turns workloads, sites, eligible offers and ``Constraints`` into a ``Model``
that both the MILP (``planner.solve.milp``) and the greedy baseline
(``planner.solve.greedy``) consume; the formulation itself is written out in
``planner.solve.milp``'s docstring. Nothing here imports a solver or reads the clock.

Blocks
    Identical workloads (same team, tier, replicas and the same offers up to the workload
    name) aggregate into one *whole* block whose columns are integer counts of members
    placed on each offer. A tier-1 workload that could use a site with fewer failure
    domains than it must span becomes a *split* block (integer replica counts per offer,
    plus domain-cover variables). A training workload becomes a *train* block (continuous
    fractions of its monthly GPU-hours). Workloads in a latency-bound dependency are never
    aggregated (they need their own site indicators).
"""

from __future__ import annotations

import functools
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from planner.model import HOURS_PER_MONTH, Constraints, Offer, Site, SiteKind, Workload

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

INF = math.inf

RELAXABLE_WORDS = ("residency", "pruned", "pinned", "availability", "policy")
"""Ineligible offers whose reason mentions one of these are rules a user may relax; the
infeasibility diagnosis may propose them. Others (GPU type absent, ...) are physical."""


class BlockKind(StrEnum):
    WHOLE = "whole"
    SPLIT = "split"
    TRAIN = "train"


class ColKind(StrEnum):
    OFFER = "offer"
    COVER = "cover"
    """z[b,s]: failure domains of site s covered by split block b."""
    USE = "use"
    """u[b,s]: 1 if block b uses site s (split and train blocks in latency rules)."""
    SLACK = "slack"
    SWITCH = "switch"
    """e_r: 1 if the elastic model relaxes row r (counted diagnosis)."""
    RELAXED = "relaxed"
    """An ineligible offer opened by the elastic diagnosis model."""


class RowKind(StrEnum):
    ASSIGN = "assign"
    CAPACITY = "capacity"
    BUDGET_TEAM = "budget-team"
    BUDGET_SITE = "budget-site"
    BUDGET_TOTAL = "budget-total"
    CLOUD_SHARE = "cloud-share"
    SPREAD = "spread"
    SPREAD_CAP = "spread-cap"
    COVER_LINK = "cover-link"
    USE_LINK = "use-link"
    LATENCY = "latency"
    SWITCH = "switch"


@dataclass(frozen=True, slots=True)
class Block:
    """Workloads decided together. ``units`` is how many units the columns must sum to."""

    index: int
    kind: BlockKind
    members: tuple[str, ...]
    team: str
    tier: int
    replicas: int
    units: float
    per_member: float
    """Units per member: 1 for whole and train blocks, ``replicas`` for split blocks."""
    spread: int
    """Failure domains a split block must cover (0 otherwise)."""
    offers: tuple[Offer, ...]
    """The representative's eligible offers, sorted by (site, option)."""
    relaxable: tuple[Offer, ...] = ()
    """Ineligible offers a user could allow (residency, policy prunes, pins)."""
    current_site: str | None = None
    gpu_hours_per_month: float = 0.0


@dataclass(frozen=True, slots=True)
class RowInfo:
    kind: RowKind
    site: str = ""
    resource: str = ""
    team: str = ""
    block: int = -1
    other: str = ""
    """Latency rows: the dependency's name (the row's workload is ``block``'s member)."""


@dataclass(frozen=True, slots=True)
class Column:
    kind: ColKind
    block: int
    site: int
    offer: int = -1
    """Index into ``block.offers`` (OFFER) or ``block.relaxable`` (RELAXED)."""
    row: int = -1
    """SLACK columns: the row they relax."""


@dataclass(frozen=True, slots=True)
class Model:
    """A linear model in column-wise (CSC) form plus the bookkeeping to read it back."""

    blocks: tuple[Block, ...]
    sites: tuple[Site, ...]
    horizon_months: int
    columns: tuple[Column, ...]
    rows: tuple[RowInfo, ...]
    cost: FloatArray
    """Objective per column: horizon x USD/month + migration (penalties when elastic)."""
    usd_per_month: FloatArray
    migration_usd: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: BoolArray
    row_lower: FloatArray
    row_upper: FloatArray
    start: IntArray
    index: IntArray
    value: FloatArray
    elastic: bool = False
    penalty: FloatArray = field(default_factory=lambda: np.zeros(0))
    """Elastic models: the penalty part of ``cost`` per column (0 for real columns)."""

    @property
    def n_cols(self) -> int:
        return len(self.columns)

    @property
    def n_rows(self) -> int:
        return len(self.rows)

    def site_index(self, name: str) -> int:
        for i, s in enumerate(self.sites):
            if s.name == name:
                return i
        raise KeyError(name)

    def row_activity(self, x: FloatArray) -> FloatArray:
        """A x for a column vector ``x``."""
        counts = np.diff(self.start)
        cols = np.repeat(np.arange(self.n_cols), counts)
        out = np.zeros(self.n_rows)
        np.add.at(out, self.index, self.value * x[cols])
        return out


# --------------------------------------------------------------------------- helpers


def latency_ms(a: Site, b: Site) -> float:
    """Symmetric round-trip latency; 0 on the same site; ``inf`` when neither side knows."""
    if a.name == b.name:
        return 0.0
    got = [v for v in (a.latency_ms.get(b.name), b.latency_ms.get(a.name)) if v is not None]
    return min(got) if got else INF


def usable_capacity(site: Site) -> dict[str, float]:
    """Capacity the solver may fill: physical x target utilisation (empty for cloud)."""
    if site.capacity is None or site.kind is SiteKind.CLOUD:
        return {}
    u = site.target_utilisation
    out = {"cpu": site.capacity.cpu * u, "memory_gib": site.capacity.memory_gib * u}
    for gpu_type, count in sorted(site.capacity.gpus.items()):
        out[f"gpus:{gpu_type}"] = count * u
        out[f"gpu_hours:{gpu_type}"] = count * HOURS_PER_MONTH * u
    return out


@functools.lru_cache(maxsize=4096)
def _relaxable_reason(reason: str) -> bool:
    low = reason.lower()
    return any(word in low for word in RELAXABLE_WORDS)


def is_relaxable(offer: Offer) -> bool:
    return _relaxable_reason(offer.reason or "")


def offer_sort_key(o: Offer) -> tuple[str, str]:
    # PricingOption is a StrEnum: its members compare as their string values
    return (o.site, o.option)


def fixed_part(offer: Offer) -> float:
    """A training offer's monthly part that does not scale with its GPU-hours (egress,
    checkpoint storage): ``usage['fixed_usd_per_month']`` from ``planner.cost``."""
    return float(offer.usage.get("fixed_usd_per_month", 0.0))


def variable_part(block: Block, offer: Offer) -> tuple[float, float]:
    """(USD/month, one-off migration USD) of one unit of ``block`` on ``offer``. For a
    training block the fixed monthly part and the migration go on the site-use column."""
    if block.kind is BlockKind.TRAIN:
        return offer.usd_per_month - fixed_part(offer), 0.0
    return offer.usd_per_month / block.per_member, offer.migration_usd / block.per_member


def unit_usage(block: Block, offer: Offer) -> dict[str, float]:
    """Capacity one unit of ``block`` consumes on ``offer``'s site."""
    usage: dict[str, float] = {}
    if block.kind is BlockKind.TRAIN:
        for key, val in offer.usage.items():
            if key.startswith("peak_gpus:"):
                usage["gpus:" + key.split(":", 1)[1]] = float(val)
        for key, val in offer.usage.items():
            if key in ("cpu", "memory_gib"):
                usage[key] = float(val)
            elif key.startswith("gpus:"):
                gpu_type = key.split(":", 1)[1]
                usage.setdefault(key, float(val))
                usage[f"gpu_hours:{gpu_type}"] = block.gpu_hours_per_month
        return usage
    for key, val in offer.usage.items():
        if key in ("cpu", "memory_gib"):
            usage[key] = float(val) / block.per_member
        elif key.startswith("gpus:"):
            usage[key] = float(val) / block.per_member
            usage["gpu_hours:" + key.split(":", 1)[1]] = (
                float(val) * HOURS_PER_MONTH / block.per_member
            )
    return usage


# --------------------------------------------------------------------------- blocks

_Proto = tuple[str, BlockKind, tuple[Workload, ...], tuple[Offer, ...], tuple[Offer, ...], int]


def _signature(w: Workload, offers: Sequence[Offer], relax: Sequence[Offer]) -> tuple[object, ...]:
    def o_sig(o: Offer) -> tuple[object, ...]:
        return (
            o.site,
            o.option,
            o.usd_per_month,
            o.migration_usd,
            tuple(sorted(o.usage.items())),
            o.instance_type,
        )

    return (
        w.team,
        w.tier,
        w.replicas,
        w.current_site,
        tuple(o_sig(o) for o in offers),
        tuple((o.site, o.option, o.usd_per_month, o.reason) for o in relax),
    )


def build_blocks(
    workloads: Sequence[Workload],
    sites: Sequence[Site],
    offers: Mapping[str, Sequence[Offer]],
    constraints: Constraints,
    *,
    aggregate: bool = True,
) -> tuple[Block, ...]:
    """Group workloads into blocks (see the module docstring). ``offers`` holds every offer
    of each workload, eligible or not; pins are applied here."""
    by_site = {s.name: s for s in sites}
    in_latency: set[str] = set()
    names = {w.name for w in workloads}
    for w in workloads:
        for d in w.depends_on:
            if d.max_latency_ms is not None and d.name in names:
                in_latency.update((w.name, d.name))
    k_min = max(1, constraints.min_failure_domains_tier1)
    groups: dict[tuple[object, ...], list[tuple[Workload, tuple[Offer, ...], tuple[Offer, ...]]]]
    groups = defaultdict(list)
    singles: list[tuple[BlockKind, Workload, tuple[Offer, ...], tuple[Offer, ...], int]] = []
    for w in sorted(workloads, key=lambda w: w.name):
        all_offers = sorted(offers.get(w.name, ()), key=offer_sort_key)
        eligible = [o for o in all_offers if o.eligible and o.site in by_site]
        relax = [o for o in all_offers if not o.eligible and o.site in by_site and is_relaxable(o)]
        if w.pinned_site is not None:
            why = f"pinned to {w.pinned_site}"
            relax += [
                replace(o, eligible=False, reason=why) for o in eligible if o.site != w.pinned_site
            ]
            eligible = [o for o in eligible if o.site == w.pinned_site]
        relax.sort(key=offer_sort_key)
        elig = tuple(eligible)
        rel = tuple(relax)
        spread = min(k_min, w.replicas) if w.tier == 1 else 0
        if w.training is not None:
            singles.append((BlockKind.TRAIN, w, elig, rel, 0))
            continue
        needs_split = spread >= 2 and any(
            len(by_site[o.site].failure_domains) < spread for o in (*elig, *rel)
        )
        kind = BlockKind.SPLIT if needs_split else BlockKind.WHOLE
        # a split block aggregates only when its spread is 2 (the cap formulation is exact)
        if not aggregate or w.name in in_latency or (needs_split and spread != 2):
            singles.append((kind, w, elig, rel, spread))
        else:
            groups[(kind.value, spread, *_signature(w, elig, rel))].append((w, elig, rel))

    protos: list[_Proto] = []
    for key, members in groups.items():
        ws = tuple(m[0] for m in members)
        kind = BlockKind(str(key[0]))
        spread = int(str(key[1]))
        protos.append((ws[0].name, kind, ws, members[0][1], members[0][2], spread))
    for kind, w, elig, rel, spread in singles:
        protos.append((w.name, kind, (w,), elig, rel, spread))
    protos.sort(key=lambda p: p[0])
    blocks: list[Block] = []
    for i, (_, kind, ws, elig, rel, spread) in enumerate(protos):
        w0 = ws[0]
        per_member = float(w0.replicas) if kind is BlockKind.SPLIT else 1.0
        units = per_member * len(ws) if kind is not BlockKind.TRAIN else 1.0
        blocks.append(
            Block(
                index=i,
                kind=kind,
                members=tuple(w.name for w in ws),
                team=w0.team,
                tier=w0.tier,
                replicas=w0.replicas,
                units=units,
                per_member=per_member,
                spread=spread,
                offers=elig,
                relaxable=rel,
                current_site=w0.current_site,
                gpu_hours_per_month=(
                    w0.training.gpu_hours_per_month if w0.training is not None else 0.0
                ),
            )
        )
    return tuple(blocks)


# --------------------------------------------------------------------------- model


class _Builder:
    """Accumulates columns and (row, col, value) triplets, then packs CSC arrays."""

    def __init__(self) -> None:
        self.columns: list[Column] = []
        self.cost: list[float] = []
        self.month: list[float] = []
        self.mig: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.penalty: list[float] = []
        self.rows: list[RowInfo] = []
        self.row_lower: list[float] = []
        self.row_upper: list[float] = []
        self.r: list[int] = []
        self.c: list[int] = []
        self.v: list[float] = []

    def col(
        self,
        column: Column,
        *,
        cost: float = 0.0,
        month: float = 0.0,
        mig: float = 0.0,
        ub: float = INF,
        integer: bool = False,
        penalty: float = 0.0,
    ) -> int:
        self.columns.append(column)
        self.cost.append(cost + penalty)
        self.month.append(month)
        self.mig.append(mig)
        self.lower.append(0.0)
        self.upper.append(ub)
        self.integer.append(integer)
        self.penalty.append(penalty)
        return len(self.columns) - 1

    def row(self, info: RowInfo, lo: float, hi: float) -> int:
        self.rows.append(info)
        self.row_lower.append(lo)
        self.row_upper.append(hi)
        return len(self.rows) - 1

    def nz(self, row: int, col: int, val: float) -> None:
        if val != 0.0:
            self.r.append(row)
            self.c.append(col)
            self.v.append(val)


def build_model(
    blocks: Sequence[Block],
    sites: Sequence[Site],
    constraints: Constraints,
    horizon_months: int,
    *,
    dependencies: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    elastic: bool = False,
    counted: bool = False,
) -> Model:
    """The model of ``planner.solve.milp``'s docstring. ``dependencies`` maps a workload to
    its latency-bound dependencies ``(name, max_latency_ms)``. ``elastic`` adds penalised
    slack to every relaxable row and opens relaxable ineligible offers (diagnosis); with
    ``counted`` each relaxed row also costs one through a binary (fewest rows first)."""
    sites = tuple(sorted(sites, key=lambda s: s.name))
    s_idx = {s.name: i for i, s in enumerate(sites)}
    b = _Builder()
    horizon = float(horizon_months)

    # Scale for elastic cost: the real objective must weigh less than one penalty unit.
    worst = sum(
        max((horizon * o.usd_per_month + o.migration_usd for o in blk.offers), default=0.0)
        * (blk.units / blk.per_member)
        for blk in blocks
    )
    eps = 1e-3 / (worst + 1.0) if elastic else 1.0

    relax_rows: list[tuple[int, int]] = []
    """Rows the elastic model may violate, with the site they belong to (-1: none)."""

    # --- offer columns
    offer_cols: list[list[int]] = []
    cols_at: list[dict[int, list[int]]] = []
    for blk in blocks:
        mine: list[int] = []
        at: dict[int, list[int]] = defaultdict(list)
        integer = blk.kind is not BlockKind.TRAIN
        for oi, o in enumerate(blk.offers):
            month, mig = variable_part(blk, o)
            j = b.col(
                Column(ColKind.OFFER, blk.index, s_idx[o.site], oi),
                cost=(horizon * month + mig) * eps,
                month=month,
                mig=mig,
                ub=blk.units,
                integer=integer,
            )
            mine.append(j)
            at[s_idx[o.site]].append(j)
        if elastic:
            for oi, o in enumerate(blk.relaxable):
                month, mig = variable_part(blk, o)
                j = b.col(
                    Column(ColKind.RELAXED, blk.index, s_idx[o.site], oi),
                    cost=(horizon * month + mig) * eps,
                    month=month,
                    mig=mig,
                    ub=blk.units,
                    integer=integer,
                    penalty=1.0 / blk.per_member,
                )
                mine.append(j)
                at[s_idx[o.site]].append(j)
        offer_cols.append(mine)
        cols_at.append(dict(at))

    # --- site-use indicators u[b,s]: split/train blocks in a latency rule, and every train
    # block (its fixed monthly part and its migration are paid once per site it uses)
    deps = dependencies or {}
    dep_names = set(deps) | {d for v in deps.values() for d, _ in v}
    use_cols: dict[tuple[int, int], int] = {}
    for blk in blocks:
        train = blk.kind is BlockKind.TRAIN
        if blk.kind is BlockKind.WHOLE or not (train or blk.members[0] in dep_names):
            continue
        for si in sorted(cols_at[blk.index]):
            here = [o for o in (*blk.offers, *blk.relaxable) if s_idx[o.site] == si]
            fixed = max((fixed_part(o) for o in here), default=0.0) if train else 0.0
            mig = max((o.migration_usd for o in here), default=0.0) if train else 0.0
            use_cols[(blk.index, si)] = b.col(
                Column(ColKind.USE, blk.index, si),
                cost=(horizon * fixed + mig) * eps,
                month=fixed,
                mig=mig,
                ub=1.0,
                integer=True,
            )

    def offer_of(col: Column) -> Offer:
        blk = blocks[col.block]
        return blk.offers[col.offer] if col.kind is ColKind.OFFER else blk.relaxable[col.offer]

    # --- assignment rows
    for blk in blocks:
        r = b.row(RowInfo(RowKind.ASSIGN, block=blk.index), blk.units, blk.units)
        for j in offer_cols[blk.index]:
            b.nz(r, j, 1.0)

    # --- capacity rows: one per (owned site, resource) that some column uses
    usage_by_row: dict[tuple[int, str], list[tuple[int, float]]] = defaultdict(list)
    for blk in blocks:
        for j in offer_cols[blk.index]:
            col = b.columns[j]
            if sites[col.site].kind is SiteKind.CLOUD or sites[col.site].capacity is None:
                continue
            for res, val in unit_usage(blk, offer_of(col)).items():
                if val:
                    usage_by_row[(col.site, res)].append((j, val))
    for (si, res), entries in sorted(usage_by_row.items()):
        limit = usable_capacity(sites[si]).get(res, 0.0)
        r = b.row(RowInfo(RowKind.CAPACITY, site=sites[si].name, resource=res), -INF, limit)
        for j, val in entries:
            b.nz(r, j, val)
        relax_rows.append((r, si))

    # --- budgets and cloud share (monthly spend)
    all_spend = [
        (j, b.month[j])
        for j, col in enumerate(b.columns)
        if col.kind in (ColKind.OFFER, ColKind.RELAXED, ColKind.USE) and b.month[j]
    ]

    def budget_row(info: RowInfo, limit: float, entries: list[tuple[int, float]]) -> None:
        r = b.row(info, -INF, limit)
        for j, val in entries:
            b.nz(r, j, val)
        relax_rows.append((r, -1))

    for team, limit in sorted(constraints.team_budget_usd_per_month.items()):
        entries = [(j, v) for j, v in all_spend if blocks[b.columns[j].block].team == team]
        budget_row(RowInfo(RowKind.BUDGET_TEAM, team=team), limit, entries)
    for site, limit in sorted(constraints.site_budget_usd_per_month.items()):
        if site not in s_idx:
            continue
        entries = [(j, v) for j, v in all_spend if b.columns[j].site == s_idx[site]]
        budget_row(RowInfo(RowKind.BUDGET_SITE, site=site), limit, entries)
    if constraints.total_budget_usd_per_month is not None:
        budget_row(RowInfo(RowKind.BUDGET_TOTAL), constraints.total_budget_usd_per_month, all_spend)
    if constraints.max_cloud_share is not None:
        share = constraints.max_cloud_share
        entries = [
            (j, v * ((1.0 - share) if sites[b.columns[j].site].kind is SiteKind.CLOUD else -share))
            for j, v in all_spend
        ]
        r = b.row(RowInfo(RowKind.CLOUD_SHARE, other=f"{share:g}"), -INF, 0.0)
        for j, val in entries:
            b.nz(r, j, val)
        relax_rows.append((r, -1))

    # --- spread (split blocks) and site-use links
    member_block = {m: blk.index for blk in blocks for m in blk.members}
    for blk in blocks:
        at = cols_at[blk.index]
        if blk.kind is BlockKind.SPLIT and blk.spread == 2:
            # at most (replicas - 1) x members replicas on a one-domain site: exactly the
            # aggregated plans whose replicas, striped over the members, give each member
            # two failure domains
            for si in sorted(at):
                if len(sites[si].failure_domains) >= 2:
                    continue
                cap_r = (blk.per_member - 1.0) * len(blk.members)
                r = b.row(
                    RowInfo(RowKind.SPREAD_CAP, site=sites[si].name, block=blk.index), -INF, cap_r
                )
                for j in at[si]:
                    b.nz(r, j, 1.0)
                relax_rows.append((r, si))
        elif blk.kind is BlockKind.SPLIT:
            cover: list[int] = []
            for si in sorted(at):
                cap = float(min(len(sites[si].failure_domains), blk.spread))
                z = b.col(Column(ColKind.COVER, blk.index, si), ub=cap, integer=True)
                r = b.row(
                    RowInfo(RowKind.COVER_LINK, site=sites[si].name, block=blk.index), -INF, 0
                )
                b.nz(r, z, 1.0)
                for j in at[si]:
                    b.nz(r, j, -1.0)
                cover.append(z)
            r = b.row(RowInfo(RowKind.SPREAD, block=blk.index), float(blk.spread), INF)
            for z in cover:
                b.nz(r, z, 1.0)
            relax_rows.append((r, -1))
        for si in sorted(at):
            if (blk.index, si) in use_cols:
                u = use_cols[(blk.index, si)]
                r = b.row(RowInfo(RowKind.USE_LINK, site=sites[si].name, block=blk.index), -INF, 0)
                b.nz(r, u, -blk.units)
                for j in at[si]:
                    b.nz(r, j, 1.0)

    def indicator(bi: int, si: int) -> list[tuple[int, float]]:
        if (bi, si) in use_cols:
            return [(use_cols[(bi, si)], 1.0)]
        return [(j, 1.0) for j in cols_at[bi].get(si, [])]

    # --- latency-bound dependencies
    for w_name in sorted(deps):
        if w_name not in member_block:
            continue
        wb = member_block[w_name]
        for d_name, bound in sorted(deps[w_name]):
            if d_name not in member_block or d_name == w_name:
                continue
            db = member_block[d_name]
            for si in sorted(cols_at[wb]):
                far = [ti for ti in sorted(cols_at[db]) if latency_ms(sites[si], sites[ti]) > bound]
                if not far:
                    continue
                n = float(len(far))
                r = b.row(
                    RowInfo(RowKind.LATENCY, site=sites[si].name, block=wb, other=d_name),
                    -INF,
                    n,
                )
                for j, val in indicator(wb, si):
                    b.nz(r, j, n * val)
                for ti in far:
                    for j, val in indicator(db, ti):
                        b.nz(r, j, val)
                relax_rows.append((r, si))

    if elastic:
        _add_slack(b, relax_rows, counted=counted)

    # --- pack CSC
    n = len(b.columns)
    rr = np.asarray(b.r, dtype=np.int64)
    cc = np.asarray(b.c, dtype=np.int64)
    vv = np.asarray(b.v, dtype=np.float64)
    order = np.lexsort((rr, cc))
    cc = cc[order]
    start = np.searchsorted(cc, np.arange(n + 1)).astype(np.int64)
    return Model(
        blocks=tuple(blocks),
        sites=sites,
        horizon_months=horizon_months,
        columns=tuple(b.columns),
        rows=tuple(b.rows),
        cost=np.asarray(b.cost, dtype=np.float64),
        usd_per_month=np.asarray(b.month, dtype=np.float64),
        migration_usd=np.asarray(b.mig, dtype=np.float64),
        lower=np.asarray(b.lower, dtype=np.float64),
        upper=np.asarray(b.upper, dtype=np.float64),
        integer=np.asarray(b.integer, dtype=np.bool_),
        row_lower=np.asarray(b.row_lower, dtype=np.float64),
        row_upper=np.asarray(b.row_upper, dtype=np.float64),
        start=start,
        index=rr[order],
        value=vv[order],
        elastic=elastic,
        penalty=np.asarray(b.penalty, dtype=np.float64),
    )


def _add_slack(b: _Builder, relax_rows: Sequence[tuple[int, int]], *, counted: bool) -> None:
    """Elastic slack on each relaxable row, penalised by its share of the row's largest
    possible violation (so rows of any unit compare); with ``counted`` a binary e_r
    (s_r <= M_r e_r) costs 1 more, so the fewest rows are relaxed, then the least."""
    rr = np.asarray(b.r, dtype=np.int64)
    cc = np.asarray(b.c, dtype=np.int64)
    vv = np.asarray(b.v, dtype=np.float64)
    ub = np.asarray(b.upper, dtype=np.float64)
    ub = np.where(np.isfinite(ub), ub, 0.0)
    n_rows = len(b.rows)
    most = np.zeros(n_rows)
    least = np.zeros(n_rows)
    np.add.at(most, rr, np.maximum(vv, 0.0) * ub[cc])
    np.add.at(least, rr, np.minimum(vv, 0.0) * ub[cc])
    for r, si in relax_rows:
        upper_row = math.isfinite(b.row_upper[r])
        if upper_row:
            big = float(most[r]) - b.row_upper[r]
            sign = -1.0
        else:
            big = b.row_lower[r] - float(least[r])
            sign = 1.0
        big = max(big, 1e-6)
        share = 1e-2 if counted else 1.0
        s = b.col(Column(ColKind.SLACK, -1, si, row=r), penalty=share / big, ub=big)
        b.nz(r, s, sign)
        if counted:
            e = b.col(Column(ColKind.SWITCH, -1, si, row=r), penalty=1.0, ub=1.0, integer=True)
            link = b.row(RowInfo(RowKind.SWITCH, other=str(r)), -INF, 0.0)
            b.nz(link, s, 1.0)
            b.nz(link, e, -big)


def latency_dependencies(workloads: Sequence[Workload]) -> dict[str, list[tuple[str, float]]]:
    """Each workload's latency-bound dependencies, sorted."""
    out: dict[str, list[tuple[str, float]]] = {}
    for w in sorted(workloads, key=lambda w: w.name):
        got = sorted(
            (d.name, float(d.max_latency_ms)) for d in w.depends_on if d.max_latency_ms is not None
        )
        if got:
            out[w.name] = got
    return out
