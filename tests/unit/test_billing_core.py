"""The pure parts of planner.billing: globs as LIKE, exact splits and rounding, months."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import pytest

from planner.billing.baseline import cents_of, split_exact, units
from planner.billing.facts import MonthSpan
from planner.billing.months import choose_months
from planner.billing.spec import BillingSpec, MappingRule, Match
from planner.billing.sql import glob_to_like
from planner.money import Money


@pytest.mark.parametrize(
    ("glob", "like"),
    [
        pytest.param("arn:aws:rds:*:db:pay-*", "arn:aws:rds:%:db:pay-%", id="stars"),
        pytest.param("i-0?", "i-0_", id="question-mark"),
        pytest.param("100%_off\\x", "100\\%\\_off\\\\x", id="like-metacharacters-escaped"),
    ],
)
def test_glob_to_like(glob: str, like: str) -> None:
    """A glob becomes a LIKE pattern whose own metacharacters are escaped."""
    assert glob_to_like(glob) == like


def test_split_exact_parts_sum_to_the_amount() -> None:
    """Largest remainder: parts sum to the amount and each is within one unit of its share."""
    parts = split_exact(100, {"a": Fraction(1), "b": Fraction(1), "c": Fraction(1)})
    assert sum(parts.values()) == 100
    assert sorted(parts.values()) == [33, 33, 34]
    assert split_exact(10, {"a": Fraction(3), "b": Fraction(1)}) == {"a": 8, "b": 2}


def test_split_without_positive_weight_is_even() -> None:
    """Zero weights (no mapped spend that month) fall back to equal parts."""
    assert split_exact(10, {"a": Fraction(0), "b": Fraction(0)}) == {"a": 5, "b": 5}
    assert split_exact(10, {}) == {}


def test_negative_amounts_split_exactly() -> None:
    """A negative shared amount (a credit) splits exactly too."""
    parts = split_exact(-7, {"a": Fraction(1), "b": Fraction(1)})
    assert sum(parts.values()) == -7


@pytest.mark.parametrize(
    ("amount", "months", "expected"),
    [
        pytest.param("0.005", 1, "0.00", id="half-to-even-down"),
        pytest.param("0.015", 1, "0.02", id="half-to-even-up"),
        pytest.param("-0.005", 1, "0.00", id="negative-half"),
        pytest.param("-0.015", 1, "-0.02", id="negative-half-up"),
        pytest.param("1858.00", 3, "619.33", id="average-of-three"),
        pytest.param("0.0100000001", 1, "0.01", id="ten-decimals"),
    ],
)
def test_cents_of_rounds_half_to_even(amount: str, months: int, expected: str) -> None:
    """Averages are rounded once, to the cent, half to even."""
    assert cents_of(units(Decimal(amount)), "USD", months) == Money.of(expected, "USD")


def test_units_are_exact_for_ten_decimals() -> None:
    """A DECIMAL(38,10) value becomes an integer of 10^-10 without loss."""
    assert units(Decimal("123456789012345678.0123456789")) == 1234567890123456780123456789
    assert units(Decimal("-0.0000000001")) == -1


def _span(source: int, start: str, end: str) -> MonthSpan:
    s, e = datetime.fromisoformat(start), datetime.fromisoformat(end)
    return MonthSpan(source, date(s.year, s.month, 1), s, e)


def test_partial_months_are_left_out() -> None:
    """A month-to-date export's last month and a mid-month start are not averaged."""
    spans = [
        _span(0, "2025-03-15", "2025-04-01"),
        _span(0, "2025-04-01", "2025-05-01"),
        _span(0, "2025-05-01", "2025-06-01"),
        _span(0, "2025-06-01", "2025-06-20"),
    ]
    choice = choose_months(spans, 3, None)
    assert choice.averaged == (date(2025, 4, 1), date(2025, 5, 1))
    assert choice.partial == (date(2025, 3, 1), date(2025, 6, 1))
    assert choice.short_by == 1


def test_until_limits_the_last_month() -> None:
    """billing.until picks the last month averaged; later full months are listed."""
    spans = [_span(0, f"2025-0{m}-01", f"2025-0{m + 1}-01") for m in range(1, 6)]
    choice = choose_months(spans, 2, "2025-03")
    assert choice.averaged == (date(2025, 2, 1), date(2025, 3, 1))
    assert choice.later == (date(2025, 4, 1), date(2025, 5, 1))


def test_tag_keys_in_first_use_order() -> None:
    """The tag keys read are those of the rules, then the report's, each once."""
    spec = BillingSpec(
        exports=("x",),
        rules=(
            MappingRule(0, Match(tags=(("team", "a"),)), workload="w"),
            MappingRule(1, Match(), workload_tag="app"),
        ),
        report_tags=("app", "env"),
    )
    assert spec.tag_keys() == ("team", "app", "env")
