"""The shared test world (tests/world/) is what it says it is."""

from __future__ import annotations

from pathlib import Path

import pytest
import world

from planner.load import load_project


def test_mini_world_equals_tests_data_mini(mini_dir: Path) -> None:
    """The mini sites and the first three mini workloads are what the loader reads from
    tests/data/mini (so tests built by hand and tests that load agree on the world)."""
    loaded = load_project(mini_dir)
    assert world.mini_sites() == loaded.sites
    assert world.mini_workloads()[:3] == loaded.workloads
    assert world.mini_project().settings == loaded.settings


def test_mini_plan_totals_are_its_placements() -> None:
    """The mini plan's monthly, migration and solver figures agree with its placements."""
    plan = world.mini_plan()
    usd = sum(p.usd_per_month for p in plan.placements)
    assert plan.usd_per_month == pytest.approx(usd)
    assert plan.solver.objective_usd == pytest.approx(usd)
    assert plan.migration_usd == sum(p.migration_usd for p in plan.placements)
    assert {p.workload for p in plan.placements} == {w.name for w in world.mini_workloads()}
