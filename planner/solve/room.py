"""Capacity a block holds on an owned site beyond its per-unit usage: a split block's surge
GPUs once per site it uses (on its site-use column), and the training room that keeps one
pod of every training Job on a site free of what the other workloads may hold
(``planner.headroom``; the rows are written out in ``planner.solve.milp``'s docstring)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from planner.model import Site
from planner.solve.blocks import Block, BlockKind
from planner.solve.problem import (
    INF,
    ColKind,
    Column,
    RowInfo,
    RowKind,
    site_usage_once,
    usable_capacity,
)

if TYPE_CHECKING:
    from planner.solve.build import _Builder


def once_per_site(
    blocks: Sequence[Block],
    s_idx: Mapping[str, int],
    capped: set[int],
    cols_at: Sequence[Mapping[int, Sequence[int]]],
) -> dict[tuple[int, int], dict[str, float]]:
    """(block, site) -> what the block holds once on that capped site if it uses it (split
    blocks with surge GPUs, on the sites they have columns on)."""
    out: dict[tuple[int, int], dict[str, float]] = {}
    for blk in blocks:
        for o in (*blk.offers, *blk.relaxable):
            si = s_idx[o.site]
            if si in capped and si in cols_at[blk.index] and (blk.index, si) not in out:
                once = site_usage_once(blk, o)
                if once:
                    out[(blk.index, si)] = once
    return out


def add_training_room(
    b: _Builder,
    blocks: Sequence[Block],
    sites: Sequence[Site],
    usage_by_row: Mapping[tuple[int, str], list[tuple[int, float]]],
    relax_rows: list[tuple[int, int]],
) -> None:
    """Training Jobs fit whole. On an owned site, for each pod size ``g`` of the training
    blocks that may run there on a GPU type: a binary ``t`` (some Job of that pod size runs
    there: each such block's shares on the site are at most ``t``) and the row ``what the
    other workloads hold of the type (with their headroom) + g x t <= usable``, so emit's
    Kueue capacity ``floor(P x u) - O`` admits one pod. A training block whose pod is larger
    than the usable GPUs cannot run there at all."""
    for (si, res), entries in sorted(usage_by_row.items()):
        if not res.startswith("gpus:"):
            continue
        limit = usable_capacity(sites[si]).get(res, 0.0)
        by_pod: dict[int, dict[int, list[int]]] = defaultdict(lambda: defaultdict(list))
        others: list[tuple[int, float]] = []
        for j, val in entries:
            bi = b.col_block[j]
            blk = blocks[bi]
            if blk.kind is not BlockKind.TRAIN:
                others.append((j, val))
            elif blk.pod_gpus > limit + 1e-9:
                b.upper[j] = 0.0  # not even one pod fits the site's usable GPUs
            else:
                by_pod[blk.pod_gpus][bi].append(j)
        if not others:
            continue
        name = sites[si].name
        for g, cols in sorted(by_pod.items()):
            r = b.row(
                RowInfo(RowKind.TRAINING_ROOM, site=name, resource=res, other=str(g)), -INF, limit
            )
            t = b.col(Column(ColKind.ROOM, -1, si, row=r), ub=1.0, integer=True)
            for j, val in others:
                b.nz(r, j, val)
            b.nz(r, t, float(g))
            relax_rows.append((r, si))
            for bi, mine in sorted(cols.items()):
                link = b.row(
                    RowInfo(RowKind.ROOM_LINK, site=name, resource=res, block=bi), -INF, 0.0
                )
                b.ones(link, mine)
                b.nz(link, t, -1.0)
