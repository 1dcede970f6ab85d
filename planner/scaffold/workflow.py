"""The GitHub Actions workflow ``hybridplan init --ci github`` writes
(``.github/workflows/hybridplan.yml``). Pure: returns text.

The emitted stacks are committed with the pull request that changes the plan: a reviewer
reads ``OUT/plan.md`` and the ``Pulumi.<env>.yaml`` diffs, and what is merged is what is
deployed.

- on a pull request: check that the committed ``OUT/stacks`` are what the inputs plan to
  (``hybridplan emit --check``; a stale or hand-edited stack fails the check), plan into
  ``OUT/``, post or update one sticky comment with ``OUT/plan.md``, run ``hybridplan check``
  and upload its SARIF to code scanning, preview every committed stack offline, then
  ``pulumi preview`` per stack with the CrossGuard policy pack and the stack's pack config;
- on a push to the default branch: ``pulumi up`` of the committed, reviewed
  ``OUT/stacks`` - never a new re-plan - in two stages: first the stacks that read no other
  stack (MultiKueue workers among them), then those that do (managers reading their
  workers' kubeconfigs by ``pulumi.StackReference``; :mod:`planner.scaffold.stages`).

Credentials: Pulumi from the ``PULUMI_ACCESS_TOKEN`` secret; AWS through GitHub's OIDC
(``aws-actions/configure-aws-credentials`` assuming the role in the ``AWS_ROLE_ARN``
repository variable; no long-lived keys); clusters other than EKS from the ``KUBECONFIG``
secret (a kubeconfig with a context per cluster; EKS stacks build theirs from the cluster
and the AWS credentials). hybridplan is installed pinned to the version that generated the
workflow, so CI plans and previews exactly as the reviewed files were emitted.
"""

from __future__ import annotations

from typing import Any

import planner
from planner.scaffold.yamltext import dump_yaml

WORKFLOW_PATH = ".github/workflows/hybridplan.yml"

STICKY_COMMENT_ACTION = "marocchino/sticky-pull-request-comment@v2"
"""Creates the comment once and updates it on every push (keyed by ``header``)."""

PULUMI_ACTION = "pulumi/actions@v6"
UPLOAD_SARIF_ACTION = "github/codeql-action/upload-sarif@v3"
AWS_CREDENTIALS_ACTION = "aws-actions/configure-aws-credentials@v4"
AWS_ROLE_VARIABLE = "AWS_ROLE_ARN"
"""Repository variable: the IAM role the workflow assumes through GitHub's OIDC provider."""
KUBECONFIG_NAME = "KUBECONFIG"
"""Repository secret: a kubeconfig for the clusters that are not EKS (one context each)."""
PULL_REQUEST = "github.event_name == 'pull_request'"
PUSH = "github.event_name == 'push'"


def _job_setup(python_version: str, install: str) -> list[dict[str, Any]]:
    return [
        {"name": "Check out", "uses": "actions/checkout@v4"},
        {
            "name": "Set up Python",
            "uses": "actions/setup-python@v5",
            # no ``cache: pip``: setup-python then fails the job when the repository has no
            # requirements.txt or pyproject.toml, and a planning repository has only YAML
            "with": {"python-version": python_version},
        },
        {"name": "Install hybridplan", "run": f"python -m pip install {install}"},
    ]


LOCATE_PACK_STEP: dict[str, Any] = {
    "name": "Locate the hybridplan policy pack",
    "id": "pack",
    "run": (
        "python -c 'import pathlib, policies; "
        'print("dir=" + str(pathlib.Path(policies.__file__).parent))\' >> "$GITHUB_OUTPUT"'
    ),
}
"""The CrossGuard pack ships inside the installed ``policies`` package; its folder is the
``--policy-pack`` argument (its ``__main__`` imports hybridplan from beside itself)."""

CREDENTIAL_STEPS: list[dict[str, Any]] = [
    {
        "name": "AWS credentials (OIDC)",
        "if": f"vars.{AWS_ROLE_VARIABLE} != ''",
        "uses": AWS_CREDENTIALS_ACTION,
        "with": {
            "role-to-assume": f"${{{{ vars.{AWS_ROLE_VARIABLE} }}}}",
            # The STS region; each stack's provider takes its own from aws:region.
            "aws-region": "${{ vars.AWS_REGION || 'us-east-1' }}",
        },
    },
    {
        "name": "Cluster credentials",
        "env": {"KUBECONFIG_DATA": f"${{{{ secrets.{KUBECONFIG_NAME} }}}}"},
        "run": (
            'if [ -n "$KUBECONFIG_DATA" ]; then\n'
            "  umask 077\n"
            '  printf \'%s\' "$KUBECONFIG_DATA" > "$RUNNER_TEMP/kubeconfig"\n'
            '  echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"\n'
            "fi\n"
        ),
    },
]
"""Cloud and cluster credentials of a pulumi job: AWS by OIDC when the role variable is set,
the non-EKS clusters' kubeconfig from the secret when it is set."""


