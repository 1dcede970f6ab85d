"""Rendering: one Pulumi stack folder per site the plan uses, as ``{path: text}``, through
the strict Jinja2 environment (the templates only place values).

``stacks/<site>/``: ``Pulumi.yaml`` (project ``hybridplan-<site>``, Python runtime),
``Pulumi.<env>.yaml`` (the site's :class:`~stacks.spec.StackConfig`, written by the YAML
dumper with sorted keys: what a pull request reviews), ``__main__.py`` (two lines that read
the config and call ``hybridplan_stacks.program.deploy``; no user data, so nothing a user
writes can become code), ``requirements.txt`` (public packages only) and ``README.md``, and
``hybridplan_stacks/``, the component code (:mod:`~planner.emit.vendor`); plus
``stacks/README.md``, an index. Every generated file starts with the command that
regenerates it and the plan's input digest (the component modules are byte-identical
copies); nothing depends on the clock, so emitting twice gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import jinja2

import planner
from planner.emit.checks import check_inputs
from planner.emit.config import stack_config, stack_info
from planner.emit.config_data import config_data
from planner.emit.environment import strict_environment
from planner.emit.index import EmitIndex, emit_index
from planner.emit.migration import hold_moved_databases, pending
from planner.emit.quantities import amount
from planner.emit.shares import provider_managed, stack_sites
from planner.emit.vendor import PACKAGE, vendored
from planner.model import Plan, Project
from planner.money import Money
from stacks.spec import StackConfig

TEMPLATE_DIR = "stack"
"""Folder under ``templates/`` holding the per-stack templates."""

STACK_FILES = (
    ("Pulumi.yaml.j2", "Pulumi.yaml"),
    ("Pulumi.env.yaml.j2", "Pulumi.{env}.yaml"),
    ("__main__.py.j2", "__main__.py"),
    ("requirements.txt.j2", "requirements.txt"),
    ("README.md.j2", "README.md"),
)


def project_name(site: str) -> str:
    """The Pulumi project of a site's stack."""
    return f"hybridplan-{site}"


def _qualified(site: str, config: Mapping[str, Any]) -> dict[str, Any]:
    """Config keys under the stack's project namespace (provider keys keep their own)."""
    project = project_name(site)
    return {(k if ":" in k else f"{project}:{k}"): v for k, v in config.items()}


def _summary(index: EmitIndex, site: str) -> list[dict[str, Any]]:
    return [
        {
            "workload": s.workload.name,
            "team": s.workload.team,
            "kind": s.workload.kind.value,
            "replicas": s.replicas,
            "option": s.option,
            "usd_per_month": amount(s.per_month),
        }
        for s in index.shares(site)
    ]


def _managed(project: Project, index: EmitIndex, site: str) -> list[dict[str, Any]]:
    """Workloads the cloud site runs as its managed service (not created by the stack)."""
    here = project.site(site)
    return [
        {
            "workload": s.workload.name,
            "kind": s.workload.kind.value,
            "class": ", ".join(sorted({a.instance_type or "-" for a in s.assignments})),
            "replicas": s.replicas,
            "usd_per_month": amount(s.per_month),
        }
        for s in index.shares(site)
        if provider_managed(s, here)
    ]


def _secrets(config: StackConfig) -> list[dict[str, str]]:
    """The existing Secrets the stack's databases read (a prerequisite of ``pulumi up``)."""
    if config.kubernetes is None:
        return []
    return [
        {
            "namespace": w.team,
            "name": w.database.secret.name,
            "workload": w.name,
            "type": "kubernetes.io/basic-auth (username, password)"
            if w.database.operator
            else f"Opaque (key {w.database.secret.key})",
        }
        for w in config.kubernetes.workloads
        if w.database is not None and w.database.secret is not None
    ]


def _context(
    project: Project, index: EmitIndex, site_name: str, config: StackConfig
) -> dict[str, Any]:
    """What the per-stack templates place."""
    kind = project.site(site_name).kind.value
    return {
        "site": site_name,
        "site_kind": kind,
        "project_name": project_name(site_name),
        "pulumi_yaml": {
            "name": project_name(site_name),
            "description": f"hybridplan placement for site {site_name} ({kind})",
            "runtime": {
                "name": "python",
                "options": {"toolchain": "pip", "virtualenv": "venv"},
            },
        },
        "stack_yaml": {"config": _qualified(site_name, config_data(config))},
        "summary": _summary(index, site_name),
        "usd_per_month": config.stack.usd_per_month,
        "has_training": config.training is not None,
        "has_burst": config.aws_burst is not None,
        "has_budget": config.budget is not None,
        "is_manager": config.training is not None and config.training.burst is not None,
        "package": PACKAGE,
        "migrations": pending(config),
        "secrets": _secrets(config),
        "managed": _managed(project, index, site_name),
        "needs_aws": config.aws_region is not None,
    }


def render_stacks(
    plan: Plan,
    project: Project,
    env: jinja2.Environment,
    *,
    stack_env: str = "prod",
    command: str,
    previous: Mapping[str, StackConfig] | None = None,
) -> dict[str, str]:
    """Render one Pulumi stack folder per used site: ``{"stacks/<site>/<file>": text}``.

    ``command`` is the command line that regenerates the files (written in each header).
    ``previous`` holds the configs the stacks hold now, by site (read from ``OUT`` before
    it is overwritten): right-sized requests stay put within a band
    (:mod:`~planner.emit.stability`) and a database the plan moves away stays where it is
    until its migration is confirmed (:mod:`~planner.emit.migration`).
    Raises ``InputError`` (exit 2) when a name is unsafe to emit, before rendering anything.
    """
    check_inputs(plan, project, stack_env=stack_env, command=command)
    env = strict_environment(env)
    files: dict[str, str] = {}
    before = dict(previous or {})
    index = emit_index(plan, project)  # built once: every lookup below is a dict lookup
    configs = {
        site: stack_config(
            plan, project, site, stack_env=stack_env, previous=before.get(site), index=index
        )
        for site in stack_sites(plan, project)
    }
    known_sites = [s.name for s in project.sites]
    configs = hold_moved_databases(
        configs,
        before,
        project,
        {
            s: stack_info(plan, project, s, stack_env=stack_env, index=index)
            for s in known_sites
            if s in before
        },
    )
    sites = tuple(s for s in known_sites if s in configs)
    common = {
        "command": command,
        "input_digest": plan.input_digest or "(none)",
        "version": planner.__version__,
        "stack_env": stack_env,
    }
    for site_name in sites:
        config = configs[site_name]
        context = {**common, **_context(project, index, site_name, config)}
        for template, target in STACK_FILES:
            path = f"stacks/{site_name}/{target.format(env=stack_env)}"
            files[path] = env.get_template(f"{TEMPLATE_DIR}/{template}").render(context)
        files.update(vendored(f"stacks/{site_name}"))
    readme = env.get_template(f"{TEMPLATE_DIR}/index.md.j2").render(
        {
            **common,
            "stacks": [
                {
                    "site": s,
                    "kind": project.site(s).kind.value,
                    "usd_per_month": amount(
                        Money.total(
                            (x.per_month for x in index.shares(s)),
                            plan.per_month.currency,
                        )
                    ),
                }
                for s in sites
            ],
        }
    )
    files["stacks/README.md"] = readme
    return files
