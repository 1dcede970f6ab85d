"""Tests of planner.money: exact amounts, the one rounding rule, formatting and JSON text."""

from __future__ import annotations

import json
from decimal import ROUND_DOWN, Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.money import (
    CurrencyMismatchError,
    Money,
    decimal_of,
    decimal_text,
    json_text,
    round_to_cents,
    significant,
)

FAST = settings(max_examples=200, deadline=None)
cents = st.integers(min_value=-(10**13), max_value=10**13)


def usd(text: str) -> Money:
    return Money.of(text, "USD")


def test_rounding_rule_is_half_to_even_on_exact_decimals() -> None:
    """Half a cent goes to the even cent, on the decimal value (not a binary float)."""
    assert usd("0.125") == Money(12, "USD")
    assert usd("0.135") == Money(14, "USD")
    assert usd("-0.125") == Money(-12, "USD")
    assert usd("2.675") == Money(268, "USD")  # the float 2.675 is 2.67499..., the decimal not
    assert Money.of(Decimal("0.0049999"), "USD") == Money(0, "USD")


def test_floats_never_become_money_silently() -> None:
    """Money.of and times refuse floats; Money.from_float says so and uses the typed digits."""
    with pytest.raises(TypeError, match="from_float"):
        Money.of(0.1, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        Money(10.0, "USD")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        usd("1").times(0.5)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        _ = usd("1") * 0.5  # type: ignore[operator]
    assert Money.from_float(2.675, "USD") == Money(268, "USD")
    assert Money.from_float(139748.38, "USD").cents == 13974838


def test_arithmetic_is_exact_and_refuses_mixed_currencies() -> None:
    """Sums, differences and integer multiples are exact; USD + EUR raises."""
    assert usd("0.10") + usd("0.20") == usd("0.30")
    assert usd("19.99") * 36 == usd("719.64")
    assert 3 * usd("0.01") == usd("0.03")
    assert sum([usd("1.10"), usd("2.20")]) == usd("3.30")
    assert Money.total([], "EUR") == Money.zero("EUR")
    assert -usd("5") == usd("-5")
    assert abs(usd("-5")) == usd("5")
    with pytest.raises(CurrencyMismatchError):
        _ = usd("1") + Money.of("1", "EUR")
    with pytest.raises(CurrencyMismatchError):
        _ = usd("1") < Money.of("1", "EUR")
    with pytest.raises(CurrencyMismatchError):
        Money.total([usd("1")], "EUR")


def test_times_rounds_once() -> None:
    """A share or a percentage of an amount is rounded to the cent once, half to even."""
    assert usd("100.00").times(Fraction(1, 3)) == usd("33.33")
    assert usd("0.05").times(Fraction(1, 2)) == usd("0.02")
    assert usd("0.15").times(Fraction(1, 2)) == usd("0.08")
    assert usd("206.41").times(Decimal(15) / 100) == usd("30.96")
    assert usd("10").times(3) == usd("30")


def test_ratio_sign_and_truth() -> None:
    """ratio is an exact Fraction; sign and bool follow the cents."""
    assert usd("1").ratio(usd("3")) == Fraction(1, 3)
    assert [usd("-2").sign, usd("0").sign, usd("2").sign] == [-1, 0, 1]
    assert not Money.zero("USD")
    assert usd("0.01")


def test_formatting() -> None:
    """One formatting: grouping, unit and sign optional; zero never signed."""
    m = Money(1234567, "USD")
    assert str(m) == "12,345.67 USD"
    assert m.format(unit=False) == "12,345.67"
    assert m.format(unit=False, group=False) == "12345.67"
    assert m.format(unit=False, sign=True) == "+12,345.67"
    assert (-m).format(unit=False, sign=True) == "-12,345.67"
    assert Money.zero("USD").format(unit=False, sign=True) == "0.00"
    assert m.to_decimal() == Decimal("12345.67")
    assert m.lp_float() == 12345.67


@FAST
@given(cents)
def test_json_text_of_money_is_the_float_text_plans_always_had(c: int) -> None:
    """An amount renders exactly as ``json.dumps`` printed the float of its two decimals
    (139748.38, 100.0), so plan.json keeps its text; it parses back to the same cents."""
    m = Money(c, "USD")
    text = json_text({"x": m})
    assert text == json.dumps({"x": c / 100}, indent=2)
    back = json.loads(text, parse_float=Decimal)["x"]
    assert Money.of(back, "USD") == m


def test_json_text_matches_json_dumps_for_plain_data() -> None:
    """Plain data comes out byte-identical to json.dumps(indent=2, sort_keys=True)."""
    data = {"b": [1, 2.5, {"x": None, "y": True}], "a": {}, "é": [], "n": -0.0, "s": "q\n\u0001"}
    assert json_text(data) == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False)
    assert json_text({"d": Decimal("0.0000125")}) == '{\n  "d": 1.25e-05\n}'


@FAST
@given(st.floats(allow_nan=False, allow_infinity=False))
def test_decimal_text_and_decimal_of_round_trip_floats(x: float) -> None:
    """decimal_of takes a float at its shortest digits; decimal_text prints them as repr."""
    d = decimal_of(x)
    assert float(d) == x
    assert decimal_text(d) == repr(x)


@FAST
@given(st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, places=6))
def test_significant_matches_float_g_format_away_from_ties(d: Decimal) -> None:
    """Formula numbers read as ``format(x, '.6g')`` did, except an exact decimal tie at the
    seventh digit, which goes to even."""
    if d == 0:
        assert significant(d) == "0"
        return
    kept = d.quantize(Decimal(1).scaleb(d.adjusted() - 5), rounding=ROUND_DOWN)
    if abs(d - kept) == Decimal(5).scaleb(d.adjusted() - 6):
        return  # an exact tie: half-even on the decimal, not the float's binary value
    assert significant(d) == format(float(d), ".6g")


def test_decimal_of_refuses_what_is_not_a_number() -> None:
    """NaN, infinity and booleans are not quantities."""
    with pytest.raises(ValueError, match="finite"):
        decimal_of(float("nan"))
    with pytest.raises(ValueError, match="finite"):
        decimal_of(Decimal("Infinity"))
    with pytest.raises(TypeError):
        decimal_of(True)
    assert round_to_cents(Fraction(1, 200)) == 0  # half a cent, to the even 0
