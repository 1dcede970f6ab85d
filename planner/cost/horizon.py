"""Money over the horizon: the cash and accrual views month by month, payback, NPV.

The one definition of these figures: ``planner.report`` and the CLI call these functions.
Months are numbered ``1..N``. Each side of a comparison (today, with the plan) is a
:class:`Ledger` built by :func:`ledger` from run costs by month and one-off
:class:`CashItem` s:

* **cash view**: month ``m`` pays the one-off items of month ``m`` (at its start: hardware
  when bought, migration) and its run costs (through the month). An item dated ``<= 0``
  (an estate bought before the horizon) pays nothing in it;
* **accrual view**: month ``m`` is charged its run costs, the expensed items of month ``m``
  (``depreciation_months == 0``, e.g. migration) and, for each capital item, its amortised
  charge while ``month <= m < month + depreciation_months``. Amortisation stops at the end
  of depreciation: an 84-month horizon does not keep paying for 60-month servers;
* a capital item's **residual value** comes back as cash (a negative item) at the end of
  its depreciation, if that falls in the horizon; its amortised charge is
  ``(amount - residual) / depreciation_months`` unless the item says otherwise;
* **cumulative cash saving** ``C(t)``: the sum of ``before - after`` cash up to time ``t``,
  one-off items at the start of their month, run costs spread evenly through it;
* **payback** (months, a fraction): 0 when ``C`` is never negative; otherwise the ``t``
  at which ``C`` last got back to 0 (``C >= 0`` from then to the horizon's end),
  interpolated within the month
  (150,000 paid at the start of month 1 against a 40,833.33 monthly saving: 3.67); ``None``
  when it does not recover within the horizon. The payback *month* is ``ceil(t)``.
  Exact (fractions of cents), shown to 2 decimals;
* **NPV** at annual rate ``i`` (monthly ``r = (1 + i)^(1/12) - 1``, ``v = 1 / (1 + r)``):
  ``sum_m (one-off saving of m) v^(m-1) + (run saving of m) v^m``, in ``Decimal``, rounded
  to the cent once, at the end. For a move that costs ``one_off`` once and changes a
  constant monthly cost this is ``-one_off + (before - after) x annuity factor``;
* **totals**: the sum of each side's cash over the months.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

from planner.money import Money, decimal_of

STANDARD_HORIZONS_MONTHS: tuple[int, ...] = (12, 36, 60)
PAYBACK_DIGITS = Decimal("0.01")
"""Payback months are shown to 2 decimals (3.67)."""


@dataclass(frozen=True, slots=True)
class CashItem:
    """One-off cash paid at the start of ``month`` (``<= 0``: before the horizon).

    ``depreciation_months == 0``: an expense (migration), in the accrual view in its month.
    Otherwise a capital purchase: amortised over ``depreciation_months`` from ``month``
    (``amortised_per_month`` if given, else ``(amount - residual) / depreciation_months``),
    and ``residual`` comes back as cash at the end of depreciation."""

    month: int
    amount: Money
    label: str
    depreciation_months: int = 0
    residual: Money | None = None
    amortised_per_month: Money | None = None

    def accrual_per_month(self) -> Money:
        """The amortised charge of a capital item in each month of its depreciation."""
        if self.amortised_per_month is not None:
            return self.amortised_per_month
        base = self.amount - self.residual if self.residual is not None else self.amount
        return base.times(Fraction(1, max(1, self.depreciation_months)))


@dataclass(frozen=True, slots=True)
class Ledger:
    """One side's money month by month (index 0 is month 1)."""

    currency: str
    upfront: tuple[Money, ...]
    """One-off cash at the start of each month."""
    run: tuple[Money, ...]
    """Run costs paid through each month."""
    accrual: tuple[Money, ...]
    """The accrual view: run costs, expensed items and amortised capital charges."""
    items: tuple[CashItem, ...] = ()
    """The one-off items behind ``upfront`` (residual values included), by month."""

    @property
    def months(self) -> int:
        return len(self.run)

    @property
    def cash(self) -> tuple[Money, ...]:
        """The cash view: one-off plus run cash of each month."""
        return tuple(u + r for u, r in zip(self.upfront, self.run, strict=True))

    def cash_total(self, months: int | None = None) -> Money:
        n = self.months if months is None else months
        return Money.total(self.cash[:n], self.currency)

    def accrual_total(self, months: int | None = None) -> Money:
        n = self.months if months is None else months
        return Money.total(self.accrual[:n], self.currency)

    def head(self, months: int) -> Ledger:
        """The first ``months`` months."""
        return Ledger(
            self.currency,
            self.upfront[:months],
            self.run[:months],
            self.accrual[:months],
            tuple(i for i in self.items if i.month <= months),
        )


