"""Figures as reported that are not money: ratios to 4 decimals and percentages. Money is
``planner.money.Money`` and is written by ``Money.format`` (text) and ``json_text`` (JSON)."""

from __future__ import annotations

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
