"""The money part of ``plan.md``'s headline: payback, whole estates, the cumulative cash
chart. Pure: ``plan.json`` data in (:func:`planner.report.plan_json.plan_to_dict`), lines out.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from planner.money import Money
from planner.report.amounts import payback_after
from planner.report.markdown import md_table
from planner.report.shown import code_of


def payback_text(t: Mapping[str, Any]) -> str:
    """``after 3.7 months (month 4)``, ``immediately``, or why it does not pay back."""
    months = t["payback_months"]
    if months is None:
        if t["delta_usd_per_month"].sign > 0:
            return "never (the plan costs more than today)"
        return f"not within the {t['horizon_months']}-month horizon"
    if months == 0:
        return "immediately"
    return payback_after(months, t["break_even_month"])


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} %"


def _idle_pct(today: Money, estate: Money) -> str:
    return "-" if not estate else f"{float(today.ratio(estate)) * 100:.1f} %"


def _sum(values: Sequence[Money], currency: str) -> Money:
    return Money.total(values, currency)


def hardware_after(d: Mapping[str, Any]) -> Money:
    """Hardware bought (or refreshed) with the plan within the horizon, net of residuals."""
    return Money.total(
        (
            i["usd"]
            for i in d["cash_flow"]["one_off"]
            if i["side"] == "after" and i["label"] != "migration"
        ),
        code_of(d),
    )


def money_rows(d: Mapping[str, Any]) -> list[tuple[str, str, str, str]]:
    """The headline table's rows from the monthly cost down (before, after, delta)."""
    t, cf, cur = d["totals"], d["cash_flow"], code_of(d)
    h = t["horizon_months"]
    idle_b, idle_a = t["baseline_idle_owned_usd_per_month"], t["idle_owned_usd_per_month"]
    estate_a = Money.total((i["estate_usd_per_month"] for i in t["idle_owned"]), cur)
    before, after = t["baseline_usd_per_month"], t["usd_per_month"]
    acc_b, acc_a = _sum(cf["before_accrual_usd"], cur), _sum(cf["after_accrual_usd"], cur)
    hardware = hardware_after(d)

    def trio(b: Money, a: Money) -> tuple[str, str, str]:
        return b.format(unit=False), a.format(unit=False), (a - b).format(unit=False, sign=True)

    rows = [("monthly cost, whole estates (¤¤¤/month)", *trio(before, after))]
    if t["idle_owned"] or idle_b:
        rows += [
            ("of which idle owned capacity (¤¤¤/month)", *trio(idle_b, idle_a)),
            (
                "idle share of the owned estates with this plan",
                "-",
                _idle_pct(idle_a, estate_a),
                "-",
            ),
        ]
    rows.append(
        (
            f"{h}-month cash incl. migration and hardware (¤¤¤)",
            *trio(t["baseline_horizon_tco_usd"], t["horizon_tco_usd"]),
        )
    )
    if (acc_b, acc_a) != (t["baseline_horizon_tco_usd"], t["horizon_tco_usd"]):
        rows.append((f"{h}-month cost, accrual: hardware amortised (¤¤¤)", *trio(acc_b, acc_a)))
    rows.append(("one-off migration (¤¤¤)", "-", t["migration_usd"].format(unit=False), "-"))
    if hardware:
        rows.append(
            (f"hardware bought within {h} months (¤¤¤)", "-", hardware.format(unit=False), "-")
        )
    rows += [
        (
            f"NPV of the cash savings at {d['settings']['discount_rate_pct']:g} %/year (¤¤¤)",
            "-",
            t["horizon_savings_npv_usd"].format(unit=False),
            "-",
        ),
        ("payback, all at once" if d.get("migration") else "payback", "-", payback_text(t), "-"),
    ]
    m = d.get("migration")
    if m and m["waves"]:
        rows.append(
            (
                f"payback, moving in {len(m['waves'])} waves",
                "-",
                payback_text(
                    {
                        **t,
                        "payback_months": m["payback_months_with_waves"],
                        "break_even_month": m["break_even_month_with_waves"],
                    }
                ),
                "-",
            )
        )
    return rows


def idle_section(d: Mapping[str, Any]) -> list[str]:
    """Per owned estate with the plan: its cost, what workloads pay, the idle rest."""
    idle = d["totals"]["idle_owned"]
    if not idle:
        return []
    return [
        "",
        "Owned sites count whole: what no workload is charged for is idle owned capacity.",
        "",
        *md_table(
            ("owned site", "estate ¤¤¤/month", "charged ¤¤¤/month", "idle ¤¤¤/month", "idle"),
            [
                (
                    i["site"],
                    i["estate_usd_per_month"].format(unit=False),
                    i["charged_usd_per_month"].format(unit=False),
                    i["idle_usd_per_month"].format(unit=False),
                    _pct(i["idle_pct"]),
                )
                for i in idle
            ],
            "lrrrr",
        ),
    ]


def _cumulative(values: Sequence[Money], currency: str) -> list[Money]:
    out, acc = [], Money.zero(currency)
    for v in values:
        acc += v
        out.append(acc)
    return out


def cash_chart(d: Mapping[str, Any]) -> list[str]:
    """Cumulative cash today vs with the plan, month by month; the payback month is the
    x-axis label marked ``payback``."""
    cf, t, cur = d["cash_flow"], d["totals"], code_of(d)
    before = _cumulative(cf["before_cash_usd"], cur)
    after = _cumulative(cf["after_cash_usd"], cur)
    if not before:
        return []
    be = t["break_even_month"]
    labels = ", ".join(
        f'"{m} payback"' if be is not None and m == be and be > 0 else f'"{m}"'
        for m in range(1, len(before) + 1)
    )
    top = max(*before, *after)
    bottom = min(*before, *after, Money.zero(cur))
    title = f"Cumulative cash (¤¤¤): payback {payback_text(t)}"
    return [
        "",
        "Lines: cumulative cash today (first) and with this plan (second), ¤¤¤.",
        "",
        "```mermaid",
        "xychart-beta",
        f'    title "{title}"',
        f"    x-axis [{labels}]",
        f'    y-axis "¤¤¤" {math.floor(bottom.to_decimal())} --> '
        f"{math.ceil(top.to_decimal() * Decimal('1.05')) or 1}",
        f"    line [{', '.join(v.format(unit=False, group=False) for v in before)}]",
        f"    line [{', '.join(v.format(unit=False, group=False) for v in after)}]",
        "```",
    ]
