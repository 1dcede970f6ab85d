"""The report's move predicates agree with ``Placement.moved`` and with each other."""

from __future__ import annotations

import pytest

from planner.model import Assignment, Placement, PricingOption
from planner.money import Money
from planner.report.figures import changes_site, moved_whole, partly_moved

USD = Money(100, "USD")


def _placement(previous: str | None, *sites: str) -> Placement:
    parts = tuple(Assignment(s, PricingOption.ON_DEMAND, 1, USD) for s in sites)
    return Placement("w", parts, USD, Money.zero("USD"), previous)


CASES = [
    pytest.param(None, ("a",), False, False, id="new-workload"),
    pytest.param("a", ("a",), False, False, id="stays"),
    pytest.param("a", ("b",), True, False, id="moves-whole"),
    pytest.param("a", ("a", "b"), False, True, id="stays-and-spills"),
    pytest.param("a", ("b", "a"), False, True, id="spills-listed-first"),
    pytest.param("a", ("b", "c"), True, False, id="moves-to-two-sites"),
    pytest.param("a", ("a", "a"), False, False, id="two-options-same-site"),
    pytest.param("a", ("b", "b"), True, False, id="two-options-elsewhere"),
    pytest.param("a", (), True, False, id="placed-nowhere"),
]


@pytest.mark.parametrize(("previous", "sites", "moved", "partly"), CASES)
def test_move_predicates(
    previous: str | None, sites: tuple[str, ...], moved: bool, partly: bool
) -> None:
    """Whole moves match ``Placement.moved``; changing site is moving whole or in part."""
    p = _placement(previous, *sites)
    assert p.moved is moved
    assert moved_whole(p) is moved
    assert partly_moved(p) is partly
    assert changes_site(p) is (moved or partly)
