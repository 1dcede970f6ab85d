"""``hybridplan init``: a starter planning project and a GitHub Actions workflow, as text.

Pure: returns ``{relative path: text}``; the CLI writes the files. Every YAML document is
built as data and rendered by ``yaml.safe_dump`` (no string templating of values), behind a
comment header that says what the file is and how to check it.

The starter project validates with ``hybridplan validate`` and plans with ``hybridplan
plan``: one colo Kubernetes cluster, one cloud region, and three workloads (a service, its
database and a nightly batch job) that currently run in the cloud.

The workflow (``.github/workflows/hybridplan.yml``):

- on a pull request: plan into ``out/``, post or update one sticky comment with
  ``out/plan.md``, run ``hybridplan check`` and upload its SARIF to code scanning, run the
  offline preview of every emitted stack, then ``pulumi preview`` per stack with the
  CrossGuard policy pack and the stack's generated pack config;
- on a push to the default branch: plan again and ``pulumi up`` per stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

API_VERSION = "hybridplan/v1"

WORKFLOW_PATH = ".github/workflows/hybridplan.yml"

STICKY_COMMENT_ACTION = "marocchino/sticky-pull-request-comment@v2"
"""Creates the comment once and updates it on every push (keyed by ``header``)."""

PULUMI_ACTION = "pulumi/actions@v6"
UPLOAD_SARIF_ACTION = "github/codeql-action/upload-sarif@v3"


class _Dumper(yaml.SafeDumper):
    """Block style the way people write GitHub workflows: indented lists, ``|`` scripts."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def _dump(header: str, data: Mapping[str, Any]) -> str:
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        width=100,
        allow_unicode=True,
    )
    return header + body


def _header(kind: str, what: str, schema_dir: str | None) -> str:
    lines = []
    if schema_dir is not None:
        lines.append(f"# yaml-language-server: $schema={schema_dir}/{kind.lower()}.json")
    lines += [
        f"# {what}",
        f"# Schema: `hybridplan schema {kind.lower()}`. Check: `hybridplan validate .`",
    ]
    return "\n".join(lines) + "\n"


def _inventory() -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "Inventory",
        "workloads": [
            {
                "name": "web-api",
                "team": "web",
                "kind": "service",
                "tier": 1,
                "replicas": 3,
                "resources": {"cpu": 2, "memory_gib": 4, "storage_gib": 0},
                "image": "registry.example.com/web/web-api:1.0.0",
                "ports": [8080],
                "data": {"residency": "eu", "egress_gib_per_month": 200, "dataset_gib": 0},
                "depends_on": [{"name": "web-db", "max_latency_ms": 5}],
                "current_site": "aws-eu-west-1",
                "profile": "diurnal",
            },
            {
                "name": "web-db",
                "team": "web",
                "kind": "database",
                "tier": 1,
                "replicas": 3,
                "resources": {"cpu": 4, "memory_gib": 16, "storage_gib": 200},
                "image": "postgres:16.4",
                "ports": [5432],
                "data": {"residency": "eu", "egress_gib_per_month": 10, "dataset_gib": 150},
                "current_site": "aws-eu-west-1",
                "profile": "steady",
            },
            {
                "name": "nightly-report",
                "team": "data",
                "kind": "batch",
                "tier": 3,
                "replicas": 1,
                "resources": {"cpu": 8, "memory_gib": 32, "storage_gib": 50},
                "image": "registry.example.com/data/nightly-report:0.3.0",
                "data": {"residency": "any", "egress_gib_per_month": 0, "dataset_gib": 50},
                "current_site": "aws-eu-west-1",
                "profile": "batch",
            },
        ],
    }


def _sites() -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "Sites",
        "sites": [
            {
                "name": "colo-eu",
                "kind": "kubernetes",
                "provider": "equinix",
                "region": "fr-paris",
                "jurisdiction": "eu",
                "failure_domains": ["pa2-a", "pa2-b"],
                "availability": 99.95,
                "target_utilisation": 0.75,
                "capacity": {"cpu": 128, "memory_gib": 1024},
                "latency_ms": {"aws-eu-west-1": 18},
                "cost": {
                    "owned": {
                        "node_classes": [
                            {
                                "name": "r7625",
                                "count": 2,
                                "cpu": 64,
                                "memory_gib": 512,
                                "capex_usd": 30000,
                                "power_kw": 0.6,
                            }
                        ],
                        "amortisation": "straight-line",
                        "depreciation_months": 60,
                        "power_billing": "per-kw-month",
                        "colo_usd_per_kw_month": 217.3,
                        "space_usd_per_month": 500,
                        "labour_usd_per_month": 2000,
                    }
                },
            },
            {
                "name": "aws-eu-west-1",
                "kind": "cloud",
                "provider": "aws",
                "region": "eu-west-1",
                "jurisdiction": "eu",
                "failure_domains": ["eu-west-1a", "eu-west-1b", "eu-west-1c"],
                "availability": 99.99,
                "cost": {
                    "cloud": {
                        "price_region": "eu-west-1",
                        "discount_pct": 0,
                        "options": ["on-demand", "commit-1y", "commit-3y", "spot"],
                    }
                },
            },
        ],
    }


def _policies() -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "Policies",
        "rules": {
            "HP-COST-001": {
                "level": "advisory",
                "params": {"budgets_usd_per_month": {"web": 10000, "data": 2000}},
            },
            "HP-SLA-001": {"level": "mandatory"},
        },
        "waivers": [],
    }


def _project_settings() -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "Project",
        "settings": {
            "horizon_months": 36,
            "discount_rate_pct": 8,
            "currency": "USD",
            "headroom": 1.2,
            "engineering_usd_per_move": 8000,
            "double_running_months": 1,
        },
    }


README = """\
# Planning project

Created by `hybridplan init`. Describe what runs where today and where it could run:

| file | what |
|---|---|
| `inventory.yaml` | workloads: team, kind, tier, replicas, resources, data, current site |
| `sites.yaml` | colo Kubernetes clusters, GPU pools, cloud regions: capacity and costs |
| `policies.yaml` | budgets and SLA rules, and waivers with a reason and an expiry |
| `project.yaml` | planning settings: horizon, discount rate, headroom, cost of a move |
| `telemetry/` | optional utilisation series (CSV, Prometheus or CloudWatch exports) |

```sh
hybridplan validate .            # every problem, with file:line and a fix
hybridplan plan . --out out      # out/plan.json, out/plan.md, out/stacks/<site>/
hybridplan what-if . --price aws.m6i=-20%
```

Money is USD; monthly figures are USD/month.
"""


def scaffold_project(*, schema_dir: str | None = ".schemas") -> dict[str, str]:
    """Starter planning project files by relative path. ``schema_dir`` is where the CLI
    puts the JSON Schemas for editors (``None`` leaves the modeline out)."""
    return {
        "inventory.yaml": _dump(
            _header("Inventory", "Workloads to place: edit, add yours.", schema_dir),
            _inventory(),
        ),
        "sites.yaml": _dump(
            _header("Sites", "Where workloads can run, with capacity and costs.", schema_dir),
            _sites(),
        ),
        "policies.yaml": _dump(
            _header("Policies", "Guardrails: budgets, SLA rules, waivers.", schema_dir),
            _policies(),
        ),
        "project.yaml": _dump(
            _header("Project", "Planning settings (every field has a default).", schema_dir),
            _project_settings(),
        ),
        "README.md": README,
    }


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
    return _dump(header, workflow)
