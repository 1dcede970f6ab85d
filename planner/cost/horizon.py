"""Horizon arithmetic: totals over months, the break-even month of a move, NPV.

A move costs ``one_off`` now and changes the monthly cost from ``before`` to ``after``.

* totals over ``n`` months: ``before x n`` and ``one_off + after x n``;
* break-even month: the first whole month ``m`` with ``one_off + after x m <= before x m``,
  i.e. ``ceil(one_off / (before - after))``; 0 when there is nothing to recover; ``None``
  when the move never pays back (``after >= before`` and a positive one-off);
* NPV of the move at annual rate ``i`` (monthly ``r = (1 + i)^(1/12) - 1``, savings at the
  end of each month): ``-one_off + (before - after) x (1 - (1 + r)^-n) / r``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

STANDARD_HORIZONS_MONTHS: tuple[int, ...] = (12, 36, 60)


@dataclass(frozen=True, slots=True)
class HorizonSummary:
    months: int
    discount_rate_pct: float
    monthly_before_usd: float
    monthly_after_usd: float
    one_off_usd: float
    total_before_usd: float
    total_after_usd: float
    """Including the one-off."""
    savings_usd: float
    """``total_before_usd - total_after_usd`` (negative: the move costs money)."""
    breakeven_month: int | None
    npv_usd: float
    totals_usd: Mapping[int, tuple[float, float]] = field(default_factory=dict)
    """Months -> (total before, total after incl. one-off) for 12, 36, 60 and ``months``."""


def annuity_factor(months: int, discount_rate_pct: float) -> float:
    """Present value of 1 USD paid at the end of each of ``months`` months."""
    r = (1 + discount_rate_pct / 100) ** (1 / 12) - 1
    if abs(r) < 1e-12:
        return float(months)
    return float((1 - (1 + r) ** -months) / r)


SAVING_TOLERANCE_USD = 0.005
"""A monthly saving smaller than half a cent is float noise in sums of line items, not a
saving (equal costs summed in a different order must not read as "never pays back")."""


def breakeven_month(monthly_before: float, monthly_after: float, one_off_usd: float) -> int | None:
    saving = monthly_before - monthly_after
    if abs(saving) < SAVING_TOLERANCE_USD:
        saving = 0.0
    if one_off_usd <= 0 and saving >= 0:
        return 0
    if saving <= 0:
        return None
    # a positive one-off is never recovered at month 0, however small (the 1e-9 only keeps
    # exact ratios such as 2,000 / 400 at month 5)
    return max(1, math.ceil(one_off_usd / saving - 1e-9))


def horizon_summary(
    monthly_before: float,
    monthly_after: float,
    one_off_usd: float,
    months: int,
    discount_rate_pct: float,
) -> HorizonSummary:
    """Totals, break-even month and NPV of a move (see the module docstring)."""
    totals = {
        n: (monthly_before * n, one_off_usd + monthly_after * n)
        for n in sorted({*STANDARD_HORIZONS_MONTHS, months})
    }
    before, after = totals[months]
    npv = -one_off_usd + (monthly_before - monthly_after) * annuity_factor(
        months, discount_rate_pct
    )
    return HorizonSummary(
        months=months,
        discount_rate_pct=discount_rate_pct,
        monthly_before_usd=monthly_before,
        monthly_after_usd=monthly_after,
        one_off_usd=one_off_usd,
        total_before_usd=before,
        total_after_usd=after,
        savings_usd=before - after,
        breakeven_month=breakeven_month(monthly_before, monthly_after, one_off_usd),
        npv_usd=npv,
        totals_usd=totals,
    )
