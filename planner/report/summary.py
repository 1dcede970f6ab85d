"""Plan -> the CLI's short summary table: one row per site, then ``TOTAL``. Pure."""

from __future__ import annotations

from planner.fx import to_currency
from planner.model import Plan
from planner.money import Money
from planner.report.figures import changes_site, plan_totals, site_figures

SUMMARY_COLUMNS: tuple[str, ...] = (
    "site",
    "workloads",
    "in",
    "out",
    "before",
    "after",
    "delta",
)
"""Short headers so the table fits 80 columns; the CLI titles it "<currency>/month"."""


def summary_rows(plan: Plan) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Header and rows of the CLI's short summary: one row per site, then ``TOTAL``.

    Money is per month in the project currency (``Plan.currency``: each figure converted
    once, ``planner.fx.to_currency``); the TOTAL row uses the plan totals (which include
    every site and the idle owned capacity: owned sites count whole).
    ``in`` counts workloads that start running on a site, in whole or in part (a training
    workload bursting into a pool counts as in, not out, since it stays where it was);
    ``out`` counts workloads that leave a site entirely.
    """
    rate = plan.currency

    def fmt(m: Money, *, sign: bool = False) -> str:
        return to_currency(m, rate).format(unit=False, sign=sign)

    rows: list[tuple[str, ...]] = [
        (
            s.name,
            str(len(s.workloads)),
            str(s.moved_in),
            str(s.moved_out),
            fmt(s.baseline_per_month),
            fmt(s.per_month),
            fmt(s.per_month - s.baseline_per_month, sign=True),
        )
        for s in site_figures(plan)
    ]
    t = plan_totals(plan, 0.0)  # the monthly figures do not depend on the discount rate
    rows.append(
        (
            "TOTAL",
            str(len(plan.placements)),
            str(sum(1 for p in plan.placements if changes_site(p))),
            str(sum(1 for p in plan.placements if p.moved)),
            fmt(t.baseline_per_month),
            fmt(t.per_month),
            fmt(t.per_month - t.baseline_per_month, sign=True),
        )
    )
    return SUMMARY_COLUMNS, rows
