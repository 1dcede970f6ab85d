"""``hybridplan init``: scaffolds a valid project, adds a GitHub workflow, never clobbers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml
from typer.testing import CliRunner

from planner.cli import app
from planner.load import load_project

runner = CliRunner()


def test_init_scaffolds_a_valid_project(tmp_path: Path) -> None:
    """init DIR writes the starter project and editor schemas; the loader accepts it."""
    target = tmp_path / "planning"
    result = runner.invoke(app, ["init", str(target)])
    assert result.exit_code == 0, result.output
    for name in ("inventory.yaml", "sites.yaml", "policies.yaml", "project.yaml", "README.md"):
        assert (target / name).is_file(), name
    assert (target / ".schemas" / "inventory.json").is_file()
    assert len(load_project(target).workloads) == 3
    assert not (target / ".github").exists()


def test_init_validates(tmp_path: Path) -> None:
    """The scaffolded project passes `hybridplan validate`."""
    runner.invoke(app, ["init", str(tmp_path)])
    result = runner.invoke(app, ["validate", str(tmp_path)])
    assert result.exit_code == 0, result.output


def test_init_refuses_to_overwrite(tmp_path: Path) -> None:
    """Existing project files are kept; an existing workflow needs --force (else exit 2)."""
    assert runner.invoke(app, ["init", str(tmp_path)]).exit_code == 0
    (tmp_path / "sites.yaml").write_text("# mine\n", encoding="utf-8")
    again = runner.invoke(app, ["init", str(tmp_path)])
    assert again.exit_code == 0
    assert "nothing to scaffold" in again.output
    assert (tmp_path / "sites.yaml").read_text(encoding="utf-8") == "# mine\n"
    wf = tmp_path / ".github" / "workflows" / "hybridplan.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text("# my workflow\n", encoding="utf-8")
    clash = runner.invoke(
        app, ["init", str(tmp_path), "--ci", "github", "--repo-root", str(tmp_path)]
    )
    assert clash.exit_code == 2
    assert "refusing to overwrite" in clash.output
    assert wf.read_text(encoding="utf-8") == "# my workflow\n"
    forced = runner.invoke(
        app, ["init", str(tmp_path), "--ci", "github", "--repo-root", str(tmp_path), "--force"]
    )
    assert forced.exit_code == 0, forced.output
    assert "pulumi/actions@v6" in wf.read_text(encoding="utf-8")


def test_init_ci_github_in_a_git_subfolder(tmp_path: Path) -> None:
    """In a git repository the workflow goes to the repository root and plans the subfolder."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = runner.invoke(app, ["init", str(tmp_path / "infra" / "planning"), "--ci", "github"])
    assert result.exit_code == 0, result.output
    wf = yaml.safe_load((tmp_path / ".github" / "workflows" / "hybridplan.yml").read_text())
    steps = {s["name"]: s for s in wf["jobs"]["plan"]["steps"]}
    assert steps["Plan"]["run"].startswith('hybridplan plan "infra/planning"')
    assert wf["on"]["pull_request"]["paths"][0] == "infra/planning/**"


def test_init_ci_outside_repo_root(tmp_path: Path) -> None:
    """A --repo-root that does not contain DIR is a usage error with a fix."""
    result = runner.invoke(
        app, ["init", str(tmp_path / "a"), "--ci", "github", "--repo-root", str(tmp_path / "b")]
    )
    assert result.exit_code == 2
    assert "To fix:" in result.output


def test_init_help() -> None:
    """--help shows the docstring with an example."""
    result = runner.invoke(app, ["init", "--help"])
    assert result.exit_code == 0
    assert "Example: hybridplan init" in result.output


def test_init_project_plans(tmp_path: Path) -> None:
    """The scaffolded project plans end to end and writes plan.json and plan.md."""
    assert runner.invoke(app, ["init", str(tmp_path / "p")]).exit_code == 0
    result = runner.invoke(app, ["plan", str(tmp_path / "p"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "plan.json").is_file()
    assert (tmp_path / "out" / "plan.md").is_file()
