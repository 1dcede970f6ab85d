"""A what-if's repair, focused on the blocks its change touched (``repair.solve_lp_repair``
given ``touched``).

LP + repair from scratch finishes every block the LP relaxation left fractional with a
MILP (``repair._repair_bounds``). A what-if knows which blocks its change touched (their
offers were priced again: ``planner.reprice``); the others are priced as in the base plan.
Its repair frees only the fractional blocks the change touched (and their latency
partners, whose rows couple them); the other fractional blocks keep the offers the greedy
completion of the LP gives them, and the integral ones the offers the LP used (as in the
whole repair). When the change touched none of them there is nothing to
repair: the completion is the plan. The bound stays the whole LP's, so the gap reported is
the true one; ``repair.solve_model``'s polish rule still polishes a plan above twice the
target gap with the whole MILP. Measured on issue #18's 10k fleet (a P5 price cut): the LP
left 562 blocks fractional, none of the 525 the change touched; the whole repair MILP ran
to its time limit and found nothing better than the completion (0.62 %). Pure.
"""

from __future__ import annotations

from collections.abc import Set

import numpy as np

from planner.solve.problem import BoolArray, ColKind, FloatArray, IntArray, Model, RowKind

FOCUSED = "the change touched none of them: the greedy completion kept without a repair"
"""In ``SolverInfo.note`` when a what-if's repair had nothing to do."""
FOCUS_TAIL = "the others as the greedy completion)"
"""End of the repair's part of ``SolverInfo.note`` when a what-if's repair was focused."""


def partners_closed(model: Model, blocks: BoolArray) -> BoolArray:
    """``blocks`` (a mask over ``model.blocks``) with their latency partners, transitively."""
    member_block = {m: b.index for b in model.blocks for m in b.members}
    pairs = [
        (info.block, member_block[info.other])
        for info in model.rows
        if info.kind is RowKind.LATENCY and info.other in member_block
    ]
    out = blocks.copy()
    grew = True
    while grew:
        grew = False
        for a, b in pairs:
            if out[a] != out[b]:
                out[a] = out[b] = True
                grew = True
    return out


def focused_columns(
    model: Model, free: IntArray, frac: BoolArray, touched: BoolArray, done: FloatArray
) -> tuple[IntArray, int]:
    """(the columns of ``free`` a focused repair may use, how many blocks it frees).

    ``free`` are the whole repair's columns (``repair._repair_bounds``: the LP's integral
    blocks keep the offers it used); ``frac`` and ``touched`` are masks over the blocks
    (fractional in the LP, touched by the change); ``done`` is the completion, the repair's
    start. A fractional block the change did not touch (nor a latency partner of one it
    did) keeps only the offer columns ``done`` uses; the rest is the whole repair's."""
    freed = partners_closed(model, frac & touched)
    held_blocks = partners_closed(model, frac) & ~freed
    block_of = model.col_block
    held = model.integer & model.is_kind(ColKind.OFFER) & (block_of >= 0)
    held &= held_blocks[np.maximum(block_of, 0)]
    held &= np.abs(done) <= 1e-6
    return free[~held[free]], int(np.count_nonzero(freed))


def touched_blocks(model: Model, workloads: Set[str]) -> BoolArray:
    """The blocks with a member in ``workloads`` (those a what-if's change priced again)."""
    return np.fromiter(
        (not workloads.isdisjoint(b.members) for b in model.blocks),
        dtype=np.bool_,
        count=len(model.blocks),
    )
