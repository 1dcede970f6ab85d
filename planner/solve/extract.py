"""Read a model's column values back into ``Placement``s, ``SiteUsage`` and explanations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np

from planner.cost.migration import share_of_items
from planner.model import (
    Assignment,
    LineItem,
    Offer,
    Placement,
    Site,
    SiteKind,
    SiteUsage,
    Workload,
)
from planner.money import DEFAULT_CURRENCY, Money, decimal_of
from planner.solve.blocks import Block, BlockKind
from planner.solve.buying import arrival_note, bought_capacity, shares_per_unit, waiting
from planner.solve.highs import Solution
from planner.solve.problem import (
    ColKind,
    FloatArray,
    Model,
    RowKind,
    fixed_money,
    latency_ms,
    site_usage_once,
    unit_usage,
    usable_capacity,
)

TIGHT_REL = 1e-6


@dataclass(frozen=True, slots=True)
class RowState:
    """A constraint row after solving: how full it is and its shadow price if known."""

    label: str
    kind: str
    used: float
    limit: float
    tight: bool
    dual: float | None = None
    """Row dual of the LP relaxation (HiGHS sign: <= 0 on a binding upper limit); ``None``
    when not computed."""

    @property
    def shadow_usd(self) -> float | None:
        """USD over the horizon one more unit of the limit would save (LP estimate)."""
        return None if self.dual is None else max(0.0, -self.dual)


def row_label(model: Model, r: int) -> str:
    info = model.rows[r]
    if info.kind is RowKind.CAPACITY:
        return f"capacity {info.site} {info.resource}"
    if info.kind is RowKind.TRAINING_ROOM:
        return f"training room {info.site} {info.resource} for {info.other}-GPU pods"
    if info.kind is RowKind.BUDGET_TEAM:
        return f"budget team {info.team}"
    if info.kind is RowKind.BUDGET_SITE:
        return f"budget site {info.site}"
    if info.kind is RowKind.BUDGET_TOTAL:
        return "budget total"
    if info.kind is RowKind.CLOUD_SHARE:
        return f"cloud share <= {info.other}"
    if info.kind is RowKind.LATENCY:
        member = model.blocks[info.block].members[0]
        return f"latency {member} on {info.site} -> {info.other}"
    if info.kind is RowKind.SPREAD_CAP:
        blk = model.blocks[info.block]
        return f"tier-1 spread {blk.members[0]} off single-domain {info.site}"
    if info.kind is RowKind.SPREAD:
        blk = model.blocks[info.block]
        return f"tier-1 spread {blk.members[0]} over {blk.spread} failure domains"
    return f"{info.kind.value} {info.site}".strip()


def row_states(
    model: Model, x: FloatArray, duals: FloatArray | None = None
) -> tuple[RowState, ...]:
    """Capacity, budget and cloud-share rows with their use and tightness."""
    act = model.row_activity(x)
    out: list[RowState] = []
    for r, info in enumerate(model.rows):
        if info.kind not in (
            RowKind.CAPACITY,
            RowKind.BUDGET_TEAM,
            RowKind.BUDGET_SITE,
            RowKind.BUDGET_TOTAL,
            RowKind.CLOUD_SHARE,
        ):
            continue
        limit = float(model.row_upper[r])
        used = float(act[r])
        tight = used >= limit - TIGHT_REL * max(1.0, abs(limit))
        if info.kind is RowKind.CAPACITY:
            # a row is only binding if a cheaper use of it was turned away
            tight = tight and limit > 0
        dual = None if duals is None or r >= len(duals) else float(duals[r])
        out.append(RowState(row_label(model, r), info.kind.value, used, limit, tight, dual))
    return tuple(out)


def horizon_cents(offer: Offer, horizon_months: int) -> int:
    """What the objective compares, exactly, in cents: monthly cost x months + migration
    (one workload's offers share the catalogue's currency; integers keep ranking cheap)."""
    return offer.per_month.cents * horizon_months + offer.migration.cents


def _train_share(blk: Block, share: float) -> tuple[float, Fraction]:
    """A training share from the LP as the GPU-hours shown (to 0.001 h) and the exact
    fraction of the job's hours they are, which prices the assignment."""
    hours = round(blk.gpu_hours_per_month * share, 3)
    total = decimal_of(blk.gpu_hours_per_month)
    if total == 0:
        return hours, Fraction(1)
    return hours, Fraction(decimal_of(hours)) / Fraction(total)


