"""What every greedy run on a model reads and never changes (``packer_table``): built once
per model, in its ``planner.solve.greedy.Order``, and shared by the greedy baseline and the
LP's completion."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from planner.solve.blocks import Block
from planner.solve.indicators import companions
from planner.solve.problem import ColKind, Model, RowKind, latency_ms

LIMITED_ROWS = (
    RowKind.CAPACITY,
    RowKind.BUDGET_TEAM,
    RowKind.BUDGET_SITE,
    RowKind.BUDGET_TOTAL,
    RowKind.SPREAD_CAP,
    RowKind.TRAINING_ROOM,
)
"""Rows with an upper limit a unit's columns consume (the rest are checked at the end)."""


class Limits:
    """The limited rows each column consumes and how much per unit (rows with an upper
    limit, ``LIMITED_ROWS``; positive coefficients only), read from the matrix once."""

    __slots__ = ("_at", "_rows", "_vals")

    def __init__(self, model: Model) -> None:
        limited = np.asarray([r.kind in LIMITED_ROWS for r in model.rows], dtype=np.bool_)
        keep = (model.value > 0) & limited[model.index]
        counts = np.bincount(
            np.repeat(np.arange(model.n_cols), np.diff(model.start))[keep],
            minlength=model.n_cols,
        )
        at = np.zeros(model.n_cols + 1, dtype=np.int64)
        np.cumsum(counts, out=at[1:])
        self._at: list[int] = at.tolist()
        self._rows: list[int] = model.index[keep].tolist()
        self._vals: list[float] = model.value[keep].tolist()

    def __call__(self, j: int) -> list[tuple[int, float]]:
        """Column ``j``'s (limited row, per-unit use) pairs, in row order."""
        a, b = self._at[j], self._at[j + 1]
        return list(zip(self._rows[a:b], self._vals[a:b], strict=True))


@dataclass(frozen=True, slots=True)
class Table:
    """What every greedy run on a model reads and never changes (``packer_table``)."""

    start: list[int]
    cost: list[float]
    site_of: list[int]
    site_names: list[str]
    limits: Limits
    offer_cols: Mapping[int, list[int]]
    """Block -> its offer columns, ascending."""
    lat: list[list[float]]
    block_of: Mapping[str, Block]
    companion: Mapping[int, int]
    """Offer column -> the indicator it takes along, where that one consumes a limited
    row: a split block's site use (its surge GPUs, held once per site), a training
    block's training room (one pod's GPUs beside the other workloads')."""


def packer_table(model: Model) -> Table:
    """The ``Table`` of ``model``."""
    offer_cols: dict[int, list[int]] = defaultdict(list)
    offers = np.nonzero(model.is_kind(ColKind.OFFER))[0]
    for j, blk in zip(offers.tolist(), model.col_block[offers].tolist(), strict=True):
        offer_cols[blk].append(j)
    limits = Limits(model)
    return Table(
        start=model.start.tolist(),
        cost=model.cost.tolist(),
        site_of=model.col_site.tolist(),
        site_names=[s.name for s in model.sites],
        limits=limits,
        offer_cols=dict(offer_cols),
        lat=[[latency_ms(a, b) for b in model.sites] for a in model.sites],
        block_of={m: blk for blk in model.blocks for m in blk.members},
        companion=companions(model, offer_cols, limits),
    )
