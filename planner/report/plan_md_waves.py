"""``plan.md``'s migration timeline: the waves as a Mermaid gantt chart and a table. Pure:
``plan.json`` data in (``migration``, :mod:`planner.report.plan_json`), lines out.

The chart is a Mermaid ``gantt`` (``dateFormat YYYY-MM-DD``, ``axisFormat %Y-%m``, one
``section`` per wave, each task from the first day of its start month to the first day
after its end month), which GitHub renders in a ```` ```mermaid ```` block. Dates come from
``migration.start_month`` (an input) and month offsets: no clock. Task names keep to
workload names, commas and spaces (a ``:`` or ``#`` would end or break a task line).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from planner.money import Money
from planner.report.amounts import payback_after
from planner.report.markdown import md_cell, md_table
from planner.waves import month_label

NAMES_PER_TASK = 4
"""Workloads named on a gantt bar; the rest are counted (the table lists them all)."""
ROWS = 30
"""Waves drawn and listed one by one at most (the rest share one bar and one line, so
plan.md stays within GitHub's comment size; plan.json has them all)."""

_UNSAFE = re.compile(r"[^A-Za-z0-9 ,._()+-]")


def _day(start_month: str, month: int) -> str:
    """The first day of plan month ``month`` (1-based) as ``YYYY-MM-DD``."""
    return month_label(start_month, month - 1) + "-01"


def _task_name(w: Mapping[str, Any]) -> str:
    names = list(w["workloads"])
    shown = ", ".join(names[:NAMES_PER_TASK])
    if len(names) > NAMES_PER_TASK:
        shown += f" +{len(names) - NAMES_PER_TASK} more"
    return _UNSAFE.sub("-", shown)


def payback_of(months: Decimal | None, month: int | None, horizon: int, saves: bool) -> str:
    """``after 1.2 months (month 2)``, ``immediately``, or why not."""
    if months is None:
        return f"not within the {horizon}-month horizon" if saves else "never"
    if months == 0:
        return "immediately"
    assert month is not None
    return payback_after(months, month)


def gantt(d: Mapping[str, Any]) -> list[str]:
    """The Mermaid gantt of the waves (``[]`` when nothing moves)."""
    m = d.get("migration")
    if not m or not m["waves"]:
        return []
    start = m["start_month"]
    lines = [
        "```mermaid",
        "gantt",
        f"    title Migration waves from {start} (month 1)",
        "    dateFormat YYYY-MM-DD",
        "    axisFormat %Y-%m",
    ]
    waves = m["waves"]
    for w in waves[:ROWS]:
        lines += [
            f"    section Wave {w['number']}",
            f"    {_task_name(w)} :w{w['number']}, {_day(start, w['start_month'])}, "
            f"{_day(start, w['end_month'] + 1)}",
        ]
    if len(waves) > ROWS:
        first, last = waves[ROWS], waves[-1]
        lines += [
            f"    section Waves {first['number']}-{last['number']}",
            f"    {sum(w['moves'] for w in waves[ROWS:])} more moves :rest, "
            f"{_day(start, first['start_month'])}, {_day(start, last['end_month'] + 1)}",
        ]
    be = m["break_even_month_with_waves"]
    if be:
        lines += [
            "    section Payback",
            f"    pays back in month {be} :milestone, payback, {_day(start, be + 1)}, 0d",
        ]
    lines.append("```")
    return lines


def _months(w: Mapping[str, Any]) -> str:
    if w["start_month"] == w["end_month"]:
        return f"{w['start']} (month {w['start_month']})"
    return f"{w['start']} to {w['end']} (months {w['start_month']}-{w['end_month']})"


def _moves(n: int) -> str:
    return f"{n} move{'s' if n != 1 else ''}"


def _money(value: Money | None) -> str:
    return "-" if value is None else value.format(unit=False)


def waves_payback(d: Mapping[str, Any]) -> str | None:
    """The payback moving in waves (headline), or ``None`` without waves."""
    m = d.get("migration")
    if not m or not m["waves"]:
        return None
    t = d["totals"]
    return payback_of(
        m["payback_months_with_waves"],
        m["break_even_month_with_waves"],
        t["horizon_months"],
        t["delta_usd_per_month"].sign < 0,
    )


def waves_section(d: Mapping[str, Any]) -> list[str]:
    """``### Migration waves``: the payback with waves beside all at once, the gantt, and
    one row per wave."""
    m = d.get("migration")
    if not m or not m["waves"]:
        return []
    t = d["totals"]
    saves = t["delta_usd_per_month"].sign < 0
    h = t["horizon_months"]
    waves = m["waves"]
    with_waves = payback_of(
        m["payback_months_with_waves"], m["break_even_month_with_waves"], h, saves
    )
    at_once = payback_of(
        m["payback_months_all_at_once"], m["break_even_month_all_at_once"], h, saves
    )
    rows = [
        (
            str(w["number"]),
            _months(w),
            md_cell(", ".join(w["workloads"])),
            f"{w['data_tb']:.3f}",
            _money(w["one_off_usd"]),
            _money(w["double_running_usd"]),
            _money(w["saving_usd_per_month"]),
            _money(w["cash_position_usd"]),
        )
        for w in waves[:ROWS]
    ]
    notes = [
        f"- wave {w['number']}: " + md_cell("; ".join(w["notes"]))
        for w in waves[:ROWS]
        if w["notes"]
    ]
    more = len(waves) - ROWS
    return [
        "",
        "### Migration waves",
        "",
        f"{sum(w['moves'] for w in waves)} moves in {len(waves)} waves over {m['months']} "
        f"months (at most {_moves(m['max_moves_per_wave'])} and "
        f"{m['max_data_tb_per_wave']:g} TB "
        "per wave; latency-bound dependencies move together, stateful workloads after their "
        "readers, no owned site over capacity in any month). Payback moving in waves: "
        f"**{with_waves}**; all at once: {at_once}. Cash saved over {h} months: "
        f"{m['horizon_savings_usd_with_waves'].format(unit=False)} ¤¤¤ in waves, "
        f"{m['horizon_savings_usd_all_at_once'].format(unit=False)} ¤¤¤ all at once.",
        "",
        *gantt(d),
        "",
        *md_table(
            (
                "wave",
                "months",
                "workloads (cutover order)",
                "data TB",
                "one-off ¤¤¤",
                "of which double running",
                "saving ¤¤¤/month",
                "cash position after (¤¤¤)",
            ),
            rows,
            "lllrrrrr",
        ),
        *(["", f"{more} more waves: `migration.waves` in plan.json."] if more > 0 else []),
        *(["", *notes] if notes else []),
    ]