def extract(
    model: Model,
    sol: Solution,
    workloads: Mapping[str, Workload],
    offers: Mapping[str, Sequence[Offer]],
    dependencies: Mapping[str, Sequence[tuple[str, float]]],
) -> tuple[tuple[Placement, ...], tuple[SiteUsage, ...], tuple[RowState, ...]]:
    """Placements sorted by workload name, usage per site sorted by name, row states."""
    x = sol.x
    states = row_states(model, x, sol.duals)
    tight = {s.label: s for s in states}
    per_block: dict[int, list[tuple[int, float, int]]] = defaultdict(list)
    for j in np.nonzero(x > 1e-9)[0].tolist():
        c = model.columns[j]
        if c.kind in (ColKind.OFFER, ColKind.BOUGHT):
            # (offer, units, column): a bought column names the servers it runs on
            per_block[c.block].append((c.offer, float(x[j]), j if c.kind is ColKind.BOUGHT else -1))
    share = shares_per_unit(model, x) if model.buys else {}

    # members -> list of (offer, units, bought column or -1)
    chosen: dict[str, list[tuple[Offer, float, int]]] = {}
    for blk in model.blocks:
        picks = sorted(per_block.get(blk.index, []))
        if blk.kind is BlockKind.WHOLE:
            # members in name order take the chosen offers cheapest first
            queue = sorted(
                ((blk.offers[oi], round(v), j) for oi, v, j in picks),
                key=lambda p: (horizon_cents(p[0], model.horizon_months), p[0].key, p[2]),
            )
            members = list(blk.members)
            for o, count, j in queue:
                for _ in range(int(count)):
                    if members:
                        chosen[members.pop(0)] = [(o, 1.0, j)]
        elif blk.kind is BlockKind.SPLIT:
            # replicas in (site, option) order, striped over the members: replica i goes
            # to member i mod n (the spread-cap rows make this give each two domains)
            n = len(blk.members)
            got: list[dict[tuple[int, int], float]] = [defaultdict(float) for _ in range(n)]
            i = 0
            for oi, v, j in picks:
                for _ in range(round(v)):
                    got[i % n][(oi, j)] += 1.0
                    i += 1
            for m, counts in zip(blk.members, got, strict=True):
                chosen[m] = [(blk.offers[oi], c, j) for (oi, j), c in sorted(counts.items())]
        else:
            chosen[blk.members[0]] = [(blk.offers[oi], v, j) for oi, v, j in picks]

    block_of = {m: blk for blk in model.blocks for m in blk.members}
    by_site = {st.name: st for st in model.sites}
    shares = tuple(lbl for lbl, st in tight.items() if st.kind == "cloud-share" and st.tight)
    site_of: dict[str, set[str]] = {m: {o.site for o, _, _ in v} for m, v in chosen.items()}
    partners: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for w_name, lst in dependencies.items():
        for d, bound in lst:
            partners[w_name].append((d, bound))
            partners[d].append((w_name, bound))
    # members of a block with the same choice share everything but their name
    cache: dict[tuple[object, ...], Placement] = {}
    placements: list[Placement] = []
    for name in sorted(chosen):
        blk = block_of[name]
        key = (blk.index, tuple((id(o), u, j) for o, u, j in chosen[name]))
        if name not in partners and key in cache:
            p = cache[key]
            placements.append(
                replace(p, workload=name, runner_up=_own(p.runner_up, offers.get(name, ())))
            )
            continue
        w = workloads[name]
        cur = chosen[name][0][0].per_month.currency
        assignments: list[Assignment] = []
        migs: list[Money] = []
        mig_parts: list[tuple[Sequence[LineItem], Fraction]] = []
        for o, units, bj in chosen[name]:
            if blk.kind is BlockKind.TRAIN:
                # the fixed part once per site, the GPU-hours in proportion to the share
                hours, frac = _train_share(blk, units / blk.per_member)
                fixed = fixed_money(o)
                migs.append(o.migration)
                mig_parts.append((o.migration_items, Fraction(1)))
                assignments.append(
                    Assignment(
                        site=o.site,
                        option=o.option,
                        replicas=w.replicas,
                        per_month=(o.per_month - fixed).times(frac) + fixed,
                        instance_type=o.instance_type,
                        gpu_hours_per_month=hours,
                    )
                )
                continue
            # whole blocks take one whole offer; split blocks a number of replicas of it
            month, mig, replicas = o.per_month, o.migration, w.replicas
            frac = Fraction(1)
            if blk.kind is BlockKind.SPLIT:
                frac = Fraction(round(units), round(blk.per_member))
                month, mig = month.times(frac), mig.times(frac)
                replicas = round(frac * w.replicas)
            mig_parts.append((o.migration_items, frac))
            arrives, waits_on, waiting_pm = waiting(model, blk, bj, round(units))
            if bj >= 0:
                # on bought servers: its share of their monthly cost
                month = share[bj] * round(units)
            migs.append(mig)
            assignments.append(
                Assignment(
                    site=o.site,
                    option=o.option,
                    replicas=replicas,
                    per_month=month,
                    instance_type=o.instance_type,
                    bought=model.buys[model.columns[bj].buy].node_class if bj >= 0 else "",
                    arrival_month=arrives,
                    waits_on=waits_on,
                    waiting_per_month=waiting_pm,
                )
            )
        assignments.sort(key=lambda a: (a.site, a.option, a.bought))
        used_keys = {(o.site, o.option) for o, _, _ in chosen[name]}
        month = Money.total((a.per_month for a in assignments), cur)
        mig = Money.total(migs, cur)
        paid = month * model.horizon_months + mig
        own = offers.get(name, ())
        cents = [o.per_month.cents * model.horizon_months + o.migration.cents for o in own]
        runner = _runner_up(own, cents, used_keys, w)
        binding = _binding(
            model,
            blk,
            w=w,
            offers=own,
            cents=cents,
            paid=paid,
            tight=tight,
            site_of=site_of,
            partners=partners.get(name, ()),
            sites=by_site,
            shares=shares,
        )
        reason = (
            "cheapest eligible offer over the horizon (monthly cost x months + migration)"
            if not binding
            else "cheapest offer over the horizon allowed by: " + "; ".join(binding)
        )
        on_bought = sorted({model.columns[j].buy for _, _, j in chosen[name] if j >= 0})
        if on_bought:
            reason += "; " + "; ".join(arrival_note(model.buys[k], w) for k in on_bought)
        placement = Placement(
            workload=name,
            assignments=tuple(assignments),
            # the sum of the parts as shown, so per-site and per-workload figures of a split
            # placement add up to the same total
            per_month=month,
            migration=mig,
            previous_site=w.current_site,
            runner_up=runner,
            binding=binding,
            reason=reason,
            migration_items=share_of_items(mig_parts, mig) if mig else (),
        )
        cache[key] = placement
        placements.append(placement)
    usage = site_usage(model, x, placements)
    return tuple(placements), usage, states


