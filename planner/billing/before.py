"""The bill in a plan (pure): the "before" of each workload is its bill where the bill maps
spend to it and the catalogue estimate otherwise, and committed spend a move cannot save
before the commitment expires."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from planner.billing.baseline import Baseline
from planner.model import BaselineSource, CommittedSpend
from planner.money import Money


@dataclass(frozen=True, slots=True)
class Before:
    """Each workload's cost today and where it comes from, by workload name, sorted."""

    per_month: dict[str, Money]
    source: dict[str, BaselineSource]


def before_from_bill(estimates: Mapping[str, Money], bill: Baseline | None) -> Before:
    """``estimates`` (catalogue, by workload) overridden by the bill's monthly EffectiveCost
    for every workload the bill maps rows of its own to (new workloads included: the bill
    says they run today). A workload whose only bill is a share of shared costs (support,
    monitoring) keeps its estimate: the share alone is not what it costs."""
    per_month = dict(estimates)
    source = dict.fromkeys(estimates, BaselineSource.ESTIMATE)
    for w in bill.workloads if bill is not None else ():
        if w.effective == w.shared and w.workload in estimates:
            continue
        per_month[w.workload] = w.effective
        source[w.workload] = BaselineSource.BILL
    names = sorted(per_month)
    return Before({n: per_month[n] for n in names}, {n: source[n] for n in names})


def months_until(today: date, expires: date) -> int:
    """Months from ``today`` to ``expires``, a started month counted whole (0 once expired):
    2026-01-15 -> 2026-03-31 is 3, 2026-01-31 -> 2026-02-28 is 1."""
    if expires < today:
        return 0
    months = (expires.year - today.year) * 12 + expires.month - today.month
    return months + (1 if expires.day >= today.day else 0)


def committed_spend(
    bill: Baseline | None, moved: Iterable[str], *, today: date, horizon_months: int
) -> tuple[CommittedSpend, ...]:
    """For each workload in ``moved`` (off its current site) and each commitment in force
    that covered its usage: the covered EffectiveCost per month, owed until the expiry (the
    whole horizon when the bill's commitment has no declared expiry), sorted by workload
    and commitment."""
    if bill is None:
        return ()
    leaving = set(moved)
    out: list[CommittedSpend] = []
    for c in bill.commitments:
        if not c.in_force:
            continue
        months = (
            horizon_months
            if c.expires is None
            else min(horizon_months, months_until(today, c.expires))
        )
        for workload, amount in c.used:
            if workload not in leaving or months == 0 or amount.cents <= 0:
                continue
            out.append(CommittedSpend(workload, c.id, amount, c.expires, months, amount * months))
    return tuple(sorted(out, key=lambda s: (s.workload, s.commitment_id)))
