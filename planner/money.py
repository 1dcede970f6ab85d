"""Money: exact amounts in integer cents of one currency, and the one rounding rule.

* ``Money`` holds integer minor units (``cents``: hundredths; every supported currency has two
  decimals) and a currency code. Adding, subtracting and comparing amounts of different
  currencies raises ``CurrencyMismatchError``. Multiplying by an integer (months, members) is exact.
* Rates (USD per core-hour, percentages, kW) are ``Decimal``: the catalogue parses them from
  its YAML text exactly. A float never becomes money silently: ``decimal_of`` is the one
  explicit door for a float *quantity* (cores, GiB, hours: the shortest decimal that prints as
  the float, i.e. what was typed for up to 15 significant digits), and ``Money.from_float``
  the one for a float amount.
* **The rounding rule**: an amount is rounded once, to the cent, half to even
  (``ROUND_HALF_EVEN``, banker's rounding), where it is computed from a rate:
  ``Money.of(rate x quantity)`` for a line item, ``money.times(fraction)`` for a share of it.
  Totals are sums of rounded line items, so every total equals the sum of the figures shown.
* Formatting: ``format()`` (``12,345.67 USD``, grouping, sign and unit optional) for reports
  and messages; ``json_text`` renders ``Decimal`` and ``Money`` as JSON numbers exactly, in
  the style Python prints floats (``139748.38``, ``100.0``), so plan.json keeps its text.
* The solver's LP is the only place money becomes a float (``Money.lp_float``); it never
  comes back: plan totals are sums of the chosen offers' ``Money``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction
from typing import Any

CURRENCY_DIGITS = 2
"""Decimals of the minor unit: every currency the planner supports (USD, EUR, GBP) has two."""

DEFAULT_CURRENCY = "USD"
"""The currency of the packaged catalogue, and of defaults in the model (empty plans)."""

CENT = Decimal(1).scaleb(-CURRENCY_DIGITS)
_CENTS_PER_UNIT: int = 10**CURRENCY_DIGITS

Factor = Decimal | Fraction | int
"""What an amount may be multiplied by with rounding (``Money.times``): never a float."""


class CurrencyMismatchError(ValueError):
    """Two amounts of different currencies were combined (conversion is never implicit)."""


def decimal_of(value: float | int | Decimal) -> Decimal:
    """The exact ``Decimal`` of a quantity: a ``Decimal`` or ``int`` as is, a float as the
    shortest decimal that prints as it (``0.1`` -> ``Decimal('0.1')``), which is the text
    the user typed for up to 15 significant digits. NaN and infinities raise ``ValueError``."""
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"not a finite number: {value}")
        return value
    if isinstance(value, bool):
        raise TypeError("a bool is not a quantity")
    if isinstance(value, int):
        return Decimal(value)
    if not math.isfinite(value):
        raise ValueError(f"not a finite number: {value}")
    return Decimal(repr(float(value)))


def round_to_cents(value: Decimal | Fraction | int) -> int:
    """The rounding rule: ``value`` (in currency units) to whole cents, half to even."""
    if isinstance(value, Fraction):
        return round(value * _CENTS_PER_UNIT)  # Fraction rounds half to even, exactly
    if isinstance(value, int):
        return value * _CENTS_PER_UNIT
    return int(value.quantize(CENT, rounding=ROUND_HALF_EVEN).scaleb(CURRENCY_DIGITS))


@dataclass(frozen=True, slots=True)
class Money:
    """An exact amount: integer ``cents`` of ``currency`` (``Money(1234567, "USD")`` is
    12,345.67 USD). Immutable; arithmetic returns new values."""

    cents: int
    currency: str

    def __post_init__(self) -> None:
        if type(self.cents) is not int:
            raise TypeError(
                f"Money cents must be an int, got {type(self.cents).__name__}: use Money.of "
                f"(Decimal) or Money.from_float"
            )

    # ------------------------------------------------------------------ construction

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(0, currency)

    @classmethod
    def of(cls, amount: Decimal | int | str, currency: str) -> Money:
        """``amount`` currency units, rounded to the cent by the rule (half to even).
        A float is refused: say ``Money.from_float`` if that is really meant."""
        if isinstance(amount, float):
            raise TypeError("Money.of refuses a float: use Money.from_float to say so")
        if isinstance(amount, str):
            amount = Decimal(amount)
        if isinstance(amount, Decimal) and not amount.is_finite():
            raise ValueError(f"not a finite amount: {amount}")
        return cls(round_to_cents(amount), currency)

    @classmethod
    def from_float(cls, amount: float, currency: str) -> Money:
        """A float amount (a figure read back from an LP or an old plan file), taken as the
        shortest decimal that prints as it (``decimal_of``), then rounded by the rule."""
        return cls(round_to_cents(decimal_of(amount)), currency)

    @classmethod
    def from_json(cls, value: object, currency: str) -> Money:
        """An amount read back from a JSON document: ``Money`` as is, a ``Decimal`` or int
        (a file parsed with ``json.loads(text, parse_float=Decimal)``) exactly, a float at
        its shortest digits (``from_float``); each rounded to the cent by the rule."""
        if isinstance(value, Money):
            return value
        if isinstance(value, float):
            return cls.from_float(value, currency)
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return cls.of(value, currency)
        raise TypeError(f"not an amount: {value!r}")

    @classmethod
    def total(cls, amounts: Iterable[Money], currency: str) -> Money:
        """The exact sum of ``amounts`` (``Money.zero(currency)`` when there are none)."""
        cents = 0
        for m in amounts:
            if m.currency != currency:
                raise CurrencyMismatchError(f"cannot add {m.currency} to {currency}")
            cents += m.cents
        return cls(cents, currency)

    # ------------------------------------------------------------------ arithmetic

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(self.cents + other.cents, self.currency)

    def __radd__(self, other: object) -> Money:
        # sum(amounts) starts from the int 0
        if other == 0 and isinstance(other, int):
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        self._same(other)
        return Money(self.cents - other.cents, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.cents, self.currency)

    def __abs__(self) -> Money:
        return Money(abs(self.cents), self.currency)

    def __mul__(self, n: int) -> Money:
        """Exact multiplication by a whole number (months, members); anything else is a
        rounding and must say so with ``times``."""
        if type(n) is not int:
            return NotImplemented
        return Money(self.cents * n, self.currency)

    __rmul__ = __mul__

    def times(self, factor: Factor) -> Money:
        """This amount times ``factor`` (a share, a percentage / 100), rounded once by the
        rule."""
        if isinstance(factor, float):
            raise TypeError("Money.times refuses a float factor: use decimal_of to say so")
        if isinstance(factor, int):
            return Money(self.cents * factor, self.currency)
        return Money(round(self.cents * Fraction(factor)), self.currency)

    def ratio(self, other: Money) -> Fraction:
        """``self / other`` exactly (``ZeroDivisionError`` when ``other`` is zero)."""
        self._same(other)
        return Fraction(self.cents, other.cents)

    # ------------------------------------------------------------------ comparison

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.cents < other.cents

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.cents <= other.cents

    def __gt__(self, other: Money) -> bool:
        self._same(other)
        return self.cents > other.cents

    def __ge__(self, other: Money) -> bool:
        self._same(other)
        return self.cents >= other.cents

    def __bool__(self) -> bool:
        return self.cents != 0

    @property
    def sign(self) -> int:
        """-1, 0 or 1."""
        return (self.cents > 0) - (self.cents < 0)

    # ------------------------------------------------------------------ conversion

    def to_decimal(self) -> Decimal:
        """The amount as a ``Decimal`` with exactly two decimals (``Decimal('12.50')``)."""
        return Decimal(self.cents).scaleb(-CURRENCY_DIGITS)

    def lp_float(self) -> float:
        """The amount as a float, for the LP's objective and budget rows only (the one
        place money is a float; a solver value is never read back as money)."""
        return self.cents / _CENTS_PER_UNIT

    def format(self, *, unit: bool = True, group: bool = True, sign: bool = False) -> str:
        """``12,345.67 USD``; ``unit=False`` drops the code (the column header says it),
        ``group=False`` the thousands separators (``12345.67``, for config values), and
        ``sign=True`` writes ``+`` before a positive amount (zero is ``0.00``)."""
        spec = ("+" if sign and self.cents != 0 else "") + ("," if group else "") + ".2f"
        text = format(self.to_decimal(), spec)
        return f"{text} {self.currency}" if unit else text

    def __str__(self) -> str:
        return self.format()


# --------------------------------------------------------------------------- numbers as text


def decimal_text(value: Decimal) -> str:
    """A ``Decimal`` as a JSON number, exactly, in the style Python prints floats: the
    shortest digits, at least one decimal (``139748.38``, ``100.0``, ``0.5``, ``0.0``), an
    exponent below 1e-4 or from 1e16 (``5e-05``)."""
    if not value.is_finite():
        raise ValueError(f"not a finite number: {value}")
    if value == 0:
        return "-0.0" if value.is_signed() else "0.0"
    sign, digits, exp = value.normalize().as_tuple()
    assert isinstance(exp, int)  # finite
    text = "".join(map(str, digits))
    point = len(text) + exp  # position of the decimal point from the left of ``text``
    if -4 < point <= 16:
        if point <= 0:
            body = "0." + "0" * -point + text
        elif point >= len(text):
            body = text + "0" * (point - len(text)) + ".0"
        else:
            body = text[:point] + "." + text[point:]
    else:
        mantissa = text[0] + ("." + text[1:] if len(text) > 1 else "")
        e = point - 1
        body = f"{mantissa}e{'-' if e < 0 else '+'}{abs(e):02d}"
    return ("-" if sign else "") + body


def significant(value: Decimal | float | int, digits: int = 6) -> str:
    """``value`` to ``digits`` significant digits, written as ``format(x, '.6g')`` writes a
    float (``730``, ``0.0123``, ``1.234e-05``): the number format of formulas."""
    d = decimal_of(value)
    if d == 0:
        return "0"
    q = d.quantize(Decimal(1).scaleb(d.adjusted() - digits + 1), rounding=ROUND_HALF_EVEN)
    sign, ds, exp = q.normalize().as_tuple()
    assert isinstance(exp, int)  # finite
    text = "".join(map(str, ds))
    e = len(text) + exp - 1  # exponent of the leading digit
    if -4 <= e < digits:
        point = e + 1
        if point <= 0:
            body = "0." + "0" * -point + text
        elif point >= len(text):
            body = text + "0" * (point - len(text))
        else:
            body = text[:point] + "." + text[point:]
    else:
        body = text[0] + ("." + text[1:] if len(text) > 1 else "") + f"e{'-' if e < 0 else '+'}"
        body += f"{abs(e):02d}"
    return ("-" if sign else "") + body


# --------------------------------------------------------------------------- JSON


def json_text(data: Any, *, indent: int = 2, sort_keys: bool = True) -> str:
    """``data`` as JSON text, like ``json.dumps(data, indent=indent, sort_keys=sort_keys,
    ensure_ascii=False, allow_nan=False)``, except that ``Decimal`` and ``Money`` are written
    as exact numbers (``decimal_text``): money never passes through a float on its way to a
    file. A NaN or infinity is a ``ValueError`` (a bug, exit 70), never invalid JSON. The
    writer is ``planner.money_json``."""
    from planner.money_json import write_json

    return write_json(data, indent=indent, sort_keys=sort_keys)
