"""``build_model``: blocks, sites and constraints -> the ``Model`` of
``planner.solve.milp``'s docstring (columns, rows, CSC matrix), elastic or not."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np

from planner.model import BuyOffer, Constraints, Offer, Site, SiteKind
from planner.solve.blocks import Block, BlockKind
from planner.solve.buying import add_buying
from planner.solve.problem import (
    INF,
    KIND_CODE,
    KINDS,
    ColKind,
    Column,
    Columns,
    Model,
    RowInfo,
    RowKind,
    fixed_part,
    latency_ms,
    unit_usage,
    usable_capacity,
    variable_part,
)
from planner.solve.room import add_training_room, once_per_site


class _Builder:
    """Accumulates columns and (row, col, value) triplets, then packs CSC arrays."""

    def __init__(self) -> None:
        self.col_offer: list[int] = []
        self.col_row: list[int] = []
        self.col_buy: list[int] = []
        self.cost: list[float] = []
        self.month: list[float] = []
        self.mig: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.integer: list[bool] = []
        self.penalty: list[float] = []
        self.col_block: list[int] = []
        self.col_site: list[int] = []
        self.col_kind: list[int] = []
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
        self.col_offer.append(column.offer)
        self.col_row.append(column.row)
        self.col_buy.append(column.buy)
        self.col_block.append(column.block)
        self.col_site.append(column.site)
        self.col_kind.append(KIND_CODE[column.kind])
        self.cost.append(cost + penalty)
        self.month.append(month)
        self.mig.append(mig)
        self.lower.append(0.0)
        self.upper.append(ub)
        self.integer.append(integer)
        self.penalty.append(penalty)
        return len(self.col_kind) - 1

    @property
    def n_cols(self) -> int:
        return len(self.col_kind)

    def column(self, j: int) -> Column:
        """Column ``j`` as a value."""
        return Column(
            KINDS[self.col_kind[j]], self.col_block[j], self.col_site[j], self.col_offer[j],
            self.col_row[j], self.col_buy[j],
        )  # fmt: skip

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

    def ones(self, row: int, cols: Sequence[int]) -> None:
        """Coefficient 1 for each of ``cols`` in ``row``."""
        self.r.extend([row] * len(cols))
        self.c.extend(cols)
        self.v.extend([1.0] * len(cols))

    def offers(
        self,
        blk: Block,
        offers: Sequence[Offer],
        kind: ColKind,
        *,
        sites: Sequence[int],
        horizon: float,
        eps: float,
        penalty: float,
    ) -> range:
        """One column per offer of ``blk`` (``col`` in bulk: the model's widest loop)."""
        first = self.n_cols
        integer = blk.kind is not BlockKind.TRAIN
        if integer:  # variable_part, a list at a time
            pm = blk.per_member
            month = [o.per_month.lp_float() / pm for o in offers]
            mig = [o.migration.lp_float() / pm for o in offers]
        else:
            parts = [variable_part(blk, o) for o in offers]
            month, mig = [p[0] for p in parts], [p[1] for p in parts]
        self.cost.extend(
            [(horizon * a + b) * eps + penalty for a, b in zip(month, mig, strict=True)]
        )
        self.month.extend(month)
        self.mig.extend(mig)
        n = len(offers)
        self.penalty.extend([penalty] * n)
        self.col_offer.extend(range(n))
        self.col_row.extend([-1] * n)
        self.col_buy.extend([-1] * n)
        self.col_block.extend([blk.index] * n)
        self.col_site.extend(sites)
        self.col_kind.extend([KIND_CODE[kind]] * n)
        self.lower.extend([0.0] * n)
        self.upper.extend([blk.units] * n)
        self.integer.extend([integer] * n)
        return range(first, first + n)


def build_model(
    blocks: Sequence[Block],
    sites: Sequence[Site],
    constraints: Constraints,
    horizon_months: int,
    *,
    dependencies: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    elastic: bool = False,
    counted: bool = False,
    buys: Sequence[BuyOffer] = (),
) -> Model:
    """The model of ``planner.solve.milp``'s docstring. ``dependencies`` maps a workload to
    its latency-bound dependencies ``(name, max_latency_ms)``. ``elastic`` adds penalised
    slack to every relaxable row and opens relaxable ineligible offers (diagnosis); with
    ``counted`` each relaxed row also costs one through a binary (fewest rows first).
    ``buys`` are server models the plan may buy (``planner.solve.buying``; not in elastic
    models)."""
    sites = tuple(sorted(sites, key=lambda s: s.name))
    s_idx = {s.name: i for i, s in enumerate(sites)}
    b = _Builder()
    horizon = float(horizon_months)

    # Scale for elastic cost: the real objective must weigh less than one penalty unit.
    eps = 1e-3 / (_worst(blocks, horizon) + 1.0) if elastic else 1.0

    relax_rows: list[tuple[int, int]] = []
    """Rows the elastic model may violate, with the site they belong to (-1: none)."""

    # --- offer columns
    offer_cols: list[list[int]] = []
    cols_at: list[dict[int, list[int]]] = []
    for blk in blocks:
        at: dict[int, list[int]] = defaultdict(list)
        on_sites = [s_idx[o.site] for o in blk.offers]
        mine = list(
            b.offers(
                blk, blk.offers, ColKind.OFFER, sites=on_sites, horizon=horizon, eps=eps, penalty=0
            )
        )
        if elastic:
            relaxed = [s_idx[o.site] for o in blk.relaxable]
            mine += b.offers(
                blk,
                blk.relaxable,
                ColKind.RELAXED,
                sites=relaxed,
                horizon=horizon,
                eps=eps,
                penalty=1.0 / blk.per_member,
            )
            on_sites += relaxed
        for j, si in zip(mine, on_sites, strict=True):
            at[si].append(j)
        offer_cols.append(mine)
        cols_at.append(dict(at))

    capped = {
        si for si, s in enumerate(sites) if s.kind is not SiteKind.CLOUD and s.capacity is not None
    }
    # --- site-use indicators u[b,s]: split/train blocks in a latency rule, every train
    # block (its fixed monthly part and its migration are paid once per site it uses), and
    # split blocks on the owned sites where they hold surge GPUs once per site
    deps = dependencies or {}
    dep_names = set(deps) | {d for v in deps.values() for d, _ in v}
    use_cols: dict[tuple[int, int], int] = {}
    once_at = once_per_site(blocks, s_idx, capped, cols_at)
    for blk in blocks:
        train = blk.kind is BlockKind.TRAIN
        linked = train or blk.members[0] in dep_names
        if blk.kind is BlockKind.WHOLE:
            continue
        for si in sorted(cols_at[blk.index]):
            if not linked and (blk.index, si) not in once_at:
                continue
            fixed = mig = 0.0
            if train:  # its fixed monthly part and migration, once per site
                here = [o for o in (*blk.offers, *blk.relaxable) if s_idx[o.site] == si]
                fixed = max((fixed_part(o) for o in here), default=0.0)
                mig = max((o.migration.lp_float() for o in here), default=0.0)
            use_cols[(blk.index, si)] = b.col(
                Column(ColKind.USE, blk.index, si),
                cost=(horizon * fixed + mig) * eps,
                month=fixed,
                mig=mig,
                ub=1.0,
                integer=True,
            )

    relaxed_code = KIND_CODE[ColKind.RELAXED]

    def offer_of(j: int) -> Offer:
        blk = blocks[b.col_block[j]]
        oi = b.col_offer[j]
        return blk.relaxable[oi] if b.col_kind[j] == relaxed_code else blk.offers[oi]

    # --- buying: server models to buy and the blocks that may run on them
    bought = (
        {}
        if elastic
        else add_buying(
            b, blocks, buys=buys, s_idx=s_idx, horizon_months=horizon_months, cols_at=cols_at
        )
    )

    # --- assignment rows
    for blk in blocks:
        r = b.row(RowInfo(RowKind.ASSIGN, block=blk.index), blk.units, blk.units)
        b.ones(r, offer_cols[blk.index])
        b.ones(r, bought.get(blk.index, ()))

    # --- capacity rows: one per (owned site, resource) that some column uses
    usage_by_row: dict[tuple[int, str], list[tuple[int, float]]] = defaultdict(list)
    for blk in blocks:
        # a workload's offers share one usage mapping (planner.cost): its unit usage once
        memo: dict[int, list[tuple[str, float]]] = {}
        for j in offer_cols[blk.index]:
            si = b.col_site[j]
            if si not in capped:
                continue
            o = offer_of(j)
            per_unit = memo.get(id(o.usage))
            if per_unit is None:
                per_unit = [(res, val) for res, val in unit_usage(blk, o).items() if val]
                memo[id(o.usage)] = per_unit
            for res, val in per_unit:
                usage_by_row[(si, res)].append((j, val))
    for (bi, si), once in sorted(once_at.items()):
        for res, val in once.items():
            usage_by_row[(si, res)].append((use_cols[(bi, si)], val))
    for (si, res), entries in sorted(usage_by_row.items()):
        limit = usable_capacity(sites[si]).get(res, 0.0)
        r = b.row(RowInfo(RowKind.CAPACITY, site=sites[si].name, resource=res), -INF, limit)
        for j, val in entries:
            b.nz(r, j, val)
        relax_rows.append((r, si))
    add_training_room(b, blocks, sites, usage_by_row, relax_rows)

    # --- budgets and cloud share (monthly spend)
    spends = (
        constraints.team_budget_per_month
        or constraints.site_budget_per_month
        or constraints.total_budget_per_month is not None
        or constraints.max_cloud_share is not None
    )
    spend_kinds = {KIND_CODE[k] for k in (ColKind.OFFER, ColKind.RELAXED, ColKind.USE, ColKind.BUY)}
    all_spend = (
        [(j, b.month[j]) for j, kind in enumerate(b.col_kind) if kind in spend_kinds and b.month[j]]
        if spends
        else []
    )

    def budget_row(info: RowInfo, limit: float, entries: list[tuple[int, float]]) -> None:
        r = b.row(info, -INF, limit)
        for j, val in entries:
            b.nz(r, j, val)
        relax_rows.append((r, -1))

    for team, budget in sorted(constraints.team_budget_per_month.items()):
        entries = [
            (j, v)
            for j, v in all_spend
            if b.col_block[j] >= 0 and blocks[b.col_block[j]].team == team
        ]
        budget_row(RowInfo(RowKind.BUDGET_TEAM, team=team), budget.lp_float(), entries)
    for site, budget in sorted(constraints.site_budget_per_month.items()):
        if site not in s_idx:
            continue
        entries = [(j, v) for j, v in all_spend if b.col_site[j] == s_idx[site]]
        budget_row(RowInfo(RowKind.BUDGET_SITE, site=site), budget.lp_float(), entries)
    total_budget = constraints.total_budget_per_month
    if total_budget is not None:
        budget_row(RowInfo(RowKind.BUDGET_TOTAL), total_budget.lp_float(), all_spend)
    if constraints.max_cloud_share is not None:
        share = constraints.max_cloud_share
        entries = [
            (j, v * ((1.0 - share) if sites[b.col_site[j]].kind is SiteKind.CLOUD else -share))
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
                b.ones(r, at[si])
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
                b.ones(r, at[si])

    def indicator(bi: int, si: int) -> list[int]:
        """Columns (coefficient 1) whose sum says block ``bi`` uses site ``si``."""
        if (bi, si) in use_cols:
            return [use_cols[(bi, si)]]
        return cols_at[bi].get(si, [])

    def one_site(bi: int) -> bool:
        blk = blocks[bi]
        return blk.kind is BlockKind.WHOLE and blk.units == 1

    # --- latency-bound dependencies
    lat = [[latency_ms(a, t) for t in sites] for a in sites]
    for w_name in sorted(deps):
        if w_name not in member_block:
            continue
        wb = member_block[w_name]
        for d_name, bound in sorted(deps[w_name]):
            if d_name not in member_block or d_name == w_name:
                continue
            db = member_block[d_name]
            # the partner's sites with their indicator columns, once per dependency
            partner = [(ti, indicator(db, ti)) for ti in sorted(cols_at[db])]
            n_one = one_site(db)
            for si in sorted(cols_at[wb]):
                lat_si = lat[si]
                far = [js for ti, js in partner if lat_si[ti] > bound]
                if not far:
                    continue
                # a partner on one site at most (a whole one-unit block: its offers sum to
                # 1) uses at most one far site, so n = 1 is the same rule with a tighter LP
                n = 1.0 if n_one else float(len(far))
                r = b.row(
                    RowInfo(RowKind.LATENCY, site=sites[si].name, block=wb, other=d_name),
                    -INF,
                    n,
                )
                for j in indicator(wb, si):
                    b.nz(r, j, n)
                b.ones(r, [j for js in far for j in js])
                relax_rows.append((r, si))

    if elastic:
        _add_slack(b, relax_rows, counted=counted)

    # --- pack CSC
    n = b.n_cols
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
        columns=Columns(
            kind=b.col_kind,
            block=b.col_block,
            site=b.col_site,
            offer=b.col_offer,
            row=b.col_row,
            buy=b.col_buy,
        ),
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
        buys=tuple(buys),
        col_block=np.asarray(b.col_block, dtype=np.int64),
        col_site=np.asarray(b.col_site, dtype=np.int64),
        col_kind=np.asarray(b.col_kind, dtype=np.int8),
    )


def _worst(blocks: Sequence[Block], horizon: float) -> float:
    """The dearest plan's cost: every unit on its dearest offer."""
    return sum(
        max(
            (horizon * o.per_month.lp_float() + o.migration.lp_float() for o in blk.offers),
            default=0.0,
        )
        * (blk.units / blk.per_member)
        for blk in blocks
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
