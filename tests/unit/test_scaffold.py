"""planner.scaffold: the starter project loads and plans; the workflow has the right jobs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import planner
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
    """Runs on pull requests and pushes to main; may comment and upload SARIF; the pulumi
    jobs alone may request an OIDC token (for the cloud role)."""
    wf = _workflow()
    assert set(wf["on"]) == {"pull_request", "push"}
    assert wf["on"]["push"]["branches"] == ["main"]
    assert wf["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "security-events": "write",
    }
    assert set(wf["jobs"]) == {
        "plan",
        "stages",
        "preview-first",
        "preview",
        "deploy-first",
        "deploy",
    }
    for name in ("preview-first", "preview", "deploy-first", "deploy"):
        assert wf["jobs"][name]["permissions"] == {"contents": "read", "id-token": "write"}
    # A push never cancels a running `pulumi up` (a half-applied stack); a PR run may go.
    assert wf["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"


def test_plan_job_steps_in_order() -> None:
    """Plan job (pull requests only): checkout, python, pinned install, the committed stacks
    checked against a re-plan, plan, sticky comment, check, SARIF, offline preview."""
    job = _workflow()["jobs"]["plan"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert _uses(job) == [
        "actions/checkout",
        "actions/setup-python",
        "marocchino/sticky-pull-request-comment",
        "github/codeql-action/upload-sarif",
    ]
    runs = [s.get("run", "") for s in _steps(job)]
    order = [
        next(i for i, r in enumerate(runs) if r.startswith(cmd))
        for cmd in (
            "python -m pip install",
            "hybridplan emit",
            "hybridplan plan",
            "hybridplan check",
            "for stack",
        )
    ]
    assert order == sorted(order)
    by_name = {s["name"]: s for s in _steps(job)}
    assert by_name["Install hybridplan"]["run"] == (
        f"python -m pip install hybridplan=={planner.__version__}"
    )
    assert by_name["Committed stacks are the plan's"]["run"] == (
        'hybridplan emit "." --out "out" --env "prod" --check'
    )
    assert by_name["Plan"]["run"] == 'hybridplan plan "." --out "out" --env "prod"'
    comment = by_name["Post or update the plan comment"]
    assert comment["with"] == {"header": "hybridplan", "path": "out/plan.md"}
    check = by_name["Policy check (SARIF)"]
    assert "--format sarif --output hybridplan.sarif" in check["run"]
    assert by_name["Upload SARIF to code scanning"]["with"]["sarif_file"] == "hybridplan.sarif"
    assert 'hybridplan preview "$stack"' in by_name["Offline preview of every stack"]["run"]
    last = _steps(job)[-1]
    for step in ("check", "plan", "reviewed"):
        assert f"steps.{step}.outcome == 'failure'" in last["if"]


@pytest.mark.parametrize(
    ("job_name", "command", "event", "stage", "after"),
    [
        ("preview-first", "preview", "pull_request", "first", None),
        ("preview", "preview", "pull_request", "then", "preview-first"),
        ("deploy-first", "up", "push", "first", None),
        ("deploy", "up", "push", "then", "deploy-first"),
    ],
    ids=["preview-workers", "preview-managers", "up-workers", "up-managers"],
)
def test_pulumi_jobs(
    job_name: str, command: str, event: str, stage: str, after: str | None
) -> None:
    """A matrix job per stack of a stage runs pulumi/actions with the policy pack and config
    on the committed stack folder; managers wait for their workers' stage."""
    job = _workflow(policy_pack="policies/pack")["jobs"][job_name]
    assert "stages" in job["needs"]
    assert (after in job["needs"]) if after else len(job["needs"]) <= 2
    assert ("plan" in job["needs"]) == (event == "pull_request")
    assert f"github.event_name == '{event}'" in job["if"]
    assert job["strategy"]["matrix"]["stack"] == (
        f"${{{{ fromJSON(needs.stages.outputs.{stage}) }}}}"
    )
    pulumi = next(s for s in _steps(job) if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == command
    assert pulumi["with"]["work-dir"] == "out/stacks/${{ matrix.stack }}"
    assert pulumi["with"]["upsert"] is True
    assert pulumi["with"]["policy-packs"] == "policies/pack"
    assert pulumi["with"]["policy-pack-configs"].endswith("/policy-config.json")
    assert job["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_ACCESS_TOKEN }}"
    if command == "up":
        assert job["environment"] == "production"
        assert job["concurrency"]["cancel-in-progress"] is False


def test_deploy_uses_the_reviewed_files_never_a_re_plan() -> None:
    """On a push nothing plans or emits: the deploy jobs check out the merged commit and run
    `pulumi up` on its committed stacks, in the order planner.scaffold.stages reads from
    them."""
    wf = _workflow()
    for name in ("stages", "deploy-first", "deploy"):
        for step in _steps(wf["jobs"][name]):
            run = step.get("run", "")
            assert "hybridplan plan" not in run, name
            assert "hybridplan emit" not in run, name
            assert "download-artifact" not in step.get("uses", ""), name
    stages = {s["name"]: s for s in _steps(wf["jobs"]["stages"])}
    assert stages["Stages (stacks reading other stacks' outputs go last)"]["run"] == (
        'python -m planner.scaffold.stages "out/stacks" "prod" >> "$GITHUB_OUTPUT"'
    )


def test_pulumi_jobs_get_cloud_and_cluster_credentials() -> None:
    """AWS by OIDC (role-to-assume from a repository variable, no stored keys), clusters
    from the KUBECONFIG secret, the stack's own requirements installed, before pulumi."""
    for name in ("preview-first", "preview", "deploy-first", "deploy"):
        steps = _steps(_workflow()["jobs"][name])
        names = [s.get("name") for s in steps]
        aws = steps[names.index("AWS credentials (OIDC)")]
        assert aws["uses"] == "aws-actions/configure-aws-credentials@v4"
        assert aws["with"]["role-to-assume"] == "${{ vars.AWS_ROLE_ARN }}"
        assert "aws-access-key-id" not in aws["with"]
        cluster = steps[names.index("Cluster credentials")]
        assert cluster["env"] == {"KUBECONFIG_DATA": "${{ secrets.KUBECONFIG }}"}
        assert "KUBECONFIG=$RUNNER_TEMP/kubeconfig" in cluster["run"]
        install = steps[names.index("Install the stack's requirements")]
        assert 'pip install -r "$STACK/requirements.txt"' in install["run"]
        pulumi = names.index("pulumi preview" if "preview" in name else "pulumi up")
        assert names.index("AWS credentials (OIDC)") < pulumi
        assert names.index("Cluster credentials") < pulumi


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
    assert by_name["Offline preview of every stack"]["if"] == "hashFiles('out/stacks/**') != ''"
    stages = _steps(_workflow()["jobs"]["stages"])[-1]
    assert stages["if"] == "hashFiles('out/stacks/**') != ''"


def test_pulumi_jobs_find_the_installed_policy_pack_by_default() -> None:
    """Without a pack folder in the repository, each pulumi job locates the pack shipped in
    the installed ``policies`` package and passes that folder to pulumi/actions."""
    for job_name in ("preview-first", "preview", "deploy-first", "deploy"):
        steps = _steps(_workflow()["jobs"][job_name])
        names = [s.get("name") for s in steps]
        locate = steps[names.index("Locate the hybridplan policy pack")]
        assert "policies.__file__" in locate["run"]
        assert '>> "$GITHUB_OUTPUT"' in locate["run"]
        pulumi = next(s for s in steps if s.get("uses", "").startswith("pulumi/actions@"))
        assert names.index(pulumi["name"]) > names.index(locate["name"])
        assert pulumi["with"]["policy-packs"] == "${{ steps.pack.outputs.dir }}"


def test_workflow_has_no_yaml_anchors() -> None:
    """Steps shared by jobs are written out in each job: no `&id`/`*id` aliases to follow."""
    text = scaffold.github_workflow()
    assert "&id" not in text
    assert "*id" not in text
