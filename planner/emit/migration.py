"""Stateful moves are gated: a re-plan that moves a database from site A to site B never
deletes A's copy before the data is migrated.

Emit reads the configs the stacks hold now (``previous``, by site). A database that the
previous config of A runs and the new plan puts on B instead is:

- **kept** in A's stack exactly as it ran (same pod template, same volume), marked
  ``migration: {role: source, peer_site: B}`` (annotation ``hybridplan.io/migration``),
  with its team's namespace, a quota that still admits it and its priority class - also
  when the plan puts nothing else on A;
- **created empty** in B's stack, marked ``migration: {role: target, peer_site: A}``.

Both stacks' READMEs list the steps (copy the data, switch clients). The move is confirmed
in the inventory with ``deploy: {migrated_from: A}``: only then does A's stack drop the old
copy - and ``pulumi up`` there still refuses, because the StatefulSet / Cluster is
protected, until an operator runs ``pulumi state unprotect``; its volumes are retained
(``retainOnDelete`` and the Retain claim policy) for deletion by hand. A database dropped
from the plan altogether is not held: its resource is protected, so ``pulumi up`` fails on
it instead of deleting data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace

from planner.emit.quantities import (
    cpu_quantity,
    memory_quantity,
    parse_cpu_cores,
    parse_memory_gib,
)
from planner.model import Project
from stacks.spec import (
    KubernetesConfig,
    MigrationSpec,
    StackConfig,
    StackInfo,
    TeamSpec,
    WorkloadSpec,
)

SOURCE = "source"
TARGET = "target"


def _sites_running(configs: Mapping[str, StackConfig], name: str) -> list[str]:
    return [
        site
        for site, c in configs.items()
        if c.kubernetes is not None and any(w.name == name for w in c.kubernetes.workloads)
    ]


def _add(quantity: str | None, more: float, *, memory: bool) -> str:
    """``quantity`` (a quota entry as the stacks write it) plus ``more`` cores or GiB,
    rounded up to whole cores / GiB like the quota itself."""
    have = (parse_memory_gib(quantity) if memory else parse_cpu_cores(quantity)) or 0.0
    total = math.ceil(have + more)
    return memory_quantity(total) if memory else cpu_quantity(total)


def _quota_with(hard: Mapping[str, str], w: WorkloadSpec) -> dict[str, str]:
    """``hard`` plus what workload ``w`` (held as it ran) needs."""
    out = dict(hard)
    n = w.replicas + (1 if w.database and w.database.operator else 0)
    for key, part, memory in (
        ("requests.cpu", w.requests.get("cpu"), False),
        ("limits.cpu", w.limits.get("cpu"), False),
        ("requests.memory", w.requests.get("memory"), True),
        ("limits.memory", w.limits.get("memory"), True),
    ):
        each = (parse_memory_gib(part) if memory else parse_cpu_cores(part)) or 0.0
        out[key] = _add(out.get(key), each * n, memory=memory)
    out["pods"] = str(int(out.get("pods", "0")) + n)
    if w.storage is not None:
        out["persistentvolumeclaims"] = str(int(out.get("persistentvolumeclaims", "0")) + n)
        size = parse_memory_gib(w.storage) or 0.0
        out["requests.storage"] = _add(out.get("requests.storage"), size * n, memory=True)
    return out


def _with_workload(
    config: KubernetesConfig | None, w: WorkloadSpec, team: TeamSpec | None
) -> KubernetesConfig:
    """``config`` plus held workload ``w``: its team (namespace, quota grown to admit it)
    and its priority tier."""
    teams = {t.name: t for t in config.teams} if config else {}
    base = teams.get(w.team) or TeamSpec(name=w.team, quota={})
    if team is not None and w.team not in teams:
        base = replace(team, quota={})
    teams[w.team] = replace(base, quota=_quota_with(base.quota, w))
    workloads = (*config.workloads, w) if config else (w,)
    tiers = set(config.priority_tiers) if config else set()
    return KubernetesConfig(
        teams=tuple(teams[t] for t in sorted(teams)),
        workloads=tuple(sorted(workloads, key=lambda x: x.name)),
        priority_tiers=tuple(sorted(tiers | {w.tier})),
    )


def _mark(config: StackConfig, name: str, migration: MigrationSpec) -> StackConfig:
    assert config.kubernetes is not None
    workloads = tuple(
        replace(w, database=replace(w.database, migration=migration))
        if w.name == name and w.database is not None
        else w
        for w in config.kubernetes.workloads
    )
    return replace(config, kubernetes=replace(config.kubernetes, workloads=workloads))


def hold_moved_databases(
    configs: Mapping[str, StackConfig],
    previous: Mapping[str, StackConfig],
    project: Project,
    new_stack: Mapping[str, StackInfo],
) -> dict[str, StackConfig]:
    """``configs`` (by site) with every unconfirmed database move held (module docstring).
    ``new_stack`` gives the identity of a stack the plan no longer uses otherwise."""
    out = dict(configs)
    known = {w.name: w for w in project.workloads}
    for site, before in sorted(previous.items()):
        if before.kubernetes is None or site not in new_stack:
            continue
        for w in before.kubernetes.workloads:
            if w.kind != "database" or site in _sites_running(configs, w.name):
                continue
            targets = _sites_running(configs, w.name)
            workload = known.get(w.name)
            if not targets or workload is None or workload.deploy.migrated_from == site:
                continue
            held = w
            if w.database is not None:
                source = MigrationSpec(role=SOURCE, peer_site=targets[0])
                held = replace(w, database=replace(w.database, migration=source))
            team = next((t for t in before.kubernetes.teams if t.name == w.team), None)
            current = out.get(site) or StackConfig(stack=new_stack[site])
            out[site] = replace(current, kubernetes=_with_workload(current.kubernetes, held, team))
            for target in targets:
                out[target] = _mark(out[target], w.name, MigrationSpec(role=TARGET, peer_site=site))
    return out


def pending(config: StackConfig) -> list[dict[str, str]]:
    """The migrations a stack takes part in, for its README."""
    if config.kubernetes is None:
        return []
    return [
        {
            "workload": w.name,
            "role": w.database.migration.role,
            "peer": w.database.migration.peer_site,
        }
        for w in config.kubernetes.workloads
        if w.database is not None and w.database.migration is not None
    ]