def ledger(
    months: int,
    currency: str,
    run: Money | Sequence[Money] | None = None,
    items: Iterable[CashItem] = (),
) -> Ledger:
    """A side over ``months`` months: ``run`` (one amount every month, or one per month)
    and one-off ``items`` (see the module docstring for both views)."""
    zero = Money.zero(currency)
    if run is None:
        runs = [zero] * months
    elif isinstance(run, Money):
        runs = [run] * months
    else:
        if len(run) != months:
            raise ValueError(f"{len(run)} run costs for {months} months")
        runs = list(run)
    upfront = [zero] * months
    accrual = list(runs)
    placed: list[CashItem] = []
    for it in items:
        if 1 <= it.month <= months:
            upfront[it.month - 1] += it.amount
            placed.append(it)
        if it.depreciation_months <= 0:
            if 1 <= it.month <= months:
                accrual[it.month - 1] += it.amount
            continue
        charge = it.accrual_per_month()
        end = it.month + it.depreciation_months
        for m in range(max(1, it.month), min(months, end - 1) + 1):
            accrual[m - 1] += charge
        if it.residual and 1 <= end <= months:
            back = CashItem(end, -it.residual, f"residual value: {it.label}")
            upfront[end - 1] += back.amount
            placed.append(back)
    return Ledger(
        currency, tuple(upfront), tuple(runs), tuple(accrual), tuple(sorted(placed, key=_item_key))
    )


def _item_key(it: CashItem) -> tuple[int, str, int]:
    return (it.month, it.label, it.amount.cents)


def annuity_factor(months: int, discount_rate_pct: Decimal | float) -> Decimal:
    """Present value of 1 currency unit paid at the end of each of ``months`` months."""
    r = _monthly(discount_rate_pct)
    if r == 0:
        return Decimal(months)
    return (1 - (1 + r) ** -months) / r


def _monthly(discount_rate_pct: Decimal | float) -> Decimal:
    return (1 + decimal_of(discount_rate_pct) / 100) ** (Decimal(1) / 12) - 1


def cumulative_saving(before: Ledger, after: Ledger) -> tuple[Money, ...]:
    """``C`` at the end of each month: the running sum of ``before - after`` cash."""
    out: list[Money] = []
    acc = Money.zero(before.currency)
    for b, a in zip(before.cash, after.cash, strict=True):
        acc = acc + b - a
        out.append(acc)
    return tuple(out)


def payback_months(before: Ledger, after: Ledger) -> Fraction | None:
    """The payback time in months (see the module docstring), exactly: when ``C`` last
    gets back to 0 (a later outlay, e.g. servers delivered in month 4, that takes it below
    0 again moves the payback past it)."""
    c = 0
    ever = negative = False
    recovered: Fraction | None = None
    for m in range(1, before.months + 1):
        c += before.upfront[m - 1].cents - after.upfront[m - 1].cents
        if c < 0:
            ever = negative = True
            recovered = None
        elif negative:
            negative, recovered = False, Fraction(m - 1)
        s = before.run[m - 1].cents - after.run[m - 1].cents
        if c < 0 and c + s >= 0:
            negative, recovered = False, (m - 1) + Fraction(-c, s)
        c += s
        if c < 0:
            ever = negative = True
            recovered = None
    if not ever:
        return Fraction(0)
    return None if negative else recovered