def _own(runner: Offer | None, offers: Sequence[Offer]) -> Offer | None:
    """The member's own offer matching the representative's runner-up."""
    if runner is None:
        return None
    for o in offers:
        if o.site == runner.site and o.option is runner.option and o.eligible:
            return o
    return None


def _runner_up(
    offers: Sequence[Offer],
    cents: Sequence[int],
    used: AbstractSet[tuple[str, str]],
    w: Workload,
) -> Offer | None:
    """The cheapest eligible offer (by ``cents``, each offer's ``horizon_cents``, then site
    and option) on a site and option the placement does not use (on its pin, if pinned)."""
    best: Offer | None = None
    best_key: tuple[int, str, str] | None = None
    pin = w.pinned_site
    for o, c in zip(offers, cents, strict=True):
        # the key's tuple only for an offer as cheap as the best so far
        if best_key is not None and c > best_key[0]:
            continue
        if o.eligible and (o.site, o.option) not in used and (pin is None or o.site == pin):
            key = (c, o.site, o.option)
            if best_key is None or key < best_key:
                best, best_key = o, key
    return best


def _binding(
    model: Model,
    blk: Block,
    *,
    w: Workload,
    offers: Sequence[Offer],
    cents: Sequence[int],
    paid: Money,
    tight: Mapping[str, RowState],
    site_of: Mapping[str, set[str]],
    partners: Sequence[tuple[str, float]],
    sites: Mapping[str, Site],
    shares: Sequence[str],
) -> tuple[str, ...]:
    """Constraints that kept this workload off a cheaper offer (``cents``: each offer's
    ``horizon_cents``; ``shares``: the labels of the tight cloud-share rows)."""
    out: list[str] = []
    if w.pinned_site is not None:
        out.append(f"pinned to {w.pinned_site}")
    paid_cents = paid.cents
    # the cheaper offers by (horizon cents, site, option), stable
    cheaper = [
        o
        for *_, o in sorted(
            (c, o.site, o.option, i, o)
            for i, (o, c) in enumerate(zip(offers, cents, strict=True))
            if c < paid_cents
        )
    ]

    def binds(state: RowState, more: float) -> bool:
        # a training job's shares are continuous: any room left in a row would have taken
        # more of it, so only a row at its limit binds; a whole workload needs ``more``
        return state.tight if blk.kind is BlockKind.TRAIN else _full(state, more)

    def blockers(o: Offer) -> list[str]:
        """What else in the plan keeps the workload off ``o`` (capacity, budgets, cloud
        share, tier-1 spread, latency to where its partners run)."""
        got: list[str] = []
        usage = unit_usage(blk, o)
        for res in sorted(usage):
            label = f"capacity {o.site} {res}"
            if usage[res] > 0 and label in tight and binds(tight[label], usage[res]):
                got.append(label)
        month = o.per_month.lp_float() / blk.per_member  # against the LP's budget rows
        for label in (f"budget team {w.team}", f"budget site {o.site}", "budget total"):
            if label in tight and binds(tight[label], month):
                got.append(label)
        if sites[o.site].kind is SiteKind.CLOUD:
            got.extend(shares)
        if blk.kind is BlockKind.SPLIT and len(sites[o.site].failure_domains) < blk.spread:
            got.append(f"tier-1 spread over {blk.spread} failure domains")
        for other, bound in partners:
            for t in sorted(site_of.get(other, ())):
                if latency_ms(sites[o.site], sites[t]) > bound:
                    got.append(f"latency to {other} <= {bound:g} ms")
        return got

    for o in cheaper:
        if w.pinned_site is not None and o.site != w.pinned_site:
            continue  # the pin (listed above) keeps it off
        if not o.eligible:
            # a priced offer was kept out by a rule (not physics); that rule binds only if
            # nothing else in the plan (latency to a partner, a full site) would keep the
            # workload off it too, e.g. not residency for a site too far from its database
            if o.per_month.cents > 0 and not blockers(o):
                out.append(f"{o.key} excluded: {o.reason or 'ineligible'}")
            continue
        out.extend(blockers(o))
    return tuple(dict.fromkeys(out))


