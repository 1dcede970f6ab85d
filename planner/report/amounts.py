"""Figures as reported: money rounded to cents, ratios to 4 decimals, percentages, and money
as text (``12,345.67``, ``+1,234.00``). The unit is in the key, column header or sentence."""

from __future__ import annotations


def round_cents(value: float) -> float:
    """Money rounded to cents (and ``-0.0`` turned into ``0.0``)."""
    out = round(float(value), 2)
    return 0.0 if out == 0 else out


def round_ratio(value: float) -> float:
    """A ratio rounded to 4 decimals (and ``-0.0`` turned into ``0.0``)."""
    out = round(float(value), 4)
    return 0.0 if out == 0 else out


def delta_pct(before: float, after: float) -> float | None:
    """Change in percent from ``before`` to ``after`` (2 decimals); ``None`` if before is 0."""
    if before == 0:
        return None
    out = round((after - before) / before * 100.0, 2)
    return 0.0 if out == 0 else out


def money(value: float) -> str:
    """``12,345.67`` (the unit is in the column header or follows the figure)."""
    return f"{round_cents(value):,.2f}"


def signed_money(value: float) -> str:
    """``+1,234.00`` / ``-1,234.00`` / ``0.00``."""
    v = round_cents(value)
    return f"{v:+,.2f}" if v != 0 else "0.00"
