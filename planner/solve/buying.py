"""Buying servers and placing workloads in one model (issue #12).

A site may offer server models to buy (``BuyOffer``, priced by ``planner.cost.buy``). For
each one, k, the model has an integer column y_k in {0..max_units_k} and, for every block
that has an eligible offer o on k's site whose usage k's servers can hold, a column x'_bok:
units of the block run on the bought servers. Bought servers are a pool of their own
(the site's capacity rows are not touched):

    (bought)  sum_{b,o} a_bor x'_bok - K_kr y_k <= 0            for every resource r
              (K_kr: usable capacity of one unit, physical x target utilisation)

With L_k the lead time and M_k the depreciation months, over the horizon H:

    cost(y_k)    = min(H - L_k, M_k) x capex_k / month + (H - L_k) x run_k / month
    cost(x'_bok) = L_k x c_b^now + m_bo

The servers are paid for from delivery (month L_k); capex stops after M_k months. A unit on
them pays no monthly rate of its own (the servers' cost is on y_k); until the servers
arrive it runs where it is today and pays c_b^now: the monthly cost of its cheapest offer
on its current site, or, for a new workload, its cheapest offer elsewhere. A server model
whose lead time reaches the horizon is never bought. The monthly spend rows (site and
total budgets, cloud share) count y_k at its monthly cost; team budgets do not (bought
servers are shared). Training blocks (continuous GPU-hour shares) do not run on bought
servers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING

from planner.model import BuyOffer, Offer, Placement, Purchase, SiteUsage, Workload
from planner.money import Money
from planner.solve.blocks import Block, BlockKind
from planner.solve.problem import (
    INF,
    ColKind,
    Column,
    FloatArray,
    Model,
    RowInfo,
    RowKind,
    unit_usage,
    variable_part,
)

if TYPE_CHECKING:
    from planner.solve.build import _Builder


def bridge_offer(blk: Block, site: str, months: int) -> Offer | None:
    """The offer a unit runs on for the ``months`` until servers bought on ``site`` arrive:
    the cheapest a month on its current site, or, for a new workload, elsewhere (first by
    key on a tie). A commitment whose term is longer than the wait is not a bridge (it
    would bill every hour of its term), unless nothing else is offered."""
    here = [o for o in blk.offers if o.site == blk.current_site and o.site != site]
    pool = here or [o for o in blk.offers if o.site != site]
    short = [o for o in pool if o.option.term_months <= months]
    pool = short or pool
    if not pool:
        return None
    return min(pool, key=lambda o: (variable_part(blk, o)[0], o.key))


def bridge_per_month(blk: Block, bo: BuyOffer) -> float | None:
    """c_b^now: what one unit pays a month until servers of ``bo`` arrive."""
    o = bridge_offer(blk, bo.site, bo.lead_time_months)
    return None if o is None else variable_part(blk, o)[0]


def arrival_month(bo: BuyOffer) -> int:
    """The month servers of ``bo`` are delivered, paid and usable: ordered at the start of
    month 1, they arrive ``lead_time_months`` later (the MILP's ``L_k`` months of c_b^now
    on the current site, then ``H - L_k`` months on them)."""
    return bo.lead_time_months + 1


def add_buying(
    b: _Builder,
    blocks: Sequence[Block],
    *,
    buys: Sequence[BuyOffer],
    s_idx: Mapping[str, int],
    horizon_months: int,
    cols_at: list[dict[int, list[int]]],
) -> dict[int, list[int]]:
    """Add the y_k and x'_bok columns and the bought-capacity rows to ``b``; the x' columns
    are appended to ``cols_at`` (spread and latency rows see them). Returns each block's
    x' columns (its assignment row takes them)."""
    bought: dict[int, list[int]] = defaultdict(list)
    for k, bo in enumerate(buys):
        if bo.site not in s_idx or bo.lead_time_months >= horizon_months:
            continue
        si = s_idx[bo.site]
        months = horizon_months - bo.lead_time_months
        capex_months = min(months, bo.depreciation_months)
        y = b.col(
            Column(ColKind.BUY, -1, si, buy=k),
            cost=capex_months * bo.capex_per_month.lp_float()
            + months * bo.run_per_month.lp_float(),
            month=bo.per_month.lp_float(),
            ub=float(bo.max_units),
            integer=True,
        )
        usage_rows: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for blk in blocks:
            if blk.kind is BlockKind.TRAIN:
                continue
            bridge = bridge_per_month(blk, bo)
            if bridge is None:
                continue
            for oi, o in enumerate(blk.offers):
                if o.site != bo.site:
                    continue
                use = {r: v for r, v in unit_usage(blk, o).items() if v}
                if any(bo.capacity.get(r, 0.0) <= 0 for r in use):
                    continue  # these servers cannot hold it (e.g. no GPUs of its type)
                mig = variable_part(blk, o)[1]
                j = b.col(
                    Column(ColKind.BOUGHT, blk.index, si, oi, buy=k),
                    cost=bo.lead_time_months * bridge + mig,
                    mig=mig,
                    ub=blk.units,
                    integer=True,
                )
                bought[blk.index].append(j)
                cols_at[blk.index].setdefault(si, []).append(j)
                for r, v in use.items():
                    usage_rows[r].append((j, v))
        for r, entries in sorted(usage_rows.items()):
            row = b.row(
                RowInfo(RowKind.BOUGHT_CAPACITY, site=bo.site, resource=r, other=bo.node_class),
                -INF,
                0.0,
            )
            b.nz(row, y, -bo.capacity[r])
            for j, v in entries:
                b.nz(row, j, v)
    return bought


