"""What-if results -> data for ``planner.money.json_text`` and table rows (money in
USD/month). Pure."""

from __future__ import annotations

from typing import Any

from planner.fx import CODE, said
from planner.report import plan_to_dict
from planner.whatif.run import Outcome, SweepResult


def outcome_to_dict(outcome: Outcome) -> dict[str, Any]:
    """A scenario as JSON-ready data: the changes, what they did, the diff against the base
    plan, and the scenario's own plan (the ``plan.json`` document it would write)."""
    return {
        "changes": [c.text for c in outcome.changes],
        "notes": list(outcome.notes),
        "infeasible": outcome.infeasible,
        "diff": outcome.diff,
        "plan": None
        if outcome.plan is None
        else plan_to_dict(outcome.plan, outcome.project, command="hybridplan what-if"),
    }


def sweep_to_dict(result: SweepResult) -> dict[str, Any]:
    """The sweep as JSON-ready data."""
    return {
        "sweep": result.sweep.text,
        "kind": result.sweep.kind,
        "key": result.sweep.key,
        "unit": result.sweep.unit,
        "watched": list(result.watched),
        "rows": [
            {
                "value": r.value,
                "label": r.label,
                "usd_per_month": r.per_month,
                "delta_usd_per_month": r.delta_per_month,
                "moves": r.moves,
                "sites": dict(sorted(r.sites.items())),
                "infeasible": r.infeasible,
            }
            for r in result.rows
        ],
        "transitions": list(result.transitions),
    }


def sweep_table(result: SweepResult) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Header and rows of the break-even table (money in USD/month, marked: the console
    shows it in the project currency, ``planner.fx.render_text``)."""
    header = (
        result.sweep.key if result.sweep.kind == "price" else result.sweep.kind,
        f"total {CODE}/month",
        f"delta {CODE}/month",
        "moves vs base",
        *result.watched,
    )
    rows = [
        (
            r.label,
            "infeasible" if r.per_month is None else said(r.per_month, unit=False),
            "-" if r.delta_per_month is None else said(r.delta_per_month, unit=False, sign=True),
            str(r.moves),
            *(r.sites[n] for n in result.watched),
        )
        for r in result.rows
    ]
    return header, rows
