"""An emitted stack folder as the Pulumi CLI sees it: its project name, its stack config, and
the environment the CLI gives the program for that config."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from planner.errors import UsageError
from planner.preview.result import REDACTED


def read_stack(stack_dir: Path, stack: str | None = None) -> tuple[str, str, dict[str, Any]]:
    """``(project, stack, config)`` of an emitted stack folder; ``stack`` may be omitted
    when the folder holds exactly one ``Pulumi.<stack>.yaml``."""
    project_file = stack_dir / "Pulumi.yaml"
    if not project_file.is_file():
        raise UsageError(
            f"{stack_dir} is not a Pulumi stack folder (no Pulumi.yaml)",
            fix="pass a folder emitted by `hybridplan plan`, e.g. out/stacks/<site>",
        )
    project_doc = yaml.safe_load(project_file.read_text(encoding="utf-8")) or {}
    project = str(project_doc.get("name", ""))
    if not project:
        raise UsageError(f"{project_file} has no project name")
    if stack is None:
        candidates = sorted(
            p.name[len("Pulumi.") : -len(".yaml")]
            for p in stack_dir.glob("Pulumi.*.yaml")
            if p.name != "Pulumi.yaml"
        )
        if len(candidates) != 1:
            raise UsageError(
                f"{stack_dir} holds {len(candidates)} stack config files "
                f"({', '.join(candidates) or 'none'})",
                fix="name the stack with --stack",
            )
        stack = candidates[0]
    stack_file = stack_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.is_file():
        raise UsageError(f"no stack config {stack_file}")
    # libyaml's safe loader when PyYAML has it: a 10k-workload stack config is megabytes
    # (S506 below: the loader is a safe one either way)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    doc = yaml.load(stack_file.read_text(encoding="utf-8"), Loader=loader) or {}  # noqa: S506
    config = doc.get("config") or {}
    if not isinstance(config, dict):
        raise UsageError(f"{stack_file}: `config` is not a mapping")
    return project, stack, config


def cli_config_env(project: str, config: Mapping[str, Any]) -> dict[str, str]:
    """The environment the Pulumi CLI gives a program for ``config``: ``PULUMI_CONFIG``
    (keys fully qualified, values strings, structured values as JSON) and
    ``PULUMI_CONFIG_SECRET_KEYS``. ``secure:`` values cannot be decrypted offline and are
    passed as ``"[secret]"``."""
    values: dict[str, str] = {}
    secret_keys: list[str] = []
    for key, value in sorted(config.items()):
        full = key if ":" in key else f"{project}:{key}"
        if isinstance(value, dict) and set(value) == {"secure"}:
            values[full] = REDACTED
            secret_keys.append(full)
        elif isinstance(value, dict | list):
            values[full] = json.dumps(value, sort_keys=True)
        elif isinstance(value, bool):
            values[full] = "true" if value else "false"
        else:
            values[full] = "" if value is None else str(value)
    return {
        "PULUMI_CONFIG": json.dumps(values, sort_keys=True),
        "PULUMI_CONFIG_SECRET_KEYS": json.dumps(secret_keys),
    }
