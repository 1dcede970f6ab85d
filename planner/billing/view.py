"""A ``Baseline`` as plain data: what ``hybridplan baseline --format json`` prints and what
the table is rendered from (pure). Amounts are per month, in the bill's currency."""

from __future__ import annotations

from typing import Any

from planner.billing.baseline import Baseline
from planner.billing.facts import SourceInfo


def _month(m: Any) -> str:
    return str(m.isoformat()[:7])


def baseline_view(
    baseline: Baseline, *, files: tuple[str, ...], sources: tuple[SourceInfo, ...]
) -> dict[str, Any]:
    """Everything ``hybridplan baseline`` shows; amounts are ``Money`` (``json_text`` writes
    them as exact JSON numbers)."""
    cov = baseline.coverage
    return {
        "currency": baseline.currency,
        "months": [_month(m) for m in baseline.months.averaged],
        "partial_months": [_month(m) for m in baseline.months.partial],
        "exports": list(files),
        "sources": [{"format": s.format, "files": list(s.files), "tags": s.tags} for s in sources],
        "workloads": [
            {
                "workload": w.workload,
                "source": "bill",
                "effective_per_month": w.effective,
                "billed_per_month": w.billed,
                "list_per_month": w.list,
                "committed_per_month": w.committed,
                "shared_per_month": w.shared,
                "trend_pct_per_month": w.trend_pct_per_month,
                "monthly_effective": {_month(m): v for m, v in w.monthly},
                "by_service_category": dict(w.by_category),
                "rules": list(w.rules),
            }
            for w in baseline.workloads
        ],
        "without_bill": list(baseline.without_bill),
        "coverage": {
            "total_per_month": cov.total,
            "mapped_per_month": cov.mapped,
            "shared_allocated_per_month": cov.shared_allocated,
            "unmapped_per_month": cov.unmapped,
            "pct_mapped": cov.pct_mapped,
        },
        "unmapped": {
            "by_service": [
                {"service": u.value, "effective_per_month": u.effective}
                for u in baseline.unmapped_by_service
            ],
            "by_tag": [
                {"key": u.key, "value": u.value, "effective_per_month": u.effective}
                for u in baseline.unmapped_by_tag
            ],
        },
        "commitments": [
            {
                "id": c.id,
                "in_force": c.in_force,
                "expires": c.expires.isoformat() if c.expires else None,
                "used_per_month": dict(c.used),
                "unused_per_month": c.unused,
                "billed_per_month": c.billed,
            }
            for c in baseline.commitments
        ],
        "notes": list(baseline.notes),
    }
