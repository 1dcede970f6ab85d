"""Fixtures for the offline-preview tests: the mini plan, its emitted tree, and one cached
preview per stack (each preview is a subprocess of ~1-3 s, so every stack runs once per
run and the tests share the result; under pytest-xdist the workers share the tree and the
previews through ``run_once``)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from run_once import once
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
def mini_out(
    mini: tuple[Plan, Project], tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Path:
    """The mini plan's stacks, rendered and written to a temporary OUT folder (one per run,
    shared by the xdist workers; the tests copy what they change)."""
    plan, project = mini

    def write(out: Path) -> Path:
        files = render_stacks(plan, project, default_environment(), command=MINI_COMMAND)
        write_tree(out, files, subdirs=("stacks",))
        return out

    if worker_id == "master":  # not under xdist: nothing to share
        return write(tmp_path_factory.mktemp("mini-out"))
    shared = tmp_path_factory.getbasetemp().parent
    return once(shared, "mini-out", lambda: write(shared / "mini-out"))


@pytest.fixture(scope="session")
def preview_of(
    mini_out: Path, tmp_path_factory: pytest.TempPathFactory, worker_id: str
) -> Callable[[str], PreviewResult]:
    """``preview_of(site)``: the offline preview of ``OUT/stacks/<site>``, run once per run
    (under xdist by the first worker that asks; the others read its result)."""
    cache: dict[str, PreviewResult] = {}
    shared = tmp_path_factory.getbasetemp().parent

    def get(site: str) -> PreviewResult:
        if site not in cache:
            stack = mini_out / "stacks" / site
            if worker_id == "master":
                cache[site] = run_preview(stack)
            else:
                cache[site] = once(shared, f"mini-preview-{site}", lambda: run_preview(stack))
        return cache[site]

    return get
