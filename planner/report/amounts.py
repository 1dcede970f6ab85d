"""Figures as reported that are not money: ratios to 4 decimals and percentages. Money is
``planner.money.Money`` and is written by ``Money.format`` (text) and ``json_text`` (JSON)."""

from __future__ import annotations

from decimal import ROUND_UP, Decimal

from planner.money import Money


def round_ratio(value: float) -> float:
    """A ratio rounded to 4 decimals (and ``-0.0`` turned into ``0.0``)."""
    out = round(float(value), 4)
    return 0.0 if out == 0 else out


def delta_pct(before: Money, after: Money) -> float | None:
    """Change in percent from ``before`` to ``after`` (2 decimals, from the exact ratio);
    ``None`` if before is 0."""
    if not before:
        return None
    out = float(round((after - before).ratio(before) * 100, 2))
    return 0.0 if out == 0 else out


def payback_after(months: Decimal | float, month: int) -> str:
    """``after 3.7 months (month 4)``: the payback in months to one decimal and the month it
    falls in; where one decimal would round it back onto the month before (1.01 months,
    month 2), two decimals, rounded up: "after 1.01 months (month 2)", never "after 1.0
    months (month 2)" beside an exact "after 1.0 months (month 1)"."""
    exact = Decimal(str(months))
    shown = exact.quantize(Decimal("0.1"))
    if shown <= month - 1 < exact:
        shown = exact.quantize(Decimal("0.01"), rounding=ROUND_UP)
    return f"after {shown} months (month {month})"