def _plan_job(
    d: str, out: str, plan_cmd: str, check_cmd: str, setup: list[dict[str, Any]]
) -> dict[str, Any]:
    has_stacks = f"hashFiles('{out}/stacks/**') != ''"
    return {
        "name": "Plan, check and preview",
        "if": PULL_REQUEST,
        "runs-on": "ubuntu-latest",
        "steps": [
            *setup,
            {
                "name": "Committed stacks are the plan's",
                "id": "reviewed",
                "continue-on-error": True,
                "run": check_cmd,
            },
            {"name": "Plan", "id": "plan", "continue-on-error": True, "run": plan_cmd},
            {
                "name": "Post or update the plan comment",
                "if": f"always() && hashFiles('{out}/plan.md') != ''",
                "uses": STICKY_COMMENT_ACTION,
                "with": {"header": "hybridplan", "path": f"{out}/plan.md"},
            },
            {
                "name": "Policy check (SARIF)",
                "id": "check",
                "continue-on-error": True,
                "run": f'hybridplan check "{d}" --format sarif --output hybridplan.sarif',
            },
            {
                "name": "Upload SARIF to code scanning",
                "if": "always()",
                "uses": UPLOAD_SARIF_ACTION,
                "with": {"sarif_file": "hybridplan.sarif", "category": "hybridplan"},
            },
            {
                "name": "Offline preview of every stack",
                # an infeasible plan writes nothing: leave the failure to the last step
                "if": has_stacks,
                "run": f'for stack in "{out}"/stacks/*/; do\n  hybridplan preview "$stack"\ndone',
            },
            {
                "name": "Fail on an infeasible plan, mandatory findings or unreviewed stacks",
                "if": (
                    "steps.plan.outcome == 'failure' || steps.check.outcome == 'failure' || "
                    "steps.reviewed.outcome == 'failure'"
                ),
                "run": (
                    "echo 'See the plan comment and code scanning alerts. If the stacks "
                    f"drifted, run `{plan_cmd}` and commit {out}/.' && exit 1"
                ),
            },
        ],
    }


