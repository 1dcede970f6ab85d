"""The starter planning project ``hybridplan init`` writes, as ``{relative path: text}``.

It validates with ``hybridplan validate`` and plans with ``hybridplan plan``: one colo
Kubernetes cluster, one cloud region, and three workloads (a service, its database and a
nightly batch job) that currently run in the cloud. Pure.
"""

from __future__ import annotations

from typing import Any

from planner.layout import INVENTORY, POLICIES, PROJECT, SITES
from planner.scaffold.yamltext import dump_yaml

API_VERSION = "hybridplan/v1"


def _header(kind: str, what: str, schema_dir: str | None) -> str:
    """The comment header of a planning-project file: the editor's schema modeline (unless
    ``schema_dir`` is ``None``), what the file is, and how to check it."""
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
        INVENTORY: dump_yaml(
            _header("Inventory", "Workloads to place: edit, add yours.", schema_dir),
            _inventory(),
        ),
        SITES: dump_yaml(
            _header("Sites", "Where workloads can run, with capacity and costs.", schema_dir),
            _sites(),
        ),
        POLICIES: dump_yaml(
            _header("Policies", "Guardrails: budgets, SLA rules, waivers.", schema_dir),
            _policies(),
        ),
        PROJECT: dump_yaml(
            _header("Project", "Planning settings (every field has a default).", schema_dir),
            _project_settings(),
        ),
        "README.md": README,
    }
