"""Fixtures for the offline-preview tests: the mini plan, its emitted tree, and one cached
preview per stack (each preview is a subprocess of ~1-3 s, so every stack runs once per
session and the tests share the result)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from world import MINI_COMMAND, mini_plan, mini_project

from planner.emit import default_environment, render_stacks
from planner.fs import write_tree
from planner.model import Plan, Project
from planner.preview import PreviewResult, run_preview


@pytest.fixture(scope="session")
def mini() -> tuple[Plan, Project]:
    """The hand-made mini plan and its project."""
    return mini_plan(), mini_project()


@pytest.fixture(scope="session")
def mini_out(mini: tuple[Plan, Project], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini plan's stacks, rendered and written to a temporary OUT folder."""
    plan, project = mini
    files = render_stacks(plan, project, default_environment(), command=MINI_COMMAND)
    out = tmp_path_factory.mktemp("mini-out")
    write_tree(out, files, subdirs=("stacks",))
    return out


@pytest.fixture(scope="session")
def preview_of(mini_out: Path) -> Callable[[str], PreviewResult]:
    """``preview_of(site)``: the offline preview of ``OUT/stacks/<site>``, run once."""
    cache: dict[str, PreviewResult] = {}

    def get(site: str) -> PreviewResult:
        if site not in cache:
            cache[site] = run_preview(mini_out / "stacks" / site)
        return cache[site]

    return get
