"""HP-COST-009: Ensure the exchange rate a plan is shown in is not stale."""

from __future__ import annotations

from collections.abc import Iterator

from planner.fx import STALE_AFTER_DAYS, stale_days
from planner.model import Category, Level
from planner.policy.rule import PlanContext, Rule, Violation


def check(ctx: PlanContext) -> Iterator[Violation]:
    rate = ctx.plan.currency
    days = stale_days(rate, ctx.plan.catalogue_captured)
    if days is None:
        return
    yield Violation(
        "plan",
        "currency",
        f"figures are shown in {rate.code} at {rate.usd_per_unit} USD per {rate.code} dated "
        f"{rate.date} ({rate.source}), {days} days before the catalogue's prices "
        f"({ctx.plan.catalogue_captured}); more than {STALE_AFTER_DAYS} days apart, the "
        f"{rate.code} figures may be off by the currency's move since",
        {
            "currency": rate.code,
            "usd_per_unit": str(rate.usd_per_unit),
            "rate_date": rate.date,
            "source": rate.source,
            "catalogue_captured": ctx.plan.catalogue_captured,
            "days": days,
        },
    )


RULE = Rule(
    id="HP-COST-009",
    name="Ensure the exchange rate a plan is shown in is not stale",
    category=Category.COST,
    level=Level.ADVISORY,
    description="A project shown in another currency (settings.currency) converts USD "
    "figures at the catalogue's dated rate (fx_rates); a rate dated more than half a year "
    "before the catalogue's own prices may misstate every figure by the currency's move "
    "since. The computed plan is unaffected (it is in USD).",
    fix="Update fx_rates.<code> in the catalogue with a recent ECB reference rate (rate, "
    "date and source), or show the plan in USD.",
    check_plan=check,
)
