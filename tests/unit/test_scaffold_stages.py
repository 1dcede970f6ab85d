"""planner.scaffold.stages: the deploy order the workflow reads from the committed stacks -
a MultiKueue manager after the workers whose outputs it reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from world import mini_plan, mini_project

from planner.emit import default_environment, render_stacks
from planner.errors import UsageError
from planner.fs import write_tree
from planner.scaffold.stages import deploy_stages, main, read_stacks


def _mini_tree(tmp_path: Path) -> Path:
    plan, project = mini_plan(), mini_project()
    files = render_stacks(plan, project, default_environment(), command="hybridplan plan")
    write_tree(tmp_path, files, subdirs=("stacks",))
    return tmp_path / "stacks"


def test_the_manager_deploys_after_its_worker(tmp_path: Path) -> None:
    """gpu-pool-us reads aws-us-east-1's kubeconfig: it is in the second stage."""
    first, then = deploy_stages(read_stacks(_mini_tree(tmp_path), "prod"))
    assert first == ("aws-eu-west-1", "aws-us-east-1", "colo-eu")
    assert then == ("gpu-pool-us",)


def test_main_prints_github_outputs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`python -m planner.scaffold.stages DIR ENV` prints first=/then= JSON lines."""
    assert main([str(_mini_tree(tmp_path)), "prod"]) == 0
    assert capsys.readouterr().out == (
        'first=["aws-eu-west-1", "aws-us-east-1", "colo-eu"]\nthen=["gpu-pool-us"]\n'
    )


def _stack(project: str, *workers: str) -> tuple[str, dict[str, object]]:
    burst = {"worker_projects": {w: f"hybridplan-{w}" for w in workers}}
    return project, {f"{project}:training": {"burst": burst if workers else None}}


def test_a_missing_worker_stack_is_refused() -> None:
    """A manager reading a stack that was not committed cannot be ordered: said so."""
    with pytest.raises(UsageError, match="not among the emitted stacks"):
        deploy_stages({"pool": _stack("hybridplan-pool", "aws")})


def test_chains_deeper_than_two_stages_are_refused() -> None:
    """A worker that itself reads another stack would need a third stage: refused."""
    stacks = {
        "a": _stack("hybridplan-a", "b"),
        "b": _stack("hybridplan-b", "c"),
        "c": _stack("hybridplan-c"),
    }
    with pytest.raises(UsageError, match="two stages only"):
        deploy_stages(stacks)
