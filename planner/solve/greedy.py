"""Greedy baseline: the most constrained work first, each unit on its cheapest offer that
still fits.

Order: workloads tied by latency-bound dependencies form a *group* placed together (its
most constrained block first, each partner right after a block it depends on); groups go
by their most constrained block: pinned first, then those with no uncapacitated (cloud)
offer, then the fewest eligible sites, then tier 1 with latency partners, then
residency-bound, then the largest (cores + GiB/4 + 8 x GPUs), ties by name. (Residency
comes after the site count: a US-only workload with six sites, clouds among them, is less
constrained than an unrestricted one that only one GPU site can host.) A group that cannot be placed
as it comes is undone and retried with its first block on each of its sites in turn
(cheapest first), so a partner that would not fit next to it no longer sinks the plan.

It respects every constraint of the model (capacity, budgets, tier-1 spread, latency-bound
dependencies against partners already placed) and checks the cloud share at the end; it
gives up (status ``infeasible``, which proves nothing) rather than break one. It is the
MILP's start, the fallback when the solver finds no plan in its time limit, and the
reference the plan is measured against (never cheaper than an optimal MILP).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from planner.model import SiteKind
from planner.solve.blocks import Block, BlockKind
from planner.solve.highs import Solution
from planner.solve.indicators import fill_indicators
from planner.solve.packing import Table, packer_table
from planner.solve.problem import (
    ColKind,
    FloatArray,
    Model,
    first_violation,
)

Clock = Callable[[], float]
EPS = 1e-9


def _size(blk: Block) -> float:
    """Cores + GiB/4 + 8 x GPUs per member, the biggest offer's usage."""
    best = 0.0
    # a workload's offers share one usage mapping (planner.cost): each distinct one once
    for u in {id(o.usage): o.usage for o in blk.offers}.values():
        size = u.get("cpu", 0.0) + u.get("memory_gib", 0.0) / 4
        if len(u) > 2 or "cpu" not in u or "memory_gib" not in u:
            size += 8 * sum(v for k, v in u.items() if k.startswith(("gpus:", "peak_gpus:")))
        best = max(best, size)
    return best


def constraint_key(blk: Block, has_partners: bool, clouds: frozenset[str]) -> tuple[object, ...]:
    """Sort key of a block, most constrained first (see the module docstring); ``clouds``
    are the names of the uncapacitated sites."""
    reasons = [(o.reason or "").lower() for o in blk.relaxable]
    pinned = any(r.startswith("pinned to") for r in reasons)
    resident = any("residency" in r for r in reasons)
    sites = {o.site for o in blk.offers}
    uncapped = not sites.isdisjoint(clouds)
    return (
        not pinned,
        uncapped,
        len(sites),
        not (blk.tier == 1 and has_partners),
        not resident,
        -_size(blk),
        blk.members[0],
    )


