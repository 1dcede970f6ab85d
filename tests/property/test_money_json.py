"""Money on its way to plan.json never becomes a float: every amount in the plan document is
``Money``, the text writes it exactly, and reading the text back gives the same cents."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from plan_fakes import sample_plan, sample_project

from planner.model import Plan
from planner.money import Money
from planner.report import plan_to_dict, render_plan_json

FAST = settings(max_examples=60, deadline=None)

cents = st.integers(min_value=0, max_value=10**11)

MONEY_KEYS = ("usd", "_usd", "usd_per_month")
"""Keys of plan.json that hold an amount (``usd``, ``migration_usd``, ``*_usd_per_month``)."""


def _amounts(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every (path, value) under a key that names an amount (finding evidence, a rule's own
    data, is left out: the budget rules' evidence is checked in the policy tests)."""
    if isinstance(node, dict):
        for k, v in node.items():
            here = f"{path}.{k}"
            if k == "findings":
                continue
            if isinstance(k, str) and k.endswith(MONEY_KEYS) and not isinstance(v, dict | list):
                yield here, v
            else:
                yield from _amounts(v, here)
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _amounts(v, f"{path}[{i}]")


def _plan(amounts: list[int]) -> Plan:
    """The sample plan with its assignments priced at ``amounts`` cents (cycled)."""
    base = sample_plan()
    it = iter(amounts * 10)
    placements = []
    for p in base.placements:
        parts = tuple(replace(a, per_month=Money(next(it), "USD")) for a in p.assignments)
        total = Money.total((a.per_month for a in parts), "USD")
        placements.append(
            replace(p, assignments=parts, per_month=total, migration=Money(next(it), "USD"))
        )
    return replace(
        base,
        placements=tuple(placements),
        per_month=Money.total((p.per_month for p in placements), "USD"),
        migration=Money.total((p.migration for p in placements), "USD"),
        baseline_per_month=Money(next(it), "USD"),
    )


@FAST
@given(st.lists(cents, min_size=1, max_size=12))
def test_every_amount_in_the_plan_document_is_money(amounts: list[int]) -> None:
    """No amount in plan_to_dict is a float (the LP's objective included: it is shown as
    Money to the cent)."""
    data = plan_to_dict(_plan(amounts), sample_project())
    found = dict(_amounts(data))
    assert found, "the walk found no amounts"
    bad = {k: v for k, v in found.items() if v is not None and not isinstance(v, Money)}
    assert bad == {}


@FAST
@given(st.lists(cents, min_size=1, max_size=12))
def test_plan_json_text_round_trips_every_amount_to_the_cent(amounts: list[int]) -> None:
    """Reading plan.json back with parse_float=Decimal gives each amount's exact cents, and
    the totals in the text are the exact sums of the workloads shown."""
    plan, project = _plan(amounts), sample_project()
    written = dict(_amounts(plan_to_dict(plan, project)))
    read = dict(_amounts(json.loads(render_plan_json(plan, project), parse_float=Decimal)))
    assert set(read) == set(written)
    for key, value in written.items():
        if value is None:
            assert read[key] is None
        else:
            assert Money.of(read[key], "USD") == value, key
    doc = json.loads(render_plan_json(plan, project), parse_float=Decimal)
    total = sum((Decimal(w["usd_per_month"]) for w in doc["workloads"]), Decimal(0))
    assert total == Decimal(doc["totals"]["usd_per_month"])
    sites = sum((Decimal(s["usd_per_month"]) for s in doc["sites"]), Decimal(0))
    assert sites == total
