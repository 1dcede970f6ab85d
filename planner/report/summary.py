"""Plan -> the CLI's short summary table: one row per site, then ``TOTAL``. Pure."""

from __future__ import annotations

from planner.model import Plan
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
"""Short headers so the table fits 80 columns; the CLI titles it "USD/month"."""


def summary_rows(plan: Plan) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """Header and rows of the CLI's short summary: one row per site, then ``TOTAL``.

    Money is USD/month; the TOTAL row uses the plan totals (which include every site and
    the idle owned capacity: owned sites count whole).
    ``in`` counts workloads that start running on a site, in whole or in part (a training
    workload bursting into a pool counts as in, not out, since it stays where it was);
    ``out`` counts workloads that leave a site entirely.
    """
    rows: list[tuple[str, ...]] = [
        (
            s.name,
            str(len(s.workloads)),
            str(s.moved_in),
            str(s.moved_out),
            s.baseline_per_month.format(unit=False),
            s.per_month.format(unit=False),
            (s.per_month - s.baseline_per_month).format(unit=False, sign=True),
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
            t.baseline_per_month.format(unit=False),
            t.per_month.format(unit=False),
            (t.per_month - t.baseline_per_month).format(unit=False, sign=True),
        )
    )
    return SUMMARY_COLUMNS, rows
