"""planner.money_json: the fast JSON writer writes the general writer's text - and so
``json.dumps``' for plain data - for any data, amounts from their cents exactly as from
their ``Decimal`` (issue 18 speed)."""

from __future__ import annotations

import enum
import json
from collections import OrderedDict
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from planner.money import Money, decimal_text
from planner.money_json import money_text, write_json, write_value


class _Kind(enum.StrEnum):
    A = "a"


def _general(data: Any, indent: int = 2, sort_keys: bool = True) -> str:
    out: list[str] = []
    write_value(data, out, indent, sort_keys, 0)
    return "".join(out)


cents = st.integers(min_value=-(10**19), max_value=10**19)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=6),
    st.sampled_from(["é", "line\nbreak", '"q"', "\u2028", _Kind.A]),
    cents.map(lambda c: Money(c, "USD")),
    st.decimals(allow_nan=False, allow_infinity=False, places=4),
)
keys = st.one_of(st.text(max_size=4), st.sampled_from([_Kind.A, "A", "b", "10", "9"]))
data = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(keys, inner, max_size=4),
        st.dictionaries(st.integers(-20, 20), inner, max_size=3),
        st.dictionaries(st.text(max_size=3), inner, max_size=3).map(OrderedDict),
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(data, st.booleans())
def test_fast_writer_is_the_general_writer(value: object, sort_keys: bool) -> None:
    """Any data (int keys sorted as text, StrEnum keys and values, tuples, other
    mappings, amounts, decimals): the same text as the general writer."""
    assert write_json(value, sort_keys=sort_keys) == _general(value, sort_keys=sort_keys)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.one_of(
            st.none(),
            st.booleans(),
            st.integers(),
            st.floats(allow_nan=False, allow_infinity=False),
            st.text(),
        ),
        lambda inner: st.one_of(st.lists(inner), st.dictionaries(st.text(), inner)),
        max_leaves=30,
    )
)
def test_plain_data_is_json_dumps(value: object) -> None:
    """Plain data is written as ``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)``."""
    expected = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, allow_nan=False)
    assert write_json(value) == expected


@given(cents)
def test_money_from_cents_is_its_decimal_text(c: int) -> None:
    """An amount written from its cents is ``decimal_text`` of its ``Decimal`` (12.3,
    1200.0, 0.05, -7.0; exponents from 10^16)."""
    m = Money(c, "USD")
    assert money_text(m) == decimal_text(m.to_decimal())


@pytest.mark.parametrize(
    ("c", "text"),
    [(0, "0.0"), (5, "0.05"), (1230, "12.3"), (120000, "1200.0"), (-700, "-7.0"), (-1, "-0.01")],
)
def test_money_text_examples(c: int, text: str) -> None:
    """A few amounts, as plan.json has always written them."""
    assert money_text(Money(c, "USD")) == text


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")], ids=str)
def test_non_finite_floats_are_refused(value: float) -> None:
    """JSON has no NaN or infinity: a ValueError, inline as at the top."""
    with pytest.raises(ValueError, match="JSON"):
        write_json({"a": [value]})
    with pytest.raises(ValueError, match="JSON"):
        write_json(value)


def test_decimal_inline() -> None:
    """A Decimal inside a container is written exactly."""
    assert write_json([Decimal("0.0000125"), Decimal("100")]) == "[\n  1.25e-05,\n  100.0\n]"