def _full(state: RowState, more: float) -> bool:
    """Would ``more`` of this row overflow it (it is binding for that use)?"""
    return state.used + more > state.limit + TIGHT_REL * max(1.0, abs(state.limit))


def site_usage(
    model: Model, x: FloatArray, placements: Sequence[Placement]
) -> tuple[SiteUsage, ...]:
    """Usage per resource (from the solution) and monthly spend per site (the sum of the
    placements' assignments there, never the LP's figure), sorted by site name."""
    used: dict[str, dict[str, float]] = {s.name: defaultdict(float) for s in model.sites}
    spend: dict[str, list[Money]] = defaultdict(list)
    held: set[tuple[int, int, int]] = set()
    for p in placements:
        for a in p.assignments:
            spend[a.site].append(a.per_month)
    for j in np.nonzero(x > 1e-9)[0].tolist():
        c = model.columns[j]
        if c.kind not in (ColKind.OFFER, ColKind.BOUGHT):
            continue
        blk = model.blocks[c.block]
        o = blk.offers[c.offer]
        site = model.sites[c.site].name
        for res, val in unit_usage(blk, o).items():
            used[site][res] += val * float(x[j])
        if c.kind is ColKind.OFFER and blk.kind is BlockKind.SPLIT:
            held.add((c.block, c.site, c.offer))
    once_done: set[tuple[int, int]] = set()
    for bi, si, oi in sorted(held):  # a split block's surge GPUs, once per site it uses
        if (bi, si) in once_done:
            continue
        once_done.add((bi, si))
        blk = model.blocks[bi]
        for res, val in site_usage_once(blk, blk.offers[oi]).items():
            used[model.sites[si].name][res] += val
    cur = placements[0].per_month.currency if placements else DEFAULT_CURRENCY
    extra = bought_capacity(model, x)
    out = []
    for s in model.sites:
        cap = usable_capacity(s)
        for res, val in extra.get(s.name, {}).items():
            cap[res] = cap.get(res, 0.0) + val
        keys = sorted(set(cap) | set(used[s.name]))
        out.append(
            SiteUsage(
                site=s.name,
                used={k: round(used[s.name].get(k, 0.0), 6) for k in keys},
                capacity={k: round(v, 6) for k, v in cap.items()},
                per_month=Money.total(spend[s.name], cur),
            )
        )
    return tuple(out)


def objective_usd(model: Model, x: FloatArray) -> float:
    return float(np.dot(model.cost, x))