class _Packer:
    """The greedy's working state: the plan ``x``, the headroom of each limited row, and a
    journal of what was taken so a group can be undone."""

    def __init__(
        self,
        model: Model,
        deps: Mapping[str, set[tuple[str, float]]],
        table: Table | None = None,
    ) -> None:
        self.model = model
        self.deps = deps
        self.x = np.zeros(model.n_cols)
        self.headroom = model.row_upper.copy()
        self.journal: list[tuple[int, float]] = []
        t = table if table is not None else packer_table(model)
        self.start, self.cost, self.site_of = t.start, t.cost, t.site_of
        self.site_names, self.offer_cols, self.lat = t.site_names, t.offer_cols, t.lat
        self.block_of, self.companion, self._limits = t.block_of, t.companion, t.limits
        self.placed_sites: dict[str, set[int]] = {}

    def _rows(self, j: int) -> slice:
        return slice(self.start[j], self.start[j + 1])

    def fit(self, j: int) -> float:
        """How many units of column j still fit (capacity and budgets), with what its
        site-use companion takes first if it is not taken yet."""
        first: dict[int, float] = {}
        u = self.companion.get(j)
        if u is not None and self.x[u] <= EPS:
            first = dict(self._limits(u))
            if any(self.headroom[r] < v - 1e-9 for r, v in first.items()):
                return 0.0
        best = math.inf
        for r, v in self._limits(j):
            best = min(best, max(0.0, float(self.headroom[r]) - first.get(r, 0.0)) / v)
        return best

    def take(self, j: int, amount: float) -> None:
        u = self.companion.get(j)
        if u is not None and amount > EPS and self.x[u] <= EPS:
            self.take(u, 1.0)
        self.x[j] += amount
        at = self._rows(j)
        self.headroom[self.model.index[at]] -= self.model.value[at] * amount
        self.journal.append((j, amount))

    def undo(self, mark: int, blocks: Sequence[Block]) -> None:
        """Take back everything taken since ``mark``, and forget where ``blocks`` went."""
        for j, amount in reversed(self.journal[mark:]):
            self.x[j] -= amount
            at = self._rows(j)
            self.headroom[self.model.index[at]] += self.model.value[at] * amount
        del self.journal[mark:]
        for blk in blocks:
            for m in blk.members:
                self.placed_sites.pop(m, None)

    def site_ok(self, blk: Block, si: int) -> bool:
        """Site ``si`` is within the latency bound of every partner already placed."""
        for m in blk.members:
            for other, bound in self.deps.get(m, ()):
                for ti in self.placed_sites.get(other, ()):
                    if self.lat[si][ti] > bound:
                        return False
        return True

    def partners_fit(self, blk: Block, si: int) -> bool:
        """Each partner not placed yet still has an offer near ``si`` with room for it."""
        for m in blk.members:
            for other, bound in self.deps.get(m, ()):
                if other in self.placed_sites or other not in self.block_of:
                    continue
                pb = self.block_of[other]
                if not any(
                    self.lat[si][self.site_of[j]] <= bound and self.fit(j) + 1e-9 >= pb.units
                    for j in self.offer_cols.get(pb.index, ())
                ):
                    return False
        return True

    def _cheapest_first(self, blk: Block) -> list[int]:
        """``blk``'s offer columns by cost, then site name, then index."""
        cost, site, names = self.cost, self.site_of, self.site_names
        return sorted(
            self.offer_cols.get(blk.index, ()), key=lambda j: (cost[j], names[site[j]], j)
        )

    def place(self, blk: Block, anchor: int | None = None) -> bool:
        """Place ``blk`` (on site ``anchor`` only, if given); False if it does not fit (what
        was taken stays in the journal for the caller to undo)."""
        model = self.model
        if any(self.deps.get(m) for m in blk.members):
            ok: dict[int, bool] = {}  # per site: its options share the answer

            def near(si: int) -> bool:
                got = ok.get(si)
                if got is None:
                    got = ok[si] = self.site_ok(blk, si) and self.partners_fit(blk, si)
                return got

            cols = [
                j
                for j in self._cheapest_first(blk)
                if (anchor is None or self.site_of[j] == anchor) and near(self.site_of[j])
            ]
        else:  # no partners: every site is within bounds
            cols = [
                j for j in self._cheapest_first(blk) if anchor is None or self.site_of[j] == anchor
            ]
        if blk.kind is BlockKind.SPLIT and blk.spread != 2:
            done = _place_split(model, blk, cols, self.fit, self.take)
        else:
            done = self._place_units(blk, cols)
        if done:
            used = {self.site_of[j] for j in self.offer_cols.get(blk.index, ()) if self.x[j] > EPS}
            for m in blk.members:
                self.placed_sites[m] = used
        return done

    def _place_units(self, blk: Block, cols: list[int]) -> bool:
        remaining = blk.units
        integral = blk.kind is not BlockKind.TRAIN
        # with latency partners, every site used must be within the tightest bound of the
        # first one (so a partner next to the first is near all of them)
        bounds = [b for m in blk.members for _, b in self.deps.get(m, ())]
        first: int | None = None
        for j in cols:
            if remaining <= EPS:
                break
            si = self.site_of[j]
            if bounds and first is not None and self.lat[first][si] > min(bounds):
                continue
            can = self.fit(j)
            if integral and math.isfinite(can):
                can = math.floor(can + 1e-9)
            amount = min(remaining, can)
            if amount > EPS:
                self.take(j, amount)
                if bounds and not self.partners_fit(blk, si):
                    self.undo(len(self.journal) - 1, ())  # it would crowd its partner out
                    continue
                remaining -= amount
                first = si if first is None else first
        return remaining <= 1e-7

    def follow(self, guide: FloatArray, groups: Sequence[Sequence[Block]]) -> set[int]:
        """Take ``guide``'s values for every block of each group whose integer values are
        all whole (training shares are fractions by nature); the indices of the blocks taken.
        A block whose values no longer fit (the LP's tolerance) is left out."""
        # offers, covers and site-use indicators: a block whose fractional use of a site
        # satisfied a latency row would break it once the use is whole
        model = self.model
        split = model.integer & (np.abs(guide - np.round(guide)) > 1e-6) & (model.col_block >= 0)
        whole = dict.fromkeys(np.unique(model.col_block[split]).tolist(), False)
        # each block's offer columns the guide uses, ascending (the others take nothing)
        support: dict[int, list[int]] = defaultdict(list)
        used_cols = np.nonzero(model.is_kind(ColKind.OFFER) & (guide > EPS))[0]
        for j, b in zip(used_cols.tolist(), model.col_block[used_cols].tolist(), strict=True):
            support[b].append(j)
        done: set[int] = set()
        for group in groups:
            if not all(whole.get(blk.index, True) for blk in group):
                continue
            for blk in group:
                mark = len(self.journal)
                for j in support.get(blk.index, ()):
                    amount = float(guide[j])
                    if self.model.integer[j]:
                        amount = float(round(amount))
                    if amount <= EPS:
                        continue
                    if self.fit(j) + 1e-6 < amount:
                        self.undo(mark, ())
                        break
                    self.take(j, amount)
                else:
                    cols = support.get(blk.index, ())
                    used = {self.site_of[j] for j in cols if self.x[j] > EPS}
                    if used:
                        done.add(blk.index)
                        for m in blk.members:
                            self.placed_sites[m] = used
        return done

    def place_group(self, group: Sequence[Block]) -> bool:
        """Place a latency group as it comes; if that fails, retry it with its first block
        on each of its sites in turn (cheapest first). Undone entirely if nothing works."""
        mark = len(self.journal)
        if all(self.place(blk) for blk in group):
            return True
        self.undo(mark, group)
        if len(group) == 1:
            return False
        head = group[0]
        cheapest: dict[int, float] = {}
        for j in self.offer_cols.get(head.index, ()):
            si = self.site_of[j]
            cheapest[si] = min(cheapest.get(si, math.inf), float(self.model.cost[j]))
        for si in sorted(cheapest, key=lambda s: (cheapest[s], self.model.sites[s].name)):
            if self.place(head, anchor=si) and all(self.place(blk) for blk in group[1:]):
                return True
            self.undo(mark, group)
        return False


