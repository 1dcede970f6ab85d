"""The project currency: a dated exchange rate from the catalogue, applied at presentation.

The planner computes in the catalogue's currency (USD: every price source is in USD). A
project may choose another currency to read its figures in (``settings.currency``: EUR,
GBP); the catalogue's ``fx_rates`` give each one's rate (USD per unit), its date and its
source. Conversion happens once, when a figure is shown: :func:`to_currency` divides the
exact USD amount by the rate and rounds to cents half to even (``planner.money``'s one
rounding rule). ``plan.json`` keeps its ``*_usd`` fields and states the rate used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from planner.errors import InputError, Problem
from planner.money import DEFAULT_CURRENCY, Money, round_to_cents

PROJECT_CURRENCIES: tuple[str, ...] = ("USD", "EUR", "GBP")
"""The currencies a project may be shown in (``settings.currency``)."""

STALE_AFTER_DAYS = 183
"""A rate dated more than half a year before the catalogue's ``captured`` date is stale
(the catalogue is a half-year snapshot: a rate from before its half-year is advisory)."""


@dataclass(frozen=True, slots=True)
class FxRate:
    """``usd_per_unit`` US dollars buy one unit of ``code`` on ``date`` (ISO), per
    ``source`` (a catalogue source id)."""

    code: str
    usd_per_unit: Decimal
    date: str = ""
    source: str = ""
    note: str = ""

    @property
    def identity(self) -> bool:
        """No conversion: the project is shown in the catalogue's own currency."""
        return self.code == DEFAULT_CURRENCY and self.usd_per_unit == 1


USD = FxRate(DEFAULT_CURRENCY, Decimal(1))
"""The catalogue's own currency: amounts are shown as computed."""


def to_currency(amount: Money, rate: FxRate) -> Money:
    """``amount`` (USD) in ``rate.code``: ``amount / usd_per_unit``, half to even to the
    cent. The one conversion function; an amount already in ``rate.code`` is returned."""
    if amount.currency == rate.code:
        return amount
    if amount.currency != DEFAULT_CURRENCY:
        raise ValueError(f"cannot convert {amount.currency} with a USD rate for {rate.code}")
    units = Fraction(amount.cents, 100) / Fraction(rate.usd_per_unit)
    return Money(round_to_cents(units), rate.code)


def stale_days(rate: FxRate, captured: str) -> int | None:
    """Days from ``rate.date`` to the catalogue's ``captured`` date when more than
    ``STALE_AFTER_DAYS``, else ``None`` (also for USD or unparsable dates)."""
    if rate.identity:
        return None
    try:
        days = (date.fromisoformat(captured) - date.fromisoformat(rate.date)).days
    except ValueError:
        return None
    return days if days > STALE_AFTER_DAYS else None


def rate_for(
    code: str,
    rates: Mapping[str, FxRate],
    *,
    where: tuple[str, int, int],
    catalogue: str,
) -> FxRate:
    """The rate to show a project in ``code`` (``settings.currency``, set at ``where``:
    file, line, column). USD needs none; an unknown code or a currency the catalogue
    ``catalogue`` gives no rate for is an ``InputError`` there."""
    if code == DEFAULT_CURRENCY:
        return USD
    rate = rates.get(code)
    if rate is not None:
        return rate
    file, line, column = where
    known = ", ".join((DEFAULT_CURRENCY, *sorted(rates))) or DEFAULT_CURRENCY
    message = (
        f"no project currency {code!r}"
        if code not in PROJECT_CURRENCIES
        else f"the price catalogue {catalogue} has no exchange rate for {code}"
    )
    raise InputError(
        [
            Problem(
                file,
                line,
                column,
                "settings.currency",
                message,
                f"set settings.currency to one of {known}, or add `fx_rates.{code}` "
                "(usd_per_unit, date, source) to the catalogue",
            )
        ]
    )