def payback_decimal(t: Fraction | None) -> Decimal | None:
    """Payback months to 2 decimals (the rounding rule: half to even)."""
    if t is None:
        return None
    return (Decimal(t.numerator) / Decimal(t.denominator)).quantize(
        PAYBACK_DIGITS, rounding=ROUND_HALF_EVEN
    )


def payback_month(t: Fraction | None) -> int | None:
    """The month in which the plan pays back: ``ceil(t)`` (0: immediately)."""
    if t is None:
        return None
    return -(-t.numerator // t.denominator)


def npv_of(before: Ledger, after: Ledger, discount_rate_pct: Decimal | float) -> Money:
    """NPV of the cash saving (see the module docstring)."""
    v = 1 / (1 + _monthly(discount_rate_pct))
    value = Decimal(0)
    factor = Decimal(1)  # v^(m-1)
    for m in range(before.months):
        up = before.upfront[m] - after.upfront[m]
        run = before.run[m] - after.run[m]
        value += up.to_decimal() * factor
        factor *= v
        value += run.to_decimal() * factor
    return Money.of(value, before.currency)


@dataclass(frozen=True, slots=True)
class HorizonSummary:
    months: int
    discount_rate_pct: float
    before_per_month: Money
    after_per_month: Money
    one_off: Money
    total_before: Money
    """Cash paid today's way over ``months``."""
    total_after: Money
    """Cash paid with the change over ``months``, one-off items included."""
    savings: Money
    """``total_before - total_after`` (negative: the change costs money)."""
    breakeven_month: int | None
    """The payback month: ``ceil(payback_months)``."""
    npv: Money
    payback_months: Decimal | None = None
    """The payback time to 2 decimals (3.67); ``None``: not within the horizon."""
    before: Ledger | None = None
    after: Ledger | None = None
    totals: Mapping[int, tuple[Money, Money]] = field(default_factory=dict)
    """Months -> (cash before, cash after) for 12, 36, 60 and ``months``, as far as the
    ledgers reach."""


def compare(
    before: Ledger,
    after: Ledger,
    months: int,
    discount_rate_pct: float,
    per_month: tuple[Money, Money],
) -> HorizonSummary:
    """Totals, payback and NPV of ``after`` against ``before`` over their first ``months``
    months (the ledgers may reach further, for the standard totals); ``per_month`` is the
    monthly run rate of each side (accrual, month 1), carried for the headline."""
    b, a = before.head(months), after.head(months)
    t = payback_months(b, a)
    one_off = Money.total((i.amount for i in a.items), a.currency)
    totals = {
        n: (before.cash_total(n), after.cash_total(n))
        for n in sorted({*STANDARD_HORIZONS_MONTHS, months})
        if n <= before.months
    }
    total_before, total_after = b.cash_total(), a.cash_total()
    return HorizonSummary(
        months=months,
        discount_rate_pct=discount_rate_pct,
        before_per_month=per_month[0],
        after_per_month=per_month[1],
        one_off=one_off,
        total_before=total_before,
        total_after=total_after,
        savings=total_before - total_after,
        breakeven_month=payback_month(t),
        npv=npv_of(b, a, discount_rate_pct),
        payback_months=payback_decimal(t),
        before=b,
        after=a,
        totals=totals,
    )


def horizon_summary(
    before: Money,
    after: Money,
    one_off: Money,
    months: int,
    discount_rate_pct: float,
) -> HorizonSummary:
    """A move that pays ``one_off`` at the start of month 1 and changes a constant monthly
    cost from ``before`` to ``after`` (one workload's offer in ``hybridplan cost``)."""
    n = max(months, *STANDARD_HORIZONS_MONTHS)
    cur = before.currency
    h = compare(
        ledger(n, cur, before),
        ledger(n, cur, after, (CashItem(1, one_off, "migration"),) if one_off else ()),
        months,
        discount_rate_pct,
        (before, after),
    )
    return replace(h, one_off=one_off)
