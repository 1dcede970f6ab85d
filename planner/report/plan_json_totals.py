"""``plan.json``'s totals, cash flow and migration waves (for ``planner.report.plan_json``).

Pure: figures in (``PlanTotals``, the plan's waves), plain values and ``Money`` out."""

from __future__ import annotations

from typing import Any

from planner.cost.horizon import cumulative_saving
from planner.model import Plan
from planner.report.amounts import delta_pct
from planner.report.cash import IdleOwned
from planner.report.figures import PlanTotals
from planner.report.waves import WaveFigures
from planner.waves import month_label
from planner.waves.schedule import tb_of


def idle_dict(i: IdleOwned) -> dict[str, Any]:
    share = i.idle_share
    return {
        "site": i.site,
        "estate_usd_per_month": i.estate_per_month,
        "charged_usd_per_month": i.charged_per_month,
        "idle_usd_per_month": i.idle_per_month,
        "idle_pct": None if share is None else round(float(share) * 100, 2),
    }


def cash_flow(t: PlanTotals) -> dict[str, Any]:
    h = t.horizon
    assert h.before is not None
    assert h.after is not None
    return {
        "before_cash_usd": list(h.before.cash),
        "after_cash_usd": list(h.after.cash),
        "before_accrual_usd": list(h.before.accrual),
        "after_accrual_usd": list(h.after.accrual),
        "cumulative_saving_usd": list(cumulative_saving(h.before, h.after)),
        "one_off": [
            {"month": i.month, "usd": i.amount, "label": i.label, "side": side}
            for side, ledger in (("before", h.before), ("after", h.after))
            for i in ledger.items
        ],
    }


def _wave_dict(f: WaveFigures, start_month: str) -> dict[str, Any]:
    w = f.wave
    return {
        "number": w.number,
        "workloads": list(w.workloads),
        "groups": [list(g) for g in w.groups],
        "start_month": w.start_month,
        "end_month": w.end_month,
        "start": month_label(start_month, w.start_month - 1),
        "end": month_label(start_month, w.end_month - 1),
        "moves": len(w.workloads),
        "data_gib": round(w.data_gib, 3),
        "data_tb": round(tb_of(w.data_gib), 3),
        "one_off_usd": w.one_off,
        "double_running_usd": w.double_running,
        "saving_usd_per_month": w.saving_per_month,
        "cash_position_usd": f.cash_position,
        "notes": list(w.notes),
    }


def migration_dict(plan: Plan, t: PlanTotals) -> dict[str, Any] | None:
    """``migration``: the waves and the payback with them beside "all at once"."""
    wp, wt = plan.waves, t.waves
    if wp is None or wt is None:
        return None
    h, hw = t.horizon, wt.horizon
    return {
        "start_month": wp.start_month,
        "max_moves_per_wave": wp.max_moves_per_wave,
        "max_data_tb_per_wave": wp.max_data_tb_per_wave,
        "months": wt.months,
        "payback_months_all_at_once": h.payback_months,
        "payback_months_with_waves": hw.payback_months,
        "break_even_month_all_at_once": h.breakeven_month,
        "break_even_month_with_waves": hw.breakeven_month,
        "horizon_savings_usd_all_at_once": h.savings,
        "horizon_savings_usd_with_waves": hw.savings,
        "horizon_savings_npv_usd_with_waves": hw.npv,
        "waves": [_wave_dict(f, wp.start_month) for f in wt.waves],
        "moves": [
            {
                "workload": m.workload,
                "wave": m.wave,
                "group": list(m.group),
                "reasons": list(m.reasons),
            }
            for m in wp.moves
        ],
    }


def totals_dict(t: PlanTotals) -> dict[str, Any]:
    h = t.horizon
    waves: dict[str, Any] = {}
    if t.waves is not None:
        waves = {
            "payback_months_waves": t.waves.horizon.payback_months,
            "break_even_month_waves": t.waves.horizon.breakeven_month,
        }
    return {
        **waves,
        "baseline_idle_owned_usd_per_month": t.idle_today_per_month,
        "idle_owned_usd_per_month": t.idle_after_per_month,
        "idle_owned": [idle_dict(i) for i in t.idle_after],
        "payback_months": h.payback_months,
        "baseline_usd_per_month": t.baseline_per_month,
        "usd_per_month": t.per_month,
        "delta_usd_per_month": t.per_month - t.baseline_per_month,
        "delta_pct": delta_pct(t.baseline_per_month, t.per_month),
        "migration_usd": t.migration,
        "horizon_months": h.months,
        "horizon_tco_usd": h.total_after,
        "baseline_horizon_tco_usd": h.total_before,
        "horizon_savings_usd": h.savings,
        "horizon_savings_npv_usd": h.npv,
        "break_even_month": h.breakeven_month,
        "workloads": t.workloads,
        "moved": t.moved,
        "partly_moved": t.partly_moved,
    }
