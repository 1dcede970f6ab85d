"""The shared test world (tests/world/) is what it says it is."""

from __future__ import annotations

from pathlib import Path

import pytest
import world

from planner.load import load_project
from planner.money import Money


def test_mini_world_equals_tests_data_mini(mini_dir: Path) -> None:
    """The mini sites and the first three mini workloads are what the loader reads from
    tests/data/mini (so tests built by hand and tests that load agree on the world)."""
    loaded = load_project(mini_dir)
    assert world.mini_sites() == loaded.sites
    assert world.mini_workloads()[:3] == loaded.workloads
    assert world.mini_project().settings == loaded.settings


def test_mini_plan_totals_are_its_placements() -> None:
    """The mini plan's monthly and migration figures are exactly its placements' sums, and
    the solver's (float) objective is that total before rounding to cents."""
    plan = world.mini_plan()
    total = Money.total((p.per_month for p in plan.placements), "USD")
    assert plan.per_month == total
    assert plan.solver.objective_usd == pytest.approx(total.lp_float(), abs=0.005)
    assert plan.migration == Money.total((p.migration for p in plan.placements), "USD")
    assert {p.workload for p in plan.placements} == {w.name for w in world.mini_workloads()}
