"""How the classifier's reasons word numbers: durations, spans of data and periods. Pure."""

from __future__ import annotations

import math

SECONDS_PER_DAY = 86400.0
DAILY_S = SECONDS_PER_DAY
WEEKLY_S = 7 * SECONDS_PER_DAY
CALENDAR_TOLERANCE = 0.05
"""A period within 5 % of 24 h or 7 days is the daily or weekly cycle."""


def fmt(x: float, digits: int = 2) -> str:
    """A number for a reason: ``n/a`` for NaN, ``inf`` for infinity."""
    if math.isnan(x):
        return "n/a"
    if math.isinf(x):
        return "inf"
    return f"{x:.{digits}f}"


def span_text(days: float) -> str:
    """``12.0 h of data``, ``4.5 days of data``, ``30 days of data``."""
    if days < 2:
        return f"{days * 24:.1f} h of data"
    return f"{days:.1f} days of data" if days < 10 else f"{days:.0f} days of data"


def duration_text(hours: float) -> str:
    """``12.5 min`` under an hour, ``3.2 h`` above."""
    if math.isnan(hours):
        return "n/a"
    return f"{hours * 60:.1f} min" if hours < 1 else f"{hours:.1f} h"


def period_text(period_s: float) -> str:
    """A period as people say it: ``65 min``, ``4.2 h``, ``24 h``, ``7 days``."""
    minutes = period_s / 60
    if minutes < 90:
        return f"{minutes:.0f} min"
    hours = minutes / 60
    if hours < 48:
        return f"{hours:.0f} h" if abs(hours - round(hours)) < 0.05 else f"{hours:.1f} h"
    days = hours / 24
    return f"{days:.0f} days" if abs(days - round(days)) < 0.05 else f"{days:.1f} days"


def calendar_cycle(period_s: float) -> str | None:
    """``daily`` or ``weekly`` when the period is that calendar cycle, else None."""
    if math.isnan(period_s):
        return None
    for name, ref in (("daily", DAILY_S), ("weekly", WEEKLY_S)):
        if abs(period_s - ref) <= CALENDAR_TOLERANCE * ref:
            return name
    return None


def cycle_text(period_s: float, acf: float) -> str:
    """``daily cycle (24 h, ACF 0.81)`` or ``periodic job every 65 min (ACF 0.96)``."""
    cal = calendar_cycle(period_s)
    if cal is not None:
        return f"{cal} cycle ({period_text(period_s)}, ACF {acf:.2f})"
    return f"repeating every {period_text(period_s)} (ACF {acf:.2f})"
