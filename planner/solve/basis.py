"""A simplex basis kept by stable keys, to start a related LP from it (a what-if's LP from
its base plan's: ``planner.whatif``).

A basis gives each column and row of an LP a status (HiGHS's codes: at its lower bound,
basic, at its upper bound, ...). A scenario's model has the base model's columns and rows
except those its change touches, but not at the same positions (a block more or less shifts
every index after it), so the base's basis is kept by *keys* that name a column or a row
the same way in both models: an offer column by (the block's first member, site, pricing
option), a cover or site-use column by (first member, site), a row by its ``RowInfo`` with
the block named by its first member. ``mapped`` gives the scenario's columns and rows their
base statuses; a column the base did not have is nonbasic at its lower bound (0: nothing
placed there), a row it did not have basic (its slack takes up the row). An offer column
whose option the base did not solve over (another twin was the cheapest,
``planner.solve.twins``) takes the status of the base's column on the same site.

The result is only a starting point: HiGHS checks it (``HighsBasis.alien``: made square and
nonsingular where the change broke it) and runs the simplex to the same optimum as from
scratch; a good start only takes fewer iterations. Pure: no solver here
(``planner.solve.highs`` passes it to HiGHS).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from planner.solve.problem import KIND_CODE, ColKind, Columns, IntArray, Model

Int8Array = npt.NDArray[np.int8]

LOWER = 0
"""HiGHS ``HighsBasisStatus.kLower``: nonbasic at the lower bound."""
BASIC = 1
"""HiGHS ``HighsBasisStatus.kBasic``."""

Key = tuple[object, ...]
BASIS_NOTE = "the LP relaxation started from an earlier plan's basis"
"""In ``SolverInfo.note`` when LP + repair's LP started from a kept basis (a what-if's)."""


@dataclass(frozen=True, slots=True)
class Basis:
    """A basis of one model's LP over its columns ``cols`` (``planner.solve.twins``) and all
    its rows, as HiGHS status codes aligned with ``cols`` and the rows."""

    cols: IntArray
    col_status: Int8Array
    row_status: Int8Array


@dataclass(frozen=True, slots=True)
class KeyedBasis:
    """A basis by stable column and row keys (module doc), independent of positions."""

    cols: Mapping[Key, int]
    rows: Mapping[Key, int]


def keyed(model: Model, basis: Basis) -> KeyedBasis:
    """``basis`` of ``model`` by keys; each offer column also under its (member, site) key
    (the first column on that site wins), for a twin the other model solves over."""
    keys = column_keys(model, basis.cols)
    cols: dict[Key, int] = {}
    for key, status in zip(keys, basis.col_status.tolist(), strict=True):
        cols[key] = status
        if key[0] is ColKind.OFFER:
            cols.setdefault(key[:3], status)
    rows = dict(zip(row_keys(model), basis.row_status.tolist(), strict=True))
    return KeyedBasis(cols=cols, rows=rows)


def mapped(model: Model, cols: IntArray, kept: KeyedBasis) -> Basis:
    """A basis of ``model``'s LP over ``cols`` from ``kept`` (module doc: what a column or
    row ``kept`` does not know gets)."""
    get_col = kept.cols.get
    col_status = [
        get_col(key, get_col(key[:3], LOWER) if key[0] is ColKind.OFFER else LOWER)
        for key in column_keys(model, cols)
    ]
    get_row = kept.rows.get
    row_status = [get_row(key, BASIC) for key in row_keys(model)]
    return Basis(
        cols=cols,
        col_status=np.asarray(col_status, dtype=np.int8),
        row_status=np.asarray(row_status, dtype=np.int8),
    )


def column_keys(model: Model, cols: IntArray) -> list[Key]:
    """A stable key per column of ``cols``: (kind, block's first member, site, option) for
    offer columns; (kind, first member or "", site or "", buy, row) for the others."""
    firsts = [blk.members[0] for blk in model.blocks]
    sites = [s.name for s in model.sites]
    columns = model.columns
    offers = columns.offers if isinstance(columns, Columns) else [c.offer for c in columns]
    offer_code = KIND_CODE[ColKind.OFFER]
    out: list[Key] = []
    kinds = model.col_kind[cols].tolist()
    blocks = model.col_block[cols].tolist()
    col_sites = model.col_site[cols].tolist()
    for j, kind, b, s in zip(cols.tolist(), kinds, blocks, col_sites, strict=True):
        if kind == offer_code:
            # the option as the StrEnum itself: the same hash and equality as its text,
            # without reading ``.value`` 100k times
            option = model.blocks[b].offers[offers[j]].option
            out.append((ColKind.OFFER, firsts[b], sites[s], option))
        else:
            c = columns[j]
            out.append(
                (
                    c.kind,
                    firsts[b] if b >= 0 else "",
                    sites[s] if s >= 0 else "",
                    c.buy,
                    c.row,
                )
            )
    return out


def row_keys(model: Model) -> list[Key]:
    """A stable key per row: its ``RowInfo`` fields, the block by its first member."""
    firsts = [blk.members[0] for blk in model.blocks]
    return [
        (
            r.kind,
            r.site,
            r.resource,
            r.team,
            firsts[r.block] if r.block >= 0 else "",
            r.other,
        )
        for r in model.rows
    ]
