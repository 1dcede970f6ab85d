"""The ``baseline`` and ``billing`` keys of ``plan.json`` (pure): where each workload's cost
today comes from (the bill or the catalogue estimate), per workload and in total; the
committed spend the moves cannot save before the commitments expire; and, when the project
names a bill, its coverage, largest unmapped spend and commitments.

- ``baseline.usd_per_month = bill_usd_per_month + estimate_usd_per_month`` (the plan's
  ``totals.baseline_usd_per_month``);
- ``baseline.committed_not_saved_usd``: the sum of ``usd_per_month x months`` over the
  moved workloads' commitments in force, to their expiry within the horizon;
- ``baseline.horizon_savings_after_commitments_usd = totals.horizon_savings_usd -
  committed_not_saved_usd``: the horizon saving without the committed spend a move leaves
  owed.
"""

from __future__ import annotations

from typing import Any

from planner.billing.view import baseline_view
from planner.model import BaselineSource, Plan
from planner.money import Money

BILLING_KEYS = ("months", "partial_months", "coverage", "unmapped", "commitments", "notes")
"""What ``plan.json`` keeps of ``hybridplan baseline``'s view (the per-workload figures are
under ``baseline.workloads``)."""


def _source(sources: set[BaselineSource]) -> str:
    if len(sources) == 1:
        return next(iter(sources)).value
    return "mixed" if sources else BaselineSource.ESTIMATE.value


def baseline_dict(plan: Plan, horizon_savings: Money) -> dict[str, Any]:
    """``plan.json``'s ``baseline``: the source of each workload's cost today and the totals
    by source; ``horizon_savings`` is the plan's ``totals.horizon_savings_usd``."""
    cur = plan.baseline_per_month.currency
    bills = {w.workload: w for w in plan.bill.workloads} if plan.bill is not None else {}
    by_source: dict[BaselineSource, list[Money]] = {s: [] for s in BaselineSource}
    workloads = []
    for name, amount in sorted(plan.workload_baseline_per_month.items()):
        source = plan.baseline_source.get(name, BaselineSource.ESTIMATE)
        by_source[source].append(amount)
        bill = bills.get(name)
        workloads.append(
            {
                "workload": name,
                "source": source.value,
                "usd_per_month": amount,
                "estimate_usd_per_month": plan.workload_estimate_per_month.get(name),
                "bill": None
                if bill is None
                else {
                    "effective_per_month": bill.effective,
                    "billed_per_month": bill.billed,
                    "list_per_month": bill.list,
                    "committed_per_month": bill.committed,
                    "shared_per_month": bill.shared,
                    "trend_pct_per_month": bill.trend_pct_per_month,
                },
            }
        )
    committed = Money.total((c.total for c in plan.committed), cur)
    return {
        "source": _source({s for s, amounts in by_source.items() if amounts}),
        "usd_per_month": plan.baseline_per_month,
        "bill_usd_per_month": Money.total(by_source[BaselineSource.BILL], cur),
        "estimate_usd_per_month": Money.total(by_source[BaselineSource.ESTIMATE], cur),
        "workloads": workloads,
        "committed_not_saved": [
            {
                "workload": c.workload,
                "commitment_id": c.commitment_id,
                "usd_per_month": c.per_month,
                "expires": None if c.expires is None else c.expires.isoformat(),
                "months": c.months,
                "usd": c.total,
            }
            for c in plan.committed
        ],
        "committed_not_saved_usd": committed,
        "horizon_savings_after_commitments_usd": horizon_savings - committed,
    }


def billing_dict(plan: Plan) -> dict[str, Any] | None:
    """``plan.json``'s ``billing``: the bill's months, coverage, largest unmapped spend,
    commitments and notes (``None`` when the project names no bill)."""
    if plan.bill is None:
        return None
    view = baseline_view(plan.bill, files=(), sources=())
    return {"currency": plan.bill.currency} | {k: view[k] for k in BILLING_KEYS}