def github_workflow(
    *,
    project_dir: str = ".",
    python_version: str = "3.11",
    install: str = "",
    stack_env: str = "prod",
    policy_pack: str = "",
    default_branch: str = "main",
    version: str = planner.__version__,
) -> str:
    """The GitHub Actions workflow text for a planning project at ``project_dir`` (relative
    to the repository root).

    ``install`` is the pip requirement that installs hybridplan (default: pinned,
    ``hybridplan==<version>``, the version writing the workflow); ``policy_pack`` the folder
    of the CrossGuard policy pack in the repository, or empty (the default) for the pack
    installed with hybridplan (a step finds its folder); ``stack_env`` the Pulumi stack name
    of every emitted stack (``hybridplan plan --env``).
    """
    install = install or f"hybridplan=={version}"
    d = project_dir.rstrip("/") or "."
    out = "out" if d == "." else f"{d}/out"
    env_flag = f'--env "{stack_env}"'
    plan_cmd = f'hybridplan plan "{d}" --out "{out}" {env_flag}'
    check_cmd = f'hybridplan emit "{d}" --out "{out}" {env_flag} --check'
    setup = _job_setup(python_version, install)
    stages_job: dict[str, Any] = {
        "name": "Deploy order of the committed stacks",
        "runs-on": "ubuntu-latest",
        "outputs": {
            "first": "${{ steps.stages.outputs.first }}",
            "then": "${{ steps.stages.outputs.then }}",
        },
        "steps": [
            *setup,
            {
                "name": "Stages (stacks reading other stacks' outputs go last)",
                "id": "stages",
                "if": f"hashFiles('{out}/stacks/**') != ''",
                "run": (
                    f'python -m planner.scaffold.stages "{out}/stacks" "{stack_env}" '
                    '>> "$GITHUB_OUTPUT"'
                ),
            },
        ],
    }

    def pulumi_job(
        command: str, stage: str, event: str, after: str | None, gate: str | None
    ) -> dict[str, Any]:
        """A matrix job per stack of ``stage``, after the ``after`` stage's job (if any)
        and only once the ``gate`` job passed (the pull request's plan job)."""
        stacks = f"needs.stages.outputs.{stage}"
        with_: dict[str, Any] = {
            "command": command,
            "stack-name": stack_env,
            # The committed, reviewed files of this checkout: never a re-plan.
            "work-dir": f"{out}/stacks/${{{{ matrix.stack }}}}",
            "upsert": True,
            "policy-packs": policy_pack or "${{ steps.pack.outputs.dir }}",
            "policy-pack-configs": f"{out}/stacks/${{{{ matrix.stack }}}}/policy-config.json",
        }
        if command == "preview":
            with_["comment-on-pr"] = False
        needs = [*([gate] if gate else []), "stages", *([after] if after else [])]
        ready = f"{event} && needs.stages.result == 'success' && {stacks} != '[]' && {stacks} != ''"
        if gate:
            ready = f"{ready} && needs.{gate}.result == 'success'"
        if after:
            ready = (
                f"always() && !cancelled() && {ready} && "
                f"(needs.{after}.result == 'success' || needs.{after}.result == 'skipped')"
            )
        job: dict[str, Any] = {
            "name": f"pulumi {command} (${{{{ matrix.stack }}}})",
            "needs": needs,
            "if": ready,
            "runs-on": "ubuntu-latest",
            "permissions": {"contents": "read", "id-token": "write"},
        }
        if command == "up":
            job["environment"] = "production"
            job["concurrency"] = {
                "group": "hybridplan-up-${{ matrix.stack }}",
                "cancel-in-progress": False,
            }
        job |= {
            "strategy": {"fail-fast": False, "matrix": {"stack": f"${{{{ fromJSON({stacks}) }}}}"}},
            "env": {"PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"},
            "steps": [
                *setup,
                {
                    # pulumi/actions runs natively and installs nothing: the stack's own
                    # virtualenv (Pulumi.yaml names `venv`) from its own requirements.txt.
                    "name": "Install the stack's requirements",
                    "env": {"STACK": f"{out}/stacks/${{{{ matrix.stack }}}}"},
                    "run": (
                        'python -m venv "$STACK/venv"\n'
                        '"$STACK/venv/bin/python" -m pip install -r "$STACK/requirements.txt"\n'
                    ),
                },
                *CREDENTIAL_STEPS,
                *([] if policy_pack else [LOCATE_PACK_STEP]),
                {"name": f"pulumi {command}", "uses": PULUMI_ACTION, "with": with_},
            ],
        }
        return job

    paths = ([f"{d}/**"] if d != "." else []) + [WORKFLOW_PATH]
    workflow: dict[str, Any] = {
        "name": "hybridplan",
        "on": {
            "pull_request": {"branches": [default_branch], "paths": paths}
            if d != "."
            else {"branches": [default_branch]},
            "push": {"branches": [default_branch]},
        },
        "permissions": {
            "contents": "read",
            "pull-requests": "write",
            "security-events": "write",
        },
        "concurrency": {
            "group": "hybridplan-${{ github.ref }}",
            "cancel-in-progress": "${{ github.event_name == 'pull_request' }}",
        },
        "jobs": {
            "plan": _plan_job(d, out, plan_cmd, check_cmd, setup),
            "stages": stages_job,
            "preview-first": pulumi_job("preview", "first", PULL_REQUEST, None, "plan"),
            "preview": pulumi_job("preview", "then", PULL_REQUEST, "preview-first", "plan"),
            "deploy-first": pulumi_job("up", "first", PUSH, None, None),
            "deploy": pulumi_job("up", "then", PUSH, "deploy-first", None),
        },
    }
    header = (
        f"# Generated by `hybridplan init --ci github` (hybridplan {version}, project {d}); "
        "edit freely.\n"
        "# Pull request: the committed stacks must be what the inputs plan to (emit --check);\n"
        "# sticky plan.md comment, policy check -> SARIF, offline preview, pulumi preview per\n"
        f"# stack. Push to {default_branch}: pulumi up of the committed, reviewed stacks (no "
        "re-plan),\n"
        "# workers before the managers that read their outputs.\n"
        "# Needs the PULUMI_ACCESS_TOKEN secret; AWS through OIDC (variable AWS_ROLE_ARN, "
        "optional\n"
        "# AWS_REGION); other clusters through the KUBECONFIG secret.\n"
    )
    return dump_yaml(header, workflow)
