"""planner.scaffold: the starter project loads and plans; the workflow has the right jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from planner import scaffold
from planner.load import load_project


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_starter_project_loads(tmp_path: Path) -> None:
    """The scaffolded project passes the loader's schema and cross-reference checks."""
    _write(tmp_path, scaffold.scaffold_project())
    project = load_project(tmp_path)
    assert {w.name for w in project.workloads} == {"web-api", "web-db", "nightly-report"}
    assert {s.name for s in project.sites} == {"colo-eu", "aws-eu-west-1"}


def test_starter_files_explain_themselves() -> None:
    """Each YAML file starts with comments: schema modeline, purpose and how to check it."""
    files = scaffold.scaffold_project()
    assert set(files) == {
        "inventory.yaml",
        "sites.yaml",
        "policies.yaml",
        "project.yaml",
        "README.md",
    }
    for name, text in files.items():
        if name.endswith(".yaml"):
            assert text.startswith("# yaml-language-server: $schema=.schemas/"), name
            assert "hybridplan validate" in text
            assert yaml.safe_load(text)["apiVersion"] == "hybridplan/v1"
    assert not scaffold.scaffold_project(schema_dir=None)["sites.yaml"].startswith("# yaml-lang")


def test_scaffold_is_deterministic() -> None:
    """Two scaffolds are identical (no dates, no randomness)."""
    assert scaffold.scaffold_project() == scaffold.scaffold_project()
    assert scaffold.github_workflow() == scaffold.github_workflow()


def _workflow(**kw: Any) -> dict[Any, Any]:
    data: dict[Any, Any] = yaml.safe_load(scaffold.github_workflow(**kw))
    return data


def _steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    steps: list[dict[str, Any]] = job["steps"]
    return steps


def _uses(job: dict[str, Any]) -> list[str]:
    return [s["uses"].split("@")[0] for s in _steps(job) if "uses" in s]


def test_workflow_triggers_and_permissions() -> None:
    """Runs on pull requests and pushes to main; may comment and upload SARIF."""
    wf = _workflow()
    assert set(wf["on"]) == {"pull_request", "push"}
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "security-events": "write",
    }
    assert set(wf["jobs"]) == {"plan", "preview", "deploy"}


def test_plan_job_steps_in_order() -> None:
    """Plan job: checkout, python, install, plan, sticky comment, check, SARIF, preview."""
    job = _workflow()["jobs"]["plan"]
    assert _uses(job) == [
        "actions/checkout",
        "actions/setup-python",
        "marocchino/sticky-pull-request-comment",
        "github/codeql-action/upload-sarif",
        "actions/upload-artifact",
    ]
    runs = [s.get("run", "") for s in _steps(job)]
    order = [
        next(i for i, r in enumerate(runs) if r.startswith(cmd))
        for cmd in (
            "python -m pip install",
            "hybridplan plan",
            "hybridplan check",
            "for stack",
        )
    ]
    assert order == sorted(order)
    by_name = {s["name"]: s for s in _steps(job)}
    assert by_name["Plan"]["run"] == 'hybridplan plan "." --out "out" --env "prod"'
    comment = by_name["Post or update the plan comment"]
    assert comment["with"] == {"header": "hybridplan", "path": "out/plan.md"}
    assert "pull_request" in comment["if"]
    check = by_name["Policy check (SARIF)"]
    assert "--format sarif --output hybridplan.sarif" in check["run"]
    assert by_name["Upload SARIF to code scanning"]["with"]["sarif_file"] == "hybridplan.sarif"
    assert 'hybridplan preview "$stack"' in by_name["Offline preview of every stack"]["run"]
    last = _steps(job)[-1]
    assert "steps.check.outcome == 'failure'" in last["if"]
    assert "steps.plan.outcome == 'failure'" in last["if"]


@pytest.mark.parametrize(
    ("job_name", "command", "event"),
    [("preview", "preview", "pull_request"), ("deploy", "up", "push")],
    ids=["preview-on-pr", "up-on-push"],
)
def test_pulumi_jobs(job_name: str, command: str, event: str) -> None:
    """A matrix job per emitted stack runs pulumi/actions with the policy pack and config."""
    job = _workflow(policy_pack="policies/pack")["jobs"][job_name]
    assert job["needs"] == "plan"
    assert f"github.event_name == '{event}'" in job["if"]
    assert job["strategy"]["matrix"]["stack"] == "${{ fromJSON(needs.plan.outputs.stacks) }}"
    pulumi = next(s for s in _steps(job) if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == command
    assert pulumi["with"]["work-dir"] == "out/stacks/${{ matrix.stack }}"
    assert pulumi["with"]["policy-packs"] == "policies/pack"
    assert pulumi["with"]["policy-pack-configs"].endswith("/policy-config.json")
    assert job["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    if command == "up":
        assert job["environment"] == "production"


def test_workflow_for_a_subfolder() -> None:
    """A planning project in a subfolder is planned there and triggers on its paths."""
    wf = _workflow(project_dir="infra/planning/", install="hybridplan==0.1.0")
    assert wf["on"]["pull_request"]["paths"] == [
        "infra/planning/**",
        ".github/workflows/hybridplan.yml",
    ]
    plan = {s["name"]: s for s in wf["jobs"]["plan"]["steps"]}
    assert plan["Plan"]["run"].startswith(
        'hybridplan plan "infra/planning" --out "infra/planning/out"'
    )
    assert plan["Install hybridplan"]["run"] == "python -m pip install hybridplan==0.1.0"


def test_setup_python_does_not_cache_pip() -> None:
    """A planning repository holds only YAML: setup-python's pip cache would fail the job
    ("No file matched to **/requirements.txt or **/pyproject.toml")."""
    wf = _workflow()
    for name, job in wf["jobs"].items():
        for step in _steps(job):
            if step.get("uses", "").startswith("actions/setup-python"):
                assert "cache" not in step.get("with", {}), name


def test_steps_reading_the_stacks_wait_for_them() -> None:
    """An infeasible plan writes no stacks: the steps that read them are skipped, so the job
    fails at its last step with the message that says why, not in a shell glob."""
    by_name = {s["name"]: s for s in _steps(_workflow()["jobs"]["plan"])}
    for name in ("Offline preview of every stack", "List emitted stacks"):
        assert by_name[name]["if"] == "hashFiles('out/stacks/**') != ''", name


def test_pulumi_jobs_find_the_installed_policy_pack_by_default() -> None:
    """Without a pack folder in the repository, each pulumi job locates the pack shipped in
    the installed ``policies`` package and passes that folder to pulumi/actions."""
    for job_name in ("preview", "deploy"):
        steps = _steps(_workflow()["jobs"][job_name])
        names = [s.get("name") for s in steps]
        locate = steps[names.index("Locate the hybridplan policy pack")]
        assert "policies.__file__" in locate["run"]
        assert '>> "$GITHUB_OUTPUT"' in locate["run"]
        pulumi = next(s for s in steps if s.get("uses", "").startswith("pulumi/actions@"))
        assert names.index(pulumi["name"]) > names.index(locate["name"])
        assert pulumi["with"]["policy-packs"] == "${{ steps.pack.outputs.dir }}"