def latency_groups(model: Model, deps: Mapping[str, set[tuple[str, float]]]) -> list[list[Block]]:
    """Blocks tied by latency-bound dependencies, most constrained group first; in a group
    the most constrained block first, each next one a partner of a block before it."""
    block_of = {m: blk for blk in model.blocks for m in blk.members}

    def partners(blk: Block) -> list[Block]:
        return [
            block_of[o] for m in blk.members for o, _ in sorted(deps.get(m, ())) if o in block_of
        ]

    clouds = frozenset(s.name for s in model.sites if s.kind is SiteKind.CLOUD)
    keys = {
        blk.index: constraint_key(blk, any(deps.get(m) for m in blk.members), clouds)
        for blk in model.blocks
    }
    seen: set[int] = set()
    groups: list[list[Block]] = []
    for blk in sorted(model.blocks, key=lambda b: keys[b.index]):
        if blk.index in seen:
            continue
        # a walk over its component from its most constrained block, the most constrained
        # partner reached so far next
        order: list[Block] = []
        frontier = [blk]
        seen.add(blk.index)
        while frontier:
            frontier.sort(key=lambda b: keys[b.index])
            b = frontier.pop(0)
            order.append(b)
            for p in partners(b):
                if p.index not in seen:
                    seen.add(p.index)
                    frontier.append(p)
        groups.append(order)
    return groups


