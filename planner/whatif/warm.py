"""A what-if's warm start: the base plan's placements as column values of the scenario's
model, for the solver to complete and start from (``planner.solve.solve_offers(warm=)``).

Each block's offer columns take the units its members had on the same site and pricing
option in the base plan: whole blocks a member per offer, split blocks replicas, training
blocks the share of GPU-hours. A block whose members' base units do not add up to its
units now (a member new, grown, or moved by the scenario; an offer gone; a share on
servers the base bought) is left at zero for the greedy to place. Pure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping

import numpy as np

from planner.model import Placement
from planner.solve.blocks import BlockKind
from planner.solve.problem import ColKind, FloatArray, Model

WarmStart = Callable[[Model], FloatArray]

SHARE_TOL = 1e-2
"""Training shares shown in a plan are rounded (GPU-hours to 0.001 h): a block's shares
within this of 1 are scaled to 1."""


def warm_start(placements: Mapping[str, Placement]) -> WarmStart:
    """A function giving, for a scenario's model, the base plan's values (module doc)."""

    def values(model: Model) -> FloatArray:
        x = np.zeros(model.n_cols)
        cols: dict[int, list[int]] = defaultdict(list)
        for j, c in enumerate(model.columns):
            if c.kind is ColKind.OFFER:
                cols[c.block].append(j)
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
                got = {}
                for j in cols[blk.index]:
                    o = blk.offers[model.columns[j].offer]
                    got[j] = units.pop((o.site, o.option.value), 0.0)
                placed = sum(got.values())
                if units or placed <= 0:
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
