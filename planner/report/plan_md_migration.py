"""``plan.md``'s migration cost of each move, term by term (issue #12): engineering, data
transfer (dataset egress priced by the source site, or waived) and double running (by
workload kind), with how each was computed. Pure: takes the ``plan.json`` dictionary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from planner.money import Money
from planner.report.markdown import code_span, md_cell, md_table, shorten

TERMS: tuple[tuple[str, str], ...] = (
    ("engineering", "engineering"),
    ("dataset egress", "data transfer"),
    ("double running", "double running"),
)
"""(line item name prefix, column) of each migration term."""
NOTE_CHARS = 160


def _term_of(name: str) -> str:
    for prefix, column in TERMS:
        if name.startswith(prefix):
            return column
    return "other"


def _row(w: Mapping[str, Any]) -> tuple[str, ...]:
    items: Sequence[Mapping[str, Any]] = w["migration"]["items"]
    total = w["migration"]["usd"]
    by: dict[str, Money] = {}
    notes: list[str] = []
    for li in items:
        col = _term_of(li["name"])
        by[col] = by.get(col, Money.zero(total.currency)) + li["usd"]
        if col != "engineering":  # an unknown term is in the total and named here
            notes.append(f"{li['name']}: {li['formula']}")
    cells = [by[c].format(unit=False) if c in by else "-" for _, c in TERMS]
    return (
        code_span(w["name"]),
        *cells,
        total.format(unit=False),
        md_cell(shorten("; ".join(notes), NOTE_CHARS) or "-"),
    )


def migration_section(d: Mapping[str, Any], limit: int) -> list[str]:
    """A folded table of the moves' migration terms (largest migration first); none when no
    move carries its terms."""
    moved = [
        w
        for w in d["workloads"]
        if (w["migration"]["moved"] or w["migration"].get("partial")) and w["migration"]["items"]
    ]
    if not moved:
        return []
    moved.sort(key=lambda w: (-w["migration"]["usd"].cents, w["name"]))
    shown = moved[:limit]
    lines = [
        "",
        "<details>",
        "<summary>Migration cost of each move, term by term</summary>",
        "",
        *md_table(
            (
                "workload",
                "engineering ¤¤¤",
                "data transfer ¤¤¤",
                "double running ¤¤¤",
                "migration ¤¤¤",
                "how",
            ),
            [_row(w) for w in shown],
            "lrrrrl",
        ),
    ]
    if len(moved) > len(shown):
        lines += ["", f"{len(moved) - len(shown)} more are listed in `plan.json`."]
    return [*lines, "", "</details>"]
