"""Horizon arithmetic: totals over months, the break-even month of a move, NPV.

The one definition of these figures: ``planner.report`` and the CLI call these functions.
A move costs ``one_off`` now and changes the monthly cost from ``before`` to ``after``.

* totals over ``n`` months: ``before x n`` and ``one_off + after x n`` (exact);
* break-even month: the first whole month ``m`` with ``one_off + after x m <= before x m``,
  i.e. ``ceil(one_off / (before - after))``; 0 when there is nothing to recover; ``None``
  when the move never pays back (``after >= before`` and a positive one-off). Exact on cents;
* NPV of the move at annual rate ``i`` (monthly ``r = (1 + i)^(1/12) - 1``, savings at the
  end of each month): ``-one_off + (before - after) x (1 - (1 + r)^-n) / r``, computed in
  ``Decimal`` and rounded to the cent once, at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from planner.money import Money, decimal_of

STANDARD_HORIZONS_MONTHS: tuple[int, ...] = (12, 36, 60)


@dataclass(frozen=True, slots=True)
class HorizonSummary:
    months: int
    discount_rate_pct: float
    before_per_month: Money
    after_per_month: Money
    one_off: Money
    total_before: Money
    total_after: Money
    """Including the one-off."""
    savings: Money
    """``total_before - total_after`` (negative: the move costs money)."""
    breakeven_month: int | None
    npv: Money
    totals: Mapping[int, tuple[Money, Money]] = field(default_factory=dict)
    """Months -> (total before, total after incl. one-off) for 12, 36, 60 and ``months``."""


def annuity_factor(months: int, discount_rate_pct: Decimal | float) -> Decimal:
    """Present value of 1 currency unit paid at the end of each of ``months`` months."""
    r = (1 + decimal_of(discount_rate_pct) / 100) ** (Decimal(1) / 12) - 1
    if r == 0:
        return Decimal(months)
    return (1 - (1 + r) ** -months) / r


def breakeven_month(before: Money, after: Money, one_off: Money) -> int | None:
    """The first whole month at which the move has paid back ``one_off`` (see the module
    docstring)."""
    saving = before - after
    if one_off.cents <= 0 and saving.cents >= 0:
        return 0
    if saving.cents <= 0:
        return None
    # a positive one-off is never recovered at month 0, however small
    return max(1, -(-one_off.cents // saving.cents))


def npv(
    before: Money, after: Money, one_off: Money, months: int, discount_rate_pct: Decimal | float
) -> Money:
    """Net present value of the monthly saving over ``months``, less the one-off."""
    value = (before - after).to_decimal() * annuity_factor(months, discount_rate_pct)
    return Money.of(value - one_off.to_decimal(), before.currency)


def horizon_summary(
    before: Money,
    after: Money,
    one_off: Money,
    months: int,
    discount_rate_pct: float,
) -> HorizonSummary:
    """Totals, break-even month and NPV of a move (see the module docstring)."""
    totals = {
        n: (before * n, one_off + after * n) for n in sorted({*STANDARD_HORIZONS_MONTHS, months})
    }
    total_before, total_after = totals[months]
    return HorizonSummary(
        months=months,
        discount_rate_pct=discount_rate_pct,
        before_per_month=before,
        after_per_month=after,
        one_off=one_off,
        total_before=total_before,
        total_after=total_after,
        savings=total_before - total_after,
        breakeven_month=breakeven_month(before, after, one_off),
        npv=npv(before, after, one_off, months, discount_rate_pct),
        totals=totals,
    )
