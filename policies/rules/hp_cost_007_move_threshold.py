"""HP-COST-007: Ensure a workload is moved only for a worthwhile saving."""

from __future__ import annotations

from collections.abc import Iterator

from planner.fx import said
from planner.model import Category, Level
from planner.money import Money
from planner.policy import facts
from planner.policy import params as pm
from planner.policy.rule import Param, ParamKind, PlanContext, Rule, Violation

# Defaults: a move costs about 8,000 USD of engineering (Settings.engineering_usd_per_move)
# plus a month of double running; at 500 USD/month that is repaid in about 16 months, which
# is why a move must also pay back within 12 months - the usual hurdle for a migration
# business case. 10 % keeps noise-level price differences from moving workloads.
MIN_USD = "min_saving_usd_per_month"
MIN_PCT = "min_saving_pct"
MAX_PAYBACK = "max_payback_months"


def check(ctx: PlanContext) -> Iterator[Violation]:
    currency = ctx.plan.per_month.currency
    min_saving = pm.money(ctx.params, MIN_USD, currency) or Money.zero(currency)
    min_pct = pm.number(ctx.params, MIN_PCT) or 0.0
    max_payback = pm.number(ctx.params, MAX_PAYBACK)
    baseline = ctx.plan.workload_baseline_per_month
    for p in ctx.plan.placements:
        if not p.moved:
            continue
        w = facts.workload_of(ctx.project, p.workload)
        evidence = {
            **facts.workload_evidence(w, p.workload),
            "from": p.previous_site,
            "to": list(p.sites),
        }
        before = baseline.get(p.workload)
        if before is None:
            yield Violation(
                "workload",
                p.workload,
                f"{p.workload} moves from {p.previous_site} but its current cost is unknown",
                evidence,
                cannot_evaluate=True,
            )
            continue
        after = facts.placement_spend(p)
        saving = before - after
        # a percentage and a number of months: ratios, not money
        pct = 100.0 * float(saving.ratio(before)) if before.sign > 0 else 0.0
        reasons = []
        if saving.sign <= 0:
            # a move that costs more (capacity freed for others, a constraint): never pays back
            reasons.append("it saves nothing, so it never pays back")
            headline = (
                f"{p.workload} moves from {p.previous_site} to {', '.join(p.sites)} and costs "
                f"{said(-saving)}/month more"
            )
        else:
            payback = float(p.migration.ratio(saving))
            if saving < min_saving:
                reasons.append(f"below {said(min_saving)}/month")
            if pct < min_pct:
                reasons.append(f"below {min_pct:g}%")
            if max_payback is not None and payback > max_payback:
                reasons.append(f"the move pays back in {payback:.1f} months, over {max_payback:g}")
            headline = (
                f"{p.workload} moves from {p.previous_site} to {', '.join(p.sites)} to save "
                f"{said(saving)}/month ({pct:.1f}%)"
            )
        if reasons:
            yield Violation(
                "workload",
                p.workload,
                f"{headline}: {'; '.join(reasons)}",
                {
                    **evidence,
                    "saving_usd_per_month": saving,
                    "saving_pct": round(pct, 2),
                    "migration_usd": p.migration,
                },
            )


RULE = Rule(
    id="HP-COST-007",
    name="Ensure a workload is moved only for a worthwhile saving",
    category=Category.COST,
    level=Level.ADVISORY,
    description="A migration costs engineering time and risk; a move must save at least "
    "the minimum per month and pay back its one-off cost quickly.",
    fix="Pin the workload to its current site, or lower the thresholds if the move is "
    "wanted for other reasons.",
    params=(
        Param(MIN_USD, ParamKind.NUMBER, 500.0, "Minimum saving in USD per month."),
        Param(MIN_PCT, ParamKind.NUMBER, 10.0, "Minimum saving in percent of today's cost."),
        Param(
            MAX_PAYBACK,
            ParamKind.NUMBER,
            12.0,
            "Maximum months for the saving to repay the one-off migration cost (null: no limit).",
            nullable=True,
        ),
    ),
    check_plan=check,
)
