"""The "Cost today" section of ``plan.md`` (pure): whether each workload's cost today is its
bill or the catalogue estimate, the bill's coverage and largest unmapped spend, and the
committed spend the moves do not save before the commitments expire. Reads the ``baseline``
and ``billing`` keys of the ``plan.json`` dictionary."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from planner.money import Money
from planner.report.markdown import code_span, md_cell, md_table

TOP_UNMAPPED_ROWS = 5
"""Unmapped services listed in the comment (all of them are in plan.json)."""


def _amount(m: Money | None) -> str:
    return "-" if m is None else m.format(unit=False)


def _span(months: list[str]) -> str:
    if not months:
        return "no full month"
    return months[0] if len(months) == 1 else f"{months[0]} to {months[-1]}"


def _counts(b: Mapping[str, Any]) -> tuple[int, int]:
    n_bill = sum(1 for w in b["workloads"] if w["source"] == "bill")
    return n_bill, len(b["workloads"]) - n_bill


def _summary(b: Mapping[str, Any], billing: Mapping[str, Any] | None) -> str:
    n_bill, n_est = _counts(b)
    if billing is None:
        return (
            f"Cost today is the catalogue **estimate** for all {n_est} workloads that run "
            f"today ({_amount(b['estimate_usd_per_month'])} ¤¤¤/month): the project names "
            "no bill (a `billing:` section in project.yaml reads FOCUS cost exports; see "
            "docs/billing.md)."
        )
    return (
        f"Cost today is the **bill** for {n_bill} workload{'s' if n_bill != 1 else ''} "
        f"({_amount(b['bill_usd_per_month'])} ¤¤¤/month: EffectiveCost, commitments "
        f"amortised, averaged over {_span(billing['months'])}) and the catalogue "
        f"**estimate** for {n_est} ({_amount(b['estimate_usd_per_month'])} ¤¤¤/month)."
    )


def _coverage(billing: Mapping[str, Any]) -> list[str]:
    cov = billing["coverage"]
    pct = "-" if cov["pct_mapped"] is None else f"{cov['pct_mapped']} %"
    lines = [
        "",
        f"Bill coverage: **{pct}** of {_amount(cov['total_per_month'])} ¤¤¤/month is mapped "
        f"to workloads ({_amount(cov['shared_allocated_per_month'])} of it shared costs split "
        f"by rule); unmapped: **{_amount(cov['unmapped_per_month'])} ¤¤¤/month**.",
    ]
    services = billing["unmapped"]["by_service"][:TOP_UNMAPPED_ROWS]
    if services:
        lines += [
            "",
            *md_table(
                ("largest unmapped spend by service", "¤¤¤/month"),
                [(md_cell(u["service"]), _amount(u["effective_per_month"])) for u in services],
                "lr",
            ),
        ]
    return lines


def _committed(b: Mapping[str, Any], horizon_savings: Money) -> list[str]:
    rows = b["committed_not_saved"]
    if not rows:
        return []
    return [
        "",
        f"Savings exclude committed spend until expiry: the moves below leave "
        f"**{_amount(b['committed_not_saved_usd'])} ¤¤¤** owed to commitments in force "
        f"(savings plans, reservations) whatever the plan does, so the horizon saving net of "
        f"it is **{_amount(b['horizon_savings_after_commitments_usd'])} ¤¤¤** (not "
        f"{_amount(horizon_savings)} ¤¤¤).",
        "",
        *md_table(
            ("workload", "commitment", "¤¤¤/month", "expires", "months", "not saved (¤¤¤)"),
            [
                (
                    md_cell(c["workload"]),
                    code_span(c["commitment_id"]),
                    _amount(c["usd_per_month"]),
                    c["expires"] or "unknown (whole horizon)",
                    str(c["months"]),
                    _amount(c["usd"]),
                )
                for c in rows
            ],
            "llrlrr",
        ),
    ]


def baseline_section(d: Mapping[str, Any]) -> list[str]:
    """Cost today: bill or estimate, per workload (when there is a bill) and in total."""
    b, billing = d["baseline"], d["billing"]
    lines = ["", "### Cost today: bill or estimate", "", _summary(b, billing)]
    if billing is None:
        return lines
    lines += [
        "",
        *md_table(
            ("workload", "source", "today (¤¤¤/month)", "catalogue estimate (¤¤¤/month)"),
            [
                (
                    md_cell(w["workload"]),
                    w["source"],
                    _amount(w["usd_per_month"]),
                    _amount(w["estimate_usd_per_month"]),
                )
                for w in b["workloads"]
            ],
            "llrr",
        ),
    ]
    lines += _coverage(billing)
    lines += _committed(b, d["totals"]["horizon_savings_usd"])
    return lines