def _weight(blk: Block, o: Offer, bo: BuyOffer) -> Fraction:
    """Share of one unit of ``bo`` one unit of ``blk`` on ``o`` takes: its largest share
    over the resources (dominant-resource share)."""
    use = unit_usage(blk, o)
    share = max((v / bo.capacity[r] for r, v in use.items() if v and r in bo.capacity), default=0)
    return Fraction(share).limit_denominator(1_000_000)


def shares_per_unit(model: Model, x: FloatArray) -> dict[int, Money]:
    """Monthly cost share of one unit of each used x' column: the bought servers' monthly
    cost split by dominant-resource share (scaled down if the shares exceed the servers)."""
    units = {model.columns[j].buy: round(float(x[j])) for j in model.of_kind(ColKind.BUY)}
    weights: dict[int, Fraction] = {}
    total: dict[int, Fraction] = defaultdict(Fraction)
    for j in model.of_kind(ColKind.BOUGHT):
        c = model.columns[j]
        if x[j] <= 0.5 or units.get(c.buy, 0) <= 0:
            continue
        blk = model.blocks[c.block]
        w = _weight(blk, blk.offers[c.offer], model.buys[c.buy]) / units[c.buy]
        weights[j] = w
        total[c.buy] += w * round(float(x[j]))
    out: dict[int, Money] = {}
    for j, w in weights.items():
        k = model.columns[j].buy
        scale = max(Fraction(1), total[k])
        out[j] = (model.buys[k].per_month * units[k]).times(w / scale)
    return out


def waiting(model: Model, blk: Block, column: int, units: int) -> tuple[int, str, Money | None]:
    """(arrival month, site, monthly cost) of ``units`` of ``blk`` placed by ``column``
    until bought servers arrive: on its bridge offer (c_b^now, as the MILP prices it); for
    a column that is not on bought servers ``(1, "", None)``."""
    if column < 0:
        return 1, "", None
    bo = model.buys[model.columns[column].buy]
    o = bridge_offer(blk, bo.site, bo.lead_time_months)
    if o is None:  # pragma: no cover - a bought column exists only with a bridge offer
        return arrival_month(bo), "", None
    return arrival_month(bo), o.site, o.per_month.times(Fraction(units, round(blk.per_member)))


def arrival_note(bo: BuyOffer, w: Workload) -> str:
    """What a placement on bought servers says about when it moves."""
    until = (
        f"; runs on {w.current_site} until then"
        if w.current_site and w.current_site != bo.site and bo.lead_time_months
        else ""
    )
    return (
        f"on {bo.node_class} servers bought at {bo.site}, usable from month "
        f"{arrival_month(bo)}{until}"
    )


def purchases(model: Model, x: FloatArray, placements: Sequence[Placement]) -> tuple[Purchase, ...]:
    """The servers the solution buys, with the placements that run on them."""
    placed: dict[tuple[str, str], list[tuple[str, Money]]] = defaultdict(list)
    for p in placements:
        for a in p.assignments:
            if a.bought:
                placed[(a.site, a.bought)].append((p.workload, a.per_month))
    out: list[Purchase] = []
    for j in model.of_kind(ColKind.BUY):
        if x[j] <= 0.5:
            continue
        bo = model.buys[model.columns[j].buy]
        n = round(float(x[j]))
        month = bo.per_month * n
        on = placed.get((bo.site, bo.node_class), ())
        used = Money.total((m for _, m in on), month.currency)
        out.append(
            Purchase(
                site=bo.site,
                node_class=bo.node_class,
                units=n,
                capex=bo.capex * n,
                month=arrival_month(bo),
                per_month=month,
                idle_per_month=month - used,
                workloads=tuple(sorted({w for w, _ in on})),
                capex_per_month=bo.capex_per_month * n,
                depreciation_months=bo.depreciation_months,
            )
        )
    return tuple(sorted(out, key=lambda p: (p.site, p.node_class)))


def with_idle_purchases(
    usage: Sequence[SiteUsage], bought: Sequence[Purchase]
) -> tuple[SiteUsage, ...]:
    """``usage`` with each site's spend including the idle share of the servers bought
    there (so the sites' spend adds up to the plan's total)."""
    idle: dict[str, list[Money]] = defaultdict(list)
    for b in bought:
        idle[b.site].append(b.idle_per_month)
    return tuple(
        replace(u, per_month=Money.total((u.per_month, *idle[u.site]), u.per_month.currency))
        if u.site in idle
        else u
        for u in usage
    )


def bought_capacity(model: Model, x: FloatArray) -> dict[str, dict[str, float]]:
    """Usable capacity the solution buys, per site and resource."""
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for j in model.of_kind(ColKind.BUY):
        c = model.columns[j]
        if x[j] > 0.5:
            for r, v in model.buys[c.buy].capacity.items():
                out[model.sites[c.site].name][r] += v * round(float(x[j]))
    return out