@dataclass(frozen=True, slots=True)
class Order:
    """The greedy's order for a model: latency partners both ways, and the groups in the
    order they are placed (``latency_groups``). Computed once, it serves every greedy run
    on the model (the baseline and the LP's completion)."""

    deps: Mapping[str, set[tuple[str, float]]]
    groups: Sequence[Sequence[Block]]
    table: Table | None = None
    """The model's ``packer_table``, read by every run."""


def greedy_order(
    model: Model, dependencies: Mapping[str, Sequence[tuple[str, float]]] | None = None
) -> Order:
    """The ``Order`` of ``model`` given each workload's latency-bound ``dependencies``."""
    deps: dict[str, set[tuple[str, float]]] = defaultdict(set)
    for w, lst in (dependencies or {}).items():
        for d, bound in lst:
            deps[w].add((d, bound))
            deps[d].add((w, bound))
    return Order(deps=deps, groups=latency_groups(model, deps), table=packer_table(model))


def solve_greedy(
    model: Model,
    *,
    clock: Clock,
    dependencies: Mapping[str, Sequence[tuple[str, float]]] | None = None,
    guide: FloatArray | None = None,
    order: Order | None = None,
) -> Solution:
    """Greedy plan for ``model`` (not elastic). Deterministic: ties break by name.

    ``guide`` (an LP solution) makes it a completion: latency groups whose integer values
    in it are all whole are placed as it says first (a block that no longer fits is left
    to the greedy), the rest greedily (LP + repair's fallback when its repair runs out of
    time). ``order``: ``greedy_order(model, dependencies)`` if already known."""
    t0 = clock()
    order = greedy_order(model, dependencies) if order is None else order
    packer = _Packer(model, order.deps, order.table)
    groups = order.groups
    done = set() if guide is None else packer.follow(guide, groups)
    failed = ""
    for group in groups:
        todo = [blk for blk in group if blk.index not in done]
        if todo and not packer.place_group(todo):
            failed = todo[0].members[0]
            break
    x = packer.x
    fill_indicators(model, x)
    broken = first_violation(model, x)
    if failed or broken:
        why = f"no offer left for {failed}" if failed else f"{broken} exceeded"
        return Solution(
            x=x,
            status="infeasible",
            objective=math.inf,
            bound=None,
            seconds=clock() - t0,
            method="greedy",
            note=f"greedy gave up: {why}",
        )
    return Solution(
        x=x,
        status="feasible",
        objective=float(model.cost @ x),
        bound=None,
        seconds=clock() - t0,
        method="greedy",
    )


def _place_split(
    model: Model,
    blk: Block,
    cols: list[int],
    fit: Callable[[int], float],
    take: Callable[[int, float], None],
) -> bool:
    """A tier-1 workload: the cheapest of (all replicas on one offer at a site with enough
    failure domains) and (two offers on different sites, as many replicas on the cheaper
    one as the domain cover allows)."""
    reps = int(blk.units)
    k = blk.spread

    def domains(j: int) -> int:
        return len(model.sites[model.columns[j].site].failure_domains)

    best: tuple[float, list[tuple[int, int]]] | None = None
    for j in cols:
        if min(domains(j), reps) >= k and fit(j) + 1e-9 >= reps:
            cost = model.cost[j] * reps
            if best is None or cost < best[0] - 1e-9:
                best = (cost, [(j, reps)])
            break
    for i, j1 in enumerate(cols):
        for j2 in cols[i + 1 :]:
            if model.columns[j1].site == model.columns[j2].site:
                continue
            d1, d2 = domains(j1), domains(j2)
            for m in range(1, reps):
                a = reps - m
                if min(a, d1) + min(m, d2) >= k:
                    break
            else:
                continue
            if fit(j1) + 1e-9 < a or fit(j2) + 1e-9 < m:
                continue
            cost = model.cost[j1] * a + model.cost[j2] * m
            if best is None or cost < best[0] - 1e-9:
                best = (cost, [(j1, a), (j2, m)])
    if best is None:
        return False
    for j, amount in best[1]:
        take(j, float(amount))
    return True


def is_cloud(model: Model, si: int) -> bool:
    return model.sites[si].kind is SiteKind.CLOUD
