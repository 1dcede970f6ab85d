"""The GitHub Actions workflow ``hybridplan init --ci github`` writes
(``.github/workflows/hybridplan.yml``). Pure: returns text.

- on a pull request: plan into ``out/``, post or update one sticky comment with
  ``out/plan.md``, run ``hybridplan check`` and upload its SARIF to code scanning, run the
  offline preview of every emitted stack, then ``pulumi preview`` per stack with the
  CrossGuard policy pack and the stack's generated pack config;
- on a push to the default branch: plan again and ``pulumi up`` per stack.
"""

from __future__ import annotations

from typing import Any

from planner.scaffold.yamltext import dump_yaml

WORKFLOW_PATH = ".github/workflows/hybridplan.yml"

STICKY_COMMENT_ACTION = "marocchino/sticky-pull-request-comment@v2"
"""Creates the comment once and updates it on every push (keyed by ``header``)."""

PULUMI_ACTION = "pulumi/actions@v6"
UPLOAD_SARIF_ACTION = "github/codeql-action/upload-sarif@v3"


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


def github_workflow(
    *,
    project_dir: str = ".",
    python_version: str = "3.11",
    install: str = "hybridplan",
    stack_env: str = "prod",
    policy_pack: str = "",
    default_branch: str = "main",
) -> str:
    """The GitHub Actions workflow text for a planning project at ``project_dir`` (relative
    to the repository root).

    ``install`` is the pip requirement that installs hybridplan (a version pin or a git
    URL); ``policy_pack`` the folder of the CrossGuard policy pack in the repository, or
    empty (the default) for the pack installed with hybridplan (the ``policies`` package
    ships ``PulumiPolicy.yaml``; a step finds its folder);
    ``stack_env`` the Pulumi stack name of every emitted stack (``hybridplan plan --env``).
    Pulumi needs the ``PULUMI_ACCESS_TOKEN`` secret (and cloud credentials for ``up``).
    """
    d = project_dir.rstrip("/") or "."
    out = "out" if d == "." else f"{d}/out"
    plan_cmd = f'hybridplan plan "{d}" --out "{out}" --env "{stack_env}"'
    has_stacks = f"hashFiles('{out}/stacks/**') != ''"
    stacks_step = {
        "name": "List emitted stacks",
        "id": "stacks",
        "if": has_stacks,
        "run": (
            f'names=$(ls -1 "{out}/stacks" | python -c '
            "'import json, sys; print(json.dumps(sys.stdin.read().split()))')\n"
            'echo "names=$names" >> "$GITHUB_OUTPUT"\n'
        ),
    }
    plan_job: dict[str, Any] = {
        "name": "Plan, check and preview",
        "runs-on": "ubuntu-latest",
        "outputs": {"stacks": "${{ steps.stacks.outputs.names }}"},
        "steps": [
            *_job_setup(python_version, install),
            {
                "name": "Plan",
                "id": "plan",
                "continue-on-error": True,
                "run": plan_cmd,
            },
            {
                "name": "Post or update the plan comment",
                "if": (
                    "always() && github.event_name == 'pull_request' && "
                    f"hashFiles('{out}/plan.md') != ''"
                ),
                "uses": STICKY_COMMENT_ACTION,
                "with": {"header": "hybridplan", "path": f"{out}/plan.md"},
            },
            {
                "name": "Policy check (SARIF)",
                "id": "check",
                "continue-on-error": True,
                "run": (f'hybridplan check "{d}" --format sarif --output hybridplan.sarif'),
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
                "run": (f'for stack in "{out}"/stacks/*/; do\n  hybridplan preview "$stack"\ndone'),
            },
            stacks_step,
            {
                "name": "Keep the plan",
                "uses": "actions/upload-artifact@v4",
                "with": {"name": "hybridplan-out", "path": out, "include-hidden-files": True},
            },
            {
                "name": "Fail on an infeasible plan or mandatory policy findings",
                "if": "steps.plan.outcome == 'failure' || steps.check.outcome == 'failure'",
                "run": "echo 'See the plan comment and code scanning alerts.' && exit 1",
            },
        ],
    }

    def pulumi_job(command: str, name: str, event: str) -> dict[str, Any]:
        with_: dict[str, Any] = {
            "command": command,
            "stack-name": stack_env,
            "work-dir": f"{out}/stacks/${{{{ matrix.stack }}}}",
            "policy-packs": policy_pack or "${{ steps.pack.outputs.dir }}",
            "policy-pack-configs": f"{out}/stacks/${{{{ matrix.stack }}}}/policy-config.json",
        }
        if command == "preview":
            with_["comment-on-pr"] = False
        job: dict[str, Any] = {
            "name": f"{name} (${{{{ matrix.stack }}}})",
            "needs": "plan",
            "if": f"{event} && needs.plan.outputs.stacks != '[]'",
            "runs-on": "ubuntu-latest",
        }
        if command == "up":
            job["environment"] = "production"
            job["concurrency"] = {
                "group": "hybridplan-up-${{ matrix.stack }}",
                "cancel-in-progress": False,
            }
        job |= {
            "strategy": {
                "fail-fast": False,
                "matrix": {"stack": "${{ fromJSON(needs.plan.outputs.stacks) }}"},
            },
            "env": {"PULUMI_ACCESS_TOKEN": "${{ secrets.PULUMI_ACCESS_TOKEN }}"},
            "steps": [
                *_job_setup(python_version, install),
                {
                    "name": "Fetch the plan",
                    "uses": "actions/download-artifact@v4",
                    "with": {"name": "hybridplan-out", "path": out},
                },
                *([] if policy_pack else [LOCATE_PACK_STEP]),
                {"name": f"pulumi {command}", "uses": PULUMI_ACTION, "with": with_},
            ],
        }
        return job

    preview = pulumi_job("preview", "pulumi preview", "github.event_name == 'pull_request'")
    up = pulumi_job("up", "pulumi up", "github.event_name == 'push'")
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
            "cancel-in-progress": True,
        },
        "jobs": {"plan": plan_job, "preview": preview, "deploy": up},
    }
    header = (
        f"# Generated by `hybridplan init --ci github` (project {d}); edit freely.\n"
        "# Pull request: plan, sticky plan.md comment, policy check -> SARIF, offline preview,\n"
        "# pulumi preview with the policy pack per stack. Push to "
        f"{default_branch}: pulumi up per stack.\n"
        "# Needs the PULUMI_ACCESS_TOKEN secret and cloud credentials for the deploy job.\n"
    )
    return dump_yaml(header, workflow)
