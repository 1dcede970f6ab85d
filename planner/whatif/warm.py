"""A what-if's warm start: the base plan's placements as column values of the scenario's
model, for the solver to complete and start from (``planner.solve.solve_offers(warm=)``).

Each block's offer columns take the units its members had on the same site and pricing
option in the base plan: whole blocks a member per offer, split blocks replicas, training
blocks the share of GPU-hours. A block whose members' base units do not add up to its
units now (a member new, grown, or moved by the scenario; an offer gone; a share on
servers the base bought) is left at zero for the greedy to place. Pure.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Mapping

import numpy as np

from planner.model import Placement
from planner.solve.blocks import Block, BlockKind, offer_sort_key
from planner.solve.problem import ColKind, FloatArray, Model

WarmStart = Callable[[Model], FloatArray]

SHARE_TOL = 1e-2
"""Training shares shown in a plan are rounded (GPU-hours to 0.001 h): a block's shares
within this of 1 are scaled to 1."""


def warm_start(placements: Mapping[str, Placement]) -> WarmStart:
    """A function giving, for a scenario's model, the base plan's values (module doc)."""

    def values(model: Model) -> FloatArray:
        x = np.zeros(model.n_cols)
        first = _first_offer_columns(model)
        for blk in model.blocks:
            units: dict[tuple[str, str], float] = defaultdict(float)
            for name in blk.members:
                p = placements.get(name)
                if p is None:
                    break
                for a in p.assignments:
                    if a.bought:
                        units[("", "")] += 1.0  # not an offer column: the block is left out
                    elif blk.kind is BlockKind.TRAIN:
                        share = (a.gpu_hours_per_month or 0.0) / (blk.gpu_hours_per_month or 1.0)
                        units[(a.site, a.option.value)] += share
                    elif blk.kind is BlockKind.SPLIT:
                        units[(a.site, a.option.value)] += a.replicas
                    else:
                        units[(a.site, a.option.value)] += 1.0
            else:
                got = _columns_of(blk, first.get(blk.index), units)
                if got is None:
                    continue
                placed = sum(got.values())
                if placed <= 0:
                    continue
                if blk.kind is BlockKind.TRAIN:
                    if abs(placed - blk.units) > SHARE_TOL:
                        continue
                    got = {j: v * blk.units / placed for j, v in got.items()}
                elif abs(placed - blk.units) > 1e-9:
                    continue
                for j, v in got.items():
                    x[j] = v
        return x

    return values


def _first_offer_columns(model: Model) -> dict[int, int]:
    """Each block's first offer column: a block's offer columns are adjacent, in the order
    of its offers (``planner.solve.build``)."""
    js = np.nonzero(model.is_kind(ColKind.OFFER))[0]
    if js.size == 0:
        return {}
    blocks = model.col_block[js]
    starts = np.nonzero(np.r_[True, blocks[1:] != blocks[:-1]])[0]
    return dict(zip(blocks[starts].tolist(), js[starts].tolist(), strict=True))


def _columns_of(
    blk: Block, first: int | None, units: Mapping[tuple[str, str], float]
) -> dict[int, float] | None:
    """``units`` by (site, option) as the block's offer columns, or ``None`` when one has
    no column (an offer gone, or servers bought)."""
    got: dict[int, float] = {}
    for key, v in units.items():
        i = bisect.bisect_left(blk.offers, key, key=offer_sort_key)
        if first is None or i == len(blk.offers) or offer_sort_key(blk.offers[i]) != key:
            return None
        got[first + i] = v
    return got
