"""Indicator columns the greedy sets from its offer columns: which indicator an offer
column takes along when that one consumes a limited row (``companions``), and the cover,
site-use and training-room values of a finished plan (``fill_indicators``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from planner.solve.problem import ColKind, FloatArray, Model

EPS = 1e-9


def companions(
    model: Model,
    offer_cols: Mapping[int, Sequence[int]],
    limits: Callable[[int], list[tuple[int, float]]],
) -> dict[int, int]:
    """Offer column -> the indicator column the greedy takes with it: a block's site-use
    column that consumes a limited row, or the training-room column of a training block's
    shares on a site (the room-link rows name them)."""
    out: dict[int, int] = {}
    for u in model.of_kind(ColKind.USE):
        if limits(u):
            bi, si = int(model.col_block[u]), int(model.col_site[u])
            for j in offer_cols.get(bi, ()):
                if int(model.col_site[j]) == si:
                    out[j] = u
    rooms = model.of_kind(ColKind.ROOM)
    if rooms:
        link_of: dict[int, int] = {}
        for t in rooms:
            span = slice(int(model.start[t]), int(model.start[t + 1]))
            for r, v in zip(model.index[span].tolist(), model.value[span].tolist(), strict=True):
                if v < 0:
                    link_of[r] = t
        cols = np.repeat(np.arange(model.n_cols), np.diff(model.start))
        linked = np.isin(model.index, list(link_of)) & (model.value > 0)
        for r, j in zip(model.index[linked].tolist(), cols[linked].tolist(), strict=True):
            out[j] = link_of[r]
    return out


def fill_indicators(model: Model, x: FloatArray) -> None:
    """Set cover (z), use (u) and training-room (t) columns consistently with the offer
    columns."""
    offers = model.is_kind(ColKind.OFFER)
    cover = model.is_kind(ColKind.COVER)
    use = model.is_kind(ColKind.USE)
    room = model.is_kind(ColKind.ROOM)
    if room.any():
        x[room] = 0.0
        act = model.row_activity(x)
        for t in np.nonzero(room)[0].tolist():
            span = slice(int(model.start[t]), int(model.start[t + 1]))
            links = model.index[span][model.value[span] < 0]
            x[t] = 1.0 if np.any(act[links] > EPS) else 0.0
    if not (cover.any() or use.any()):
        return
    placed = np.nonzero(offers & (x > EPS))[0].tolist()
    at: dict[tuple[int, int], float] = defaultdict(float)
    for j in placed:
        at[(int(model.col_block[j]), int(model.col_site[j]))] += float(x[j])
    for j in np.nonzero(cover | use)[0].tolist():
        got = at.get((int(model.col_block[j]), int(model.col_site[j])), 0.0)
        if cover[j]:
            x[j] = min(got, model.upper[j])
        else:
            x[j] = 1.0 if got > EPS else 0.0
