"""The order the emitted stacks deploy in: a stack that reads another stack's outputs
(a MultiKueue manager reading its workers' kubeconfigs by ``pulumi.StackReference``) goes
after it.

:func:`deploy_stages` is pure: stacks in, stages out. ``python -m planner.scaffold.stages
OUT/stacks ENV`` (what the generated workflow runs, on the committed, reviewed files - never
a re-plan) reads each ``Pulumi.yaml`` and ``Pulumi.<ENV>.yaml`` and prints
``first=[...]`` and ``then=[...]`` (JSON lists of stack folders) for ``$GITHUB_OUTPUT``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from planner.errors import UsageError

REFERENCES_KEY = "worker_projects"
"""Where a stack's config names the projects it reads outputs of (``training.burst``)."""


def _referenced(value: Any) -> Iterator[str]:
    """Every project named under a ``worker_projects`` mapping anywhere in ``value``."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == REFERENCES_KEY and isinstance(item, Mapping):
                yield from (str(v) for v in item.values())
            else:
                yield from _referenced(item)
    elif isinstance(value, list):
        for item in value:
            yield from _referenced(item)


def deploy_stages(
    stacks: Mapping[str, tuple[str, Mapping[str, Any]]],
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``(first, then)``: the stack folders that read no other stack, then those that do.
    ``stacks`` maps a folder to its ``(project name, config)``. Raises ``UsageError`` when
    a stack reads a project that is not among them, or a stack it reads reads another."""
    folder_of = {project: folder for folder, (project, _) in stacks.items()}
    needs: dict[str, set[str]] = {}
    for folder, (_, config) in sorted(stacks.items()):
        wanted = set(_referenced(config))
        missing = sorted(wanted - set(folder_of))
        if missing:
            raise UsageError(
                f"stack {folder} reads the outputs of {', '.join(missing)}, which is not "
                "among the emitted stacks",
                fix="re-plan and commit every stack folder the plan emits",
            )
        needs[folder] = {folder_of[p] for p in wanted} - {folder}
    first = tuple(sorted(f for f, deps in needs.items() if not deps))
    then = tuple(sorted(f for f, deps in needs.items() if deps))
    deep = sorted(f for f in then if needs[f] & set(then))
    if deep:
        raise UsageError(
            f"stacks {', '.join(deep)} read stacks that read others: the workflow deploys in "
            "two stages only",
            fix="a MultiKueue worker must not itself burst to another cluster",
        )
    return first, then


def read_stacks(stacks_dir: Path, env: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """``folder -> (project, config)`` of every stack under ``stacks_dir`` (the edge that
    reads files for :func:`deploy_stages`)."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for project_file in sorted(stacks_dir.glob("*/Pulumi.yaml")):
        folder = project_file.parent
        project = str((yaml.safe_load(project_file.read_text(encoding="utf-8")) or {})["name"])
        config_file = folder / f"Pulumi.{env}.yaml"
        if not config_file.is_file():
            raise UsageError(f"{folder} has no Pulumi.{env}.yaml", fix="pass the stack name")
        doc = yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}
        out[folder.name] = (project, dict(doc.get("config") or {}))
    return out


def main(argv: list[str]) -> int:
    """``python -m planner.scaffold.stages STACKS_DIR ENV``: print the stages."""
    if len(argv) != 2:
        sys.stderr.write("usage: python -m planner.scaffold.stages STACKS_DIR ENV\n")
        return 2
    try:
        first, then = deploy_stages(read_stacks(Path(argv[0]), argv[1]))
    except UsageError as exc:
        sys.stderr.write(exc.render() + "\n")
        return 2
    sys.stdout.write(f"first={json.dumps(list(first))}\nthen={json.dumps(list(then))}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
